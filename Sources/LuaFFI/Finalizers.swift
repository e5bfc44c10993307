// Finalizers (ffi.gc, ffi.release, metatype __gc) and metatype field fallbacks.
import CLua
import CLuaCore
import CTypes
import Glibc

extension FFIState {
    /// `ffi.gc(cdata, finalizer)`: attaches (or with nil removes) the finalizer of
    /// the cdata at `index` and switches it to the gc metatable. `[-0, +0, m]`
    func setFinalizer(_ L: OpaquePointer, _ cdata: CDataRef, at index: Int32, finalizer: Int32) throws(FFIError) {
        try checkUsable(cdata)
        try checkNotShared(cdata, "given a finalizer")
        let index = lua_absindex(L, index), finalizer = lua_absindex(L, finalizer)
        let had = cdata.flags.contains(.finalizer), has = lua_type(L, finalizer) != LUA_TNIL
        if has { ensureGCMetatable(L) }
        cdata.flags.insert(.finalizerSet)
        if had || has {
            lua_rawgeti(L, lf_registryindex(), lua_Integer(finalizersRef))
            lua_pushvalue(L, index)
            lua_pushvalue(L, finalizer)
            lua_rawset(L, -3)
            lf_pop(L, 1)
        }
        if !has {
            if had { forgetFinalizer(L) }
            cdata.flags.remove(.finalizer)
            return
        }
        if !had {
            finalizerCount += 1
            finalizerPeak = max(finalizerPeak, finalizerCount)
        }
        cdata.flags.insert(.finalizer)
        lua_rawgeti(L, lf_registryindex(), lua_Integer(gcMetatableRef))
        lua_setmetatable(L, index)
    }

    /// Creates the finalizer side table (weak keys: cdata -> `ffi.gc` finalizer) and
    /// stores its registry reference. A cdata with an entry has the gc metatable, so
    /// its `__gc` runs (and removes the entry) before the collector could drop the
    /// key: Lua keeps resurrected keys in weak tables until the next cycle.
    /// `[-0, +0, m]`
    func createFinalizerTable(_ L: OpaquePointer) {
        pushWeakTable(L, mode: "k")
        if finalizersRef == LUA_NOREF {
            finalizersRef = luaL_ref(L, lf_registryindex())
        } else {
            lua_rawseti(L, lf_registryindex(), lua_Integer(finalizersRef))
        }
        finalizerPeak = 0
    }

    /// One side-table entry is gone. When none is left after many, the table is
    /// replaced: Lua tables do not shrink without insertions, and a burst of
    /// `ffi.gc` objects would otherwise keep its hash part for good. `[-0, +0, m]`
    private func forgetFinalizer(_ L: OpaquePointer) {
        finalizerCount -= 1
        if finalizerCount == 0, finalizerPeak >= 256 { createFinalizerTable(L) }
    }

    /// Refuses to change the lifetime of a shared singleton (`ffi.NULL`).
    func checkNotShared(_ cdata: CDataRef, _ what: String) throws(FFIError) {
        if cdata.flags.contains(.shared) { throw FFIError("ffi.NULL is shared and cannot be \(what)") }
    }

    /// `__gc`: runs the finalizer once. An error is re-raised: Lua turns errors in
    /// `__gc` into warnings.
    func finalize(_ L: OpaquePointer, _ cdata: CDataRef, at index: Int32) throws(FFIError) -> Int32 {
        if cdata.flags.contains(.released) { return 0 }
        return runFinalizer(L, cdata, at: index)
    }

    /// `ffi.release(cdata)` and `__close`: runs the finalizer now (once) and marks
    /// the cdata released; later use is an error. Idempotent.
    func release(_ L: OpaquePointer, _ cdata: CDataRef, at index: Int32) throws(FFIError) -> Int32 {
        try checkNotShared(cdata, "released")
        if cdata.flags.contains(.released) { return 0 }
        let status = runFinalizer(L, cdata, at: index)  // it may still use the cdata
        cdata.flags.insert(.released)
        dropOwnMetatable(L, at: index)
        forgetHandle(L, cdata, at: index)
        return status
    }

    /// Gives a released record the plain metatable in place of its type's own one,
    /// whose handlers Lua would call without the dispatch's checks. `[-0, +0, -]`
    private func dropOwnMetatable(_ L: OpaquePointer, at index: Int32) {
        guard !ownMetatablePointers.isEmpty, lua_getmetatable(L, index) != 0 else { return }
        let own = lua_topointer(L, -1).map(ownMetatablePointers.contains) == true
        lf_pop(L, 1)
        guard own else { return }
        let index = lua_absindex(L, index)
        lua_rawgeti(L, lf_registryindex(), lua_Integer(plainMetatableRef))
        lua_setmetatable(L, index)
    }

    /// Calls and forgets the finalizer of the cdata: the one `ffi.gc` set, or if
    /// `ffi.gc` was never called, the metatype's `__gc` (LuaJIT installs that one as
    /// the default finalizer; `ffi.gc` replaces it). Returns 0 or LF_RAISE with the
    /// error value on top.
    private func runFinalizer(_ L: OpaquePointer, _ cdata: CDataRef, at index: Int32) -> Int32 {
        if !cdata.flags.contains(.finalizerSet) {
            cdata.flags.insert(.finalizerSet)
            guard metatypeOwner(of: cdata) == cdata.typeID, pushMetamethod(L, "__gc", among: 1) else { return 0 }
            let index = lua_absindex(L, index)
            lua_pushvalue(L, index)
            return lf_pfinalize(L, 1) == LUA_OK ? 0 : LF_RAISE
        }
        guard cdata.flags.contains(.finalizer) else { return 0 }
        cdata.flags.remove(.finalizer)
        let index = lua_absindex(L, index)
        lua_rawgeti(L, lf_registryindex(), lua_Integer(finalizersRef))
        lua_pushvalue(L, index)
        lua_rawget(L, -2)
        lua_pushvalue(L, index)
        lua_pushnil(L)
        lua_rawset(L, -4)
        lf_remove(L, -2)
        forgetFinalizer(L)
        lua_pushvalue(L, index)
        return lf_pfinalize(L, 1) == LUA_OK ? 0 : LF_RAISE
    }

    /// `cdata.key` missing from the struct: the metatype's `__index` (a table, read
    /// with metamethods, or a function), in protected mode. nil if there is none.
    /// A table without the key is an error, as in LuaJIT.
    func metatypeIndex(_ L: OpaquePointer, _ cdata: CDataRef) throws(FFIError) -> Int32? {
        guard pushMetamethod(L, "__index", among: 1) else { return nil }
        if lua_type(L, -1) == LUA_TFUNCTION { return callMetamethod(L, arguments: 2, results: 1) }
        lua_pushvalue(L, 2)
        guard lf_pgettable(L, -2) == LUA_OK else { return LF_RAISE }
        if lua_type(L, -1) == LUA_TNIL { throw missingMember(L, cdata, key: 2) }
        return 1
    }

    /// A `const` struct (or a pointer to one) takes no new keys, and a struct constant
    /// is not written: LuaJIT refuses the write before any `__newindex`.
    func checkWritableRecord(_ cdata: CDataRef, key: Int32, _ L: OpaquePointer) throws(FFIError) {
        var id = cdata.typeID
        if info(id).kind == .pointer || info(id).kind == .reference { id = info(id).target }
        guard info(id).kind == .record else { return }
        if info(id).isConst { throw constError(id) }
        if let constant = recordConstant(L, type: id, key: key) {
            throw FFIError(
                "attempt to write to constant location '\(constant.name)' of '\(types[Int(id)].cName)'")
        }
    }

    /// `cdata.key = value` with no such field: the metatype's `__newindex`.
    func metatypeNewIndex(_ L: OpaquePointer, _ cdata: CDataRef) -> Int32? {
        guard pushMetamethod(L, "__newindex", among: 1) else { return nil }
        if lua_type(L, -1) == LUA_TFUNCTION {
            return callMetamethod(L, arguments: 3, results: 0) == LF_RAISE ? LF_RAISE : 0
        }
        lua_pushvalue(L, 2)
        lua_pushvalue(L, 3)
        return lf_psettable(L, -3) == LUA_OK ? 0 : LF_RAISE
    }

    /// LuaJIT's error for an unknown member or a bad key.
    func missingMember(_ L: OpaquePointer, _ cdata: CDataRef, key: Int32) -> FFIError {
        let name = stringArgument(L, key) ?? typeName(L, key)
        var id = cdata.typeID
        if info(id).kind == .pointer || info(id).kind == .reference { id = info(id).target }
        return FFIError("'\(types[Int(id)].cName)' has no member named '\(name)'")
    }

    /// `tostring(cdata)`: `cdata<int *>: 0x...` (`NULL` for null pointers, as
    /// LuaJIT), `123LL`, `123ULL`, `1+2i`, `cdata<enum e>: 5`; types spelled as
    /// LuaJIT's `tostring` spells them (`CType.luajitName`).
    func describe(_ cdata: CDataRef) throws(FFIError) -> String {
        let (address, id) = value(of: cdata)
        let info = info(id)
        let released = cdata.flags.contains(.released)
        switch info.kind {
        case .int64 where cdata.typeID == id && !released:
            return "\(address.load(as: Int64.self))LL"
        case .uint64 where cdata.typeID == id && !released:
            return "\(address.load(as: UInt64.self))ULL"
        case .complexFloat where !released, .complexDouble where !released:
            let float = info.kind == .complexFloat
            let re = float ? Double(address.load(as: Float.self)) : address.load(as: Double.self)
            let im = float ? Double(address.load(fromByteOffset: 4, as: Float.self))
                : address.load(fromByteOffset: 8, as: Double.self)
            // LuaJIT's spelling: the sign of -0 kept, `I` after `inf`/`nan` (`0-infI`).
            let imText = formatNumber(im.magnitude)
            let sign = im.sign == .minus && !im.isNaN ? "-" : "+"
            return "\(formatNumber(re))\(sign)\(imText)\(imText.last?.isLetter == true ? "I" : "i")"
        case let kind where kind.isInteger && !released && cdata.typeID == id && isEnumeration(id):
            // An enum cdata shows its value, as in LuaJIT (`cdata<enum e>: 5`).
            return "cdata<\(types[Int(id)].luajitName)>: \(loadInteger(address, kind: kind))"
        case .pointer:
            let pointer = cdata.payload.load(as: UnsafeMutableRawPointer?.self)
            return describedPrefix(cdata.typeID) + (pointer == nil ? "NULL" : hexAddress(pointer))
        default:
            return describedPrefix(cdata.typeID) + hexAddress(address)
        }
    }

    /// `cdata<T>: `, what `describe` writes before an address.
    func describedPrefix(_ id: Int32) -> String { "cdata<\(types[Int(id)].luajitName)>: " }

    /// Keeps the prefix of type `id` for `tostring`'s C fast path (lf_cdatatostring),
    /// which appends the address as `describe` does. `[-0, +0, m]`
    func rememberDescribedPrefix(_ L: OpaquePointer, _ id: Int32) {
        let prefix = describedPrefix(id)
        lua_rawgeti(L, lf_registryindex(), lua_Integer(fastTypes.pointee.prefixes_ref))
        let characters = lua_pushlstring(L, prefix, prefix.utf8.count)
        lua_rawseti(L, -2, lua_Integer(id) + 1)  // the table keeps the characters C reads
        lf_pop(L, 1)
        guard id < fastTypes.pointee.count else { return }
        fastTypes.pointee.types![Int(id)].prefix = characters
        fastTypes.pointee.types![Int(id)].prefix_len = prefix.utf8.count
    }
}

extension FFIState {
    /// Whether type `id` is an enum (qualifiers aside).
    func isEnumeration(_ id: Int32) -> Bool {
        if case .enumeration = types[Int(id)].kind { return true }
        return false
    }
}

/// `0x` and the address in hex, as Lua prints pointers.
func hexAddress(_ pointer: UnsafeRawPointer?) -> String {
    "0x" + String(UInt(bitPattern: pointer), radix: 16)
}

/// A number as LuaJIT prints it: `%.14g`, NaN as `nan`.
func formatNumber(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    var buffer = [CChar](repeating: 0, count: 32)
    let length = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.14g", $0) }
    return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
