// Benchmarks of the embedding API against the same work written with the C API.
//
// swift build -c release --product EmbeddingBenchmark && .build/release/EmbeddingBenchmark
import CLua
import CLuaCore
import CLuaEmbedding
import Glibc
import Lua

/// Seconds of the monotonic clock.
func now() -> Double { lf_monotonic() }

/// The best of `rounds` timings of `body`, in nanoseconds per iteration.
func measure(_ iterations: Int, rounds: Int = 9, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<rounds {
        let start = now()
        try body()
        best = min(best, (now() - start) * 1e9 / Double(iterations))
    }
    return best
}

func report(_ name: String, _ value: Double, _ unit: String = "ns", baseline: Double? = nil) {
    func fixed(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
    func ratio(_ x: Double) -> String {
        let hundredths = Int((x * 100).rounded())
        return "\(hundredths / 100)." + String(String(hundredths % 100 + 100).dropFirst())
    }
    var line = name + String(repeating: " ", count: max(1, 56 - name.count))
    let number = fixed(value)
    line += String(repeating: " ", count: max(0, 9 - number.count)) + number + " " + unit
    if let baseline { line += "   " + ratio(value / baseline) + "x" }
    print(line)
}

// MARK: Lua -> Swift

/// `add(a, b)` written against the C API (as a C binding would be).
func cAdd(_ L: OpaquePointer?) -> Int32 {
    lua_pushinteger(L, lua_tointegerx(L, 1, nil) + lua_tointegerx(L, 2, nil))
    return 1
}

/// `add` as an `lf_SwiftFunction` behind the trampoline (the package's raw convention).
func trampolineAdd(_ L: OpaquePointer?) -> Int32 {
    lua_pushinteger(L, lua_tointegerx(L, 1, nil) + lua_tointegerx(L, 2, nil))
    return 1
}

let calls = 5_000_000
let loop = "local f = ...; for i = 1, \(calls) do f(i, 1) end"

func luaToSwift() throws {
    print("Lua calls a host function add(i, 1), \(calls) calls, ns per call (loop included)")
    let state = try LuaState()
    let L = state.handle!
    func time(_ push: () -> Void) throws -> Double {
        try measure(calls) {
            try state.load(loop)
            push()
            try state.call(arguments: 1, results: 0)
        }
    }
    let empty = try time { lf_pushcfunction(L, { _ in 0 }) }
    let c = try time { lf_pushcfunction(L, cAdd) }
    report("C API lua_CFunction", c)
    report("lf_pushswiftfunction (trampoline, raw)", try time { lf_pushswiftfunction(L, trampolineAdd, 0) }, baseline: c)
    report("push(function:raw:)", try time {
        state.push(function: "add") { a in
            lua_pushinteger(a.L, lua_tointegerx(a.L, 1, nil) + lua_tointegerx(a.L, 2, nil))
            return 1
        }
    }, baseline: c)
    report("push(function:raw:) with check(_:as:)", try time {
        state.push(function: "add") { a in
            let x = try a.check(1, as: Int.self), y = try a.check(2, as: Int.self)
            (x + y).push(to: a.L)
            return 1
        }
    }, baseline: c)
    report("push(function:typed:) (Int, Int) -> Int", try time {
        state.push(function: "add", typed: { (a: Int, b: Int) in a + b })
    }, baseline: c)
    report("push(function:) [LuaValue] -> [LuaValue]", try time {
        state.push { args in
            guard case .integer(let a) = args[0], case .integer(let b) = args[1] else { return [] }
            return [.integer(a + b)]
        }
    }, baseline: c)
    report("(empty C function, loop cost)", empty)
}

// MARK: Swift -> Lua

func swiftToLua() throws {
    let n = 2_000_000
    print("\nSwift calls a Lua function add(i, 1), \(n) calls, ns per call")
    let state = try LuaState()
    let L = state.handle!
    try state.run("function add(a, b) return a + b end")
    lua_getglobal(L, "add")
    let ref = luaL_ref(L, lf_registryindex())
    var sink = 0
    let c = measure(n) {
        for i in 0..<n {
            lua_rawgeti(L, lf_registryindex(), lua_Integer(ref))
            lua_pushinteger(L, lua_Integer(i))
            lua_pushinteger(L, 1)
            if lua_pcallk(L, 2, 1, 0, 0, nil) != LUA_OK { fatalError() }
            sink &+= Int(lua_tointegerx(L, -1, nil))
            lf_pop(L, 1)
        }
    }
    report("C API lua_pcall (no message handler)", c)
    report("C API lua_pcall, traceback handler pushed below", measure(n) {
        for i in 0..<n {
            lf_pushapimsghandler(L)
            lua_rawgeti(L, lf_registryindex(), lua_Integer(ref))
            lua_pushinteger(L, lua_Integer(i))
            lua_pushinteger(L, 1)
            if lua_pcallk(L, 2, 1, -4, 0, nil) != LUA_OK { fatalError() }
            sink &+= Int(lua_tointegerx(L, -1, nil))
            lf_pop(L, 2)
        }
    }, baseline: c)
    report("C API lf_pcall (allocator armed), handler below", measure(n) {
        for i in 0..<n {
            lf_pushapimsghandler(L)
            lua_rawgeti(L, lf_registryindex(), lua_Integer(ref))
            lua_pushinteger(L, lua_Integer(i))
            lua_pushinteger(L, 1)
            if lf_pcall(L, 2, 1, -4) != LUA_OK { fatalError() }
            sink &+= Int(lua_tointegerx(L, -1, nil))
            lf_pop(L, 2)
        }
    }, baseline: c)
    report("C API lf_pcallapi (traceback handler)", measure(n) {
        for i in 0..<n {
            lua_rawgeti(L, lf_registryindex(), lua_Integer(ref))
            lua_pushinteger(L, lua_Integer(i))
            lua_pushinteger(L, 1)
            if lf_pcallapi(L, 2, 1) != LUA_OK { fatalError() }
            sink &+= Int(lua_tointegerx(L, -1, nil))
            lf_pop(L, 1)
        }
    }, baseline: c)
    let add = try state.evaluate("return add", as: LuaFunction.self)
    report("LuaFunction.call(i, 1, as: Int.self)", try measure(n) {
        for i in 0..<n { sink &+= try add.call(i, 1, as: Int.self) }
    }, baseline: c)
    report("LuaFunction.call(.integer, .integer) -> [LuaValue]", try measure(n) {
        for i in 0..<n { sink &+= try add.call(.integer(Int64(i)), .integer(1)).count }
    }, baseline: c)
    report("state.call(\"add\", i, 1, as: Int.self) (global lookup)", try measure(n) {
        for i in 0..<n { sink &+= try state.call("add", i, 1, as: Int.self) }
    }, baseline: c)
    if sink == 42 { print("") }
}

// MARK: State creation

func stateCreation() throws {
    let n = 2000
    print("\nCreating and closing a state, \(n) times, µs per state; memory right after creation")
    let bare = measure(n) {
        for _ in 0..<n {
            let L = luaL_newstate()!
            luaL_openlibs(L)
            lua_close(L)
        }
    }
    report("luaL_newstate + luaL_openlibs", bare / 1000, "µs")
    report("LuaState() (all libraries)", try measure(n) {
        for _ in 0..<n { _ = try LuaState() }
    } / 1000, "µs", baseline: bare / 1000)
    let sandbox = LuaSandbox(ffi: .full, memoryLimit: 16 << 20, instructionLimit: 10_000_000, timeLimit: .seconds(1))
    report("LuaState(sandbox:) ffi preloaded, limits", try measure(n) {
        for _ in 0..<n { _ = try LuaState(sandbox: sandbox) }
    } / 1000, "µs", baseline: bare / 1000)
    report("LuaState(sandbox:) + require 'ffi'", try measure(n) {
        for _ in 0..<n { try LuaState(sandbox: sandbox).run("require 'ffi'") }
    } / 1000, "µs", baseline: bare / 1000)
    let allowlist = LuaSandbox(ffi: .allowlist(FFIAllowlist(c: ["getpid"])))
    report("LuaState(sandbox:) allowlist + require 'ffi'", try measure(n) {
        for _ in 0..<n { try LuaState(sandbox: allowlist).run("require 'ffi'") }
    } / 1000, "µs", baseline: bare / 1000)

    let L = luaL_newstate()!
    luaL_openlibs(L)
    let bareBytes = Double(lf_gc(L, LUA_GCCOUNT, 0, 0)) * 1024 + Double(lf_gc(L, LUA_GCCOUNTB, 0, 0))
    lua_close(L)
    report("memory: luaL_newstate + luaL_openlibs", bareBytes / 1024, "KiB")
    let plain = try LuaState()
    report("memory: LuaState()", Double(plain.memoryInUse) / 1024, "KiB", baseline: bareBytes / 1024)
    let sandboxed = try LuaState(sandbox: sandbox)
    report("memory: LuaState(sandbox:) ffi preloaded", Double(sandboxed.memoryInUse) / 1024, "KiB", baseline: bareBytes / 1024)
    try sandboxed.run("require 'ffi'; collectgarbage()")
    report("memory: ... after require 'ffi'", Double(sandboxed.memoryInUse) / 1024, "KiB", baseline: bareBytes / 1024)
}

// `EmbeddingBenchmark require-ffi N`: only N sandboxed states with `require 'ffi'`,
// for callgrind (instructions per state: the difference of two N, divided).
if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "require-ffi",
   let n = Int(CommandLine.arguments[2]) {
    let sandbox = LuaSandbox(ffi: .full, memoryLimit: 16 << 20, instructionLimit: 10_000_000, timeLimit: .seconds(1))
    for _ in 0..<n { try LuaState(sandbox: sandbox).run("require 'ffi'") }
    exit(0)
}

try luaToSwift()
try swiftToLua()
try stateCreation()
