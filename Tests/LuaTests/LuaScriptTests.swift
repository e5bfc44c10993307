// Runs each Lua test script of lua/tests in a fresh state (the call scripts with the C
// test library).
import Foundation
import Lua
import LuaFFI
import Testing

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// lua/tests/*.lua, without the runner and helpers (`_*.lua`).
func luaTestScripts() -> [String] {
    let folder = packageRoot.appendingPathComponent("lua/tests")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasSuffix(".lua") && $0 != "run.lua" && !$0.hasPrefix("_") }.sorted()
}

/// Runs one script file in a new state with every standard library, `ffi` and the global
/// `TESTLIB` (the C test library's path, for the call scripts); the error, if any,
/// carries the script's file name and line (`lua/tests/x.lua:12: ...`).
func runScript(at path: String) throws {
    try callTestState().runFile(path)
}

@Suite struct LuaScriptTests {
    @Test(arguments: luaTestScripts())
    func script(_ name: String) throws {
        let path = packageRoot.appendingPathComponent("lua/tests/\(name)").path
        do {
            try runScript(at: path)
        } catch let error as LuaError {
            Issue.record("\(error.message)\n\(error.traceback ?? "")")
        }
    }

    @Test func failingAssertNamesFileAndLine() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("failing-\(getpid()).lua").path
        try "local x = 1\nassert(x == 2, 'x is not 2')\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: LuaError.self) { try runScript(at: path) }
        #expect(error?.message == "\(path):2: x is not 2")
    }
}
