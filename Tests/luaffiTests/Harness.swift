// Runs lua5.4 and luaffi side by side: finds the two programs, runs one command line
// with a given input and environment, and normalizes what it printed.
import Foundation
import Testing

/// What one run of a program showed: its output, its errors, how it ended.
struct Outcome: Equatable, CustomStringConvertible {
    var stdout: [UInt8]
    var stderr: [UInt8]
    /// "exit N" or "signal N".
    var status: String

    /// The same outcome with `program` (argv[0], which lua.c prints as the prefix
    /// of its messages) written as `<lua>`.
    func normalized(program: String) -> Outcome {
        let name = Array(program.utf8), placeholder = Array("<lua>".utf8)
        return Outcome(stdout: stdout.replacing(name, with: placeholder),
                       stderr: stderr.replacing(name, with: placeholder), status: status)
    }

    var description: String {
        "\(status)\n--- stdout\n\(String(decoding: stdout, as: UTF8.self))"
            + "\n--- stderr\n\(String(decoding: stderr, as: UTF8.self))"
    }
}

/// Where the programs, the fixtures and the package are.
enum Programs {
    /// The reference interpreter (Debian's lua5.4).
    static let lua = "/usr/bin/lua5.4"
    /// Tests/luaffiTests/Fixtures, the working directory of every run.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path
    /// The package root, two levels above this folder.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    struct NotBuilt: Error, CustomStringConvertible {
        var description: String {
            "luaffi is not built: the test target does not depend on the executable; run "
                + "`swift build --scratch-path .build-cli --product luaffi` first"
        }
    }

    /// The built `luaffi`: the one next to the running test bundle (same scratch
    /// path and configuration) if there is one, else the newest of
    /// `.build*/debug/luaffi` and `.build*/<triple>/debug/luaffi` under the package.
    static func luaffi() throws -> String {
        let fm = FileManager.default
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let sibling = bundle.appendingPathComponent("luaffi").path
        if fm.isExecutableFile(atPath: sibling) { return sibling }
        let scratch = (try? fm.contentsOfDirectory(atPath: packageRoot.path)) ?? []
        let candidates = scratch.filter { $0.hasPrefix(".build") }.flatMap { dir in
            ["debug/luaffi", "x86_64-unknown-linux-gnu/debug/luaffi"].map {
                packageRoot.appendingPathComponent(dir).appendingPathComponent($0).path
            }
        }.filter { fm.isExecutableFile(atPath: $0) }
        func modified(_ path: String) -> Date {
            ((try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
        }
        guard let newest = candidates.max(by: { modified($0) < modified($1) }) else {
            throw NotBuilt()
        }
        return newest
    }

    /// Only PATH, plus `extra`: no LUA_PATH, LUA_CPATH or LUA_INIT from outside.
    static func environment(_ extra: [String: String]) -> [String: String] {
        ["PATH": "/usr/bin:/bin"].merging(extra) { $1 }
    }
}

/// A child process with its input written and its output being collected.
final class Run: @unchecked Sendable {
    let process = Process()
    let program: String
    private let input = Pipe(), output = Pipe(), errors = Pipe()
    private let collected = DispatchGroup()
    private var stdout: [UInt8] = [], stderr: [UInt8] = []

    /// Starts `program arguments` in the fixtures folder. `stdin` is written at
    /// once (it fits the pipe buffer) and closed unless `keepInputOpen`.
    init(_ program: String, _ arguments: [String], stdin: [UInt8] = [],
         environment: [String: String] = [:], keepInputOpen: Bool = false) throws {
        self.program = program
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = Programs.environment(environment)
        process.currentDirectoryURL = URL(fileURLWithPath: Programs.fixtures)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try input.fileHandleForWriting.write(contentsOf: Data(stdin))
        if !keepInputOpen { try input.fileHandleForWriting.close() }
        try withSignalsUnblocked { try process.run() }
        collect(output) { self.stdout = $0 }
        collect(errors) { self.stderr = $0 }
    }

    private func collect(_ pipe: Pipe, into store: @escaping @Sendable ([UInt8]) -> Void) {
        collected.enter()
        DispatchQueue.global().async {
            store(Array(pipe.fileHandleForReading.readDataToEndOfFile()))
            self.collected.leave()
        }
    }

    /// Waits for the end (killing the process after `timeout` seconds) and returns
    /// what it showed, with the program name normalized.
    func finish(timeout: Double = 10) -> Outcome {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(5_000) }
        if process.isRunning {
            Issue.record("\(program) still running after \(timeout) s: killed")
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
        collected.wait()
        let ending = process.terminationReason == .uncaughtSignal ? "signal" : "exit"
        return Outcome(stdout: stdout, stderr: stderr,
                       status: "\(ending) \(process.terminationStatus)").normalized(program: program)
    }
}

/// Runs the same command line through lua5.4 and luaffi.
func runBoth(_ arguments: [String], stdin: [UInt8] = [],
             environment: [String: String] = [:]) throws -> (lua: Outcome, luaffi: Outcome) {
    let luaffi = try Programs.luaffi()
    let reference = try Run(Programs.lua, arguments, stdin: stdin, environment: environment)
    let ours = try Run(luaffi, arguments, stdin: stdin, environment: environment)
    return (reference.finish(), ours.finish())
}

/// Runs `body` with no signal blocked in the calling thread. A child process
/// inherits the mask of the thread that spawns it, and the test runner's worker
/// threads block most signals: without this, SIGINT would never reach the child.
func withSignalsUnblocked<T>(_ body: () throws -> T) rethrows -> T {
    var empty = sigset_t(), saved = sigset_t()
    sigemptyset(&empty)
    pthread_sigmask(SIG_SETMASK, &empty, &saved)
    defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
    return try body()
}
