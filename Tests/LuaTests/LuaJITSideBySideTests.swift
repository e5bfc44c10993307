// Runs every lua/tests script marked `-- luajit: compatible` under LuaJIT too: the
// behaviour they assert is LuaJIT's, so LuaJIT must pass them.
import Foundation
import Testing

/// The `luajit` executable on PATH, or nil.
let luajitPath: String? = {
    let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/local/bin").split(separator: ":")
    return paths.map { "\($0)/luajit" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// The scripts whose first line is `-- luajit: compatible`.
func luajitCompatibleScripts() -> [String] {
    luaTestScripts().filter { name in
        let path = packageRoot.appendingPathComponent("lua/tests/\(name)").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
        return text.split(separator: "\n", maxSplits: 1).first == "-- luajit: compatible"
    }
}

@Suite struct LuaJITSideBySideTests {
    @Test func someScriptsAreMarked() {
        #expect(!luajitCompatibleScripts().isEmpty)
    }

    @Test(arguments: luajitCompatibleScripts())
    func passesUnderLuaJIT(_ name: String) throws {
        guard let luajit = luajitPath else {
            withKnownIssue("luajit is not installed: side-by-side check of \(name) skipped") {
                Issue.record("luajit not found on PATH")
            }
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: luajit)
        process.arguments = [name]
        process.currentDirectoryURL = packageRoot.appendingPathComponent("lua/tests")
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 0, "luajit \(name) failed:\n\(text)")
    }
}
