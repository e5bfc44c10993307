// What a host builds for its plugins: tables and functions made from Swift,
// modules served to `require` by Swift closures, typed globals, Codable arguments.
import CLua
import CLuaCore

extension LuaState {
    /// Creates an empty table, with room for `arrayCapacity` sequence elements and
    /// `fieldCapacity` other fields. Corresponds to `lua_createtable`.
    public func createTable(arrayCapacity: Int = 0, fieldCapacity: Int = 0) throws -> LuaTable {
        let L = try checkedHandle()
        lua_createtable(L, Int32(clamping: max(arrayCapacity, 0)), Int32(clamping: max(fieldCapacity, 0)))
        return LuaTable(popping: L, state: self)
    }

    /// Creates a Lua function from a Swift closure over plain values (see
    /// `push(function:)`): store it in a table, pass it to Lua, call it.
    public func createFunction(_ body: @escaping LuaSwiftFunction) throws -> LuaFunction {
        let L = try checkedHandle()
        push(function: body)
        return LuaFunction(popping: L, state: self)
    }

    /// Creates a Lua function whose body reads its arguments and pushes its results
    /// (see `push(function:raw:)`).
    public func createFunction(name: String = "?", raw body: @escaping (LuaArguments) throws -> Int32) throws -> LuaFunction {
        let L = try checkedHandle()
        push(function: name, raw: body)
        return LuaFunction(popping: L, state: self)
    }

    /// Creates a Lua function from a Swift function with typed arguments and result
    /// (checked as `register` checks them).
    public func createFunction<each A: LuaConvertible, R: LuaConvertible>(
        name: String = "?", _ body: @escaping (repeat each A) throws -> R
    ) throws -> LuaFunction {
        let L = try checkedHandle()
        push(function: name, typed: body)
        return LuaFunction(popping: L, state: self)
    }

    /// Creates a Lua function from a Swift function with typed arguments and no result.
    public func createFunction<each A: LuaConvertible>(
        name: String = "?", _ body: @escaping (repeat each A) throws -> Void
    ) throws -> LuaFunction {
        let L = try checkedHandle()
        push(function: name, typed: body)
        return LuaFunction(popping: L, state: self)
    }

    /// Creates a Lua function from a Swift function returning several values (a
    /// tuple: `{ (a: Int, b: Int) in (a / b, a % b) }` returns two values to Lua).
    public func createFunction<each A: LuaConvertible, each R: LuaConvertible>(
        name: String = "?", _ body: @escaping (repeat each A) throws -> (repeat each R)
    ) throws -> LuaFunction {
        let L = try checkedHandle()
        push(function: name, typed: body)
        return LuaFunction(popping: L, state: self)
    }

    /// Makes `require(name)` call `opener` and return what it returns (a table the
    /// host built with `createTable`, say), as `package.preload[name]`. A sandboxed
    /// state serves `package.preload` too, so its plugins can `require` the module.
    public func preload<R: LuaConvertible>(_ name: String, _ opener: @escaping () throws -> R) throws {
        let L = try checkedHandle()
        push(function: name, raw: { arguments in
            try opener().push(to: arguments.L)
            return 1
        })
        try check(lf_ppreload(L, name))
    }

    /// The value of global `name` converted to `T` (metamethods of `_G` run,
    /// protected): `try lua.global("config", as: LuaTable.self)`. A value of another
    /// type throws `bad global 'name' (number expected, got nil)`.
    public func global<T: LuaConvertible>(_ name: String, as type: T.Type) throws -> T {
        let L = try checkedHandle()
        try pushGlobal(name)
        defer { lf_pop(L, 1) }
        return try LuaConversion.check(T.self, L, -1, what: "global '\(name)'")
    }

    /// Calls global function `name` with `Encodable` arguments (structs arrive as
    /// tables, as `push(encoding:)` makes them) and converts its first result.
    public func call<each A: Encodable, R: LuaConvertible>(
        _ name: String, encoding arguments: repeat each A, as type: R.Type
    ) throws -> R {
        try callGlobal(name, trees: Self.encode(repeat each arguments)) { L in
            try LuaConversion.check(R.self, L, -1, what: "result #1 from '\(name)'")
        }
    }

    /// Calls global function `name` with `Encodable` arguments and decodes its
    /// first result as `R`.
    public func call<each A: Encodable, R: Decodable>(
        _ name: String, encoding arguments: repeat each A, decoding type: R.Type
    ) throws -> R {
        try callGlobal(name, trees: Self.encode(repeat each arguments)) { _ in try decode(R.self) }
    }

    /// Calls global function `name` with `trees` as arguments and reads its first
    /// result (on top of the `L` given to `read`) with `read`.
    private func callGlobal<R>(_ name: String, trees: [LuaTree], read: (OpaquePointer) throws -> R) throws -> R {
        let L = try checkedHandle()
        let mark = core.saveForeignMark(); defer { core.restoreForeignMark(mark) }
        try pushGlobal(name)
        return try callTyped(L, trees: trees, name: name) { try read(L) }
    }

    /// The encoded arguments (all encoded before any is pushed: encoding can fail).
    static func encode<each A: Encodable>(_ arguments: repeat each A) throws -> [LuaTree] {
        var trees: [LuaTree] = []
        for argument in repeat each arguments { trees.append(try LuaTreeEncoder.encode(argument)) }
        return trees
    }

    /// Calls the function on top of `L` with `trees` as arguments and reads its first
    /// result with `read` (the result is on top); pops everything. `[-1, +0, e]`
    func callTyped<R>(_ L: OpaquePointer, trees: [LuaTree], name: String, read: () throws -> R) throws -> R {
        let base = lua_gettop(L) - 1
        guard lua_checkstack(L, Int32(clamping: trees.count) + 1) != 0 else {
            lua_settop(L, base)
            throw LuaError(message: "too many arguments to '\(name)'")
        }
        for tree in trees { tree.push(to: L) }
        try call(arguments: Int32(trees.count), results: 1)
        defer { lua_settop(L, base) }
        return try read()
    }
}

extension LuaFunction {
    /// Calls the function with `Encodable` arguments and converts its first result.
    public func call<each A: Encodable, R: LuaConvertible>(encoding arguments: repeat each A, as type: R.Type) throws -> R {
        let trees = try LuaState.encode(repeat each arguments)
        let (state, L) = try checked()
        let mark = state.core.saveForeignMark(); defer { state.core.restoreForeignMark(mark) }
        push(to: L)
        return try state.callTyped(L, trees: trees, name: "?") { try LuaConversion.check(R.self, L, -1, what: "result #1 from '?'") }
    }

    /// Calls the function with `Encodable` arguments and decodes its first result.
    public func call<each A: Encodable, R: Decodable>(encoding arguments: repeat each A, decoding type: R.Type) throws -> R {
        let trees = try LuaState.encode(repeat each arguments)
        let (state, L) = try checked()
        let mark = state.core.saveForeignMark(); defer { state.core.restoreForeignMark(mark) }
        push(to: L)
        return try state.callTyped(L, trees: trees, name: "?") { try state.decode(R.self) }
    }
}
