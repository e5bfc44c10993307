// Finds the built programs (luaffi, the ffi.so module) and runs them as users do.
import Foundation
import Testing

/// Where the package, the fixtures and the built products are.
enum Paths {
    /// The package root, two levels above this folder.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    /// Tests/EcosystemTests/Fixtures.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    /// The folder of the running test bundle: the products of the same build.
    static let buildFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()

    /// A built product: the one next to the test bundle (same scratch path and
    /// configuration), else the newest `.build*/{debug,release}/<name>` of the package
    /// that `accept`s. Nil when none is built (the tests build nothing themselves).
    static func product(_ name: String, accept: (String) -> Bool = { _ in true }) -> String? {
        let fm = FileManager.default
        let sibling = buildFolder.appendingPathComponent(name).path
        if fm.fileExists(atPath: sibling), accept(sibling) { return sibling }
        let scratch = (try? fm.contentsOfDirectory(atPath: packageRoot.path)) ?? []
        let candidates = scratch.filter { $0.hasPrefix(".build") }.flatMap { dir in
            ["debug", "release", "x86_64-unknown-linux-gnu/debug", "x86_64-unknown-linux-gnu/release"].map {
                packageRoot.appendingPathComponent(dir).appendingPathComponent($0).appendingPathComponent(name).path
            }
        }.filter { fm.fileExists(atPath: $0) && accept($0) }
        func modified(_ path: String) -> Date {
            ((try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
        }
        return candidates.max { modified($0) < modified($1) }
    }

    /// The built `luaffi` interpreter.
    static var luaffi: String? { product("luaffi") }

    /// An executable on PATH (or the usual folders), or nil.
    static func program(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return (path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"])
            .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// Records why a test did not run, without failing it.
func skip(_ reason: String) {
    withKnownIssue(Comment(rawValue: reason)) { Issue.record(Comment(rawValue: reason)) }
}

/// What one run of a program showed.
struct Outcome: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

/// Runs `program arguments` in `directory` with only PATH, the sanitizer options
/// (scripts/test sets them) and `environment` set, killing it after `timeout` seconds.
func run(_ program: String, _ arguments: [String], in directory: URL = Paths.packageRoot,
         environment: [String: String] = [:], timeout: Double = 60) throws -> Outcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let inherited = ProcessInfo.processInfo.environment.filter { $0.key.hasSuffix("SAN_OPTIONS") }
    process.environment = ["PATH": "/usr/local/bin:/usr/bin:/bin"].merging(inherited) { $1 }
        .merging(environment) { $1 }
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice
    let collected = DispatchGroup()
    nonisolated(unsafe) var out = Data(), err = Data()
    try process.run()
    collected.enter()
    DispatchQueue.global().async { out = output.fileHandleForReading.readDataToEndOfFile(); collected.leave() }
    collected.enter()
    DispatchQueue.global().async { err = errors.fileHandleForReading.readDataToEndOfFile(); collected.leave() }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning, Date() < deadline { usleep(10_000) }
    if process.isRunning {
        Issue.record("\(program) \(arguments) still running after \(timeout) s: killed")
        kill(process.processIdentifier, SIGKILL)
    }
    process.waitUntilExit()
    collected.wait()
    return Outcome(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                   stderr: String(decoding: err, as: UTF8.self))
}
