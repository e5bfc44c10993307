// Typed Swift functions of 0 to 3 arguments: the fast path of the typed API.
//
// The parameter-pack versions (LuaFunctions+Typed.swift) take any number of
// arguments, but a call through a pack costs a generic metadata lookup per call;
// these overloads are chosen first for the common arities. Generated shape: the
// same body per arity.
import CLua
import CLuaEmbedding

extension LuaState {
    /// Pushes a Swift function of 0 typed arguments and a typed result. `[-0, +1, m]`
    @inlinable
    public func push<R: LuaConvertible>(
        function name: String = "?", typed body: @escaping () throws -> R
    ) {
        push(function: name, raw: { a in
            try body().push(to: a.L)
            return 1
        })
    }

    /// Sets global `name` to a Swift function of 0 typed arguments and a typed result.
    @inlinable
    public func register<R: LuaConvertible>(
        _ name: String, _ body: @escaping () throws -> R
    ) throws {
        try registerGlobal(name) {
            push(function: name, typed: body)
        }
    }

    /// Sets global `name` to a Swift function of 0 typed arguments and no result.
    @inlinable
    public func register(_ name: String, _ body: @escaping () throws -> Void) throws {
        try registerGlobal(name) {
            push(function: name, raw: { a in
                try body()
                return 0
            })
        }
    }

    /// Pushes a Swift function of 1 typed argument and a typed result. `[-0, +1, m]`
    @inlinable
    public func push<A1: LuaConvertible, R: LuaConvertible>(
        function name: String = "?", typed body: @escaping (A1) throws -> R
    ) {
        push(function: name, raw: { a in
            try body(try a.check(1, as: A1.self)).push(to: a.L)
            return 1
        })
    }

    /// Sets global `name` to a Swift function of 1 typed argument and a typed result.
    @inlinable
    public func register<A1: LuaConvertible, R: LuaConvertible>(
        _ name: String, _ body: @escaping (A1) throws -> R
    ) throws {
        try registerGlobal(name) {
            push(function: name, typed: body)
        }
    }

    /// Sets global `name` to a Swift function of 1 typed argument and no result.
    @inlinable
    public func register<A1: LuaConvertible>(_ name: String, _ body: @escaping (A1) throws -> Void) throws {
        try registerGlobal(name) {
            push(function: name, raw: { a in
                try body(try a.check(1, as: A1.self))
                return 0
            })
        }
    }

    /// Pushes a Swift function of 2 typed arguments and a typed result. `[-0, +1, m]`
    @inlinable
    public func push<A1: LuaConvertible, A2: LuaConvertible, R: LuaConvertible>(
        function name: String = "?", typed body: @escaping (A1, A2) throws -> R
    ) {
        push(function: name, raw: { a in
            try body(try a.check(1, as: A1.self), try a.check(2, as: A2.self)).push(to: a.L)
            return 1
        })
    }

    /// Sets global `name` to a Swift function of 2 typed arguments and a typed result.
    @inlinable
    public func register<A1: LuaConvertible, A2: LuaConvertible, R: LuaConvertible>(
        _ name: String, _ body: @escaping (A1, A2) throws -> R
    ) throws {
        try registerGlobal(name) {
            push(function: name, typed: body)
        }
    }

    /// Sets global `name` to a Swift function of 2 typed arguments and no result.
    @inlinable
    public func register<A1: LuaConvertible, A2: LuaConvertible>(_ name: String, _ body: @escaping (A1, A2) throws -> Void) throws {
        try registerGlobal(name) {
            push(function: name, raw: { a in
                try body(try a.check(1, as: A1.self), try a.check(2, as: A2.self))
                return 0
            })
        }
    }

    /// Pushes a Swift function of 3 typed arguments and a typed result. `[-0, +1, m]`
    @inlinable
    public func push<A1: LuaConvertible, A2: LuaConvertible, A3: LuaConvertible, R: LuaConvertible>(
        function name: String = "?", typed body: @escaping (A1, A2, A3) throws -> R
    ) {
        push(function: name, raw: { a in
            try body(try a.check(1, as: A1.self), try a.check(2, as: A2.self), try a.check(3, as: A3.self)).push(to: a.L)
            return 1
        })
    }

    /// Sets global `name` to a Swift function of 3 typed arguments and a typed result.
    @inlinable
    public func register<A1: LuaConvertible, A2: LuaConvertible, A3: LuaConvertible, R: LuaConvertible>(
        _ name: String, _ body: @escaping (A1, A2, A3) throws -> R
    ) throws {
        try registerGlobal(name) {
            push(function: name, typed: body)
        }
    }

    /// Sets global `name` to a Swift function of 3 typed arguments and no result.
    @inlinable
    public func register<A1: LuaConvertible, A2: LuaConvertible, A3: LuaConvertible>(_ name: String, _ body: @escaping (A1, A2, A3) throws -> Void) throws {
        try registerGlobal(name) {
            push(function: name, raw: { a in
                try body(try a.check(1, as: A1.self), try a.check(2, as: A2.self), try a.check(3, as: A3.self))
                return 0
            })
        }
    }

    /// Calls global function `name` with 0 typed arguments and converts its first result.
    @inlinable
    public func call<R: LuaConvertible>(_ name: String, as type: R.Type) throws -> R {
        let L = try checkedHandle()
        let mark = core.saveForeignMark(); defer { core.restoreForeignMark(mark) }
        _ = lua_checkstack(L, 2)
        let base = lua_gettop(L)
        lf_pushapimsghandler(L)
        do { try pushGlobal(name) } catch { lua_settop(L, base); throw error }
        return try core.finishCall(L, arguments: 0, as: R.self, name: name)
    }

    /// Calls global function `name` with 1 typed argument and converts its first result.
    @inlinable
    public func call<A1: LuaConvertible, R: LuaConvertible>(_ name: String, _ a1: A1, as type: R.Type) throws -> R {
        let L = try checkedHandle()
        let mark = core.saveForeignMark(); defer { core.restoreForeignMark(mark) }
        _ = lua_checkstack(L, 3)
        let base = lua_gettop(L)
        lf_pushapimsghandler(L)
        do { try pushGlobal(name) } catch { lua_settop(L, base); throw error }
        a1.push(to: L)
        return try core.finishCall(L, arguments: 1, as: R.self, name: name)
    }

    /// Calls global function `name` with 2 typed arguments and converts its first result.
    @inlinable
    public func call<A1: LuaConvertible, A2: LuaConvertible, R: LuaConvertible>(_ name: String, _ a1: A1, _ a2: A2, as type: R.Type) throws -> R {
        let L = try checkedHandle()
        let mark = core.saveForeignMark(); defer { core.restoreForeignMark(mark) }
        _ = lua_checkstack(L, 4)
        let base = lua_gettop(L)
        lf_pushapimsghandler(L)
        do { try pushGlobal(name) } catch { lua_settop(L, base); throw error }
        a1.push(to: L)
        a2.push(to: L)
        return try core.finishCall(L, arguments: 2, as: R.self, name: name)
    }

    /// Calls global function `name` with 3 typed arguments and converts its first result.
    @inlinable
    public func call<A1: LuaConvertible, A2: LuaConvertible, A3: LuaConvertible, R: LuaConvertible>(_ name: String, _ a1: A1, _ a2: A2, _ a3: A3, as type: R.Type) throws -> R {
        let L = try checkedHandle()
        let mark = core.saveForeignMark(); defer { core.restoreForeignMark(mark) }
        _ = lua_checkstack(L, 5)
        let base = lua_gettop(L)
        lf_pushapimsghandler(L)
        do { try pushGlobal(name) } catch { lua_settop(L, base); throw error }
        a1.push(to: L)
        a2.push(to: L)
        a3.push(to: L)
        return try core.finishCall(L, arguments: 3, as: R.self, name: name)
    }
}

extension LuaFunction {
    /// Calls the function with 0 typed arguments and converts its first result.
    @inlinable
    public func call<R: LuaConvertible>(as type: R.Type) throws -> R {
        let L = try core.checkedHandle()
        let mark = core.saveForeignMark(); defer { core.restoreForeignMark(mark) }
        _ = lua_checkstack(L, 2)
        lf_pushapimsghandler(L)
        push(to: L)
        return try core.finishCall(L, arguments: 0, as: R.self, name: "?")
    }

    /// Calls the function with 1 typed argument and converts its first result.
    @inlinable
    public func call<A1: LuaConvertible, R: LuaConvertible>(_ a1: A1, as type: R.Type) throws -> R {
        let L = try core.checkedHandle()
        let mark = core.saveForeignMark(); defer { core.restoreForeignMark(mark) }
        _ = lua_checkstack(L, 3)
        lf_pushapimsghandler(L)
        push(to: L)
        a1.push(to: L)
        return try core.finishCall(L, arguments: 1, as: R.self, name: "?")
    }

    /// Calls the function with 2 typed arguments and converts its first result.
    @inlinable
    public func call<A1: LuaConvertible, A2: LuaConvertible, R: LuaConvertible>(_ a1: A1, _ a2: A2, as type: R.Type) throws -> R {
        let L = try core.checkedHandle()
        let mark = core.saveForeignMark(); defer { core.restoreForeignMark(mark) }
        _ = lua_checkstack(L, 4)
        lf_pushapimsghandler(L)
        push(to: L)
        a1.push(to: L)
        a2.push(to: L)
        return try core.finishCall(L, arguments: 2, as: R.self, name: "?")
    }

    /// Calls the function with 3 typed arguments and converts its first result.
    @inlinable
    public func call<A1: LuaConvertible, A2: LuaConvertible, A3: LuaConvertible, R: LuaConvertible>(_ a1: A1, _ a2: A2, _ a3: A3, as type: R.Type) throws -> R {
        let L = try core.checkedHandle()
        let mark = core.saveForeignMark(); defer { core.restoreForeignMark(mark) }
        _ = lua_checkstack(L, 5)
        lf_pushapimsghandler(L)
        push(to: L)
        a1.push(to: L)
        a2.push(to: L)
        a3.push(to: L)
        return try core.finishCall(L, arguments: 3, as: R.self, name: "?")
    }
}
