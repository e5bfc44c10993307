// The mark a reference of another state leaves when pushed (nil goes in its place):
// it fails the operation that consumes that nil, no other.
import CLua
import Lua
import Testing

@Suite struct ForeignMarkTests {
    /// A state, a table of another state, and the state's handle.
    private func states() throws -> (LuaState, LuaTable, OpaquePointer, LuaState) {
        let state = try LuaState(), other = try LuaState()
        let foreign = try other.evaluate("return {}", as: LuaTable.self)
        return (state, foreign, try #require(state.handle), other)
    }

    @Test func aPendingMarkSurvivesNestedOperations() throws {
        let (state, foreign, L, other) = try states()
        let local = try state.evaluate("return {k = 1}", as: LuaTable.self)
        try state.load("return ...")
        foreign.push(to: L)  // an argument for the call below
        #expect(try local.get("k", as: Int.self) == 1)
        try local.set("k", 2)
        #expect(try state.run("return 3") == [.integer(3)])
        let error = try thrownError { try state.call(arguments: 1) }
        #expect((error as? LuaError)?.kind == .state, "\(error)")
        #expect(try state.run("return 4") == [.integer(4)])
        _ = other
    }

    @Test func aPoppedForeignValueLeavesNoMark() throws {
        let (state, foreign, L, other) = try states()
        foreign.push(to: L)
        lua_settop(L, -2)
        #expect(try state.run("return 5") == [.integer(5)])
        try state.load("return ...")
        lua_pushinteger(L, 6)
        try state.call(arguments: 1)
        #expect(lua_tointegerx(L, -1, nil) == 6)
        lua_settop(L, -2)
        _ = other
    }

    @Test func aSwiftFunctionThatPopsAForeignValueReturnsNormally() throws {
        let (state, foreign, _, other) = try states()
        state.push(function: "peek", raw: { a in
            foreign.push(to: a.L)
            lua_settop(a.L, -2)
            return 0
        })
        try state.setGlobal("peek")
        #expect(try state.run("peek() return 7") == [.integer(7)])
        state.push(function: "leak", raw: { a in
            foreign.push(to: a.L)
            return 1
        })
        try state.setGlobal("leak")
        let error = try thrownError { try state.run("return leak()") }
        #expect("\(error)".contains("another Lua state"), "\(error)")
        _ = other
    }

    /// A Swift function running in a coroutine pushes onto the coroutine's stack: a
    /// nested operation keeps its mark, and the result fails as on the main thread.
    @Test func aMarkOnACoroutineStackSurvivesANestedRun() throws {
        let (state, foreign, _, other) = try states()
        state.push(function: "leak", raw: { [unowned state] a in
            foreign.push(to: a.L)
            _ = try state.run("return 1")
            return 1
        })
        try state.setGlobal("leak")
        for script in ["return leak(1, 2)", "return coroutine.wrap(function() return leak(1, 2) end)()"] {
            let error = try thrownError { try state.run(script) }
            #expect((error as? LuaError)?.message.contains("another Lua state") == true, "\(script): \(error)")
        }
        _ = other
    }
}
