// Limits changed at run time and per call, and a state that recovers from going
// past its memory limit. Runaway scripts run under a hard timeout.
import Foundation
import Lua
import Testing

@Suite struct RuntimeLimitTests {
    static let loop = "local n = 0 while true do n = n + 1 end"

    @Test func limitsCanBeSetOnAPlainStateAndChanged() throws {
        try withHardTimeout(20) {
            let state = try LuaState()
            try ensure(state.instructionLimit == nil && state.timeLimit == nil, "limits before any were set")
            state.instructionLimit = 100_000
            try ensure(state.instructionLimit == 100_000, "instructionLimit not kept")
            let error = try thrownError { try state.run(Self.loop) }
            try ensure((error as? LuaError)?.kind == .limit && "\(error)".contains("instruction limit exceeded"), "\(error)")
            state.instructionLimit = nil
            state.timeLimit = .milliseconds(100)
            let timed = try thrownError { try state.run(Self.loop) }
            try ensure("\(timed)".contains("time limit exceeded"), "\(timed)")
            state.timeLimit = nil
            try ensure(try state.run("local n = 0 for i = 1, 3000000 do n = n + 1 end return n") == [.integer(3_000_000)],
                       "limits removed but the loop stopped")
            // A finalizer set up after the limits came in runs under them: it is
            // abandoned (or the call stops) instead of hanging.
            state.timeLimit = .milliseconds(200)
            do {
                try state.run("setmetatable({}, {__gc = function() while true do end end}) collectgarbage() collectgarbage()")
            } catch let error as LuaError where error.kind == .limit {}
            try ensure(try state.run("return 1 + 1") == [.integer(2)], "not usable after the finalizer")
        }
    }

    @Test func aPerCallBudgetReplacesTheStatesOutsideLua() throws {
        try withHardTimeout(20) {
            let state = try LuaState(sandbox: LuaSandbox(instructionLimit: 50_000, timeLimit: nil))
            let long = "local n = 0 for i = 1, 200000 do n = n + 1 end return n"
            try ensure((try? state.run(long)) == nil, "the state's budget did not stop the loop")
            try ensure(try state.run(long, limits: LuaLimits(instructions: 10_000_000)) == [.integer(200_000)],
                       "a bigger per-call budget was not used")
            try ensure(state.instructionLimit == 50_000, "the state's limit was not restored")
            try ensure((try? state.run(long)) == nil, "the state's budget is gone after the per-call one")
            try state.run("function spin() while true do end end")
            let error = try thrownError { try state.call("spin", limits: LuaLimits(time: .milliseconds(50))) }
            try ensure("\(error)".contains("time limit exceeded"), "\(error)")
        }
    }

    @Test func insideACallTheBudgetIsOnlyTightened() throws {
        try withHardTimeout(20) {
            let state = try LuaState(sandbox: LuaSandbox(instructionLimit: nil, timeLimit: .seconds(30)))
            try state.register("guarded") { [unowned state] (code: String) -> String in
                do {
                    try state.withLimits(LuaLimits(time: .milliseconds(50))) { _ = try state.run(code) }
                    return "finished"
                } catch let error as LuaError {
                    return error.message
                }
            }
            // The tighter budget stops the inner run; the outer call goes on.
            let started = ContinuousClock.now
            let results = try state.run("local m = guarded('while true do end') for i = 1, 100000 do end return m")
            try ensure(results.first?.description.contains("time limit exceeded") == true, "\(results)")
            try ensure(ContinuousClock.now - started < .seconds(5), "the tighter limit did not apply")
            try ensure(state.timeLimit == .seconds(30), "the state's limit was not restored")
            // A looser limit inside a call does not extend the running budget.
            state.instructionLimit = 100_000
            try state.register("loosen") { [unowned state] () -> Int in
                try state.withLimits(LuaLimits(instructions: 100_000_000)) { try state.run(Self.loop) }
                return 1
            }
            let loose = try thrownError { try state.run("return loosen()") }
            try ensure("\(loose)".contains("instruction limit exceeded"), "\(loose)")
        }
    }

    @Test func changingTheTimeLimitInsideACallCountsFromNow() throws {
        try withHardTimeout(20) {
            let state = try LuaState(sandbox: LuaSandbox(timeLimit: .seconds(60)))
            try state.register("hurry") { [unowned state] () -> Int in
                state.timeLimit = .milliseconds(50)
                return 0
            }
            let error = try thrownError { try state.run("hurry() " + Self.loop) }
            try ensure("\(error)".contains("time limit exceeded"), "\(error)")
        }
    }

    @Test func outOfMemoryIsRecoverable() throws {
        let state = try LuaState(sandbox: LuaSandbox(memoryLimit: 2 << 20))
        let big = LuaValue.bytes([UInt8](repeating: 0xAB, count: 3 << 20))
        let work = "local t = {} for i = 1, 1000 do t[i] = {i} end return #t"
        // A host push takes the state past its limit (Swift allocations are granted).
        try state.run("blob = false")
        try state.setGlobal("blob", big)
        #expect(state.memoryInUse > 2 << 20)
        let error = try thrownError { try state.run(work) }
        #expect((error as? LuaError)?.kind == .memory, "\(error)")
        // Dropping the data and collecting brings it back under; the state works.
        try state.setGlobal("blob", .nil)
        try state.collectGarbage()
        #expect(state.memoryInUse < 2 << 20)
        #expect(try state.run(work) == [.integer(1000)])
        // A push that the next operation cannot afford fails that operation only.
        let refused = try thrownError { try state.setGlobal("another", big) }
        #expect((refused as? LuaError)?.kind == .memory, "\(refused)")
        try state.collectGarbage()
        #expect(state.memoryInUse < 2 << 20 && state.top == 0)
        #expect(try state.run(work) == [.integer(1000)])
    }
}
