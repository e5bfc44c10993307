// The embedding API: sandboxed states and their limits.
import Lua
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct EmbeddingSandboxTests {
    @Test func sandboxOffersNoFilesProcessesOrCModules() throws {
        let state = try LuaState(sandbox: LuaSandbox())
        let results = try state.run("""
            return io == nil, os.execute == nil, os.exit == nil, os.getenv == nil, type(os.clock),
              package == nil, dofile == nil, loadfile == nil, debug == nil,
              (pcall(require, 'lfs')), (pcall(require, 'ffi'))
            """)
        #expect(results == [
            .boolean(true), .boolean(true), .boolean(true), .boolean(true), .string("function"),
            .boolean(true), .boolean(true), .boolean(true), .boolean(true), .boolean(false), .boolean(false),
        ])
        // Binary chunks are refused.
        let binary = try state.run("return load(string.dump(function() return 1 end))")
        #expect(binary.first == .nil)
        #expect(binary.last == .string("attempt to load a binary chunk (mode is 't')"))
    }

    @Test func grantedPackageStillHasNoLoadlibOrCSearchers() throws {
        let state = try LuaState(sandbox: LuaSandbox(libraries: .safe.union([.package, .io])))
        let results = try state.run("return package.loadlib, package.cpath, #package.searchers, type(io.open)")
        #expect(results == [.nil, .string(""), .integer(2), .string("function")])
    }

    @Test func ffiAccessLevels() throws {
        let off = try LuaState(sandbox: LuaSandbox(ffi: .off))
        #expect(try off.run("return (pcall(require, 'ffi'))") == [.boolean(false)])

        let full = try LuaState(sandbox: LuaSandbox(ffi: .full))
        #expect(try full.run("""
            local ffi = require 'ffi'
            ffi.cdef 'int abs(int); int getpid(void);'
            return ffi.C.abs(-3), ffi.C.getpid() > 0
            """) == [.integer(3), .boolean(true)])

        let limited = try LuaState(sandbox: LuaSandbox(
            ffi: .allowlist(FFIAllowlist(c: ["abs"], libraries: ["m": ["floor"]]))))
        let results = try limited.run("""
            local ffi = require 'ffi'
            ffi.cdef 'int abs(int); int getpid(void); double floor(double); double ceil(double);'
            local m = ffi.load('m')
            return ffi.C.abs(-4), select(2, pcall(function() return ffi.C.getpid() end)),
              m.floor(2.5), select(2, pcall(function() return m.ceil(2.5) end)),
              select(2, pcall(ffi.load, 'c')), tostring(ffi.new('int[2]', 7, 8)[1])
            """, name: "=plugin")
        #expect(results == [
            .integer(4), .string("plugin:4: ffi symbol 'getpid' of 'C' is not allowed in this state"),
            .number(2), .string("plugin:5: ffi symbol 'ceil' of 'm' is not allowed in this state"),
            .string("ffi library 'c' is not allowed in this state"), .string("8"),
        ])
        #expect(try limited.run("return require('ffi').include == nil") == [.boolean(true)])
    }

    @Test func memoryLimitStopsAllocatingPlugin() throws {
        let state = try LuaState(sandbox: LuaSandbox(memoryLimit: 2 << 20))
        do {
            try state.run("local t = {} for i = 1, 1e8 do t[i] = ('x'):rep(100) .. i end")
            Issue.record("expected a memory error")
        } catch let error as LuaError {
            #expect(error.kind == .memory)
            #expect(error.message == "not enough memory")
        }
        #expect(state.memoryInUse <= 2 << 20)
        try state.run("collectgarbage()")
        #expect(try state.evaluate("return 1 + 1", as: Int.self) == 2)  // still usable
    }

    @Test func instructionLimitStopsRunawayScriptEvenUnderPcall() throws {
        let state = try LuaState(sandbox: LuaSandbox(instructionLimit: 100_000, timeLimit: nil))
        for script in [
            "while true do end",
            "while true do pcall(function() while true do end end) end",
            "local co = coroutine.wrap(function() while true do end end) co()",
        ] {
            do {
                try state.run(script, name: "=loop")
                Issue.record("expected a limit error: \(script)")
            } catch let error as LuaError {
                #expect(error.kind == .limit)
                #expect(error.message.hasSuffix("instruction limit exceeded"))
            }
        }
        // Each call from Swift gets a fresh budget.
        #expect(try state.evaluate("local n = 0 for i = 1, 1000 do n = n + i end return n", as: Int.self) == 500500)
    }

    @Test func timeLimitStopsRunawayScript() throws {
        let state = try LuaState(sandbox: LuaSandbox(timeLimit: .milliseconds(50)))
        let start = ContinuousClock.now
        do {
            try state.run("while true do end", name: "=spin")
            Issue.record("expected a limit error")
        } catch let error as LuaError {
            #expect(error.kind == .limit)
            #expect(error.message == "spin:1: time limit exceeded")
        }
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(try state.evaluate("return 'alive'", as: String.self) == "alive")
    }

    @Test func trippingLimitsLeaksNoSwiftObjects() throws {
        let tag = "sandbox-trip"
        do {
            let state = try LuaState(sandbox: LuaSandbox(memoryLimit: 1 << 20, instructionLimit: 50_000, timeLimit: nil))
            try state.register(Counter.luaClass())
            try state.register("make") { (n: Int) in Counter(step: n, tag: tag) }
            try state.register("touch") { (c: Counter) -> Int in
                let local = Tracker(tag)
                _ = local
                return c.count
            }
            for _ in 0..<200 {
                #expect(throws: LuaError.self) {
                    try state.run("local keep = {} while true do keep[#keep + 1] = make(1); touch(keep[#keep]) end")
                }
                #expect(throws: LuaError.self) {
                    try state.run("local keep = {} while true do keep[#keep + 1] = make(1); keep[#keep + 1] = ('y'):rep(1000) end")
                }
            }
            try state.run("collectgarbage(); collectgarbage()")
            #expect(Tracker.count(tag) == 0)
            #expect(state.top == 0)
        }
        #expect(Tracker.count(tag) == 0)
    }
}

@Suite struct EmbeddingSandboxLoadTests {
    @Test func textChunksStillLoadWithNameAndEnvironment() throws {
        let state = try LuaState(sandbox: LuaSandbox())
        let results = try state.run("""
            local f = load('return x', '=named', 'b', {x = 42})
            local g = load('return ...')
            local h, err = load('return +', '=bad')
            return f(), g(7), h, err
            """)
        #expect(results == [.integer(42), .integer(7), .nil, .string("bad:1: unexpected symbol near '+'")])
    }

    @Test func grantedFilesLoadTextOnly() throws {
        let path = "/tmp/embedding-sandbox-\(getpid()).lua"
        let state = try LuaState(sandbox: LuaSandbox(libraries: .safe.union([.io, .os, .package])))
        try state.setGlobal("path", .string(path))
        let results = try state.run("""
            local file = assert(io.open(path, 'w'))
            file:write('return 5') file:close()
            local a = dofile(path)
            local b = loadfile(path)()
            file = assert(io.open(path, 'wb'))
            file:write(string.dump(function() return 6 end)) file:close()
            local c, err = loadfile(path, 'b')
            os.remove(path)
            return a, b, c, err ~= nil
            """)
        #expect(results == [.integer(5), .integer(5), .nil, .boolean(true)])
    }
}
