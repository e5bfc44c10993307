// Callbacks that once could crash the process, each run in a child luaffi (a
// regression fails one test, not the whole suite): scripts in Fixtures/ against the
// C test library (libffitest.so, built next to luaffi).
import Foundation
import Testing

@Suite struct CallbackSafetyTests {
    /// Runs `luaffi script arguments` with LUAFFI_TESTLIB set; the outcome.
    private func run(_ script: String, _ arguments: [String] = [], timeout: Double = 60) throws -> Outcome {
        let luaffi = try Programs.luaffi()
        let library = URL(fileURLWithPath: luaffi).deletingLastPathComponent()
            .appendingPathComponent("libffitest.so").path
        try #require(FileManager.default.fileExists(atPath: library), "libffitest.so not next to \(luaffi)")
        return try Run(luaffi, [script] + arguments, environment: ["LUAFFI_TESTLIB": library])
            .finish(timeout: timeout)
    }

    /// Four threads call back at once, each callback calls C that calls back again
    /// (on the direct and the Swift call path, two levels deep): every run completes
    /// with the right sums. Before the fix, a nested call's return let its thread
    /// run Lua while another thread's callback was running (most runs crashed).
    @Test func nestedCallbacksFromThreadsAreSerialized() throws {
        let outcome = try run("callback_threads_nested.lua")
        #expect(outcome.status == "exit 0" && outcome.stdout == Array("ok\n".utf8), "\(outcome)")
    }

    /// A callback frees the last live callback (itself), then calls C that calls a
    /// freed callback: an error, not a wait for itself. Before, C calls skipped
    /// publishing their level once no callback was alive, and the freed callback's
    /// entry waited forever for the running callback (its own thread) to leave.
    @Test func callbackFreeingTheLastCallbackThenCallingC() throws {
        let outcome = try run("callback_free_inside.lua", timeout: 20)
        #expect(outcome.status == "exit 0" && outcome.stdout == Array("ok\n".utf8), "\(outcome)")
    }

    /// C calls callbacks after luaffi closed their state (an exit handler of the test
    /// library): a static entry, a libffi closure past the static pool, a closure for
    /// a struct by value and a callback freed before: each returns zero and reports
    /// on stderr. Before, the closures jumped into freed memory.
    @Test func callbacksCalledAfterTheStateClosedReturnZero() throws {
        let outcome = try run("callback_after_close.lua")
        let message = "luaffi: a callback was called after it was freed or its Lua state closed; it returned 0\n"
        let expected = "closing\nkept 0: 0\nkept 1: 0\nkept 2: 0\npair: 0 0\n"
        #expect(outcome.status == "exit 0" && outcome.stdout == Array(expected.utf8), "\(outcome)")
        #expect(String(decoding: outcome.stderr, as: UTF8.self) == String(repeating: message, count: 4), "\(outcome)")
    }
}
