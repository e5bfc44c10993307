// Soak: ten million cdata created and dropped, half with ffi.gc finalizers; every
// finalizer runs exactly once and the memory returns to its starting level.
import Lua
import LuaFFI
import Testing

@Suite struct SoakTests {
    @Test func tenMillionCDataWithFinalizers() throws {
        let state = try LuaState()
        try state.preloadFFI()
        _ = try state.run("""
            ffi = require("ffi")
            ffi.new("int[2]"); ffi.gc(ffi.new("int[2]"), function() end)
            collectgarbage(); collectgarbage()
            """, name: "=soak")
        let before = state.memoryInUse
        let results = try state.run("""
            local ffi, new, gc = ffi, ffi.new, ffi.gc
            local count, finalized = 10000000, 0
            local function finalizer() finalized = finalized + 1 end
            for i = 1, count, 2 do
              local a = new("int[2]")
              local b = gc(new("int[2]"), finalizer)
            end
            collectgarbage(); collectgarbage()
            local afterFirst = finalized
            collectgarbage()
            return count // 2, finalized, afterFirst
            """, name: "=soak")
        let after = state.memoryInUse
        #expect(results == [.integer(5_000_000), .integer(5_000_000), .integer(5_000_000)])
        #expect(after - before < 64 * 1024, "memory grew from \(before) to \(after) bytes")
    }
}
