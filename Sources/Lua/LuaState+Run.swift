// Loading and running chunks, and calling functions, from Swift (protected).
import CLua
import CLuaCore

extension LuaState {
    /// Compiles a chunk and pushes it as a function. Corresponds to
    /// `luaL_loadbufferx`; `name` is the chunk name (`"=stdin"`, `"@file.lua"`, or
    /// any text, which Lua shows as `[string "..."]`). `mode` is `"t"`, `"b"` or
    /// `"bt"`. `[-0, +1, -]`
    public func load(_ code: String, name: String? = nil, mode: String = "bt") throws {
        let L = try checkedHandle()
        let chunkName = name ?? code
        var code = code
        let status = code.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                lf_loadbuffer(L, chars.baseAddress, chars.count, chunkName, mode)
            }
        }
        try check(status)
    }

    /// Compiles a file and pushes it as a function; nil reads standard input.
    /// Corresponds to `luaL_loadfilex`. `[-0, +1, -]`
    public func loadFile(_ path: String?, mode: String = "bt") throws {
        let L = try checkedHandle()
        try check(lf_ploadfile(L, path, mode))
    }

    /// Calls the function below the `nargs` arguments on top of the stack, in
    /// protected mode. Corresponds to `lua_pcall` with a traceback handler; on error
    /// the error is thrown (with traceback) and the stack is as before the function
    /// was pushed. `nresults` of `nil` keeps all results. `[-(nargs+1), +nresults, -]`
    @inlinable
    public func call(arguments nargs: Int32 = 0, results nresults: Int32? = nil) throws {
        let L = try checkedHandle()
        do { try core.checkForeignPush(on: L) } catch { lua_settop(L, -nargs - 2); throw error }
        try withBudget { try check(lf_pcallapi(L, nargs, nresults ?? LUA_MULTRET)) }
    }

    /// Runs `body` as a call from Swift into Lua: the outermost one starts a new
    /// instruction and time budget (see `LuaSandbox`).
    @inlinable
    func withBudget<T>(_ body: () throws -> T) rethrows -> T {
        try core.withBudget(body)
    }

    /// Runs a chunk of code and returns its results.
    @discardableResult
    public func run(_ code: String, name: String? = nil) throws -> [LuaValue] {
        let mark = core.saveForeignMark(); defer { core.restoreForeignMark(mark) }
        let base = top
        try load(code, name: name)
        return try callAndCollect(base: base)
    }

    /// Runs a file (`nil`: standard input) and returns its results.
    @discardableResult
    public func runFile(_ path: String?) throws -> [LuaValue] {
        let mark = core.saveForeignMark(); defer { core.restoreForeignMark(mark) }
        let base = top
        try loadFile(path)
        return try callAndCollect(base: base)
    }

    /// Calls the function on top with no arguments, pops its results and returns them.
    func callAndCollect(base: Int32) throws -> [LuaValue] {
        try call()
        return popResults(above: base)
    }

    /// Pops the values above `base` and returns them, lowest first.
    func popResults(above base: Int32) -> [LuaValue] {
        let count = top - base
        let results = (0..<count).map { value(at: base + 1 + $0) }
        pop(count)
        return results
    }

    /// Pops the error value of a failed protected operation and turns it into the
    /// Swift error to throw: the original Swift error if a Swift function raised
    /// this very value, a `LuaError` (which keeps the value) otherwise. `[-1, +0, m]`
    func popError(_ L: OpaquePointer, status: Int32) -> any Error {
        let traceback = takeTraceback(L)
        if let pending = pendingSwiftError {
            pendingSwiftError = nil
            if Self.string(at: -1, in: L) == pending.message {
                lf_pop(L, 1)
                return pending.error
            }
        }
        let value = Self.value(at: -1, in: L)
        let message = Self.errorMessage(at: -1, in: L)
        lf_pop(L, 1)
        var kind = LuaError.kind(ofStatus: status)
        if kind == .runtime, let limits, limits.pointee.tripped != 0 { kind = .limit }
        return LuaError(kind, value: value, message: message, traceback: traceback)
    }

    /// The traceback the API message handler left in the registry, removed from it.
    /// `[-0, +0, -]`
    private func takeTraceback(_ L: OpaquePointer) -> String? {
        lua_getfield(L, lf_registryindex(), LF_TRACEBACK_KEY)
        let traceback = Self.string(at: -1, in: L)
        lf_pop(L, 1)
        if traceback != nil {
            lua_pushnil(L)
            lua_setfield(L, lf_registryindex(), LF_TRACEBACK_KEY)
        }
        return traceback
    }

    /// An error value as text, as `lua5.4` reports it: strings and numbers as they
    /// are, `__tostring` when it gives a string, else `(error object is a X value)`.
    /// `[-0, +0, -]`
    static func errorMessage(at index: Int32, in L: OpaquePointer) -> String {
        let index = lua_absindex(L, index)
        if lua_type(L, index) == LUA_TNUMBER, lf_ptolstring(L, index) == LUA_OK {
            defer { lf_pop(L, 1) }
            return string(at: -1, in: L) ?? ""
        }
        if let s = string(at: index, in: L) { return s }
        if luaL_getmetafield(L, index, "__tostring") != LUA_TNIL {
            lf_pop(L, 1)
            if lf_ptolstring(L, index) == LUA_OK, let s = string(at: -1, in: L) {
                lf_pop(L, 1)
                return s
            }
            lf_pop(L, 1)
        }
        return "(error object is a \(String(cString: lf_typename(L, index))) value)"
    }
}

extension LuaState {
    /// Pushes the value of global `name` (metamethods of `_G` run, protected).
    /// `[-0, +1, -]`
    public func pushGlobal(_ name: String) throws {
        let L = try checkedHandle()
        // Fast path: a global table without metatable cannot run metamethods, and
        // the allocator never refuses while Swift runs, so a plain get cannot raise.
        lua_rawgeti(L, lf_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
        if lua_getmetatable(L, -1) == 0 {
            _ = lua_getfield(L, -1, name)
            lf_remove(L, -2)
            return
        }
        lua_settop(L, -3)
        try withBudget { try check(lf_pgetglobal(L, name)) }
    }

    /// Calls the global function `name` with `arguments` and returns its results.
    @discardableResult
    public func call(_ name: String, _ arguments: LuaValue...) throws -> [LuaValue] {
        try call(name, arguments)
    }

    /// Calls the global function `name` with `arguments` (see `call(_:_:)`).
    func call(_ name: String, _ arguments: [LuaValue]) throws -> [LuaValue] {
        let mark = core.saveForeignMark(); defer { core.restoreForeignMark(mark) }
        let base = top
        try pushGlobal(name)
        for argument in arguments { push(argument) }
        try call(arguments: Int32(arguments.count))
        return popResults(above: base)
    }
}
