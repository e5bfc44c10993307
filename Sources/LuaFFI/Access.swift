// Indexing cdata: array elements, pointer targets, struct fields, bitfields, with
// bounds and NULL checks. The __index/__newindex of every cdata.
import CLua
import CLuaCore
import CTypes

/// Where an indexed element or field lives.
enum Location {
    /// A whole value of type `typeID` at `address`.
    case value(address: UnsafeMutableRawPointer, typeID: Int32, isConst: Bool)
    /// A bitfield of the record at `base`.
    case bitfield(base: UnsafeMutableRawPointer, field: FieldInfo, isConst: Bool)
}

extension FFIState {
    /// Resolves `cdata[key]` (the cdata at stack index `index`, the key at `key`) to
    /// a location, or nil when a struct has no such field (the metatype may answer).
    /// Throws for bad keys, NULL pointers and indexes out of range.
    func locate(_ L: OpaquePointer, _ cdata: CDataRef, at index: Int32 = 1, key: Int32) throws(FFIError) -> Location? {
        try checkUsable(cdata)
        // A reference (`node.a`) is derived from its owner as a pointer is.
        if self.info(cdata.typeID).kind == .reference { try checkOwnerUsable(L, index) }
        let (address, id) = value(of: cdata)
        let info = info(id)
        switch info.kind {
        case .pointer:
            try checkOwnerUsable(L, index)
            let target = address.load(as: UnsafeMutableRawPointer?.self)
            if lua_type(L, key) == LUA_TSTRING, case .record = types[Int(info.target)].kind {
                guard let target else { throw nullError(id) }
                return try locateField(L, record: info.target, base: target, key: key)
            }
            let index = try elementIndex(L, key, id)
            guard let target else { throw nullError(id) }
            return try element(of: info.target, at: target, index: index, container: id)
        case .array:
            let index = try elementIndex(L, key, id)
            let count = info.count ?? (cdata.count >= 0 ? cdata.count : nil)
            if let count, index < 0 || index >= count {
                throw FFIError("index \(index) out of range for '\(types[Int(id)].cName)' (\(count) elements)")
            }
            return try element(of: info.target, at: address, index: index, container: id)
        case .vector:
            // Elements of a vector are read-only, as in LuaJIT (a vector is a value).
            let index = try elementIndex(L, key, id)
            let count = info.count ?? 0
            guard index >= 0 && index < count else {
                throw FFIError("index \(index) out of range for '\(types[Int(id)].cName)' (\(count) elements)")
            }
            let size = self.info(info.target).size ?? 0
            return .value(address: address + index * size, typeID: info.target, isConst: true)
        case .record:
            guard lua_type(L, key) == LUA_TSTRING else {
                // Other keys go to the metatype's __index/__newindex, if any (LuaJIT).
                if metatypeOwner(of: cdata) != nil { return nil }
                throw FFIError("'\(types[Int(id)].cName)' cannot be indexed with '\(typeName(L, key))'")
            }
            return try locateField(L, record: id, base: address, key: key)
        case .complexFloat, .complexDouble:
            let part = stringArgument(L, key)
            let size = info.kind == .complexFloat ? 4 : 8
            let partType = info.kind == .complexFloat ? floatType : doubleType
            // LuaJIT: the parts are read-only (a complex number is a value); c[0] is
            // the real part, c[1] the imaginary one (index & 1).
            if part == "re" { return .value(address: address, typeID: partType, isConst: true) }
            if part == "im" { return .value(address: address + size, typeID: partType, isConst: true) }
            guard part == nil else { return nil }
            let index = try elementIndex(L, key, id)
            return .value(address: address + (index & 1) * size, typeID: partType, isConst: true)
        default:
            throw FFIError("'\(types[Int(id)].cName)' cannot be indexed")
        }
    }

    /// A field of the record of type `record` at `base`; nil if there is none.
    func locateField(
        _ L: OpaquePointer, record: Int32, base: UnsafeMutableRawPointer, key: Int32
    ) throws(FFIError) -> Location? {
        guard info(record).isComplete else {
            throw FFIError("cannot access a field of incomplete type '\(types[Int(record)].cName)'")
        }
        guard let field = field(L, record: record, key: key) else { return nil }
        let isConst = info(record).isConst || info(field.typeID).isConst
        if field.bitWidth > 0 { return .bitfield(base: base, field: field, isConst: isConst) }
        return .value(address: base + field.offset, typeID: field.typeID, isConst: isConst)
    }

    /// Element `index` of an array of `element` at `base`.
    func element(
        of element: Int32, at base: UnsafeMutableRawPointer, index: Int, container: Int32
    ) throws(FFIError) -> Location {
        let info = info(element)
        guard let size = info.size else {
            throw FFIError("cannot index '\(types[Int(container)].cName)': element size unknown")
        }
        // Through a pointer any index is C's to judge: the address wraps around, as
        // pointer arithmetic does (arrays were bounds-checked before).
        let address = UnsafeMutableRawPointer(bitPattern: UInt(bitPattern: base) &+ UInt(bitPattern: index &* size))
        guard let address else { throw FFIError("attempt to dereference a NULL pointer of type '\(types[Int(container)].cName)'") }
        return .value(address: address, typeID: element, isConst: info.isConst)
    }

    /// An index key: a Lua integer, an integral float or an integer cdata.
    func elementIndex(_ L: OpaquePointer, _ key: Int32, _ id: Int32) throws(FFIError) -> Int {
        var isInteger: Int32 = 0
        let index = lf_tointeger(L, key, &isInteger)
        if isInteger != 0 { return Int(index) }
        if let cdata = cdata(L, at: key), let bits = try scalarBits(of: cdata) { return Int(bits) }
        if let name = stringArgument(L, key) {
            throw FFIError("'\(types[Int(id)].cName)' has no member named '\(name)'")
        }
        throw FFIError("'\(types[Int(id)].cName)' cannot be indexed with '\(typeName(L, key))'")
    }

    func nullError(_ id: Int32) -> FFIError {
        FFIError("attempt to dereference a NULL pointer of type '\(types[Int(id)].cName)'")
    }

    /// Pushes the value at a location (reads). `[-0, +1, m]`
    func push(_ L: OpaquePointer, _ location: Location, anchor: Int32) throws(FFIError) {
        switch location {
        case .value(let address, let typeID, _):
            try push(L, typeID, from: address, anchor: anchor)
        case .bitfield(let base, let field, _):
            let value = loadBitfield(base, field)
            if info(field.typeID).kind == .bool { lua_pushboolean(L, value != 0 ? 1 : 0) } else {
                lua_pushinteger(L, lua_Integer(value))
            }
        }
    }

    /// Stores the Lua value at `index` into a location (writes). `count` is the
    /// element count of the object written to, when it is a variable-length struct.
    func store(_ L: OpaquePointer, _ index: Int32, into location: Location, count: Int = -1) throws(FFIError) {
        switch location {
        case .value(let address, let typeID, let isConst):
            if isConst { throw constError(typeID) }
            if count >= 0, info(typeID).isVariable, lua_type(L, index) == LUA_TTABLE {
                return try assignVariableArray(L, typeID, at: address, count: count, table: index)
            }
            let kind = info(typeID).kind
            if kind == .array || kind == .record || kind == .complexFloat || kind == .complexDouble {
                try checkAggregateWrite(L, index, typeID, kind)
            }
            try store(L, index, as: typeID, to: address)
        case .bitfield(let base, let field, let isConst):
            if isConst { throw constError(field.typeID) }
            storeBitfield(try bitfieldValue(L, index, field.typeID), base, field)
        }
    }

    /// LuaJIT's rules for assigning a whole aggregate: not an array of const elements
    /// or a struct with a const member; not from a boolean, nor an array or struct from
    /// a number (initializers of `ffi.new` stay as lenient as before).
    private func checkAggregateWrite(_ L: OpaquePointer, _ index: Int32, _ id: Int32, _ kind: ValueKind)
        throws(FFIError)
    {
        if types[Int(id)].hasConstPart { throw constError(id) }
        let valueType = lua_type(L, index)
        if valueType == LUA_TBOOLEAN || (valueType == LUA_TNUMBER && (kind == .array || kind == .record)) {
            throw conversionError(L, index, to: id)
        }
    }

    func constError(_ id: Int32) -> FFIError {
        FFIError("attempt to write to constant location of type '\(types[Int(id)].cName)'")
    }
}
