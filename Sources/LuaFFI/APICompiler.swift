// Running the C compiler for API mode: the options of `set_source`, the command line,
// the compiler's complaints turned into a Lua error, and NAME.so written all or nothing.
import CLua
import CLuaCore
import Glibc

/// The options of `set_source` (cffi's names).
struct APIOptions {
    var libraries: [String] = []
    var libraryDirs: [String] = []
    var includeDirs: [String] = []
    var defineMacros: [String] = []
    var compileArgs: [String] = []
    var linkArgs: [String] = []
    var sources: [String] = []

    /// Reads the options table at `index` (nil or absent: none).
    init(_ L: OpaquePointer, _ index: Int32, _ function: String) throws(FFIError) {
        if lua_type(L, index) <= LUA_TNIL { return }
        guard lua_type(L, index) == LUA_TTABLE else { throw FFIError.type(index, function, expected: "table", in: L) }
        libraries = try Self.strings(L, index, "libraries")
        libraryDirs = try Self.strings(L, index, "library_dirs")
        includeDirs = try Self.strings(L, index, "include_dirs")
        defineMacros = try Self.strings(L, index, "define_macros")
        compileArgs = try Self.strings(L, index, "extra_compile_args")
        linkArgs = try Self.strings(L, index, "extra_link_args")
        sources = try Self.strings(L, index, "sources")
    }

    /// The list `key` of the table at `index`: strings, or for `define_macros` also
    /// `{name, value}` pairs (cffi's tuples).
    private static func strings(_ L: OpaquePointer, _ index: Int32, _ key: String) throws(FFIError) -> [String] {
        pushString(L, key)
        lua_rawget(L, index)
        defer { lf_pop(L, 1) }
        if lua_type(L, -1) <= LUA_TNIL { return [] }
        guard lua_type(L, -1) == LUA_TTABLE else { throw FFIError("option '\(key)' must be a list of strings") }
        var result: [String] = []
        for item in 1...max(1, lua_rawlen(L, -1)) where lua_rawlen(L, -1) > 0 {
            lua_rawgeti(L, -1, lua_Integer(item))
            defer { lf_pop(L, 1) }
            if let text = stringArgument(L, -1) {
                result.append(text)
            } else if key == "define_macros", lua_type(L, -1) == LUA_TTABLE {
                lua_rawgeti(L, -1, 1)
                lua_rawgeti(L, -2, 2)
                let pair = (stringArgument(L, -2), stringArgument(L, -1) ?? (lua_type(L, -1) == LUA_TNUMBER
                    ? String(cString: lf_tostring(L, -1)) : nil))
                lf_pop(L, 2)
                guard let name = pair.0 else { throw FFIError("option 'define_macros': {name, value} expected") }
                result.append(pair.1.map { "\(name)=\($0)" } ?? name)
            } else {
                throw FFIError("option '\(key)' must be a list of strings (item \(item) is \(String(cString: lf_typename(L, -1))))")
            }
        }
        return result
    }

    /// The compiler's arguments after the source file.
    var arguments: [String] {
        sources + includeDirs.map { "-I" + $0 } + defineMacros.map { "-D" + $0 } + compileArgs
            + libraryDirs.map { "-L" + $0 } + libraries.map { "-l" + $0 } + linkArgs
    }
}

/// Compiles `code` (module `name`) into `directory/name.so`: first under a temporary
/// name, renamed when the compiler succeeds, so a failed build leaves no `.so`.
/// Returns the path. The C file stays next to it (`name.c`).
func compileModule(
    name: String, code: String, options: APIOptions, directory: String, verbose: Bool
) throws(FFIError) -> String {
    let cPath = directory + "/" + name + ".c", soPath = directory + "/" + name + ".so"
    let temporary = soPath + ".tmp\(getpid())", log = soPath + ".log\(getpid())"
    // Written under its own name too (ffi.verify's builds may race), kept as NAME.c.
    let cTemporary = directory + "/" + name + ".tmp\(getpid()).c"
    try writeFile(cTemporary, code)
    defer {
        rename(cTemporary, cPath)
        unlink(temporary)
        unlink(log)
    }
    let compiler = getenv("CC").map { String(cString: $0) } ?? "cc"
    let arguments = [compiler, "-shared", "-fPIC", "-O2", "-std=gnu11",
        "-Werror=incompatible-pointer-types", "-Werror=int-conversion",
        "-Werror=implicit-function-declaration", "-o", temporary, cTemporary] + options.arguments
    let command = arguments.map(shellQuoted).joined(separator: " ")
    if verbose { lf_writeout(command + "\n") }
    let status = system("LC_ALL=C " + command + " >" + shellQuoted(log) + " 2>&1")
    let output = readFile(log) ?? ""
    guard status == 0 else {
        if output.contains("not found") && (status >> 8) == 127 {
            throw FFIError("cannot build module '\(name)': C compiler '\(compiler)' not found (set CC or PATH)")
        }
        throw FFIError("cannot build module '\(name)': the C compiler refused it:\n" + errorLines(output))
    }
    if verbose, !output.isEmpty { lf_writeout(output) }
    // A symbol no library given defines would fail only at `require`: load it once now.
    guard let handle = dlopen(temporary, RTLD_NOW | RTLD_LOCAL) else {
        let reason = dlerror().map { String(cString: $0) } ?? "?"
        throw FFIError("cannot build module '\(name)': it does not load (a library missing from 'libraries'?): \(reason)")
    }
    dlclose(handle)
    guard rename(temporary, soPath) == 0 else {
        throw FFIError("cannot write '\(soPath)': \(String(cString: strerror(errno)))")
    }
    if verbose { lf_writeout("wrote \(soPath)\n") }
    return soPath
}

/// The lines of the compiler's output that say what is wrong (all of it if none do).
private func errorLines(_ output: String) -> String {
    let lines = output.split(separator: "\n").filter {
        $0.contains("error") || $0.contains("undefined reference") || $0.contains("cannot find")
    }
    let chosen = lines.isEmpty ? output.split(separator: "\n") : lines
    // `_Static_assert` messages come quoted as C strings: unescape their quotes.
    return chosen.prefix(12).joined(separator: "\n").replacing("\\'", with: "'")
}

/// The text of the file at `path`, or nil.
func readFile(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// `text` quoted for `sh`.
private func shellQuoted(_ text: String) -> String {
    "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
}
