// The memory limit: Lua code gets a memory error; Swift frames are never unwound.
import Lua
import Testing

@Suite struct MemoryLimitTests {
    @Test func luaAllocationPastTheLimitIsAMemoryError() throws {
        let state = try LuaState(memoryLimit: 2 << 20)
        do {
            try state.run("local t = {} for i = 1, 1e8 do t[i] = {} end")
            Issue.record("expected a memory error")
        } catch let error as LuaError {
            #expect(error.kind == .memory)
            #expect(error.message == "not enough memory")
        }
        // The state is still usable once the garbage is gone.
        #expect(try state.run("collectgarbage() return 1 + 1") == [.integer(2)])
        #expect(state.memoryInUse <= 2 << 20)
    }

    @Test func swiftFunctionOverdrawingIsChargedAfterItReturns() throws {
        let tag = "overdraw"
        do {
            let state = try LuaState(memoryLimit: 1 << 20)
            try state.register("big") { _ in
                let local = Tracker(tag)
                _ = local
                return [.string(String(repeating: "x", count: 4 << 20))]
            }
            do {
                try state.run("local s = big() return #s")
                Issue.record("expected a memory error")
            } catch let error as LuaError {
                #expect(error.kind == .memory)
            }
            #expect(try state.run("collectgarbage() return 'alive'") == [.string("alive")])
        }
        #expect(Tracker.count(tag) == 0)
    }
}
