// The interactive loop of lua5.4 -i: prompts, `=expr`, expressions printed,
// incomplete statements continued on the next line.
import CLua
import CLuaShims
import Glibc

/// lua.c's `doREPL` and its helpers over one state.
struct REPL {
    let interpreter: Interpreter
    let L: OpaquePointer

    /// Reads, runs and prints until end of input.
    func run() {
        let savedName = interpreter.progname
        interpreter.progname = nil
        while let status = loadLine() {
            var status = status
            if status == LUA_OK { status = interpreter.doCall(L, arguments: 0, results: LUA_MULTRET) }
            if status == LUA_OK { printResults() } else { interpreter.report(L, status) }
        }
        lua_settop(L, 0)
        lf_writeout("\n")
        interpreter.progname = savedName
    }

    /// Reads a statement (several lines if incomplete) and compiles it, first as
    /// `return <line>;`. Leaves the function or the error on an empty stack;
    /// nil at end of input.
    func loadLine() -> Int32? {
        lua_settop(L, 0)
        guard var line = readLine(first: true) else { return nil }
        if line.hasPrefix("=") { line = "return " + line.dropFirst() }
        if compile("return \(line);") == LUA_OK {
            if !line.isEmpty { lf_addhistory(line) }
            return LUA_OK
        }
        while true {
            let status = compile(line)
            guard isIncomplete(status), let more = readLine(first: false) else {
                lf_addhistory(line)
                return status
            }
            lf_pop(L, 1)
            line += "\n" + more
        }
    }

    /// Compiles `code` as chunk `=stdin`, leaving a function or an error message.
    func compile(_ code: String) -> Int32 {
        let status = lf_loadbuffer(L, code, code.utf8.count, "=stdin", nil)
        if status != LUA_OK, lua_gettop(L) > 1 { lf_remove(L, 1) }
        if status == LUA_OK, lua_gettop(L) > 1 { lf_remove(L, 1) }
        return status
    }

    /// A syntax error at `<eof>`: the statement continues on the next line.
    func isIncomplete(_ status: Int32) -> Bool {
        guard status == LUA_ERRSYNTAX, let message = lf_tostring(L, -1) else { return false }
        return String(cString: message).hasSuffix("<eof>")
    }

    /// Prompts with `_PROMPT`/`_PROMPT2` (through `tostring`) or the defaults.
    func readLine(first: Bool) -> String? {
        let prompt = promptText(first: first)
        guard let raw = lf_readline(prompt) else { return nil }
        defer { free(raw) }
        var line = String(cString: raw)
        if line.hasSuffix("\n") { line.removeLast() }
        return line
    }

    func promptText(first: Bool) -> String {
        let fallback = String(cString: lf_prompt(first ? 1 : 0))
        guard lf_pgetglobal(L, first ? "_PROMPT" : "_PROMPT2") == LUA_OK else {
            lf_pop(L, 1)
            return fallback
        }
        defer { lua_settop(L, lua_gettop(L) - 1) }
        if lua_type(L, -1) == LUA_TNIL { return fallback }
        guard lf_ptolstring(L, -1) == LUA_OK, let text = lf_tostring(L, -1) else {
            lf_pop(L, 1)
            return fallback
        }
        defer { lf_pop(L, 1) }
        return String(cString: text)
    }

    /// Prints the results on the stack with the global `print`.
    func printResults() {
        let n = lua_gettop(L)
        guard n > 0 else { return }
        guard lua_checkstack(L, LUA_MINSTACK) != 0, lf_pgetglobal(L, "print") == LUA_OK else {
            lua_settop(L, 0)
            return
        }
        lf_insert(L, 1)
        if lf_pcall(L, n, 0, 0) != LUA_OK {
            let message = lf_tostring(L, -1).map { String(cString: $0) } ?? "(null)"
            writeError("error calling 'print' (\(message))\n")
        }
    }
}
