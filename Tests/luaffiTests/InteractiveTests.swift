// The REPL on a terminal: luaffi -i driven through tmux, its screen checked and
// compared with lua5.4's after the same keys.
import Foundation
import Testing

/// One tmux server of its own (a private socket) running one program in a pane.
struct TmuxSession {
    static let path = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    let socket: String

    /// Starts `command` in a fresh pane; the pane reports `EXIT=<status>` at the end.
    init(_ command: [String]) throws {
        socket = "luaffi-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let shell = "env -i PATH=/usr/bin:/bin TERM=xterm HOME=/nonexistent "
            + command.map { "'\($0)'" }.joined(separator: " ") + "; echo EXIT=$?; sleep 60"
        try tmux(["-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "100", "-y", "60",
                  "-c", Programs.fixtures, shell])
    }

    /// Runs one tmux command and returns its output.
    ///
    /// Not with Foundation's `Process`: the server that `new-session` forks would
    /// inherit the socket by which `Process` notices the end of its child, and
    /// keep it open as long as it lives. posix_spawn closes every other descriptor,
    /// unblocks all signals (the test runner's threads block them, and the server
    /// would hand that mask on to the REPL) and waits for the client alone.
    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(socket)-\(UInt32.random(in: 0...UInt32.max)).txt").path
        defer { unlink(output) }
        let argv = [TmuxSession.path ?? "tmux", "-L", socket] + arguments
        let status = spawnAndWait(argv, output: output)
        guard status == 0 || arguments.first == "kill-server" else {
            throw TmuxFailed(arguments: arguments, status: status)
        }
        return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    }

    /// The visible screen, trailing blank lines dropped.
    func screen() throws -> String {
        try tmux(["capture-pane", "-p", "-t", "t"])
            .replacingOccurrences(of: "\\n+$", with: "", options: .regularExpression)
    }

    /// Types `text` literally, then the named `keys`; waits until the screen has
    /// changed and ends with `ending` (at most 5 s) and returns the screen.
    @discardableResult
    func send(_ text: String, keys: [String] = ["Enter"], until ending: String) throws -> String {
        let before = try screen()
        if !text.isEmpty { try tmux(["send-keys", "-t", "t", "-l", text]) }
        if !keys.isEmpty { try tmux(["send-keys", "-t", "t"] + keys) }
        return try wait(until: ending, changedFrom: before)
    }

    /// Waits until the screen differs from `before` and ends with `ending`.
    @discardableResult
    func wait(until ending: String, changedFrom before: String? = nil) throws -> String {
        let deadline = Date().addingTimeInterval(5)
        var text = try screen()
        while text == before || !text.hasSuffix(ending), Date() < deadline {
            usleep(20_000)
            text = try screen()
        }
        return text
    }

    func close() { _ = try? tmux(["kill-server"]) }
}

/// glibc's posix_spawn_file_actions_addclosefrom_np (2.34), which the Glibc module
/// does not show to Swift.
let closeFrom = dlsym(UnsafeMutableRawPointer(bitPattern: 0),
                                          "posix_spawn_file_actions_addclosefrom_np").map {
    unsafeBitCast($0, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
}

struct TmuxFailed: Error {
    let arguments: [String]
    let status: Int32
}

/// posix_spawn `argv` with standard output to the file `output`, standard input
/// and error /dev/null, no other descriptor, default signals; returns its raw
/// wait status.
func spawnAndWait(_ argv: [String], output: String) -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    _ = closeFrom?(&actions, 3)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t(), all = sigset_t()
    sigemptyset(&none)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let cArguments = argv.map { strdup($0) } + [nil]
    defer { cArguments.forEach { free($0) } }
    var pid = pid_t()
    guard posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, environ) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1, errno == EINTR {}
    return status
}

@Suite("interactive mode on a terminal")
struct InteractiveTests {
    /// The keys typed into both REPLs, each with the screen ending it waits for.
    static let steps: [(text: String, keys: [String], ending: String)] = [
        ("1+1", ["Enter"], "2\n>"),
        ("=1+1", ["Enter"], "2\n>"),
        ("\"a\", nil", ["Enter"], "a       nil\n>"),
        ("for i=1,2 do", ["Enter"], ">>"),
        ("print(i)", ["Enter"], ">>"),
        ("end", ["Enter"], "1\n2\n>"),
        ("error('boom')", ["Enter"], "[C]: in ?\n>"),
        ("_PROMPT = 'lua? '", ["Enter"], "lua?"),
        ("", ["C-d"], "EXIT=0"),
    ]

    /// Drives one program through `steps`; returns the final screen.
    func drive(_ command: [String]) throws -> String {
        let session = try TmuxSession(command)
        defer { session.close() }
        try session.wait(until: "\n>")
        for step in Self.steps { try session.send(step.text, keys: step.keys, until: step.ending) }
        return try session.screen()
    }

    @Test("luaffi -i through tmux", .enabled(if: TmuxSession.path != nil, "tmux is not installed"))
    func repl() throws {
        let luaffi = try Programs.luaffi()
        let screen = try drive([luaffi, "-i"])
        #expect(screen.hasPrefix("Lua 5.4.4  Copyright (C) 1994-2022 Lua.org, PUC-Rio\n> 1+1\n2\n"))
        #expect(screen.contains("> for i=1,2 do\n>> print(i)\n>> end\n1\n2\n"))
        #expect(screen.contains("> error('boom')\nstdin:1: boom\nstack traceback:\n"))
        #expect(!screen.contains(luaffi))  // no program name in REPL errors
        #expect(screen.hasSuffix("> _PROMPT = 'lua? '\nlua?\n\nEXIT=0"), "\(screen)")
        let reference = try drive([Programs.lua, "-i"])
        #expect(screen == reference)
    }

    @Test("luaffi with no arguments on a terminal", .enabled(if: TmuxSession.path != nil, "tmux is not installed"))
    func noArguments() throws {
        let session = try TmuxSession([try Programs.luaffi()])
        defer { session.close() }
        let start = try session.wait(until: "\n>")
        #expect(start == "Lua 5.4.4  Copyright (C) 1994-2022 Lua.org, PUC-Rio\n>")
        let end = try session.send("", keys: ["C-d"], until: "EXIT=0")
        #expect(end.hasSuffix(">\n\nEXIT=0"), "\(end)")
    }
}
