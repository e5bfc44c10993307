// Runs the system C preprocessor (`cc -E`, or `$CC`) for ffi.include.
import Glibc

/// The C preprocessor, run in a fresh temporary directory.
struct Preprocessor {
    /// The compiler command: `$CC` split at spaces, else `cc`.
    var command: [String] = {
        let words = (getenv("CC").map { String(cString: $0) } ?? "").split(separator: " ").map(String.init)
        return words.isEmpty ? ["cc"] : words
    }()
    /// Extra flags (`-I...`, `-D...`).
    var flags: [String] = []

    /// The preprocessed text of a file that includes `header` (`<zlib.h>`, `"x.h"` or a
    /// path); with `definitions`, the macro definitions instead (`cc -dM -E`).
    func run(including header: String, definitions: Bool = false) throws(FFIError) -> String {
        let directory = try temporaryDirectory()
        defer { removeAll(in: directory, ["in.c", "out.i", "err.txt"]) }
        try write("#include \(Self.includeOperand(header))\n", to: directory + "/in.c")
        let arguments = command + ["-E"] + (definitions ? ["-dM"] : []) + flags
            + [directory + "/in.c", "-o", directory + "/out.i"]
        let status = try spawn(arguments, errors: directory + "/err.txt")
        guard status == 0 else {
            let message = (try? read(directory + "/err.txt")) ?? ""
            let lines = message.split(separator: "\n").prefix(4).joined(separator: "\n")
            throw FFIError("include: the preprocessor ('\(command.joined(separator: " "))') failed on \(header):\n\(lines)")
        }
        return try read(directory + "/out.i")
    }

    /// `<h.h>` as given; a quoted or bare path made absolute (the input file lives
    /// elsewhere, so `"x.h"` must not be looked up beside it).
    static func includeOperand(_ header: String) -> String {
        if header.hasPrefix("<") { return header }
        var path = header
        if path.hasPrefix("\""), path.hasSuffix("\""), path.count >= 2 { path = String(path.dropFirst().dropLast()) }
        if !path.hasPrefix("/"), let cwd = getcwd(nil, 0) {
            path = String(cString: cwd) + "/" + path
            free(cwd)
        }
        return "\"" + path + "\""
    }

    /// Runs `arguments` (searched in PATH) with stdout discarded and stderr to a
    /// file; returns the exit status.
    private func spawn(_ arguments: [String], errors: String) throws(FFIError) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, &argv, environ)
        guard spawned == 0 else {
            throw FFIError("include: cannot run the C compiler '\(arguments[0])' (\(String(cString: strerror(spawned))))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw FFIError("include: waitpid failed (\(String(cString: strerror(errno))))") }
        }
        // WIFEXITED / WEXITSTATUS (macros Swift does not import).
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    private func temporaryDirectory() throws(FFIError) -> String {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((base + "/luaffi-include-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw FFIError("include: cannot make a temporary directory in \(base) (\(String(cString: strerror(errno))))")
        }
        return String(cString: made)
    }

    private func write(_ text: String, to path: String) throws(FFIError) {
        guard let file = fopen(path, "w") else { throw FFIError("include: cannot write \(path)") }
        defer { fclose(file) }
        guard fputs(text, file) >= 0 else { throw FFIError("include: cannot write \(path)") }
    }

    private func read(_ path: String) throws(FFIError) -> String {
        guard let text = readFile(path) else { throw FFIError("include: cannot read \(path)") }
        return text
    }

    private func removeAll(in directory: String, _ names: [String]) {
        for name in names { unlink(directory + "/" + name) }
        rmdir(directory)
    }
}
