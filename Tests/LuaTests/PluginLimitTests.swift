// Limits that hold everywhere (finalizers, accessors, close) and misuse that throws
// instead of crashing. Hostile code runs with a hard timeout or in a child process.
import Foundation
import Lua
import Synchronization
import Testing

/// Runs `body` on a thread of its own and waits at most `seconds`: a body that
/// hangs fails this test alone (its thread is left behind). Rethrows its error.
func withHardTimeout(_ seconds: Double, _ body: @escaping @Sendable () throws -> Void) throws {
    let outcome = Mutex<String?>(nil)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        do { try body() } catch { outcome.withLock { $0 = "\(error)" } }
        done.signal()
    }
    thread.stackSize = 8 << 20
    thread.start()
    guard done.wait(timeout: .now() + seconds) == .success else {
        Issue.record("still running after \(seconds) s")
        return
    }
    if let message = outcome.withLock({ $0 }) { Issue.record("error: \(message)") }
}

/// A failed condition inside a `withHardTimeout` body (expectations there would
/// not be attributed to the test).
struct Failure: Error, CustomStringConvertible {
    let description: String
}

/// Throws `Failure(message)` unless `condition` holds.
func ensure(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw Failure(description: message()) }
}

/// The error `body` throws, or a `Failure` if it throws none.
func thrownError(_ body: () throws -> Void) throws -> any Error {
    do { try body() } catch { return error }
    throw Failure(description: "no error thrown")
}

@Suite struct PluginLimitTests {
    static let timeLimited = LuaSandbox(ffi: .full, timeLimit: .milliseconds(200))
    static let instructionLimited = LuaSandbox(ffi: .full, instructionLimit: 200_000, timeLimit: nil)

    static let loopingFinalizers = [
        "setmetatable({}, {__gc = function() while true do end end})",
        "local ffi = require 'ffi' ffi.gc(ffi.new('int[1]'), function() while true do end end)",
    ]

    @Test(arguments: [timeLimited, instructionLimited].flatMap { s in loopingFinalizers.map { (s, $0) } })
    func aLoopingFinalizerStops(_ sandbox: LuaSandbox, _ finalizer: String) throws {
        try withHardTimeout(20) {
            let state = try LuaState(sandbox: sandbox)
            do {
                try state.run("do \(finalizer) end collectgarbage() collectgarbage() for i = 1, 10000 do end")
            } catch let error as LuaError where error.kind == .limit {}
            try ensure(try state.run("return 1 + 1") == [.integer(2)], "not usable after the finalizer")
        }
    }

    @Test(arguments: [timeLimited, instructionLimited].flatMap { s in loopingFinalizers.map { (s, $0) } })
    func closeRunsLoopingFinalizersUnderABudget(_ sandbox: LuaSandbox, _ finalizer: String) throws {
        try withHardTimeout(20) {
            let state = try LuaState(sandbox: sandbox)
            try state.run("keep = {} do \(finalizer) end for i = 1, 10 do keep[i] = setmetatable({}, {__gc = function() while true do end end}) end")
            state.close()
        }
    }

    /// A state with a memory limit of `limit` bytes: set when it is made, or later.
    static func memoryLimited(_ limit: Int, setLater: Bool) throws -> LuaState {
        guard setLater else { return try LuaState(memoryLimit: limit) }
        let state = try LuaState()
        state.memoryLimit = limit
        return state
    }

    @Test(arguments: [false, true])
    func finalizersRunUnderTheMemoryLimitWhenClosing(setLater: Bool) throws {
        try withHardTimeout(60) {
            let limit = 1 << 20
            let state = try Self.memoryLimited(limit, setLater: setLater)
            try state.run("keep = setmetatable({}, {__gc = function() local t = {} for i = 1, 1e6 do t[i] = {} end end})")
            state.close()
            try ensure(state.peakMemory <= limit + (64 << 10), "peak \(state.peakMemory)")
        }
    }

    @Test(arguments: [false, true])
    func finalizersRunUnderTheMemoryLimitInASwiftFunction(setLater: Bool) throws {
        try withHardTimeout(60) {
            let limit = 1 << 20
            let state = try Self.memoryLimited(limit, setLater: setLater)
            try state.register("churn") { [unowned state] () -> Int in
                for _ in 0..<2000 { try? state.setGlobal("scratch", .string(String(repeating: "y", count: 200))) }
                return 0
            }
            try state.run("""
                for i = 1, 20 do
                  setmetatable({}, {__gc = function() local t = {} for i = 1, 1e6 do t[i] = {} end finished = true end})
                end
                churn()
                """)
            // The Swift function's own strings are granted (and charged when it
            // returns); the finalizers' tables are not.
            try ensure(state.peakMemory <= 4 << 20, "peak \(state.peakMemory)")
            try ensure(try state.global("finished") == .nil, "a finalizer finished")
        }
    }

    /// A host's own `setmetatable` (here `debug.setmetatable`, which ignores
    /// `__metatable`) is wrapped, not replaced: it still runs, and the finalizers it
    /// sets up run under the limit.
    @Test func aHostSetmetatableIsWrappedNotReplaced() throws {
        try withHardTimeout(60) {
            let limit = 1 << 20
            let state = try LuaState()
            try state.run("setmetatable = debug.setmetatable")
            state.memoryLimit = limit
            try ensure(try state.run("""
                local t = setmetatable({}, {__metatable = false})
                return setmetatable(t, {}) == t and setmetatable ~= debug.setmetatable
                """) == [.boolean(true)], "the host's setmetatable did not run wrapped")
            try state.run("keep = setmetatable({}, {__gc = function() local t = {} for i = 1, 1e6 do t[i] = {} end end})")
            state.close()
            try ensure(state.peakMemory <= limit + (64 << 10), "peak \(state.peakMemory)")
        }
    }

    /// Limits set while the state is at its memory limit: the budget is in place,
    /// `setLimits` reports that finalizers could not be wrapped, a later call does it.
    @Test func limitsAtTheMemoryLimitAreInstalledAndTheWrappingFailureReported() throws {
        let state = try LuaState()
        try state.run("base_setmetatable = setmetatable")
        try state.collectGarbage()  // no garbage that an emergency collection could free
        state.memoryLimit = state.memoryInUse
        let error = try thrownError { try state.setLimits(LuaLimits(instructions: 5000)) }
        #expect((error as? LuaError)?.kind == .memory)
        #expect(state.instructionLimit == 5000)
        state.memoryLimit = nil
        #expect(throws: LuaError.self) { try state.run("while true do end") }
        try state.setLimits(LuaLimits(instructions: 5000))
        #expect(try state.run("return setmetatable ~= base_setmetatable") == [.boolean(true)])
    }

    @Test func accessorsStartAFreshBudget() throws {
        try withHardTimeout(20) {
            let state = try LuaState(sandbox: Self.instructionLimited)
            let table = try state.evaluate("""
                setmetatable(_G, {__index = function(_, k) local n = 0 for i = 1, 5000 do n = n + i end return n end})
                return setmetatable({}, {__index = function(_, k) for i = 1, 5000 do end return k .. '!' end,
                                         __newindex = function(t, k, v) for i = 1, 5000 do end rawset(t, k, v) end})
                """, as: LuaTable.self)
            let loop = { _ = try state.run("while true do end") }
            try ensure((try thrownError(loop) as? LuaError)?.kind == .limit, "no limit error")
            try ensure(try table.get("a", as: String.self) == "a!", "get")
            _ = try thrownError(loop)
            try table.set("b", 2)
            try ensure(try table.get("b", as: Int.self) == 2, "set")
            _ = try thrownError(loop)
            try ensure(try state.global("missing") == .integer(12_502_500), "global")
        }
    }

    @Test func aLoopingMetamethodOfAnAccessorStops() throws {
        try withHardTimeout(20) {
            let state = try LuaState(sandbox: Self.instructionLimited)
            let table = try state.evaluate("return setmetatable({}, {__index = function() while true do end end})",
                                           as: LuaTable.self)
            let error = try thrownError { _ = try table.get("a", as: Int.self) }
            try ensure((error as? LuaError)?.kind == .limit, "\(error)")
        }
    }

    @Test func operationsOnAClosedStateThrow() async {
        await #expect(processExitsWith: .success) {
            let state = try! LuaState()
            state.close()
            let operations: [() throws -> Void] = [
                { try state.setGlobal("x", .integer(1)) },
                { try state.register("f") { () -> Int in 1 } },
                { _ = try state.run("return 1") },
                { _ = try state.global("x") },
            ]
            for (i, operation) in operations.enumerated() {
                guard case let error as LuaError = try? thrownError(operation), error.kind == .state else { exit(Int32(10 + i)) }
            }
        }
    }

    @Test func closingFromInsideACallbackIsDeferred() async {
        await #expect(processExitsWith: .success) {
            let state = try! LuaState()
            try! state.register("shutdown") { [unowned state] () -> Int in
                state.close()
                return 41
            }
            let results = try! state.run("local n = shutdown() local t = {} for i = 1, 1000 do t[i] = {i} end return n + 1")
            guard results == [.integer(42)] else { exit(2) }
            do {
                try state.run("return 1")
                exit(3)
            } catch let error as LuaError where error.kind == .state {
            } catch { exit(4) }
        }
    }

    @Test func nonIntegralNumbersForIntParametersUseLauxlibsWords() throws {
        let state = try LuaState()
        try state.register("twice") { (n: Int) -> Int in 2 * n }
        #expect(try state.run("return twice(3.0)") == [.integer(6)])
        let error = try thrownError { try state.run("return twice(1.5)") }
        #expect("\(error)".contains("bad argument #1 to 'twice' (number has no integer representation)"), "\(error)")
        let text = try thrownError { try state.run("return twice('x')") }
        #expect("\(text)".contains("bad argument #1 to 'twice' (number expected, got string)"), "\(text)")
        let big = try thrownError { try state.run("return twice(2^63)") }
        #expect("\(big)".contains("(number has no integer representation)"), "\(big)")
        // An integer outside the parameter's type is out of range, as string.char says.
        try state.register("byte") { (b: UInt8) -> Int in Int(b) }
        let wide = try thrownError { try state.run("return byte(300)") }
        #expect("\(wide)".contains("bad argument #1 to 'byte' (value out of range)"), "\(wide)")
        let global = try thrownError { try state.setGlobal("g", .integer(1 << 40)); _ = try state.global("g", as: Int32.self) }
        #expect("\(global)".contains("(value out of range)"), "\(global)")
    }

    @Test func aReferenceOfAnotherStateIsAnError() throws {
        let a = try LuaState(), b = try LuaState()
        // Registry slots that exist in both states, with different values.
        let table = try a.evaluate("return {x = 'from a'}", as: LuaTable.self)
        for _ in 0..<4 { _ = try b.evaluate("return {x = 'from b'}", as: LuaTable.self) }
        let read = try b.evaluate("return function(t) return type(t) == 'table' and t.x or 'not a table' end",
                                  as: LuaFunction.self)
        let error = try thrownError { _ = try read.call(table, as: String.self) }
        #expect((error as? LuaError)?.kind == .state, "\(error)")
        #expect(throws: LuaError.self) { _ = try b.call("type", table, as: String.self) }
        let bTable = try b.evaluate("return {}", as: LuaTable.self)
        #expect(throws: LuaError.self) { try bTable.set("k", table) }
        #expect(throws: LuaError.self) { _ = try bTable.get(table, as: LuaValue.self) }
        try b.register("give") { () -> LuaTable in table }
        let given = try thrownError { try b.run("return give()") }
        #expect("\(error)".contains("another Lua state") && "\(given)".contains("another Lua state"), "\(given)")
        // The states are still fine, and the same calls with their own values work.
        try bTable.set("x", "mine")
        #expect(try read.call(bTable, as: String.self) == "mine")
        #expect(try table.get("x", as: String.self) == "from a")
    }

    @Test(arguments: [LuaSandbox(instructionLimit: nil, timeLimit: nil), LuaSandbox(timeLimit: .seconds(60))])
    func anotherThreadInterruptsARunawayScript(_ sandbox: LuaSandbox) throws {
        try withHardTimeout(20) {
            let state = try LuaState(sandbox: sandbox)
            let interrupter = try state.interrupter()
            for script in ["while true do end", "while true do pcall(function() while true do end end) end",
                           "setmetatable({}, {__gc = function() while true do end end}) collectgarbage() while true do end"] {
                let watchdog = Thread {
                    Thread.sleep(forTimeInterval: 0.1)
                    interrupter.interrupt()
                }
                watchdog.start()
                let error = try thrownError { try state.run(script) }
                try ensure((error as? LuaError)?.kind == .limit && "\(error)".contains("interrupted"), "\(error)")
                try ensure(try state.run("return 1 + 1") == [.integer(2)], "not usable after the interrupt")
            }
            // An interrupt while nothing runs does not stop the next call.
            interrupter.interrupt()
            try ensure(try state.run("for i = 1, 10000 do end return 3") == [.integer(3)], "stale interrupt")
        }
    }
}
