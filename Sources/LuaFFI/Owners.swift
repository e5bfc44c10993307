// Lifetimes: a pointer cdata made from Lua-owned memory (a cast, `p + n`, an array's
// decay, ffi.addressof) keeps the owner of that memory alive in its user value, so
// the collector cannot free (or finalize) the memory while the pointer lives.
// docs/semantics.md, "Lifetimes".
import CLua
import CLuaCore
import CTypes

extension FFIState {
    /// Pushes the Lua object that owns the memory the value at `index` stands for and
    /// returns true; returns false, pushing nothing, when no Lua object does (a
    /// pointer that came from C, a number, a light userdata). Owners: a cdata holding
    /// its value (array, struct, scalar), a pointer with a finalizer (`ffi.gc`: its
    /// target is what the finalizer frees), a Lua string, another full userdata. A
    /// derived pointer passes on its owner; a reference, the owner of what it
    /// designates. `[-0, +(0|1), -]`
    func pushOwner(_ L: OpaquePointer, of index: Int32) -> Bool {
        lua_pushvalue(L, index)
        while true {
            switch lua_type(L, -1) {
            case LUA_TSTRING:
                return true
            case LUA_TUSERDATA:
                guard let cdata = cdata(L, at: -1) else {
                    // A buffer's bytes are its source's: the owner is that source's.
                    guard buffer(L, at: -1) != nil else { return true }
                    lua_getiuservalue(L, -1, 1)
                    lf_replace(L, -2)
                    continue
                }
                switch info(cdata.typeID).kind {
                case .reference:
                    lua_getiuservalue(L, -1, 1)  // what it designates lives in its anchor
                    lf_replace(L, -2)
                case .pointer, .function:
                    if cdata.flags.contains(.finalizer) { return true }
                    let type = lua_getiuservalue(L, -1, 1)
                    lf_replace(L, -2)
                    if type == LUA_TNIL || type == LUA_TNONE { lf_pop(L, 1); return false }
                    // A derived pointer's owner is already the root. (A callback's
                    // pointer keeps its binding number there: it travels along, as in
                    // the C fast paths, and owns nothing.)
                    return true
                default:
                    return true
                }
            default:
                lf_pop(L, 1)
                return false
            }
        }
    }

    /// Pushes a pointer (or reference) cdata of type `id` holding `address`, made
    /// from the value at `source`: it keeps that value's owner alive. `[-0, +1, m]`
    func pushDerivedPointer(_ L: OpaquePointer, _ id: Int32, _ address: UnsafeMutableRawPointer?, from source: Int32) {
        let source = lua_absindex(L, source)
        guard pushOwner(L, of: source) else { return pushPointer(L, id, address) }
        replaceOwner(L, withPointer: id, address)
    }

    /// Pushes a pointer cdata of type `id` holding `address`, an address inside the
    /// value at `owner` itself (`ffi.addressof` of a pointer cdata: the storage of the
    /// pointer, not what it points to). It keeps that value alive. `[-0, +1, m]`
    func pushPointer(_ L: OpaquePointer, _ id: Int32, _ address: UnsafeMutableRawPointer, into owner: Int32) {
        lua_pushvalue(L, owner)
        replaceOwner(L, withPointer: id, address)
    }

    /// Replaces the owner on top of the stack with a pointer cdata of type `id`
    /// holding `address` that keeps the owner in its user value. `[-1, +1, m]`
    private func replaceOwner(_ L: OpaquePointer, withPointer id: Int32, _ address: UnsafeMutableRawPointer?) {
        let cdata = pushNewCData(L, id, size: 8, alignment: 8, userValues: 1)
        cdata.payload.storeBytes(of: address, as: UnsafeMutableRawPointer?.self)
        lua_rotate(L, -2, 1)
        lua_setiuservalue(L, -2, 1)
    }

    /// Refuses a pointer (at `index`) into an owner that `ffi.release` released: the
    /// memory may be gone (a finalizer freed it). `[-0, +0, -]`
    func checkOwnerUsable(_ L: OpaquePointer, _ index: Int32) throws(FFIError) {
        guard lua_type(L, index) == LUA_TUSERDATA else { return }
        guard lua_getiuservalue(L, index, 1) == LUA_TUSERDATA else {
            lf_pop(L, 1)
            return
        }
        let owner = cdata(L, at: -1)
        lf_pop(L, 1)  // the pointer keeps its owner alive
        if let owner, owner.flags.contains(.released) {
            throw FFIError("attempt to use a pointer into a released cdata of type '\(types[Int(owner.typeID)].cName)'")
        }
    }
}
