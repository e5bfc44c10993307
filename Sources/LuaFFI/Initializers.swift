// Initializers of ffi.new and of assignments to aggregates (LuaJIT's rules).
import CLua
import CLuaCore
import CTypes

extension FFIState {
    /// Initializes the zero-filled object of type `id` at `address` from the Lua
    /// values at stack indexes `first...last`. `count` is the element count of a
    /// VLA/VLS (-1 otherwise).
    func initialize(
        _ L: OpaquePointer, _ id: Int32, at address: UnsafeMutableRawPointer,
        count: Int, first: Int32, last: Int32
    ) throws(FFIError) {
        guard last >= first else { return }
        let info = info(id)
        switch info.kind {
        case .array, .vector:
            try initializeArray(L, id, at: address, count: info.count ?? count, first: first, last: last)
        case .record:
            try initializeRecord(L, id, at: address, count: count, first: first, last: last)
        case .complexFloat, .complexDouble:
            try initializeComplex(L, id, at: address, first: first, last: last)
        default:
            if last > first { throw tooMany(id) }
            try store(L, first, as: id, to: address)
        }
    }

    /// Makes room for the slots one level of a table initializer pushes (nested
    /// tables recurse, one level per nested aggregate). `lua_checkstack` never raises.
    private func reserveInitializerSlots(_ L: OpaquePointer) throws(FFIError) {
        guard lua_checkstack(L, 4) != 0 else { throw FFIError("initializer nested too deeply (stack overflow)") }
    }

    func tooMany(_ id: Int32) -> FFIError {
        FFIError("too many initializers for '\(types[Int(id)].cName)'")
    }

    /// Arrays: a table (0- or 1-based), a string for byte arrays (truncated to the
    /// array's size, as LuaJIT), a cdata of the
    /// same type, one value for every element, or one value per element.
    private func initializeArray(
        _ L: OpaquePointer, _ id: Int32, at address: UnsafeMutableRawPointer,
        count: Int, first: Int32, last: Int32
    ) throws(FFIError) {
        let element = info(id).target
        let elementSize = info(element).size ?? 0
        let single = first == last
        if single, lua_type(L, first) == LUA_TTABLE {
            return try initializeArray(L, id, at: address, count: count, table: first)
        }
        if single, lua_type(L, first) == LUA_TSTRING, isByteOrVoid(element) {
            var length = 0
            let bytes = lua_tolstring(L, first, &length)!
            // LuaJIT copies at most the array's size: the terminator, then the tail,
            // are dropped when the string is too long.
            address.copyMemory(from: bytes, byteCount: min(length + 1, count))
            return
        }
        if single, let cdata = cdata(L, at: first), types[Int(value(of: cdata).type)].isLuaJITSameType(types[Int(id)]) {
            address.copyMemory(from: value(of: cdata).address, byteCount: count * elementSize)
            return
        }
        if single {
            guard count > 0 else { return }
            try store(L, first, as: element, to: address)
            for i in 1..<max(count, 1) { (address + i * elementSize).copyMemory(from: address, byteCount: elementSize) }
            return
        }
        guard Int(last - first + 1) <= count else { throw tooMany(id) }
        for (i, index) in (first...last).enumerated() {
            try store(L, index, as: element, to: address + i * elementSize)
        }
    }

    private func initializeArray(
        _ L: OpaquePointer, _ id: Int32, at address: UnsafeMutableRawPointer, count: Int, table: Int32
    ) throws(FFIError) {
        try reserveInitializerSlots(L)
        let element = info(id).target
        let elementSize = info(element).size ?? 0
        let base: lua_Integer = lua_rawgeti(L, table, 0) != LUA_TNIL ? 0 : 1
        lf_pop(L, 1)
        var i = 0
        while true {
            let type = lua_rawgeti(L, table, base + lua_Integer(i))
            if type == LUA_TNIL { lf_pop(L, 1); break }
            guard i < count else { lf_pop(L, 1); throw tooMany(id) }
            do {
                try store(L, -1, as: element, to: address + i * elementSize)
            } catch {
                lf_pop(L, 1)
                throw error
            }
            lf_pop(L, 1)
            i += 1
        }
        // A single element fills an array of known size, other counts are followed by
        // zeros, after the elements (LuaJIT's rule: an assignment that fails midway
        // leaves the rest as it was); a VLA's remainder is left alone.
        if i == 1, info(id).count != nil {
            for j in 1..<max(count, 1) { (address + j * elementSize).copyMemory(from: address, byteCount: elementSize) }
        } else if i < count, info(id).count != nil {
            (address + i * elementSize).initializeMemory(as: UInt8.self, repeating: 0, count: (count - i) * elementSize)
        }
    }

    /// A table assigned to the `[?]` member of a variable-length struct of `count`
    /// elements: its elements in order, the rest unchanged, as LuaJIT writes a VLA
    /// (here never past `count`).
    func assignVariableArray(
        _ L: OpaquePointer, _ id: Int32, at address: UnsafeMutableRawPointer, count: Int, table: Int32
    ) throws(FFIError) {
        try initializeArray(L, id, at: address, count: count, table: table)
    }

    /// Structs and unions: a table (by position from [1], else by field name), a
    /// cdata of the same type, or one value per field in order (unions: the first).
    private func initializeRecord(
        _ L: OpaquePointer, _ id: Int32, at address: UnsafeMutableRawPointer,
        count: Int, first: Int32, last: Int32
    ) throws(FFIError) {
        guard info(id).isComplete else {
            throw FFIError("cannot initialize incomplete type '\(types[Int(id)].cName)'")
        }
        if first == last, lua_type(L, first) != LUA_TNUMBER {
            if let cdata = cdata(L, at: first),
               types[Int(value(of: cdata).type)].unqualified == types[Int(id)].unqualified {
                address.copyMemory(from: value(of: cdata).address, byteCount: info(id).size ?? 0)
                return
            }
            if lua_type(L, first) == LUA_TTABLE, case .record(let record) = types[Int(id)].kind {
                // Describes the type to the C path (its members in order, by name),
                // which takes the next tables.
                _ = positional(id)
                pushFieldTable(L, record: id)
                lf_pop(L, 1)
                let fields = flattenedFields(record, at: 0, table: true)
                return try initializeRecord(L, record, fields, at: address, count: count, table: first)
            }
        }
        let (start, fieldCount) = positional(id)
        guard Int(last - first + 1) <= fieldCount else { throw tooMany(id) }
        for i in 0..<Int(last - first + 1) {
            try storeField(L, first + Int32(i), positionalFieldInfos[start + i], base: address, count: count)
        }
    }

    /// The fields a positional initializer fills, in order (unions: the first one),
    /// built once per record type.
    private func positional(_ id: Int32) -> (start: Int, count: Int) {
        let known = infos[Int(id)].positional
        if known.start >= 0 { return (Int(known.start), Int(known.count)) }
        guard case .record(let record) = types[Int(id)].kind else { return (0, 0) }
        let fields = flattenedFields(record, at: 0, table: false).map { field in
            FieldInfo(offset: field.offset, typeID: intern(field.type),
                      bitOffset: field.bitfield?.bitOffset ?? 0, bitWidth: field.bitfield?.width ?? 0,
                      isSigned: TypeInfo.kind(of: field.type).isSigned)
        }
        let start = positionalFieldInfos.count
        positionalFieldInfos += fields
        infos[Int(id)].positional = (Int32(start), Int32(fields.count))
        describePositional(id, fields)
        return (start, fields.count)
    }

    /// The fields positional initializers fill, in order, offsets from the outer
    /// record: anonymous struct and union members are flattened into theirs (LuaJIT:
    /// `{1, 2, 3}` into `struct { struct { int a, b; }; int c; }` sets a, b and c). A
    /// union takes its first member; read from a table (`table`), its members up to
    /// and including the first named one, as LuaJIT walks them.
    private func flattenedFields(_ record: CRecord, at offset: Int, table: Bool) -> [CField] {
        var result: [CField] = []
        for var field in record.fields where !(field.name == nil && field.bitfield != nil) {
            if field.name == nil, case .record(let inner) = field.type.kind {
                result += flattenedFields(inner, at: offset + field.offset, table: table)
                if record.isUnion && !table { break }
                continue
            }
            field.offset += offset
            result.append(field)
            if record.isUnion { break }
        }
        return result
    }

    /// Stores the value at `index` into one field (as FieldInfo) of the record at `base`.
    private func storeField(
        _ L: OpaquePointer, _ index: Int32, _ field: FieldInfo, base: UnsafeMutableRawPointer, count: Int
    ) throws(FFIError) {
        if field.bitWidth > 0 {
            storeBitfield(try bitfieldValue(L, index, field.typeID), base, field)
        } else if info(field.typeID).kind == .reference {
            try bindReferenceMember(L, index, field.typeID, at: base + field.offset)
        } else if info(field.typeID).isVariable {
            try checkAggregateSource(L, index, field.typeID)
            try initialize(L, field.typeID, at: base + field.offset, count: count, first: index, last: index)
        } else {
            try store(L, index, as: field.typeID, to: base + field.offset)
        }
    }

    /// A table initializer of a record: by position from [0] or [1] (`fields`,
    /// flattened; elements beyond them are ignored, as in LuaJIT), else by name.
    private func initializeRecord(
        _ L: OpaquePointer, _ record: CRecord, _ fields: [CField],
        at address: UnsafeMutableRawPointer, count: Int, table: Int32
    ) throws(FFIError) {
        try reserveInitializerSlots(L)
        let table = lua_absindex(L, table)
        let base: lua_Integer = lua_rawgeti(L, table, 0) != LUA_TNIL ? 0 : 1
        lf_pop(L, 1)
        if lua_rawgeti(L, table, base) != LUA_TNIL {
            lf_pop(L, 1)
            for (i, field) in fields.enumerated() {
                let type = lua_rawgeti(L, table, base + lua_Integer(i))
                defer { lf_pop(L, 1) }
                if type == LUA_TNIL { break }
                try storeField(L, -1, field, base: address, count: count)
            }
            return
        }
        lf_pop(L, 1)
        // A union takes the first of its members the table names, whatever the
        // table's order (LuaJIT looks up each member's name in declaration order).
        let chosen = record.isUnion ? firstNamedMember(L, record, table: table) : nil
        lua_pushnil(L)
        while lua_next(L, table) != 0 {
            defer { lf_pop(L, 1) }
            // Keys that name no field are ignored, as LuaJIT does.
            guard lua_type(L, -2) == LUA_TSTRING, let name = stringArgument(L, -2),
                  chosen == nil || chosen == name,
                  let reference = record.field(named: name) else { continue }
            let field = CField(name: name, type: reference.type, offset: reference.offset, bitfield: reference.bitfield)
            try storeField(L, -1, field, base: address, count: count)
        }
    }

    /// The name, among the table's string keys, of the union member declared first
    /// (members of anonymous members count in their place); nil if none.
    private func firstNamedMember(_ L: OpaquePointer, _ record: CRecord, table: Int32) -> String? {
        var best: (rank: Int, name: String)?
        let order = namedMembers(record)
        lua_pushnil(L)
        while lua_next(L, table) != 0 {
            defer { lf_pop(L, 1) }
            guard lua_type(L, -2) == LUA_TSTRING, let name = stringArgument(L, -2),
                  let rank = order.firstIndex(of: name), rank < (best?.rank ?? .max) else { continue }
            best = (rank, name)
        }
        return best?.name
    }

    /// The member names of a record in declaration order, anonymous members' inline.
    private func namedMembers(_ record: CRecord) -> [String] {
        record.fields.flatMap { field -> [String] in
            if let name = field.name { return [name] }
            if case .record(let inner) = field.type.kind { return namedMembers(inner) }
            return []
        }
    }

    /// Stores the value at `index` into one field of the record at `base`.
    private func storeField(
        _ L: OpaquePointer, _ index: Int32, _ field: CField, base: UnsafeMutableRawPointer, count: Int
    ) throws(FFIError) {
        let typeID = intern(field.type)
        if let bitfield = field.bitfield {
            let info = FieldInfo(
                offset: field.offset, typeID: typeID, bitOffset: bitfield.bitOffset, bitWidth: bitfield.width,
                isSigned: TypeInfo.kind(of: field.type).isSigned)
            storeBitfield(try bitfieldValue(L, index, typeID), base, info)
            return
        }
        if info(typeID).kind == .reference {
            return try bindReferenceMember(L, index, typeID, at: base + field.offset)
        }
        if case .array(_, .variable) = field.type.kind {
            try checkAggregateSource(L, index, typeID)
            return try initialize(L, typeID, at: base + field.offset, count: count, first: index, last: index)
        }
        try store(L, index, as: typeID, to: base + field.offset)
    }

    /// Binds the reference member of type `id` at `address` to what the value at
    /// `index` designates, converted as to a pointer (LuaJIT: an `int &` member takes
    /// an `int[1]` or an `int *`, not an `int`). Like a pointer member, it does not
    /// keep a Lua-owned object alive.
    private func bindReferenceMember(
        _ L: OpaquePointer, _ index: Int32, _ id: Int32, at address: UnsafeMutableRawPointer
    ) throws(FFIError) {
        let target = try pointer(L, index, to: pointerType(to: info(id).target))
        address.storeBytes(of: target, as: UnsafeMutableRawPointer?.self)
    }

    /// Whether the value at `index` is a `bool` cdata.
    private func isBoolCData(_ L: OpaquePointer, _ index: Int32) -> Bool {
        guard let cdata = cdata(L, at: index) else { return false }
        return info(value(of: cdata).type).kind == .bool
    }

    /// Stores into a vector (LuaJIT's rules): a vector of the same size is copied bit
    /// for bit, a table initializes it as an array, any other value but a boolean
    /// converts to the element type and fills every element (a complex: its real part).
    func storeVector(_ L: OpaquePointer, _ index: Int32, as id: Int32, to address: UnsafeMutableRawPointer) throws(FFIError) {
        let info = info(id)
        let size = info.size ?? 0
        if let cdata = cdata(L, at: index) {
            try checkUsable(cdata)
            let (source, type) = value(of: cdata)
            if self.info(type).kind == .vector, self.info(type).size == size {
                address.copyMemory(from: source, byteCount: size)
                return
            }
        }
        // A boolean fills no vector (LuaJIT), though it converts to a number.
        if lua_type(L, index) == LUA_TBOOLEAN { throw conversionError(L, index, to: id) }
        address.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        if lua_type(L, index) == LUA_TTABLE { return try initialize(L, id, at: address, count: -1, first: index, last: index) }
        let elementSize = self.info(info.target).size ?? 0
        try store(L, index, as: info.target, to: address)
        for i in 1..<max(info.count ?? 1, 1) { (address + i * elementSize).copyMemory(from: address, byteCount: elementSize) }
    }

    /// Complex numbers: a number (the real part), two numbers, or a table {re, im}.
    private func initializeComplex(
        _ L: OpaquePointer, _ id: Int32, at address: UnsafeMutableRawPointer, first: Int32, last: Int32
    ) throws(FFIError) {
        let part = info(id).kind == .complexFloat ? floatType : doubleType
        let size = info(part).size ?? 8
        if first == last, lua_type(L, first) == LUA_TTABLE {
            // As an array of two parts: from [0] or [1] to the first nil, a single
            // part replicated (LuaJIT's rule).
            let base: lua_Integer = lua_rawgeti(L, first, 0) != LUA_TNIL ? 0 : 1
            lf_pop(L, 1)
            var parts = 0
            while lua_rawgeti(L, first, base + lua_Integer(parts)) != LUA_TNIL {
                defer { lf_pop(L, 1) }
                guard parts < 2 else { throw tooMany(id) }
                try store(L, -1, as: part, to: address + parts * size)
                parts += 1
            }
            lf_pop(L, 1)
            if parts == 1 { (address + size).copyMemory(from: address, byteCount: size) }
            if parts == 0 { address.initializeMemory(as: UInt8.self, repeating: 0, count: 2 * size) }
            return
        }
        if first == last, let cdata = cdata(L, at: first),
            case let kind = info(value(of: cdata).type).kind, kind == .complexFloat || kind == .complexDouble
        {
            try storeAggregate(L, first, as: id, to: address)  // the same type, or the other complex
            return
        }
        guard last - first < 2 else { throw tooMany(id) }
        // A boolean (or bool cdata) is no complex number (LuaJIT), though a part may be one.
        if first == last, lua_type(L, first) == LUA_TBOOLEAN || isBoolCData(L, first) {
            throw conversionError(L, first, to: id)
        }
        for (i, index) in (first...last).enumerated() { try store(L, index, as: part, to: address + i * size) }
    }
}
