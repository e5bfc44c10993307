// The plugin-host example, run end to end: misbehaving plugins are stopped, the
// host and the good plugins keep running.
import Foundation
import Testing

@Suite struct EmbeddingPluginHostTests {
    /// The built `plugin-host` executable, next to the test bundle.
    static var executable: String? {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [bundle.appendingPathComponent("plugin-host").path]
        var folder = bundle
        for _ in 0..<3 {
            folder = folder.deletingLastPathComponent()
            candidates.append(folder.appendingPathComponent("debug/plugin-host").path)
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let plugins = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../examples/plugin-host/plugins").standardized.path

    @Test func hostSurvivesMisbehavingPlugins() throws {
        guard let executable = Self.executable else {
            Issue.record("plugin-host is not built (swift build --build-tests builds it)")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [Self.plugins]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let start = Date()
        try process.run()
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(Date().timeIntervalSince(start) < 20)
        let lines = stdout.split(separator: "\n").map(String.init)
        let summary = Array(lines.drop { $0 != "-- summary" }.dropFirst())
        #expect(summary.count == 7)  // the ffi error has two lines
        #expect(summary.first == "allocating: disabled (on_message stopped: not enough memory)")
        #expect(summary.contains("ffi_with_permission: ok"))
        #expect(summary.contains(
            "ffi_without_permission: disabled (cannot load: ffi_without_permission.lua:2: module 'ffi' not found:"))
        #expect(summary.contains("good: ok"))
        #expect(summary.contains { $0.hasPrefix("looping: disabled (on_message stopped: looping.lua:")
            && $0.hasSuffix("instruction limit exceeded)") })
        #expect(summary.last == "raising: disabled (on_message failed 3 times, last: raising.lua:4: cannot handle 'bye')")
        #expect(lines.contains("good replied: HELLO!"))
        #expect(lines.contains("good replied: BYE!"))
        #expect(lines.contains("[good] got message 3"))
        #expect(lines.contains("ffi_with_permission replied: pid ok, system: refused"))
        #expect(stderr.contains("[raising] on_message failed: raising.lua:4: cannot handle 'hello'"))
        #expect(!stdout.contains("pwned"))
    }
}
