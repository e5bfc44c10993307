// Swift closures as Lua functions: the Lua -> Swift boundary.
import CLua
import CLuaCore
import CLuaEmbedding

/// A Swift function callable from Lua: receives the arguments, returns the results.
/// A thrown error becomes a Lua error (see `LuaState.push(function:)`).
public typealias LuaSwiftFunction = ([LuaValue]) throws -> [LuaValue]

/// Holds a registered closure; a Lua userdata owns one retain of it. The body reads
/// its arguments and pushes its results (returns how many, or a `LuaYield`).
final class SwiftFunctionBox {
    let name: String
    let body: (LuaArguments) throws -> Int32
    init(name: String, _ body: @escaping (LuaArguments) throws -> Int32) {
        self.name = name
        self.body = body
    }
}

extension LuaState {
    /// The registry name of the metatable of closure-owning userdata.
    static let functionBoxMetatable = "luaffi.SwiftFunction"

    /// Pushes a Swift closure as a Lua function. `[-0, +1, m]`
    ///
    /// Errors: a thrown `LuaError` is raised with its message as it is; any other
    /// error is raised as `"chunk:line: " + String(describing: error)` (the caller's
    /// position, as `luaL_error` adds it). When such an error reaches Swift again
    /// unchanged (through `call`, `run`...), the original Swift error is thrown.
    /// On a closed state nothing is pushed (every later operation throws).
    public func push(function body: @escaping LuaSwiftFunction) {
        guard let L = handle else { return }
        Self.pushBox(SwiftFunctionBox(name: "?") { arguments in
            let L = arguments.L
            let values = (0..<lua_gettop(L)).map { LuaState.value(at: $0 + 1, in: L) }
            let results = try body(values)
            guard lua_checkstack(L, Int32(clamping: results.count)) != 0 else {
                throw LuaError(message: "too many results")
            }
            for result in results { LuaState.push(result, to: L) }
            return Int32(results.count)
        }, to: L, yielding: false)
    }

    /// Pushes a closure box as a Lua function (lf_pushswiftbox, plain or yielding).
    /// The `upvalues` values on top become upvalues 2... of the function. `[-0, +1, m]`
    static func pushBox(_ box: SwiftFunctionBox, to L: OpaquePointer, yielding: Bool, upvalues: Int32 = 0) {
        // Lua -> Swift rule: nothing here may raise. Pushes only allocate, and the
        // allocator never refuses while Swift code runs (lf_StateInfo.armed).
        let slot = lf_newuserdata(L, MemoryLayout<lf_SwiftBox>.size, 0)!
        slot.initializeMemory(
            as: lf_SwiftBox.self, repeating: lf_SwiftBox(box: Unmanaged.passRetained(box).toOpaque(), fn: callFunctionBox),
            count: 1)
        if luaL_newmetatable(L, Self.functionBoxMetatable) != 0 {
            lf_pushswiftfunction(L, releaseFunctionBox, 0)
            lua_setfield(L, -2, "__gc")
        }
        lua_setmetatable(L, -2)
        if upvalues > 0 { lf_insert(L, -upvalues - 1) }
        lf_pushswiftbox(L, upvalues, yielding ? 1 : 0)
    }

    /// Sets global `name` to a Swift closure.
    public func register(_ name: String, _ body: @escaping LuaSwiftFunction) throws {
        try registerGlobal(name) { push(function: body) }
    }

    /// Assigns what `pushValue` pushes to global `name`: the one body of every
    /// `register` overload. A foreign mark pending before it is kept.
    @usableFromInline
    func registerGlobal(_ name: String, _ pushValue: () -> Void) throws {
        _ = try checkedHandle()
        let mark = core.saveForeignMark(); defer { core.restoreForeignMark(mark) }
        pushValue()
        try setGlobal(name)
    }

    /// Pops a value and assigns it to global `name` (metamethods of `_G` run,
    /// protected). `[-1, +0, e]` as a thrown error
    public func setGlobal(_ name: String) throws {
        let L = try checkedHandle()
        do { try core.checkForeignPush(on: L) } catch { lf_pop(L, 1); throw error }
        try withBudget { try check(lf_psetglobal(L, name)) }
    }

    /// Assigns a value to global `name`.
    public func setGlobal(_ name: String, _ value: LuaValue) throws {
        _ = try checkedHandle()
        let mark = core.saveForeignMark(); defer { core.restoreForeignMark(mark) }
        push(value)
        try setGlobal(name)
    }

    /// The value of global `name` (metamethods of `_G` run, protected).
    public func global(_ name: String) throws -> LuaValue {
        let L = try checkedHandle()
        try withBudget { try check(lf_pgetglobal(L, name)) }
        defer { pop() }
        return value(at: -1)
    }

    /// Makes `require(name)` call `opener` (a `lua_CFunction` such as a
    /// `luaopen_*`). Corresponds to setting `package.preload[name]`.
    public func preload(_ name: String, _ opener: lua_CFunction) throws {
        let L = try checkedHandle()
        lf_pushcfunction(L, opener)
        try check(lf_ppreload(L, name))
    }

    /// Makes `require(name)` call a Swift function that never raises (an
    /// `lf_SwiftFunction`, the convention of the modules built into this package).
    public func preload(_ name: String, swiftOpener: lf_SwiftFunction) throws {
        let L = try checkedHandle()
        lf_pushswiftfunction(L, swiftOpener, 0)
        try check(lf_ppreload(L, name))
    }
}

/// Calls the closure `raw` (a retained SwiftFunctionBox, kept by the function's
/// upvalue 1) with the Lua arguments. Never raises: returns LF_RAISE with the error
/// message on top, and the trampoline raises it.
private func callFunctionBox(_ L: OpaquePointer?, _ raw: UnsafeMutableRawPointer?) -> Int32 {
    guard let L, let raw else { return 0 }
    let box = Unmanaged<SwiftFunctionBox>.fromOpaque(raw).takeUnretainedValue()
    do {
        return try box.body(LuaArguments(L: L, fallbackName: box.name))
    } catch {
        return raiseSwiftError(error, L)
    }
}

/// `__gc` of a closure userdata: drops the userdata's retain of the closure.
private func releaseFunctionBox(_ L: OpaquePointer?) -> Int32 {
    guard let L, let slot = lua_touserdata(L, 1) else { return 0 }
    let raw = slot.load(as: UnsafeMutableRawPointer?.self)
    slot.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
    if let raw { Unmanaged<SwiftFunctionBox>.fromOpaque(raw).release() }
    return 0
}

/// Pushes the Lua error message for a Swift error and remembers the pair, so that
/// the same error object is thrown if the message comes back to Swift; a `LuaError`
/// made with a value raises that value. Returns LF_RAISE for the trampoline.
/// `[-0, +1, m]`
func raiseSwiftError(_ error: any Error, _ L: OpaquePointer) -> Int32 {
    if let luaError = error as? LuaError, luaError.hasValue {
        LuaState.push(luaError.value, to: L)  // raised as it is, as error(value)
        return LF_RAISE
    }
    let message: String
    if let luaError = error as? LuaError {
        message = luaError.message
    } else {
        luaL_where(L, 1)
        message = (LuaState.string(at: -1, in: L) ?? "") + String(describing: error)
        lf_pop(L, 1)
    }
    LuaState.owner(of: L)?.pendingSwiftError = (message, error)
    LuaState.pushString(message, to: L)
    return LF_RAISE
}
