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

    @Test func finalizersRunUnderTheMemoryLimitWhenClosing() throws {
        try withHardTimeout(60) {
            let limit = 1 << 20
            let state = try LuaState(memoryLimit: limit)
            try state.run("keep = setmetatable({}, {__gc = function() local t = {} for i = 1, 1e6 do t[i] = {} end end})")
            state.close()
            try ensure(state.peakMemory <= limit + (64 << 10), "peak \(state.peakMemory)")
        }
    }

    @Test func finalizersRunUnderTheMemoryLimitInASwiftFunction() throws {
        try withHardTimeout(60) {
            let limit = 1 << 20
            let state = try LuaState(memoryLimit: limit)
            try state.register("churn") { () -> Int in
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

}
