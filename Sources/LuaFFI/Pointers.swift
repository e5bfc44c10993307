// Conversions to C pointers, and the pointer compatibility rules of implicit ones.
import CLua
import CLuaCore
import CTypes

extension FFIState {
    /// The Lua value at `index` as a value of pointer type `id`: nil is NULL,
    /// strings point to their bytes (for `char` and `void` pointers), cdata give
    /// their address (pointers, arrays, structs, references), light and full
    /// userdata their address. Other values, and incompatible pointers, are errors.
    func pointer(_ L: OpaquePointer, _ index: Int32, to id: Int32) throws(FFIError) -> UnsafeMutableRawPointer? {
        let target = info(id).target
        switch lua_type(L, index) {
        case LUA_TNIL:
            return nil
        case LUA_TSTRING:
            // Only for read-only bytes: Lua strings are immutable and shared.
            guard isByteOrVoid(target), types[Int(target)].qualifiers.contains(.const) else { break }
            return UnsafeMutableRawPointer(mutating: lua_tolstring(L, index, nil))
        case LUA_TLIGHTUSERDATA:
            return lua_touserdata(L, index)
        case LUA_TFUNCTION:
            return try functionPointer(L, index, to: id)
        case LUA_TUSERDATA:
            guard let cdata = cdata(L, at: index) else {
                guard !isInternal(L, index) else { break }
                return try userdataAddress(L, index)
            }
            try checkOwnerUsable(L, index)
            guard let (address, pointee) = try address(of: cdata) else { break }
            guard isCompatible(pointee, with: target) else { break }
            return address
        default:
            break
        }
        throw conversionError(L, index, to: id)
    }

    /// The address a cdata stands for and the type found there: a pointer's value,
    /// an array's first element, an aggregate's own address. nil for numbers.
    func address(of cdata: CDataRef) throws(FFIError) -> (UnsafeMutableRawPointer?, Int32)? {
        try checkUsable(cdata)
        let (address, id) = value(of: cdata)
        let info = info(id)
        switch info.kind {
        case .pointer: return (address.load(as: UnsafeMutableRawPointer?.self), info.target)
        case .array: return (address, info.target)
        case .record, .complexFloat, .complexDouble: return (address, id)
        case .function: return (address.load(as: UnsafeMutableRawPointer?.self), id)
        default: return nil
        }
    }

    /// The address a full userdata that is not a cdata stands for: its block, or for
    /// an `io` file the `FILE *` it holds (luaL_Stream's first field), as in LuaJIT,
    /// so that `ffi.C.fileno(io.stdout)` is 1; a closed file is an error (its
    /// `FILE *` is freed). `[-0, +0, -]`
    func userdataAddress(_ L: OpaquePointer, _ index: Int32) throws(FFIError) -> UnsafeMutableRawPointer? {
        let block = lua_touserdata(L, index)
        guard let block, lua_getmetatable(L, index) != 0 else { return block }
        lf_getmetatable(L, "FILE*")  // LUA_FILEHANDLE
        let isFile = lua_rawequal(L, -1, -2) != 0
        lf_pop(L, 2)
        guard isFile else { return block }
        // luaL_Stream: FILE *f, then closef (NULL once closed).
        guard block.load(fromByteOffset: 8, as: UnsafeRawPointer?.self) != nil else {
            throw FFIError("attempt to use a closed file")
        }
        return block.load(as: UnsafeMutableRawPointer?.self)
    }

    /// Whether the userdata at `index` is one of the module's own objects (a ctype
    /// object or a library namespace): their memory is not the program's to write.
    func isInternal(_ L: OpaquePointer, _ index: Int32) -> Bool {
        ctypeID(L, at: index) != nil || library(L, at: index) != nil
    }

    /// Whether a `char`-sized integer or `void` is pointed to.
    func isByteOrVoid(_ id: Int32) -> Bool {
        let kind = info(id).kind
        return kind == .void || kind == .int8 || kind == .uint8
    }

    /// Whether a pointer to `source` converts implicitly to a pointer to `target`:
    /// `void *` either way, the same type (adding qualifiers, not dropping `const`),
    /// or integers of the same size.
    func isCompatible(_ source: Int32, with target: Int32) -> Bool {
        if source == target { return true }
        let s = types[Int(source)], t = types[Int(target)]
        // Never drop `const` or `volatile` (LuaJIT: "cannot convert"), not even to `void *`.
        if !t.qualifiers.union(.restrict).isSuperset(of: s.qualifiers) { return false }
        if case .void = t.kind { return true }
        if case .void = s.kind { return true }
        if s.unqualified == t.unqualified { return true }
        let sk = info(source).kind, tk = info(target).kind
        if sk.isInteger, tk.isInteger, info(source).size == info(target).size { return true }
        return false
    }

    /// Stores the Lua value at `index` into an aggregate (array, struct, union,
    /// complex) of type `id`: a cdata of the same type is copied, a table is an
    /// initializer, a string fills a `char` array, a number (or a numeric cdata, not
    /// a `bool`) is a complex's real part.
    func storeAggregate(_ L: OpaquePointer, _ index: Int32, as id: Int32, to address: UnsafeMutableRawPointer) throws(FFIError) {
        let info = info(id)
        guard let size = info.size else { throw conversionError(L, index, to: id) }
        if let cdata = cdata(L, at: index) {
            try checkUsable(cdata)
            let (source, sourceType) = value(of: cdata)
            let sourceKind = self.info(sourceType).kind
            if storeComplex(from: source, kind: sourceKind, as: info.kind, to: address) { return }
            if info.kind == .complexFloat || info.kind == .complexDouble,
                sourceKind.isInteger || sourceKind.isFloating
            {
                address.initializeMemory(as: UInt8.self, repeating: 0, count: size)
                return try initialize(L, id, at: address, count: -1, first: index, last: index)  // a real part
            }
            guard types[Int(sourceType)].unqualified == types[Int(id)].unqualified else {
                throw conversionError(L, index, to: id)
            }
            address.copyMemory(from: source, byteCount: size)
            return
        }
        try checkAggregateSource(L, index, id)
        address.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        try initialize(L, id, at: address, count: -1, first: index, last: index)
    }

    /// LuaJIT converts no Lua value but a table to an aggregate of type `id` (or a VLA
    /// member): a number only to a complex (its real part), a string only to a byte
    /// array; anything else is `cannot convert`.
    func checkAggregateSource(_ L: OpaquePointer, _ index: Int32, _ id: Int32) throws(FFIError) {
        let info = info(id)
        switch lua_type(L, index) {
        case LUA_TTABLE: return
        case LUA_TNUMBER where info.kind == .complexFloat || info.kind == .complexDouble: return
        case LUA_TSTRING where info.kind == .array && isByteOrVoid(info.target): return
        default: throw conversionError(L, index, to: id)
        }
    }

    /// `complex float` <-> `complex double`, part by part (LuaJIT converts them); false
    /// for any other pair of kinds.
    private func storeComplex(
        from source: UnsafeRawPointer, kind: ValueKind, as target: ValueKind, to address: UnsafeMutableRawPointer
    ) -> Bool {
        switch (kind, target) {
        case (.complexFloat, .complexDouble):
            for part in 0..<2 {
                address.storeBytes(
                    of: Double(source.load(fromByteOffset: part * 4, as: Float.self)), toByteOffset: part * 8,
                    as: Double.self)
            }
        case (.complexDouble, .complexFloat):
            for part in 0..<2 {
                address.storeBytes(
                    of: Float(source.load(fromByteOffset: part * 8, as: Double.self)), toByteOffset: part * 4,
                    as: Float.self)
            }
        default: return false
        }
        return true
    }
}
