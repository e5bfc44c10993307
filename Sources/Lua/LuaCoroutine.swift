// Coroutines driven from Swift, and Swift functions that yield.
import CLua
import CLuaCore
import CLuaEmbedding

/// What a resumed coroutine did: yielded values or returned them.
public enum LuaResumeResult: Equatable {
    /// `coroutine.yield(...)` (or a yielding Swift function) passed these values.
    case yielded([LuaValue])
    /// The body returned these values; the coroutine is dead.
    case returned([LuaValue])
}

/// What a yielding Swift function does when it returns.
public enum LuaReturn {
    /// Return these values to the caller.
    case values([LuaValue])
    /// Yield these values from the running coroutine (`coroutine.yield`); the
    /// values of the next resume become the results of the call.
    case yield([LuaValue])
}

/// A Lua coroutine (thread) held by Swift. Corresponds to `lua_newthread` and
/// `lua_resume`.
public final class LuaCoroutine: LuaReference {
    /// A coroutine's status, as `coroutine.status` names them.
    public enum Status: String, Sendable {
        case suspended, running, normal, dead
    }

    /// The `lua_State *` of the coroutine. `[-0, +0, -]`
    func thread(_ L: OpaquePointer) -> OpaquePointer? {
        push(to: L)
        defer { lf_pop(L, 1) }
        return lua_tothread(L, -1)
    }

    /// The status as `coroutine.status` reports it (seen from the main thread).
    public var status: Status {
        guard let (_, L) = try? checked(), let co = thread(L) else { return .dead }
        if co == L { return .running }
        switch lua_status(co) {
        case LUA_YIELD: return .suspended
        case LUA_OK:
            var ar = lua_Debug()
            if lua_getstack(co, 0, &ar) != 0 { return .normal }
            return lua_gettop(co) == 0 ? .dead : .suspended
        default: return .dead
        }
    }

    /// Resumes the coroutine with `arguments` (the body's arguments on the first
    /// resume, the results of `yield` afterwards). Corresponds to `lua_resume`
    /// (`coroutine.resume`); an error inside is thrown, with a traceback, and
    /// leaves the coroutine dead.
    public func resume(_ arguments: LuaValue...) throws -> LuaResumeResult {
        let (state, L) = try checked()
        guard let co = thread(L) else { throw LuaError(message: "cannot resume dead coroutine") }
        guard status == .suspended else {
            throw LuaError(message: "cannot resume \(status == .dead ? "dead" : "non-suspended") coroutine")
        }
        guard lua_checkstack(co, Int32(clamping: arguments.count + 1)) != 0 else {
            throw LuaError(message: "too many arguments to resume")
        }
        state.core.clearForeignPush()
        for argument in arguments { LuaState.push(argument, to: co) }
        do { try state.core.checkForeignPush() } catch { lf_pop(co, Int32(arguments.count)); throw error }
        var count: Int32 = 0
        let status = state.withBudget { lf_resume(co, L, Int32(arguments.count), &count) }
        guard status == LUA_OK || status == LUA_YIELD else { throw state.resumeError(co, L, status) }
        let top = lua_gettop(co)
        let values = (0..<count).map { LuaState.value(at: top - count + 1 + $0, in: co) }
        lf_pop(co, count)
        return status == LUA_YIELD ? .yielded(values) : .returned(values)
    }
}

extension LuaCoroutine: LuaConvertible {
    public static func peek(_ L: OpaquePointer, at index: Int32) -> LuaCoroutine? { peekReference(L, index, LUA_TTHREAD) }
    public static var luaTypeName: String { "thread" }
}

extension LuaState {
    /// Creates a coroutine whose body is `function`. Corresponds to
    /// `coroutine.create` (`lua_newthread` and `lua_xmove`).
    public func coroutine(_ function: LuaFunction) throws -> LuaCoroutine {
        let L = try checkedHandle()
        guard let co = lua_newthread(L) else { throw LuaError(.memory, message: "not enough memory") }
        function.push(to: co)
        return LuaCoroutine(popping: L, state: self)
    }

    /// Creates a coroutine from Lua source that evaluates to a function
    /// (`"function(a) ... end"`).
    public func coroutine(_ source: String) throws -> LuaCoroutine {
        try coroutine(try evaluate("return " + source, as: LuaFunction.self))
    }

    /// Runs a chunk and converts its first result.
    public func evaluate<R: LuaConvertible>(_ code: String, name: String? = nil, as type: R.Type) throws -> R {
        let L = try checkedHandle()
        try load(code, name: name)
        let shown = name.map { $0.hasPrefix("=") || $0.hasPrefix("@") ? String($0.dropFirst()) : $0 }
        return try callTyped(L, as: R.self, name: shown ?? "chunk")
    }

    /// Pushes a Swift function that may yield (`LuaReturn.yield`) when it runs in
    /// a coroutine. The yield happens in C, once the Swift frame has returned
    /// (`lf_pushswiftbox`, yielding). On a closed state nothing is pushed (every
    /// later operation throws). `[-0, +1, m]`
    public func push(yieldingFunction body: @escaping ([LuaValue]) throws -> LuaReturn) {
        guard let L = handle else { return }
        Self.pushBox(SwiftFunctionBox(name: "?") { arguments in
            let L = arguments.L
            let values = (0..<lua_gettop(L)).map { LuaState.value(at: $0 + 1, in: L) }
            let yields: Bool, results: [LuaValue]
            switch try body(values) {
            case .values(let v): (yields, results) = (false, v)
            case .yield(let v): (yields, results) = (true, v)
            }
            guard lua_checkstack(L, Int32(clamping: results.count)) != 0 else {
                throw LuaError(message: "too many results")
            }
            for result in results { LuaState.push(result, to: L) }
            let count = Int32(results.count)
            return yields ? -2 - count : count  // LF_YIELD(n)
        }, to: L, yielding: true)
    }

    /// Sets global `name` to a Swift function that may yield.
    public func registerYielding(_ name: String, _ body: @escaping ([LuaValue]) throws -> LuaReturn) throws {
        _ = try checkedHandle()
        push(yieldingFunction: body)
        try setGlobal(name)
    }

    /// The Swift error for a failed resume: the error value moves from the dead
    /// coroutine to `L`, with the coroutine's traceback.
    func resumeError(_ co: OpaquePointer, _ L: OpaquePointer, _ status: Int32) -> any Error {
        var traceback: String?
        if lf_ptraceback(L, co, nil, 0) == LUA_OK { traceback = Self.string(at: -1, in: L) }
        lf_pop(L, 1)
        lua_xmove(co, L, 1)
        var error = popError(L, status: status)
        if var luaError = error as? LuaError, luaError.traceback == nil {
            luaError.traceback = traceback
            error = luaError
        }
        return error
    }
}
