// Explicit callbacks: ffi.cast(fnptr, f), ffi.callback(fnptr, f [, error]), and the
// cb:free() and cb:set(f) methods.
import CLua
import CLuaCore
import CTypes

extension FFIState {
    /// Pushes a function pointer cdata bound to the Lua function at `function`,
    /// valid until `cb:free()`. `errorValue` (a stack index, or 0) is what C gets
    /// when the Lua function fails.
    func pushCallback(_ L: OpaquePointer, _ id: Int32, function: Int32, errorValue: Int32) throws(FFIError) {
        guard info(id).kind == .pointer, info(info(id).target).kind == .function else {
            throw conversionError(L, function, to: id)
        }
        let callback = try makeCallback(L, function, type: id)
        if errorValue != 0, lua_type(L, errorValue) != LUA_TNIL, callback.plan.resultKind != .void {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: callback.errorValue.count, alignment: 16)
            defer { buffer.deallocate() }
            buffer.initializeMemory(as: UInt8.self, repeating: 0, count: callback.errorValue.count)
            do {
                try store(L, errorValue, as: callback.plan.resultType, to: buffer)
            } catch {
                free(L, callback)
                throw error
            }
            callback.errorValue = Array(UnsafeRawBufferPointer(start: buffer, count: callback.errorValue.count))
        }
        // The cdata remembers which binding of the entry point it names (user value 1),
        // so a copy kept after cb:free() cannot free or rebind a later callback there.
        let cdata = pushNewCData(L, id, size: 8, alignment: 8, userValues: 1)
        cdata.payload.storeBytes(of: callback.code, as: UnsafeMutableRawPointer?.self)
        lua_pushinteger(L, lua_Integer(callback.binding))
        lua_setiuservalue(L, -2, 1)
    }

    /// `cb.free` / `cb.set` on a callback's function pointer cdata: pushes the bound
    /// method and returns 1; nil for anything else.
    func callbackMethod(_ L: OpaquePointer, _ cdata: CDataRef) -> Int32? {
        guard lua_type(L, 2) == LUA_TSTRING, info(cdata.typeID).kind == .pointer,
              info(info(cdata.typeID).target).kind == .function,
              let name = stringArgument(L, 2), name == "free" || name == "set" else { return nil }
        lua_rawgeti(L, lf_registryindex(), lua_Integer(ownerReference ?? LUA_NOREF))
        if name == "free" { lf_pushswiftfunction(L, callbackFree, 1) } else { lf_pushswiftfunction(L, callbackSet, 1) }
        return 1
    }
}

/// `ffi.callback(ct, f [, error])`: Python cffi's spelling of an explicit callback.
func ffiCallback(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let id = try ffi.checkType(L, 1, "callback")
        guard lua_type(L, 2) == LUA_TFUNCTION else { throw FFIError.type(2, "callback", expected: "function", in: L) }
        try ffi.pushCallback(L, id, function: 2, errorValue: lua_gettop(L) >= 3 ? 3 : 0)
        return 1
    }
}

/// The callback behind the function pointer cdata at 1, or an error.
private func boundCallback(_ ffi: FFIState, _ L: OpaquePointer) throws(FFIError) -> Callback {
    guard let cdata = ffi.cdata(L, at: 1), ffi.info(cdata.typeID).kind == .pointer else {
        throw FFIError("bad callback (cdata expected)")
    }
    let address = cdata.payload.load(as: UnsafeMutableRawPointer?.self)
    // A pointer made by ffi.cast names its binding; other copies only the address.
    let binding = lua_getiuservalue(L, 1, 1) == LUA_TNUMBER ? Int(lf_tointeger(L, -1, nil)) : nil
    lf_pop(L, 1)
    guard let callback = ffi.callback(at: address), binding == nil || binding == callback.binding else {
        throw FFIError("bad callback (not a callback, or already freed)")
    }
    return callback
}

/// `cb:free()`.
private func callbackFree(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        ffi.free(L, try boundCallback(ffi, L))
        return 0
    }
}

/// `cb:set(f)`: binds another Lua function.
private func callbackSet(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let callback = try boundCallback(ffi, L)
        guard lua_type(L, 2) == LUA_TFUNCTION else { throw FFIError.type(2, "set", expected: "function", in: L) }
        callback.rebind(L, to: 2)
        return 0
    }
}
