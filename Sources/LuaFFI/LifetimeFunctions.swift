// ffi.gc, ffi.release, ffi.metatype and the ctype constructor.
import CLua
import CLuaCore
import CTypes

/// `ffi.gc(cdata, finalizer)`: attaches a finalizer (nil removes it); returns the cdata.
func ffiGc(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let cdata = ffi.cdata(L, at: 1) else { throw FFIError.type(1, "gc", expected: "cdata", in: L) }
        let type = lua_type(L, 2)
        guard type == LUA_TNIL || type == LUA_TFUNCTION || ffi.cdata(L, at: 2) != nil else {
            throw FFIError.type(2, "gc", expected: "function or nil", in: L)
        }
        try ffi.setFinalizer(L, cdata, at: 1, finalizer: 2)
        lua_settop(L, 1)
        return 1
    }
}

/// `ffi.release(cdata)`: runs the finalizer now; the cdata is unusable afterwards.
func ffiRelease(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let cdata = ffi.cdata(L, at: 1) else { throw FFIError.type(1, "release", expected: "cdata", in: L) }
        return try ffi.release(L, cdata, at: 1)
    }
}

/// `ffi.metatype(ct, mt)`: the metatable of a struct or union type, once.
func ffiMetatype(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let id = try ffi.checkType(L, 1, "metatype")
        guard lua_type(L, 2) == LUA_TTABLE else { throw FFIError.type(2, "metatype", expected: "table", in: L) }
        let type = ffi.types[Int(id)]
        guard case .record(let record) = type.kind else {
            throw FFIError("metatype of '\(type.cName)': only struct and union types can have one")
        }
        let key = ffi.intern(type.unqualified)
        guard ffi.metatypes[key] == nil else {
            throw FFIError("cannot change the metatype of '\(type.cName)'")
        }
        // The metatype is the table as it is now (a raw copy): every path - the own
        // metatable, the C dispatch, the Swift metamethods - reads the same fields,
        // and later changes to the table are seen by none (LuaJIT forbids them). An
        // `__index` table is shared, not copied: methods added to it later are seen.
        ffi.pushTableCopy(L, of: 2, room: 8)
        lf_replace(L, 2)
        lua_pushstring(L, "__gc")
        let hasGC = lua_rawget(L, 2) != LUA_TNIL
        lf_pop(L, 1)
        lua_pushvalue(L, 2)
        let ref = luaL_ref(L, lf_registryindex())
        ffi.metatypes[key] = ref
        lua_pushstring(L, "__index")
        if lua_rawget(L, 2) != LUA_TNIL { ffi.metatypeIndexRefs[ref] = luaL_ref(L, lf_registryindex()) } else { lf_pop(L, 1) }
        lua_pushstring(L, "__new")
        if lua_rawget(L, 2) != LUA_TNIL { ffi.metatypesWithNew.insert(ref) }
        lf_pop(L, 1)
        ffi.metatypesSlot.pointee = 1
        if hasGC {
            ffi.ensureGCMetatable(L)
            ffi.metatypesWithGC.insert(key)
            ffi.metatypesWithGC.insert(id)
        }
        ffi.createOwnMetatable(L, for: key, handlers: 2, gc: hasGC)
        ffi.refreshFastMetatypes(of: record)
        ffi.pushCType(L, id)
        return 1
    }
}

/// `ct(...)`: the constructor; the metatype's `__new(ct, ...)` if it has one, else
/// `ffi.new(ct, ...)`.
func ctypeCall(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let id = ffi.ctypeID(L, at: 1) else { throw FFIError.type(1, "ctype", expected: "ctype", in: L) }
        if let ref = ffi.metatypes[ffi.intern(ffi.types[Int(id)].unqualified)] {
            lua_rawgeti(L, lf_registryindex(), lua_Integer(ref))
            lua_pushstring(L, "__new")
            if lua_rawget(L, -2) != LUA_TNIL {
                lf_remove(L, -2)
                return ffi.callMetamethod(L, arguments: lua_gettop(L) - 1, results: LUA_MULTRET)
            }
            lf_pop(L, 2)
        }
        try ffi.newCData(L, id, arguments: 2, function: "ctype")
        return 1
    }
}

/// `ct.name`: the metatype's `__index` for ctype objects (static members).
func ctypeIndex(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        if let id = ffi.ctypeID(L, at: 1), ffi.pushRecordConstant(L, type: id, key: 2) { return 1 }
        guard let id = ffi.ctypeID(L, at: 1) else { throw FFIError("'\(ffi.typeName(L, 1))' is not indexable") }
        // LuaJIT's message for a key of a ctype whose metatype has no __index.
        let key = stringArgument(L, 2) ?? ffi.typeName(L, 2)
        let missing = FFIError("'\(ffi.types[Int(id)].cName)' has no member named '\(key)'")
        guard let ref = ffi.metatypes[ffi.intern(ffi.types[Int(id)].unqualified)] else { throw missing }
        lua_rawgeti(L, lf_registryindex(), lua_Integer(ref))
        lua_pushstring(L, "__index")
        lua_rawget(L, -2)
        if lua_type(L, -1) == LUA_TFUNCTION {
            return ffi.callMetamethod(L, arguments: 2, results: 1)
        }
        guard lua_type(L, -1) == LUA_TTABLE else { throw missing }
        lua_pushvalue(L, 2)
        guard lf_pgettable(L, -2) == LUA_OK else { return LF_RAISE }
        if lua_type(L, -1) == LUA_TNIL { throw missing }  // an __index table lacking the key
        return 1
    }
}
