// ffi.cdef, typeof, sizeof, alignof, offsetof, istype: the declaration functions.
import CLua
import CLuaCore
import CTypes

/// `ffi.cdef(decls [, params...] [, options])`: declares C, all or nothing. Options
/// (Python cffi's keywords): `packed`, `pack`, `override`.
func ffiCdef(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        var length = 0
        guard lua_type(L, 1) == LUA_TSTRING, let chars = lua_tolstring(L, 1, &length) else {
            throw FFIError.type(1, "cdef", expected: "string", in: L)
        }
        var options = CDefOptions()
        if lua_gettop(L) > 1, lua_type(L, -1) == LUA_TTABLE {
            options = try cdefOptions(L, lua_gettop(L))
            lua_settop(L, -2)
            if options.override { ffi.forgetTypeStrings() }  // names may mean new types now
        }
        let params = try ffi.typeParameters(L, from: 2, for: 1)
        // The Lua string stays on the stack (alive) while its bytes are parsed in place.
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(chars).assumingMemoryBound(to: UInt8.self), count: length)
        do throws(CDeclarationError) {
            try ffi.declarations.cdef(utf8: bytes, parameters: params, options: options)
        } catch {
            throw FFIError(error)
        }
        // Redeclarations kept out: LuaJIT is silent; Lua shows warnings when asked (-W).
        for warning in ffi.declarations.warnings { lua_warning(L, warning, 0) }
        return 0
    }
}

/// The options table of `ffi.cdef` at `index`: `packed = true` is `pack = 1`; `pack`
/// is a power of two up to 16 (`#pragma pack`'s values). `[-0, +0, m]`
private func cdefOptions(_ L: OpaquePointer, _ index: Int32) throws(FFIError) -> CDefOptions {
    var options = CDefOptions()
    rawField(L, index, "override")
    options.override = lua_toboolean(L, -1) != 0
    rawField(L, index, "packed")
    let packed = lua_toboolean(L, -1) != 0
    rawField(L, index, "pack")
    var isInteger: Int32 = 0
    let pack = lf_tointeger(L, -1, &isInteger)
    let hasPack = lua_type(L, -1) != LUA_TNIL
    lf_pop(L, 3)
    if hasPack {
        guard isInteger != 0, [1, 2, 4, 8, 16].contains(pack) else {
            throw FFIError.argument(index, "cdef", "'pack' must be 1, 2, 4, 8 or 16")
        }
        guard !packed else { throw FFIError.argument(index, "cdef", "'packed' and 'pack' given together") }
        options.pack = Int(pack)
    } else if packed {
        options.pack = 1
    }
    return options
}

/// `ffi.typeof(ct [, params...])`: the ctype object of a C type.
func ffiTypeof(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        if lua_type(L, 1) != LUA_TSTRING, lua_gettop(L) > 1 {
            throw FFIError("wrong number of type parameters")
        }
        let id = try ffi.checkType(L, 1, "typeof", parameters: true)
        ffi.pushCType(L, id)
        return 1
    }
}

/// `ffi.sizeof(ct [, nelem])`: size in bytes; nil if unknown (incomplete types).
/// For a VLA or variable-length struct, `nelem` gives the number of elements.
func ffiSizeof(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let type = try ffi.measuredType(L, 1, "sizeof")
        guard let layout = type.variableLayout else {
            if let size = type.size { lua_pushinteger(L, lua_Integer(size)) } else { lua_pushnil(L) }
            return 1
        }
        var count = countArgument(L, 2) ?? 0
        var isInteger: Int32 = countArgument(L, 2) == nil ? 0 : 1
        if let cdata = ffi.cdata(L, at: 1), cdata.count >= 0 {
            (count, isInteger) = (lua_Integer(cdata.count), 1)  // the object's own length, as LuaJIT
        }
        if isInteger == 0, layout.countIsOptional {
            // A flexible array member or `T[]` with no count: C's sizeof (nil for `T[]`).
            if let size = type.size { lua_pushinteger(L, lua_Integer(size)) } else { lua_pushnil(L) }
            return 1
        }
        guard isInteger != 0 else { throw FFIError.argument(2, "sizeof", "value expected") }
        guard count >= 0, let size = layout.size(count: Int(count)) else {
            lua_pushnil(L)
            return 1
        }
        lua_pushinteger(L, lua_Integer(size))
        return 1
    }
}

/// `ffi.alignof(ct)`: the alignment in bytes.
func ffiAlignof(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let type = try ffi.checkedType(L, 1, "alignof")
        lua_pushinteger(L, lua_Integer(type.alignment))
        return 1
    }
}

/// `ffi.offsetof(ct, field)`: the byte offset of a field; for a bitfield also its
/// bit position and width. Nothing if there is no such field.
func ffiOffsetof(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let id = try ffi.checkType(L, 1, "offsetof")
        let type = ffi.types[Int(id)]
        guard let name = stringArgument(L, 2) else {
            throw FFIError.type(2, "offsetof", expected: "string", in: L)
        }
        guard case .record(let record) = type.kind, let field = record.field(named: name) else {
            return 0
        }
        ffi.pushFieldTable(L, record: id)  // the field lookup of the C fast path, built once
        lf_pop(L, 1)
        guard let bitfield = field.bitfield else {
            lua_pushinteger(L, lua_Integer(field.offset))
            return 1
        }
        let unit = storageUnit(of: bitfield, declaredSize: field.type.size ?? 1)
        if bitfield.width == (field.type.size ?? 0) * 8, bitfield.bitOffset == unit * 8 {
            // A bitfield filling its whole type is a plain field to LuaJIT: no bits.
            lua_pushinteger(L, lua_Integer(unit))
            return 1
        }
        lua_pushinteger(L, lua_Integer(unit))
        lua_pushinteger(L, lua_Integer(bitfield.bitOffset - unit * 8))
        lua_pushinteger(L, lua_Integer(bitfield.width))
        return 3
    }
}

/// `ffi.istype(ct, obj)`: whether `obj` (a cdata, or a ctype object standing for its
/// type) is of type `ct` by LuaJIT's rule (`CType.isLuaJITInstanceType`).
func ffiIstype(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let type = try ffi.checkedType(L, 1, "istype")
        let other = ffi.ctypeID(L, at: 2).map { ffi.types[Int($0)] } ?? ffi.cdataType(L, at: 2)
        lua_pushboolean(L, other.map { type.isLuaJITInstanceType($0) } == true ? 1 : 0)
        return 1
    }
}

/// The byte offset LuaJIT reports for a bitfield: the start of the aligned storage
/// unit of its declared type that holds it, or, for a packed bitfield that straddles
/// units, the byte holding its first bit.
func storageUnit(of bitfield: CBitfield, declaredSize: Int) -> Int {
    let unitBits = declaredSize * 8
    let unit = bitfield.bitOffset / unitBits * declaredSize
    if bitfield.bitOffset + bitfield.width <= (unit + declaredSize) * 8 { return unit }
    return bitfield.bitOffset / 8
}
