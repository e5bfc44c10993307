// Work done in Swift counts against a state's limits: a long `ffi.cdef` stops at
// the time limit, and the memory its declarations keep counts against the memory
// limit. Runs under a hard timeout (a parse that ignores the limit fails alone).
import Foundation
import Lua
import Testing

@Suite struct SwiftWorkLimitTests {
    /// `count` struct, typedef and function declarations (about 95 bytes each).
    static func declarations(_ count: Int, prefix: String = "s") -> String {
        (1...count).map { i in
            "typedef struct \(prefix)\(i) { int a; double b; char c[8]; } \(prefix)\(i)_t; int \(prefix)f\(i)(int x, \(prefix)\(i)_t *p);\n"
        }.joined()
    }

    @Test func aLongCdefStopsAtTheTimeLimit() throws {
        let big = Self.declarations(20_000)  // 1.9 MB: over a second to parse in a debug build
        try withHardTimeout(60) {
            let state = try LuaState(sandbox: LuaSandbox(ffi: .full, memoryLimit: nil, timeLimit: .milliseconds(100)))
            try state.setGlobal("decl", .string(big))
            let started = ContinuousClock.now
            let error = try thrownError { try state.run("require('ffi').cdef(decl)") }
            let elapsed = ContinuousClock.now - started
            try ensure((error as? LuaError)?.kind == .limit && "\(error)".contains("time limit exceeded"), "\(error)")
            try ensure(elapsed < .milliseconds(600), "stopped after \(elapsed)")
            // Rolled back, and a pcall cannot swallow the stop.
            let swallowed = try thrownError {
                try state.run("local ffi = require 'ffi' pcall(ffi.cdef, decl) while true do end")
            }
            try ensure("\(swallowed)".contains("time limit exceeded"), "\(swallowed)")
            try ensure(try state.run("return pcall(require('ffi').typeof, 's1_t')") .first == .boolean(false),
                       "the stopped cdef was kept")
            state.timeLimit = nil
            try state.run("require('ffi').cdef(decl)")
            try ensure(try state.run("return require('ffi').sizeof('s20000_t')") == [.integer(24)], "cdef failed")
        }
    }

    @Test func declarationsCountAgainstTheMemoryLimit() throws {
        let state = try LuaState(sandbox: LuaSandbox(ffi: .full, memoryLimit: 4 << 20, timeLimit: nil))
        try state.run("ffi = require 'ffi'")
        try state.setGlobal("small", .string(Self.declarations(1_000)))
        let before = state.memoryInUse
        try state.run("ffi.cdef(small)")
        let charged = state.memoryInUse - before
        #expect(charged > 400_000 && charged < 1_000_000, "\(charged)")  // 1,000 x (struct + typedef + function)
        try state.run("ffi.cdef(small)")  // redeclarations keep nothing new
        #expect(state.memoryInUse - before < charged + 50_000)
        // 20,000 of them would keep about 11 MB: refused, rolled back, nothing charged.
        try state.setGlobal("small", .nil)
        try state.setGlobal("big", .string(Self.declarations(20_000, prefix: "b")))
        let inUse = state.memoryInUse
        let error = try thrownError { try state.run("ffi.cdef(big)") }
        #expect("\(error)".contains("not enough memory"), "\(error)")
        #expect(state.memoryInUse < inUse + 100_000)
        #expect(try state.run("return pcall(ffi.typeof, 'b1_t')").first == .boolean(false))
        try state.setGlobal("big", .nil)
        #expect(try state.run("return ffi.sizeof('s1000_t')") == [.integer(24)])
    }

    @Test func callbacksCountWhileTheyExist() throws {
        let state = try LuaState(sandbox: LuaSandbox(ffi: .full, memoryLimit: 8 << 20, timeLimit: nil))
        try state.run("ffi = require 'ffi' cbs = {} function make(n) for i = 1, n do cbs[#cbs + 1] = ffi.cast('int(*)(int)', function(x) return x end) end end")
        try state.collectGarbage()
        let before = state.memoryInUse
        try state.run("make(100)")
        try state.collectGarbage()
        let made = state.memoryInUse - before
        #expect(made > 100 * 512, "\(made)")
        // Freed past the quarantine of 64, 36 of them are gone and refunded.
        try state.run("for _, cb in ipairs(cbs) do cb:free() end cbs = {}")
        try state.collectGarbage()
        #expect(state.memoryInUse - before < made - 36 * 512, "\(state.memoryInUse - before) of \(made)")
        // Past the limit, making callbacks fails with a memory error, not a crash
        // (a limit close by: the entry points are a process-wide pool).
        state.memoryLimit = state.memoryInUse + (64 << 10)
        let error = try thrownError { try state.run("make(1000000)") }
        #expect("\(error)".contains("not enough memory"), "\(error)")
        state.memoryLimit = nil
        #expect(try state.run("local n = #cbs for _, cb in ipairs(cbs) do cb:free() end return n > 50") == [.boolean(true)])
    }

    /// One `ffi.fill` or `ffi.copy` of a big block stops inside the call when the time
    /// limit passes (between 8 MiB pieces): a `pcall` around it sees the limit's error.
    @Test(arguments: ["ffi.fill(p, n)", "ffi.copy(p, p + n / 2, n / 2)"])
    func bigCopiesStopAtTheTimeLimit(call: String) throws {
        try withHardTimeout(60) {
            let state = try LuaState(sandbox: LuaSandbox(ffi: .full, memoryLimit: nil, timeLimit: .milliseconds(20)))
            let results = try state.run("""
                local ffi = require 'ffi'
                ffi.cdef 'void *malloc(size_t); void free(void *);'
                local n = 2^31  -- 2 GiB, touched page by page: seconds, where the limit is 20 ms
                local p = ffi.cast('uint8_t *', ffi.C.malloc(n))
                local ok, err = pcall(function() \(call) end)
                ffi.C.free(p)
                return ok, err
                """)
            try ensure(results.first == .boolean(false), "the call ran to its end: \(results)")
            try ensure("\(results)".contains("time limit exceeded"), "\(results)")
        }
    }

    /// Types a plugin makes count against its memory limit (about 450 bytes each kept
    /// in Swift for the state's life, beside 77 in Lua for the type strings' cache):
    /// 30,000 new array types do not fit in 8 MiB; uncounted, they fit (2.3 MB in Lua)
    /// and grew the host by 550 bytes each.
    @Test func typesCountAgainstTheMemoryLimit() throws {
        try withHardTimeout(60) {
            let state = try LuaState(sandbox: LuaSandbox(ffi: .full, memoryLimit: 8 << 20, timeLimit: nil))
            let results = try state.run("""
                local ffi = require 'ffi'
                local ok, err = pcall(function() for i = 1, 30000 do ffi.new('int[' .. i .. ']') end end)
                return ok, err
                """)
            try ensure(results.first == .boolean(false), "30,000 types fit in 8 MiB: \(results)")
            try ensure("\(results)".contains("not enough memory"), "\(results)")
            try ensure(state.memoryInUse < 10 << 20, "in use: \(state.memoryInUse)")
        }
    }
}
