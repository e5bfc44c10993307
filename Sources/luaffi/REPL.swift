// The interactive loop of lua5.4 -i: prompts, `=expr`, expressions printed,
// incomplete statements continued on the next line.
//
// Lines are kept as bytes, never as Swift strings, so that input that is not UTF-8
// reaches Lua unchanged.
import CLua
import CLuaCore
import CInterpreter
import Glibc

/// lua.c's `doREPL` and its helpers over one state.
struct REPL {
    let interpreter: Interpreter
    let L: OpaquePointer

    /// Reads, runs and prints until end of input. Throws `Escape` where lua.c's
    /// loop raises (a failing `_PROMPT`, `print` missing...); the program name then
    /// stays off, as in lua.c, whose error leaves doREPL before restoring it.
    func run() throws {
        let savedName = interpreter.progname
        interpreter.progname = nil
        while var status = try loadLine() {
            if status == LUA_OK { status = interpreter.doCall(L, arguments: 0, results: LUA_MULTRET) }
            if status == LUA_OK { try printResults() } else { interpreter.report(L, status) }
        }
        lua_settop(L, 0)
        lf_writeout("\n")
        interpreter.progname = savedName
    }

    /// Reads a statement (several lines if incomplete) and compiles it, first as
    /// `return <line>;`; nil at end of input (lua.c's `loadline`). Leaves the
    /// function or the error message alone on the stack, or, when input ends inside
    /// a statement, the value lua.c reports then: the `_PROMPT2` value that was
    /// pushed (nil by default, which prints as "(null)").
    func loadLine() throws -> Int32? {
        lua_settop(L, 0)
        guard var line = try readLine(first: true) else { return nil }
        if compile(Array("return ".utf8CString.dropLast()) + line + [semicolon]) == LUA_OK {
            if !line.isEmpty { addHistory(line) }
            return LUA_OK
        }
        lf_pop(L, 1)
        while true {
            let status = compile(line)
            guard isIncomplete(status) else {
                addHistory(line)
                return status
            }
            lf_pop(L, 1)
            guard let more = try readLine(first: false) else {
                addHistory(line)
                return status
            }
            line += [newline] + more
        }
    }

    /// Compiles `code` as chunk `=stdin`, pushing a function or an error message.
    func compile(_ code: [CChar]) -> Int32 {
        code.withUnsafeBufferPointer { lf_loadbuffer(L, $0.baseAddress, $0.count, "=stdin", nil) }
    }

    /// A syntax error at `<eof>`: the statement continues on the next line.
    func isIncomplete(_ status: Int32) -> Bool {
        guard status == LUA_ERRSYNTAX else { return false }
        var length = 0
        guard let message = lua_tolstring(L, -1, &length), length >= 5 else { return false }
        return strcmp(message + length - 5, "<eof>") == 0
    }

    /// Prompts and reads one line without its newline, `=` turned into `return `
    /// on a first line (lua.c's `pushline`). At end of input returns nil and leaves
    /// the prompt's value on the stack, as lua.c does.
    func readLine(first: Bool) throws -> [CChar]? {
        let prompt = try pushPrompt(first: first)
        guard let raw = lf_readline(prompt) else { return nil }
        defer { free(raw) }
        lf_pop(L, 1)
        var line = Array(UnsafeBufferPointer(start: raw, count: strlen(raw)))
        if line.last == newline { line.removeLast() }
        if first, line.first == CChar(UInt8(ascii: "=")) {
            line = Array("return ".utf8CString.dropLast()) + line.dropFirst()
        }
        return line
    }

    /// Pushes `_PROMPT`/`_PROMPT2` (through `tostring`), or nil for the default
    /// prompt, and returns the prompt text (lua.c's `get_prompt`).
    func pushPrompt(first: Bool) throws -> UnsafePointer<CChar> {
        guard lf_pgetglobal(L, first ? "_PROMPT" : "_PROMPT2") == LUA_OK else { throw Escape() }
        if lua_type(L, -1) == LUA_TNIL { return lf_prompt(first ? 1 : 0) }
        guard lf_ptolstring(L, -1) == LUA_OK, let text = lf_tostring(L, -1) else { throw Escape() }
        lf_remove(L, -2)
        return text
    }

    /// Adds a line to the readline history (lua.c's `lua_saveline`).
    func addHistory(_ line: [CChar]) {
        guard !line.isEmpty else { return }
        (line + [0]).withUnsafeBufferPointer { lf_addhistory($0.baseAddress) }
    }

    /// Prints the results on the stack with the global `print` (lua.c's `l_print`).
    func printResults() throws {
        let n = lua_gettop(L)
        guard n > 0 else { return }
        guard lua_checkstack(L, LUA_MINSTACK) != 0 else {
            throw interpreter.fail(L, "stack overflow (too many results to print)")
        }
        guard lf_pgetglobal(L, "print") == LUA_OK else { throw Escape() }
        lf_insert(L, 1)
        if lf_pcall(L, n, 0, 0) != LUA_OK {
            lf_writeerr("error calling 'print' (")
            if let message = lf_tostring(L, -1) { lf_writeerr(message) } else { lf_writeerr("(null)") }
            lf_writeerr(")\n")
        }
    }
}

private let newline = CChar(UInt8(ascii: "\n"))
private let semicolon = CChar(UInt8(ascii: ";"))
