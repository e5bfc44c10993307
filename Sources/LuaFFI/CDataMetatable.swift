// The two shared metatables of cdata (plain, and with __gc) and their metamethods.
// Each metamethod tries the type's metatype (ffi.metatype) where LuaJIT does, then
// the built-in behaviour.
import CLua
import CLuaCore
import CFFIFast
import CTypes

/// Metamethods of every cdata with C fast paths in front (lf_cdata.h): the Swift
/// function takes what the fast path leaves.
private let cdataFastMetamethods: [(name: StaticString, which: Int32, slow: lf_SwiftFunction)] = [
    ("__index", Int32(LF_M_INDEX), cdataIndex), ("__newindex", Int32(LF_M_NEWINDEX), cdataNewIndex),
    ("__eq", Int32(LF_M_EQ), cdataEq), ("__add", Int32(LF_M_ADD), cdataAdd), ("__sub", Int32(LF_M_SUB), cdataSub),
]

/// The other metamethods of every cdata, by event (LF_E_*): a metatype's handler is
/// found and called in C (lf_pushcdataevent), the Swift function does the rest.
private let cdataMetamethods: [(event: Int, slow: lf_SwiftFunction)] = [
    (LF_E_TOSTRING, cdataToString), (LF_E_LEN, cdataLen), (LF_E_CONCAT, cdataConcat), (LF_E_CALL, cdataCall),
    (LF_E_CLOSE, cdataClose), (LF_E_PAIRS, cdataPairs), (LF_E_IPAIRS, cdataIpairs),
]

/// The operators but `==`, `+`, `-`, by event: as `cdataMetamethods`, and two
/// integer operands are computed in C too (lf_pushcdataoperator, arith.c).
private let cdataOperators: [(event: Int, slow: lf_SwiftFunction)] = [
    (LF_E_LT, cdataLt), (LF_E_LE, cdataLe),
    (LF_E_MUL, cdataMul), (LF_E_DIV, cdataDiv), (LF_E_MOD, cdataMod), (LF_E_POW, cdataPow),
    (LF_E_UNM, cdataUnm), (LF_E_IDIV, cdataIdiv), (LF_E_BAND, cdataBand), (LF_E_BOR, cdataBor),
    (LF_E_BXOR, cdataBxor), (LF_E_SHL, cdataShl), (LF_E_SHR, cdataShr), (LF_E_BNOT, cdataBnot),
]

/// The events whose metatype function a record's own metatable holds directly
/// (`createOwnMetatable`): those Lua calls with the same arguments as the C and
/// Swift dispatch does (operators: a record operand never takes a built-in first).
/// Not `__index` and `__newindex` (fields come first), nor `__gc`.
private let directEvents: [StaticString] = [
    "__eq", "__add", "__sub", "__tostring", "__lt", "__le", "__mul", "__div", "__mod", "__pow", "__unm",
    "__idiv", "__band", "__bor", "__bxor", "__shl", "__shr", "__bnot", "__len", "__concat", "__call",
    "__close", "__pairs",
]

extension FFIState {
    /// Creates the plain metatable of cdata; the FFI owner userdata is on top. The gc
    /// metatable and the finalizer table wait for the first `ffi.gc` or `__gc`
    /// metatype (`ensureGCMetatable`): most states never need them. `[-0, +0, m]`
    func createCDataMetatables(_ L: OpaquePointer) {
        let owner = lua_gettop(L)
        lua_createtable(L, 0, Int32(cdataFastMetamethods.count + cdataMetamethods.count + cdataOperators.count + 2))
        for (name, which, slow) in cdataFastMetamethods {
            lua_pushvalue(L, owner)
            lf_pushcdatamethod(L, which, fastTypes, slow)
            lua_setfield(L, -2, name.cString)
        }
        for (event, slow) in cdataMetamethods {
            lua_pushvalue(L, owner)
            lf_pushcdataevent(L, Int32(event), fastTypes, slow)
            lua_setfield(L, -2, lf_eventname(Int32(event)))
        }
        for (event, slow) in cdataOperators {
            lua_pushvalue(L, owner)
            lf_pushcdataoperator(L, Int32(event), fastTypes, slow)
            lua_setfield(L, -2, lf_eventname(Int32(event)))
        }
        lua_pushstring(L, "cdata")
        lua_setfield(L, -2, "__name")
        lua_pushstring(L, "ffi")
        lua_setfield(L, -2, "__metatable")
        lf_noteevents(L, fastTypes)
        metatableSlots[0] = lua_topointer(L, -1)
        lf_registercdatametatable(L, metatableSlots[0], fastTypes)
        plainMetatableRef = luaL_ref(L, lf_registryindex())
        fastTypes.pointee.metatable_ref = plainMetatableRef
    }

    /// Pushes a new table with `room` hash slots holding a raw copy of the fields of
    /// the table at `index`. `[-0, +1, m]`
    func pushTableCopy(_ L: OpaquePointer, of index: Int32, room: Int) {
        let index = lua_absindex(L, index)
        lua_createtable(L, 0, Int32(room))
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            lua_pushvalue(L, -2)
            lf_insert(L, -2)
            lua_rawset(L, -4)
        }
    }

    /// Creates the gc metatable (the plain one's closures plus `__gc`) and the
    /// finalizer side table, once. `[-0, +0, m]`
    func ensureGCMetatable(_ L: OpaquePointer) {
        guard gcMetatableRef == LUA_NOREF else { return }
        createFinalizerTable(L)
        lua_rawgeti(L, lf_registryindex(), lua_Integer(plainMetatableRef))
        pushTableCopy(L, of: -1, room: cdataMetamethods.count + cdataOperators.count + 5)
        lua_rawgeti(L, lf_registryindex(), lua_Integer(ownerReference ?? LUA_NOREF))
        lf_pushswiftfunction(L, cdataGC, 1)
        lua_setfield(L, -2, "__gc")
        metatableSlots[1] = lua_topointer(L, -1)
        lf_registercdatametatable(L, metatableSlots[1], fastTypes)
        gcMetatableRef = luaL_ref(L, lf_registryindex())
        lf_pop(L, 1)
    }

    /// Creates the own metatable of the records of type `key` (interned, unqualified),
    /// whose metatype is at `handlers`: the plain (with `gc`: the gc) metatable's
    /// fields, with the metatype's functions for the events in `directEvents` in
    /// place of the C dispatch, so Lua calls them itself. Its metatable is the
    /// plain one: how the C fast paths recognize it (lf_iscdatametatable). The
    /// handlers are read now: LuaJIT leaves later changes to a metatype undefined.
    /// `[-0, +0, m]`
    func createOwnMetatable(_ L: OpaquePointer, for key: Int32, handlers: Int32, gc: Bool) {
        let handlers = lua_absindex(L, handlers)
        lua_rawgeti(L, lf_registryindex(), lua_Integer(gc ? gcMetatableRef : plainMetatableRef))
        pushTableCopy(L, of: -1, room: cdataFastMetamethods.count + cdataMetamethods.count + cdataOperators.count + 3)
        for event in directEvents {
            lua_pushstring(L, event.utf8Start)
            lua_pushvalue(L, -1)
            if lua_rawget(L, handlers) == LUA_TFUNCTION { lua_rawset(L, -3) } else { lf_pop(L, 2) }
        }
        lua_rawgeti(L, lf_registryindex(), lua_Integer(plainMetatableRef))
        lua_setmetatable(L, -2)
        let pointer = lua_topointer(L, -1)!
        lf_registercdatametatable(L, pointer, fastTypes)
        ownMetatables[key] = (luaL_ref(L, lf_registryindex()), pointer, gc)
        ownMetatablePointers.insert(pointer)
        lf_pop(L, 1)
    }

    /// The own metatable (`createOwnMetatable`) that new cdata of type `id` get, or
    /// nil: records with a metatype, except qualified variants of one with `__gc`
    /// (which get no finalizer: `hasMetatypeGC`).
    func ownMetatable(_ id: Int32) -> (ref: Int32, pointer: UnsafeRawPointer, gc: Bool)? {
        guard !ownMetatables.isEmpty, infos[Int(id)].kind == .record else { return nil }
        let type = types[Int(id)]
        guard let key = type.qualifiers.isEmpty ? id : internedID(type.unqualified),
              let own = ownMetatables[key], !own.gc || hasMetatypeGC(id) else { return nil }
        return own
    }

    /// Its registry reference.
    func ownMetatableRef(_ id: Int32) -> Int32? { ownMetatable(id)?.ref }

    /// Its address, for the C fast paths (lf_TypeFast.metatable), which make new
    /// cdata of types without `__gc` only.
    func ownMetatablePointer(_ id: Int32) -> UnsafeRawPointer? {
        ownMetatable(id).flatMap { $0.gc ? nil : $0.pointer }
    }

    /// The cdata at stack index 1 of a metamethod (guards against misuse through
    /// `debug.getmetatable`).
    func selfCData(_ L: OpaquePointer, at index: Int32 = 1) throws(FFIError) -> CDataRef {
        guard let cdata = cdata(L, at: index) else { throw FFIError("cdata expected") }
        return cdata
    }

    /// The record type whose metatype governs a cdata: its own type, or the record
    /// a pointer or reference points to. nil when there is no metatype.
    func metatypeOwner(of cdata: CDataRef) -> Int32? {
        guard !metatypes.isEmpty else { return nil }
        var id = cdata.typeID
        let info = info(id)
        if info.kind == .pointer || info.kind == .reference { id = info.target }
        let type = types[Int(id)]
        let key = type.qualifiers.isEmpty ? id : intern(type.unqualified)
        return metatypes[key] != nil ? key : nil
    }

    /// Pushes `event` of the metatype governing any cdata among the first `count`
    /// arguments, if it has one. `[-0, +(0|1), -]`
    func pushMetamethod(_ L: OpaquePointer, _ event: String, among count: Int32) -> Bool {
        guard !metatypes.isEmpty else { return false }
        for index in 1...count {
            guard let cdata = cdata(L, at: index), let owner = metatypeOwner(of: cdata),
                  let ref = metatypes[owner] else { continue }
            lua_rawgeti(L, lf_registryindex(), lua_Integer(ref))
            lua_pushstring(L, event)
            lua_rawget(L, -2)  // raw: a metamethod lookup must not run Lua code
            lf_remove(L, -2)
            if lua_type(L, -1) != LUA_TNIL { return true }
            lf_pop(L, 1)
        }
        return false
    }

    /// Calls the function on top with the metamethod's arguments 1...count, in
    /// protected mode; returns the number of results or re-raises the error value.
    func callMetamethod(_ L: OpaquePointer, arguments count: Int32, results: Int32) -> Int32 {
        let base = lua_gettop(L) - 1
        for index in 1...count { lua_pushvalue(L, index) }
        if lf_pcall(L, count, results, 0) != LUA_OK { return LF_RAISE }
        return lua_gettop(L) - base
    }
}

/// Runs a metamethod: the metatype's, if the cdata's type has one for `event`,
/// else `builtin`. With `operators`, numbers and pointers take the built-in
/// arithmetic and comparisons first, as in LuaJIT (`Arithmetic.swift`).
@inline(__always)
private func dispatch(
    _ L: OpaquePointer?, _ event: String, arguments: Int32, results: Int32 = 1, operators: Bool = false,
    _ builtin: (FFIState, OpaquePointer) throws(FFIError) -> Int32
) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        if operators, !ffi.metatypes.isEmpty, ffi.areBuiltinOperands(L, unary: event == "__unm" || event == "__bnot") {
            do throws(FFIError) { return try builtin(ffi, L) } catch {
                // Not a built-in combination (pointer + pointer): the metamethod, if any.
                guard ffi.pushMetamethod(L, event, among: arguments) else { throw error }
                return ffi.callMetamethod(L, arguments: arguments, results: results)
            }
        }
        if ffi.pushMetamethod(L, event, among: arguments) {
            return ffi.callMetamethod(L, arguments: arguments, results: results)
        }
        return try builtin(ffi, L)
    }
}

private func cdataIndex(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let cdata = try ffi.selfCData(L)
        if let method = ffi.callbackMethod(L, cdata) { return method }
        if let location = try ffi.locate(L, cdata, key: 2) {
            try ffi.push(L, location, anchor: 1)
            return 1
        }
        if ffi.pushRecordConstant(L, type: cdata.typeID, key: 2) { return 1 }
        if let result = try ffi.metatypeIndex(L, cdata) { return result }
        throw ffi.missingMember(L, cdata, key: 2)
    }
}

private func cdataNewIndex(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let cdata = try ffi.selfCData(L)
        if let location = try ffi.locate(L, cdata, key: 2) {
            try ffi.store(L, 3, into: location, count: cdata.count)
            return 0
        }
        try ffi.checkWritableRecord(cdata, key: 2, L)
        if let result = ffi.metatypeNewIndex(L, cdata) { return result }
        throw ffi.missingMember(L, cdata, key: 2)
    }
}

private func cdataToString(_ L: OpaquePointer?) -> Int32 {
    dispatch(L, "__tostring", arguments: 1, results: LUA_MULTRET) { ffi, L throws(FFIError) in
        let cdata = try ffi.selfCData(L)
        // A metatype's __name names the object as Lua 5.4's tostring does (`Point: 0x...`).
        if ffi.pushMetamethod(L, "__name", among: 1), let name = stringArgument(L, -1) {
            let text = "\(name): \(hexAddress(ffi.value(of: cdata).address))"
            lua_pushlstring(L, text, text.utf8.count)
            return 1
        }
        let text = try ffi.describe(cdata)
        ffi.rememberDescribedPrefix(L, cdata.typeID)
        lua_pushlstring(L, text, text.utf8.count)
        return 1
    }
}

private func cdataEq(_ L: OpaquePointer?) -> Int32 {
    dispatch(L, "__eq", arguments: 2, operators: true) { ffi, L throws(FFIError) in
        lua_pushboolean(L, try ffi.compare(L, .equal) ? 1 : 0)
        return 1
    }
}
private func cdataLt(_ L: OpaquePointer?) -> Int32 {
    dispatch(L, "__lt", arguments: 2, operators: true) { ffi, L throws(FFIError) in
        lua_pushboolean(L, try ffi.compare(L, .less) ? 1 : 0)
        return 1
    }
}
private func cdataLe(_ L: OpaquePointer?) -> Int32 {
    dispatch(L, "__le", arguments: 2, operators: true) { ffi, L throws(FFIError) in
        lua_pushboolean(L, try ffi.compare(L, .lessOrEqual) ? 1 : 0)
        return 1
    }
}

private func arithmetic(_ L: OpaquePointer?, _ event: String, _ op: ArithmeticOperator) -> Int32 {
    dispatch(L, event, arguments: 2, operators: true) { ffi, L throws(FFIError) in try ffi.arithmetic(L, op) }
}
private func cdataAdd(_ L: OpaquePointer?) -> Int32 { arithmetic(L, "__add", .add) }
private func cdataSub(_ L: OpaquePointer?) -> Int32 { arithmetic(L, "__sub", .subtract) }
private func cdataMul(_ L: OpaquePointer?) -> Int32 { arithmetic(L, "__mul", .multiply) }
private func cdataDiv(_ L: OpaquePointer?) -> Int32 { arithmetic(L, "__div", .divide) }
private func cdataMod(_ L: OpaquePointer?) -> Int32 { arithmetic(L, "__mod", .modulo) }
private func cdataPow(_ L: OpaquePointer?) -> Int32 { arithmetic(L, "__pow", .power) }
private func cdataIdiv(_ L: OpaquePointer?) -> Int32 { arithmetic(L, "__idiv", .floorDivide) }
private func cdataBand(_ L: OpaquePointer?) -> Int32 { arithmetic(L, "__band", .and) }
private func cdataBor(_ L: OpaquePointer?) -> Int32 { arithmetic(L, "__bor", .or) }
private func cdataBxor(_ L: OpaquePointer?) -> Int32 { arithmetic(L, "__bxor", .xor) }
private func cdataShl(_ L: OpaquePointer?) -> Int32 { arithmetic(L, "__shl", .shiftLeft) }
private func cdataShr(_ L: OpaquePointer?) -> Int32 { arithmetic(L, "__shr", .shiftRight) }
private func cdataUnm(_ L: OpaquePointer?) -> Int32 { arithmetic(L, "__unm", .negate) }
private func cdataBnot(_ L: OpaquePointer?) -> Int32 { arithmetic(L, "__bnot", .not) }

private func cdataLen(_ L: OpaquePointer?) -> Int32 {
    // (a, a): what Lua passes, and what it passes a handler it calls itself
    dispatch(L, "__len", arguments: 2) { ffi, L throws(FFIError) in
        throw FFIError("attempt to get length of '\(ffi.typeName(L, 1))'")
    }
}

private func cdataConcat(_ L: OpaquePointer?) -> Int32 {
    dispatch(L, "__concat", arguments: 2) { ffi, L throws(FFIError) in
        throw FFIError("attempt to concatenate '\(ffi.typeName(L, 1))' and '\(ffi.typeName(L, 2))'")
    }
}

/// `__pairs` (Lua 5.4's `pairs` honours it) and `__ipairs` (for the compatibility
/// layer's `ipairs`, lf_compatipairs): the metatype's, as in LuaJIT, whose message
/// says when there is none.
private func cdataPairs(_ L: OpaquePointer?) -> Int32 {
    dispatch(L, "__pairs", arguments: 1, results: 3) { ffi, L throws(FFIError) in
        throw FFIError("'\(ffi.typeName(L, 1))' has no '__pairs' metamethod")
    }
}

private func cdataIpairs(_ L: OpaquePointer?) -> Int32 {
    dispatch(L, "__ipairs", arguments: 1, results: 3) { ffi, L throws(FFIError) in
        throw FFIError("'\(ffi.typeName(L, 1))' has no '__ipairs' metamethod")
    }
}

private func cdataCall(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let count = lua_gettop(L)
        if ffi.pushMetamethod(L, "__call", among: 1) {
            return ffi.callMetamethod(L, arguments: count, results: LUA_MULTRET)
        }
        if let result = try ffi.callFunctionPointer(L) { return result }
        throw FFIError("'\(ffi.typeName(L, 1))' is not callable")
    }
}

/// `__close` (a `<close>` variable): the metatype's `__close(cdata, error)` if it
/// has one, else `ffi.release`.
private func cdataClose(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        if ffi.pushMetamethod(L, "__close", among: 1) {
            return ffi.callMetamethod(L, arguments: 2, results: 0) == LF_RAISE ? LF_RAISE : 0
        }
        return try ffi.release(L, try ffi.selfCData(L), at: 1)
    }
}

private func cdataGC(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let cdata = ffi.cdata(L, at: 1) else { return 0 }
        return try ffi.finalize(L, cdata, at: 1)
    }
}
