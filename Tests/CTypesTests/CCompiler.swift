// Test helper: runs the system C compiler (`cc`) through Foundation's Process.

import Foundation

enum CCompiler {
    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ctypes-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `executable` with `arguments`; returns stdout, throws on a non-zero status.
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(message: String(decoding: errorData, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// `cc -E -P` of a file including `header`.
    static func preprocess(header: String) throws -> String {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("h.c")
        try "#include <\(header)>\n".write(to: file, atomically: true, encoding: .utf8)
        return try run("cc", ["-E", "-P", file.path])
    }

    /// Compiles `source` and runs it; returns its output.
    static func compileAndRun(_ source: String) throws -> String {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("t.c")
        let binary = dir.appendingPathComponent("t")
        try source.write(to: file, atomically: true, encoding: .utf8)
        _ = try run("cc", ["-w", "-O0", "-o", binary.path, file.path])
        return try run(binary.path, [])
    }

    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
