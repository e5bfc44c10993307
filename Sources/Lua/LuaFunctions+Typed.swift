// Typed Swift functions in Lua and typed calls of Lua functions from Swift.
import CLua
import CLuaCore

/// A bad argument to a Swift function called from Lua, in lauxlib's words:
/// `bad argument #1 to 'f' (number expected, got nil)`.
///
/// Raised in Lua with the caller's position (as `luaL_argerror`); if it reaches
/// Swift again unchanged, this error is thrown.
public struct LuaArgumentError: Error, CustomStringConvertible, Sendable {
    /// The 1-based argument position as Lua counts it.
    public var position: Int
    /// The function name (`?` when Lua does not know it).
    public var function: String
    /// What was wrong (`number expected, got nil`).
    public var problem: String

    public init(position: Int, function: String, problem: String) {
        self.position = position
        self.function = function
        self.problem = problem
    }

    public var description: String {
        position == 0
            ? "calling '\(function)' on bad self (\(problem))"
            : "bad argument #\(position) to '\(function)' (\(problem))"
    }
}

/// A misuse of a Swift API by Lua code (assigning a read-only property, say).
///
/// Raised in Lua with the caller's position, as `luaL_error` does; if it reaches
/// Swift again unchanged, this error is thrown.
public struct LuaUsageError: Error, CustomStringConvertible, Sendable {
    /// The message, without position.
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The arguments of a Swift function called from Lua, read with lauxlib's checks.
///
/// Valid only during the call.
public struct LuaArguments {
    /// The Lua thread running the call (the state, or a coroutine).
    public let L: OpaquePointer
    /// The name the function was registered under, used when Lua cannot name it.
    @usableFromInline let fallbackName: String

    init(L: OpaquePointer, fallbackName: String) {
        self.L = L
        self.fallbackName = fallbackName
    }

    /// The number of arguments (`lua_gettop`).
    public var count: Int { Int(lua_gettop(L)) }

    /// Argument `position` (1-based) as `T`, or a `LuaArgumentError`.
    /// Corresponds to `luaL_checkinteger`, `luaL_checkstring`...
    @inlinable
    public func check<T: LuaConvertible>(_ position: Int, as type: T.Type = T.self) throws -> T {
        if let value = T.peek(L, at: Int32(position)) { return value }
        throw typeError(position, expected: T.luaTypeName)
    }

    /// `luaL_typeerror`: `bad argument #n to 'f' (number expected, got nil)`.
    /// A number refused where an integer is expected gets `luaL_checkinteger`'s
    /// words, `(number has no integer representation)`, or `(value out of range)`.
    public func typeError(_ position: Int, expected: String) -> LuaArgumentError {
        argumentError(position, LuaConversion.problem(expected: expected, L, Int32(position)))
    }

    /// Argument `position` as a `LuaValue` (`nil` when absent).
    public subscript(position: Int) -> LuaValue { LuaState.value(at: Int32(position), in: L) }

    /// An argument error for `position`, named as `luaL_argerror` names it: the
    /// function's name from the call site, `self` for a method's receiver.
    public func argumentError(_ position: Int, _ problem: String) -> LuaArgumentError {
        var ar = lua_Debug()
        var name = fallbackName, position = position
        if lua_getstack(L, 0, &ar) != 0, lua_getinfo(L, "n", &ar) != 0 {
            if let found = ar.name { name = String(cString: found) }
            if let what = ar.namewhat, String(cString: what) == "method" { position -= 1 }
        }
        return LuaArgumentError(position: position, function: name, problem: problem)
    }
}

extension LuaState {
    /// Pushes a Swift function whose body reads its arguments and pushes its
    /// results itself, returning how many. Throwing raises a Lua error as
    /// `push(function:)` does. On a closed state nothing is pushed (every later
    /// operation throws). `[-0, +1, m]`
    public func push(function name: String = "?", raw body: @escaping (LuaArguments) throws -> Int32) {
        guard let L = handle else { return }
        Self.pushBox(SwiftFunctionBox(name: name, body), to: L, yielding: false)
    }

    /// Sets global `name` to a Swift function with typed arguments and result.
    /// Arguments are checked as lauxlib does: `bad argument #2 to 'name' (number
    /// expected, got nil)`. An `Optional` parameter accepts `nil` or no value.
    @inlinable
    public func register<each A: LuaConvertible, R: LuaConvertible>(
        _ name: String, _ body: @escaping (repeat each A) throws -> R
    ) throws {
        try registerGlobal(name) {
            push(function: name, typed: body)
        }
    }

    /// Sets global `name` to a Swift function with typed arguments and no result.
    @inlinable
    public func register<each A: LuaConvertible>(
        _ name: String, _ body: @escaping (repeat each A) throws -> Void
    ) throws {
        try registerGlobal(name) {
            push(function: name, typed: body)
        }
    }

    /// Pushes a Swift function with typed arguments and no result. `[-0, +1, m]`
    @inlinable
    public func push<each A: LuaConvertible>(
        function name: String = "?", typed body: @escaping (repeat each A) throws -> Void
    ) {
        push(function: name) { arguments in
            var position = 0
            try body(repeat try Self.next((each A).self, arguments, &position))
            return 0
        }
    }

    /// Pushes a Swift function with typed arguments and result. `[-0, +1, m]`
    @inlinable
    public func push<each A: LuaConvertible, R: LuaConvertible>(
        function name: String = "?", typed body: @escaping (repeat each A) throws -> R
    ) {
        push(function: name) { arguments in
            var position = 0
            let result = try body(repeat try Self.next((each A).self, arguments, &position))
            result.push(to: arguments.L)
            return 1
        }
    }

    /// Sets global `name` to a Swift function returning several values (a tuple).
    @inlinable
    public func register<each A: LuaConvertible, each R: LuaConvertible>(
        _ name: String, _ body: @escaping (repeat each A) throws -> (repeat each R)
    ) throws {
        try registerGlobal(name) {
            push(function: name, typed: body)
        }
    }

    /// Pushes a Swift function returning several values: the elements of the tuple
    /// it returns are its results, in order. `[-0, +1, m]`
    @inlinable
    public func push<each A: LuaConvertible, each R: LuaConvertible>(
        function name: String = "?", typed body: @escaping (repeat each A) throws -> (repeat each R)
    ) {
        push(function: name) { arguments in
            var position = 0
            let results = try body(repeat try Self.next((each A).self, arguments, &position))
            var count: Int32 = 0
            for result in repeat each results {
                if count % 8 == 0 { _ = lua_checkstack(arguments.L, 8) }
                result.push(to: arguments.L)
                count += 1
            }
            return count
        }
    }

    /// The next argument of a typed function. (A helper of the pack expansion.)
    @inlinable
    static func next<T: LuaConvertible>(_ type: T.Type, _ arguments: LuaArguments, _ position: inout Int) throws -> T {
        position += 1
        return try arguments.check(position, as: T.self)
    }

    /// Calls global function `name` with typed arguments and converts its first
    /// result: `let n = try state.call("add", 1, 2, as: Int.self)`.
    @inlinable
    public func call<each A: LuaConvertible, R: LuaConvertible>(
        _ name: String, _ arguments: repeat each A, as type: R.Type
    ) throws -> R {
        let L = try checkedHandle()
        let mark = core.saveForeignMark(); defer { core.restoreForeignMark(mark) }
        try pushGlobal(name)
        return try callTyped(L, repeat each arguments, as: R.self, name: name)
    }

    /// Calls the function on top of `L` with `arguments` and returns its first
    /// result as `R`. `[-1, +0, e]` as a thrown error
    @inlinable
    func callTyped<each A: LuaConvertible, R: LuaConvertible>(
        _ L: OpaquePointer, _ arguments: repeat each A, as type: R.Type, name: String
    ) throws -> R {
        let base = lua_gettop(L) - 1
        var count: Int32 = 0
        _ = lua_checkstack(L, 8)
        for argument in repeat each arguments {
            if count % 8 == 7 { _ = lua_checkstack(L, 8) }
            argument.push(to: L)
            count += 1
        }
        try call(arguments: count, results: 1)  // throws if an argument was foreign
        defer { lua_settop(L, base) }
        return try LuaConversion.check(R.self, L, -1, what: "result #1 from '\(name)'")
    }
}
