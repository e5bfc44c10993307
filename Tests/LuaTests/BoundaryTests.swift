// The Lua <-> Swift error boundary: errors both ways, a million times, no leaks.
import Lua
import Testing

@Suite struct BoundaryTests {
    @Test func swiftErrorBecomesLuaErrorWithPosition() throws {
        let state = try LuaState()
        try state.register("fail") { _ in throw TrackedError(tracker: Tracker("position"), code: 7) }
        let results = try state.run("""
            local ok, err = pcall(function() fail() end)
            return ok, err, select(2, pcall(fail))
            """, name: "=test")
        // As luaL_error: the position of the calling Lua function, none if a C
        // function (here pcall) called it directly.
        #expect(results == [
            .boolean(false), .string("test:1: tracked failure 7"), .string("tracked failure 7"),
        ])
    }

    @Test func luaErrorThrownToSwiftHasMessageAndTraceback() throws {
        let state = try LuaState()
        try state.run("function f() error('boom') end", name: "@script.lua")
        #expect(throws: LuaError.self) { try state.call("f") }
        do {
            try state.call("f")
        } catch let error as LuaError {
            #expect(error.kind == .runtime)
            #expect(error.message == "script.lua:1: boom")
            #expect(error.traceback?.hasPrefix("stack traceback:") == true)
            #expect(error.traceback?.contains("script.lua:1: in function 'f'") == true)
        }
        #expect(state.top == 0)
    }

    @Test func syntaxErrorHasNoTraceback() throws {
        let state = try LuaState()
        do {
            try state.run("x = = 1", name: "=chunk")
            Issue.record("expected a syntax error")
        } catch let error as LuaError {
            #expect(error.kind == .syntax)
            #expect(error.message == "chunk:1: unexpected symbol near '='")
            #expect(error.traceback == nil)
        }
    }

    @Test func sameSwiftErrorComesBackThroughLua() throws {
        let state = try LuaState()
        try state.register("fail") { _ in throw TrackedError(tracker: Tracker("identity"), code: 42) }
        try state.run("function outer() fail() end")
        do {
            try state.call("outer")
            Issue.record("expected an error")
        } catch let error as TrackedError {
            #expect(error.code == 42)
        }
    }

    @Test func errorObjectsAreDescribed() throws {
        let state = try LuaState()
        let cases: [(String, String)] = [
            ("error({})", "(error object is a table value)"),
            ("error(setmetatable({}, {__tostring = function() return 'custom' end}))", "custom"),
            ("error(42)", "42"),
            ("error(nil)", "(error object is a nil value)"),
        ]
        for (code, message) in cases {
            let error = #expect(throws: LuaError.self) { try state.run(code) }
            #expect(error?.message == message)
        }
        #expect(state.top == 0)
    }

    /// Errors raised a million times in each direction leave no Swift object alive.
    @Test func millionErrorsBothWaysLeakNothing() throws {
        let tag = "million"
        do {
            let state = try LuaState()
            try state.register("fail") { arguments in
                let local = Tracker(tag)  // a live object in the failing frame
                _ = local
                throw TrackedError(tracker: Tracker(tag), code: arguments.count)
            }
            // Lua -> Swift: a Swift function throws, Lua catches.
            let caught = try state.run("""
                local n = 0
                for i = 1, 1000000 do
                  if not pcall(fail, i) then n = n + 1 end
                end
                return n
                """)
            #expect(caught == [.integer(1_000_000)])
            #expect(Tracker.count(tag) <= 1)  // at most the last error, kept for identity
            // Swift -> Lua: Lua raises, Swift catches.
            try state.run("function boom(i) error('boom ' .. i) end")
            var thrown = 0
            for i in 0..<1_000_000 {
                do { try state.call("boom", .integer(Int64(i))) } catch is LuaError { thrown += 1 }
            }
            #expect(thrown == 1_000_000)
            #expect(state.top == 0)
        }
        #expect(Tracker.count(tag) == 0)
    }

    @Test func closuresAreReleasedWithTheState() throws {
        let tag = "closures"
        do {
            let state = try LuaState()
            for i in 0..<100 {
                let tracker = Tracker(tag)
                try state.register("f\(i)") { _ in [.string(tracker.tag)] }
            }
            #expect(try state.call("f5") == [.string(tag)])
            #expect(Tracker.count(tag) == 100)
            try state.run("for i = 0, 49 do _G['f' .. i] = nil end collectgarbage()")
            #expect(Tracker.count(tag) == 50)
        }
        #expect(Tracker.count(tag) == 0)
    }

    @Test func closedStateThrows() throws {
        let state = try LuaState()
        state.close()
        #expect(throws: LuaError.self) { try state.run("return 1") }
        state.close()
    }
}
