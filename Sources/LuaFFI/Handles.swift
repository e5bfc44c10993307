// ffi.new_handle, ffi.from_handle: a Lua value passed through C as a `void *`.
//
// A handle is a `void *` cdata whose address is unique to it for the life of the
// state: it comes from a reserved, inaccessible region (never memory, never reused
// while addresses remain), so `from_handle` of a dead handle's address finds nothing
// instead of a newer handle. The live handles are a table with weak values keyed by
// address: `from_handle` looks an address up there and never dereferences it.
import CLua
import CLuaCore
import CTypes
import Glibc

/// Bytes of address space reserved for handle addresses (one address per handle).
let handleRegionSize = 1 << 30

extension FFIState {
    /// Pushes the table of live handles, creating it (and the address region) on
    /// first use. `[-0, +1, m]`
    private func pushHandles(_ L: OpaquePointer) throws(FFIError) {
        if handlesRef != LUA_NOREF {
            lua_rawgeti(L, lf_registryindex(), lua_Integer(handlesRef))
            return
        }
        let region = mmap(nil, handleRegionSize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let region, region != MAP_FAILED else {
            throw FFIError("new_handle: cannot reserve address space for handles (\(String(cString: strerror(errno))))")
        }
        handleRegion = region
        pushWeakTable(L, mode: "v")
        lua_pushvalue(L, -1)
        handlesRef = luaL_ref(L, lf_registryindex())
    }

    /// Pushes a new handle for the value at `index`: a `void *` cdata whose second
    /// user value is the value (the first stays empty: it owns no memory). `[-0, +1, m]`
    func pushHandle(_ L: OpaquePointer, for index: Int32) throws(FFIError) {
        let index = lua_absindex(L, index)
        try pushHandles(L)
        // The next address no live handle holds (after 2^30 handles, the oldest dead ones' are reused).
        var address = handleRegion! + nextHandle
        while lua_rawgetp(L, -1, address) != LUA_TNIL {
            lf_pop(L, 1)
            nextHandle = (nextHandle + 1) % handleRegionSize
            address = handleRegion! + nextHandle
        }
        lf_pop(L, 1)
        nextHandle = (nextHandle + 1) % handleRegionSize
        let cdata = pushNewCData(L, voidPointerType, size: 8, alignment: 8, userValues: 2)
        cdata.payload.storeBytes(of: address, as: UnsafeMutableRawPointer?.self)
        lua_pushvalue(L, index)
        lua_setiuservalue(L, -2, 2)
        lua_pushvalue(L, -1)
        lua_rawsetp(L, -3, address)
        lf_remove(L, -2)
    }

    /// Ends a released handle (the cdata at `index`, if it is one) at once: its value
    /// is let go, its address is no handle any more (Python cffi's `release` of a
    /// handle). Only handles have a second user value. `[-0, +0, -]`
    func forgetHandle(_ L: OpaquePointer, _ cdata: CDataRef, at index: Int32) {
        let index = lua_absindex(L, index)
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        guard handlesRef != LUA_NOREF, lua_getiuservalue(L, index, 2) != LUA_TNONE else { return }
        lua_pushnil(L)
        lua_setiuservalue(L, index, 2)
        lua_rawgeti(L, lf_registryindex(), lua_Integer(handlesRef))
        lua_pushnil(L)
        lua_rawsetp(L, -2, cdata.payload.load(as: UnsafeRawPointer?.self))
    }

    /// Pushes the value of the live handle whose address the value at `index` (a
    /// pointer cdata or light userdata) holds. `[-0, +1, m]`
    func pushHandleValue(_ L: OpaquePointer, at index: Int32) throws(FFIError) {
        var address: UnsafeMutableRawPointer?
        if lua_type(L, index) == LUA_TLIGHTUSERDATA {
            address = lua_touserdata(L, index)
        } else if let cdata = cdata(L, at: index), info(cdata.typeID).kind == .pointer {
            address = value(of: cdata).address.load(as: UnsafeMutableRawPointer?.self)
        } else {
            throw FFIError.argument(index, "from_handle", "pointer expected, got '\(typeName(L, index))'")
        }
        try pushHandles(L)
        guard let address, lua_rawgetp(L, -1, address) == LUA_TUSERDATA else {
            throw FFIError.argument(index, "from_handle",
                "no live handle at \(address.map { "\($0)" } ?? "NULL") (made by 'new_handle' and still referenced)")
        }
        lua_getiuservalue(L, -1, 2)
        lf_replace(L, -3)
        lf_pop(L, 1)
    }
}

/// `ffi.new_handle(value)`: a `void *` cdata standing for `value`, which it keeps alive.
func ffiNewHandle(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard lua_gettop(L) >= 1 else { throw FFIError.argument(1, "new_handle", "value expected") }
        try ffi.pushHandle(L, for: 1)
        return 1
    }
}

/// `ffi.from_handle(p)`: the value of the live handle whose address `p` holds.
func ffiFromHandle(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        try ffi.pushHandleValue(L, at: 1)
        return 1
    }
}
