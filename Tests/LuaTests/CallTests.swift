// Calling C from Lua: the C test library (Tests/CTestLib, built by SwiftPM as
// libffitest.so next to the test binary) that lua/tests' call scripts use (run by
// LuaScriptTests with the global TESTLIB), callback stress checks and the raw-stack
// probe.
import CLua
import CFFIFast
import Foundation
import Lua
import Testing

/// The path of libffitest.so: in the build folder that holds the test binary.
let testLibraryPath: String? = {
    var folders: [URL] = []
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    folders.append(executable.deletingLastPathComponent())
    folders.append(Bundle.main.bundleURL)
    folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
    if let argument = CommandLine.arguments.first {
        folders.append(URL(fileURLWithPath: argument).resolvingSymlinksInPath().deletingLastPathComponent())
    }
    // `.../debug/LuaFFIPackageTests.xctest` may be a folder (bundle layout).
    for folder in folders {
        for candidate in [folder, folder.deletingLastPathComponent(), folder.deletingLastPathComponent().deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("libffitest.so").path
            if FileManager.default.fileExists(atPath: path) { return path }
        }
    }
    return nil
}()

/// A fresh state with `ffi` and the global `TESTLIB` (the test library's path).
func callTestState() throws -> LuaState {
    let state = try LuaState()
    try state.preloadFFI()
    if let path = testLibraryPath { try state.setGlobal("TESTLIB", .string(path)) }
    return state
}

@Suite struct CallTests {
    @Test func testLibraryIsBuilt() {
        #expect(testLibraryPath != nil, "libffitest.so not found next to the test binary (product 'ffitest')")
    }

    /// 10,000 explicit callbacks alive at once (no fixed limit), all freed; a second
    /// round reuses the first round's entry points (closures are recycled once more
    /// than 1,024 are free; static entries may go to other tests' states meanwhile),
    /// and create/free in a loop rotates through a bounded set of entry points,
    /// never handing one out again before 64 newer callbacks were freed.
    @Test func tenThousandCallbacksAreRecycled() throws {
        let state = try callTestState()
        let results = try state.run("""
            local ffi = require("ffi")
            local n = 10000
            local function round()
              local list, seen = {}, {}
              for i = 1, n do
                list[i] = ffi.cast("int (*)(int)", function(x) return x + i end)
                seen[ffi.tonumber(ffi.cast("intptr_t", list[i]))] = true
              end
              assert(list[n](1) == n + 1 and list[1](1) == 2)
              for i = 1, n do list[i]:free() end
              return seen
            end
            local first, second = round(), round()
            local distinct, reused = 0, 0
            for address in pairs(first) do distinct = distinct + 1 end
            for address in pairs(second) do if first[address] then reused = reused + 1 end end
            local last, closest = {}, math.huge
            for i = 1, 20000 do
              local cb = ffi.cast("double (*)(double)", function(x) return x * i end)
              local address = ffi.tonumber(ffi.cast("intptr_t", cb))
              if last[address] then closest = math.min(closest, i - last[address]) end
              last[address] = i
              cb:free()
            end
            local loopDistinct = 0
            for _ in pairs(last) do loopDistinct = loopDistinct + 1 end
            return distinct, reused, loopDistinct, closest
            """)
        guard results.count == 4, case .integer(let reused) = results[1], case .integer(let loopDistinct) = results[2],
              case .integer(let closest) = results[3] else {
            Issue.record("unexpected results \(results)")
            return
        }
        #expect(results[0] == .integer(10000))
        #expect(reused >= 10000 - 1024 - 256, "round two reused only \(reused) entry points")
        #expect(loopDistinct <= 64 + 256, "the loop used \(loopDistinct) entry points")
        #expect(closest >= 64, "an entry point came back after \(closest) callbacks")
    }

    /// Implicit callbacks (one per call) are recycled too: the Lua heap does not grow
    /// over many calls that pass a Lua function.
    @Test func implicitCallbacksDoNotGrowMemory() throws {
        let state = try callTestState()
        _ = try state.run("""
            local ffi = require("ffi")
            ffi.cdef "void qsort(void *, size_t, size_t, int (*)(const void *, const void *));"
            function sortMany(count)
              local a = ffi.new("int[4]", {4, 3, 2, 1})
              for _ = 1, count do
                ffi.C.qsort(a, 4, 4, function(x, y) return ffi.cast("const int *", x)[0] - ffi.cast("const int *", y)[0] end)
              end
              collectgarbage()
              collectgarbage()
              return collectgarbage("count")
            end
            sortMany(1000)
            """)
        let before = try state.call("sortMany", .integer(1000))
        let after = try state.call("sortMany", .integer(20000))
        guard case .number(let kbBefore) = before.first, case .number(let kbAfter) = after.first else {
            Issue.record("unexpected results \(before) \(after)")
            return
        }
        #expect(kbAfter < kbBefore + 64, "Lua heap grew from \(kbBefore) KB to \(kbAfter) KB")
    }

    /// A C pointer kept from a callback of a closed state reaches no callback of a
    /// later state: its entry point is unbound (C gets 0) and is handed out again only
    /// after every other free one. (Before, the next state's first callback took it.)
    @Test func staleEntryPointsDoNotReachAnotherState() throws {
        guard let path = testLibraryPath else { return }
        // Loaded meanwhile: the first state's close would unload it (and its kept pointer).
        let library = dlopen(path, RTLD_NOW)
        defer { if let library { dlclose(library) } }
        let first = try callTestState()
        let kept = try first.run("""
            local ffi = require("ffi")
            ffi.cdef "int keep_for_exit(int (*f)(int));"
            return ffi.load(TESTLIB).keep_for_exit(ffi.cast("int (*)(int)", function(x) return x + 1 end))
            """)
        first.close()
        let second = try callTestState()
        try second.setGlobal("KEPT", kept.first ?? .nil)
        let results = try second.run("""
            local ffi = require("ffi")
            ffi.cdef "int call_kept(int i, int x);"
            local ran, callbacks = 0, {}
            for i = 1, 10 do callbacks[i] = ffi.cast("int (*)(int)", function() ran = ran + 1 return 99 end) end
            return ffi.load(TESTLIB).call_kept(KEPT, 1), ran
            """)
        // Other tests' states may have claimed it meanwhile, never this one's callbacks.
        #expect(results.count == 2 && results[1] == .integer(0) && results[0] != .integer(99), "\(results)")
    }
}

/// The fast paths read Lua's stack directly (Sources/CFFIFast/lf_stack.h) when a
/// probe finds that this Lua's layout matches; for Debian's Lua 5.4 it must, or
/// every call and field access silently takes the slow path.
@Test func rawStackAccessorsHoldForThisLua() {
    let L = luaL_newstate()!
    defer { lua_close(L) }
    let switchedOff = ProcessInfo.processInfo.environment["LUAFFI_API_STACK"].map { !$0.isEmpty && $0 != "0" } ?? false
    #expect(lf_stackprobe(L) == (switchedOff ? 0 : 1))
}
