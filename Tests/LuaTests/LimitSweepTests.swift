// Swift functions near the memory limit: every call raises or returns its result.
import Lua
import Testing

@Suite struct LimitSweepTests {
    /// One kind of Swift function, as a Lua function of no arguments (it makes some
    /// garbage first, so that an emergency collection can free room) and a check
    /// of its results.
    struct Case: @unchecked Sendable, CustomTestStringConvertible {
        let name: String
        let source: String
        let expected: [LuaValue]
        var testDescription: String { name }
    }

    static let garbage = "local g = {} for i = 1, 64 do g[i] = {i} end g = nil "

    static let cases: [Case] = [
        Case(name: "typed String function", source: "return function() \(garbage) local s = text() return type(s), #s end",
             expected: [.string("string"), .integer(3000)]),
        Case(name: "ffi.new", source: "return (function() local ffi = require 'ffi' return function() \(garbage) "
             + "local p = ffi.new('int[4]', 7) return ffi.sizeof(p), tostring(ffi.typeof(p)), p[3] end end)()",
             expected: [.integer(16), .string("ctype<int [4]>"), .integer(7)]),
        Case(name: "require \"ffi\"", source: "return function() \(garbage) package.loaded.ffi = nil "
             + "local ffi = require 'ffi' return type(ffi.new), type(ffi.cast), type(ffi.cdef) end",
             expected: [.string("function"), .string("function"), .string("function")]),
    ]

    @Test(arguments: cases)
    func everyCallRaisesOrReturnsItsResult(_ c: Case) throws {
        let state = try LuaState()
        try state.preloadFFI()
        try state.register("text") { () -> String in String(repeating: "x", count: 3000) }
        let function = try state.evaluate(c.source, as: LuaFunction.self)
        #expect(try function.call() == c.expected)  // unlimited: the right values
        var returned = 0, raised = 0
        for step in 0..<240 {
            state.memoryLimit = nil
            _ = try state.run("collectgarbage() collectgarbage()")
            state.memoryLimit = state.memoryInUse + step * 256
            do {
                let values = try function.call()
                #expect(values == c.expected, "limit +\(step * 256)")
                returned += 1
            } catch let error as LuaError {
                #expect(error.kind == .memory, "limit +\(step * 256): \(error.kind) \(error.message)")
                raised += 1
            }
        }
        #expect(returned > 0 && raised > 0)
    }
}
