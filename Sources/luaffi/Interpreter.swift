// The lua5.4 command, step by step (lua.c's pmain and its helpers), in Swift.
//
// All of it runs inside `pmain`, a Swift function that Lua calls through the
// trampoline, so tracebacks end in "[C]: in ?" exactly as lua5.4's do. Nothing here
// raises a Lua error: every raising step runs protected and returns a status.
import CLua
import CLuaShims
import Glibc
import Lua

/// One run of the interpreter over one command line.
final class Interpreter {
    let argv: [UnsafeMutablePointer<CChar>]
    /// Prefix of error messages; nil inside the REPL (as lua.c).
    var progname: String?
    /// Extra setup of the state (the ffi module...), run after the standard libraries.
    let prepare: (LuaState) throws -> Void
    /// The state while `run` runs.
    private(set) var state: LuaState?

    init(argv: [UnsafeMutablePointer<CChar>], prepare: @escaping (LuaState) throws -> Void) {
        self.argv = argv
        progname = argv.first.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
            ?? "lua"
        self.prepare = prepare
    }

    /// Runs the command line; returns the process exit status.
    func run() -> Int32 {
        guard let state = try? LuaState(libraries: []), let L = state.handle else {
            writeError("\(progname ?? "lua"): cannot create state: not enough memory\n")
            return EXIT_FAILURE
        }
        self.state = state
        defer { self.state = nil }
        _ = lf_gc(L, LUA_GCSTOP, 0, 0)
        lf_pushswiftfunction(L, interpreterMain, 0)
        lua_pushlightuserdata(L, Unmanaged.passUnretained(self).toOpaque())
        let status = lf_pcall(L, 1, 1, 0)
        let result = lua_toboolean(L, -1) != 0
        _ = report(L, status)
        withExtendedLifetime(state) { state.close() }
        return result && status == LUA_OK ? EXIT_SUCCESS : EXIT_FAILURE
    }

    /// lua.c's `pmain`: returns the number of results (1: true on success, 0 on a
    /// reported failure) or LF_RAISE with an error on the stack.
    func main(_ L: OpaquePointer, state: LuaState) -> Int32 {
        var script = 0
        let options = Options.collect(argv, script: &script)
        let optionLimit = script > 0 ? script : argv.count
        if options.contains(.error) {
            printUsage(progname: progname ?? "lua", badOption: String(cString: argv[script]))
            return 0
        }
        if options.contains(.version) { printVersion() }
        if options.contains(.ignoreEnvironment) {
            lua_pushboolean(L, 1)
            lua_setfield(L, lf_registryindex(), "LUA_NOENV")
        }
        do {
            try state.open(.all)
            try prepare(state)
        } catch {
            return raise(L, "\(error)")
        }
        createArgTable(L, script: script)
        _ = lf_gc(L, LUA_GCRESTART, 0, 0)
        _ = lf_gc(L, LUA_GCGEN, 0, 0)
        if !options.contains(.ignoreEnvironment), handleLuaInit(L) != LUA_OK { return 0 }
        if !runOptions(L, limit: optionLimit) { return 0 }
        if script > 0, handleScript(L, at: script) != LUA_OK { return 0 }
        if options.contains(.interactive) {
            REPL(interpreter: self, L: L).run()
        } else if script < 1, options.isDisjoint(with: [.execute, .version]) {
            if lf_stdin_is_tty() != 0 {
                printVersion()
                REPL(interpreter: self, L: L).run()
            } else if doFile(L, nil) != LUA_OK {
                return 0
            }
        }
        lua_pushboolean(L, 1)
        return 1
    }

    /// Pushes `message` and returns LF_RAISE, for the trampoline to raise.
    func raise(_ L: OpaquePointer, _ message: String) -> Int32 {
        lua_pushstring(L, message)
        return LF_RAISE
    }

    func printVersion() {
        lf_writeout(lf_copyright())
        lf_writeout("\n")
    }

    /// `arg`: the script at index 0, its arguments above, the interpreter and the
    /// options below (negative indexes).
    func createArgTable(_ L: OpaquePointer, script: Int) {
        let script = script == 0 ? argv.count : script
        let positive = argv.count - (script + 1)
        lua_createtable(L, Int32(max(positive, 0)), Int32(script + 1))
        for (i, arg) in argv.enumerated() {
            lua_pushstring(L, arg)
            lua_rawseti(L, -2, lua_Integer(i - script))
        }
        lua_setglobal(L, "arg")  // _G has no metatable yet: cannot raise
    }

    /// Runs `-e` and `-l` options and `-W`, in order, up to `limit`.
    func runOptions(_ L: OpaquePointer, limit: Int) -> Bool {
        var i = 1
        while i < limit {
            let arg = argv[i]
            let option = UInt8(bitPattern: arg[1])
            if option == UInt8(ascii: "e") || option == UInt8(ascii: "l") {
                var extra = String(cString: arg + 2)
                if extra.isEmpty { i += 1; extra = String(cString: argv[i]) }
                let status = option == UInt8(ascii: "e")
                    ? doString(L, extra, name: "=(command line)") : doLibrary(L, extra)
                if status != LUA_OK { return false }
            } else if option == UInt8(ascii: "W") {
                lua_warning(L, "@on", 0)
            }
            i += 1
        }
        return true
    }

    /// `-l mod` or `-l g=mod`: `g = require("mod")`.
    func doLibrary(_ L: OpaquePointer, _ spec: String) -> Int32 {
        let parts = spec.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let global = String(parts[0])
        let module = parts.count > 1 ? String(parts[1]) : global
        var status = lf_pgetglobal(L, "require")
        if status == LUA_OK {
            lua_pushstring(L, module)
            status = doCall(L, arguments: 1, results: 1)
            if status == LUA_OK { status = lf_psetglobal(L, global) }
        }
        return report(L, status)
    }

    /// `LUA_INIT_5_4` or `LUA_INIT`: a chunk, or `@file`.
    func handleLuaInit(_ L: OpaquePointer) -> Int32 {
        var name = "=LUA_INIT_5_4"
        var value = getenv("LUA_INIT_5_4")
        if value == nil {
            name = "=LUA_INIT"
            value = getenv("LUA_INIT")
        }
        guard let value else { return LUA_OK }
        let text = String(cString: value)
        if text.hasPrefix("@") { return doFile(L, String(text.dropFirst())) }
        return doString(L, text, name: name)
    }

    /// Loads the script (`-` is standard input unless after `--`) and calls it with
    /// the positive entries of `arg` as arguments.
    func handleScript(_ L: OpaquePointer, at index: Int) -> Int32 {
        var path: String? = String(cString: argv[index])
        if path == "-", String(cString: argv[index - 1]) != "--" { path = nil }
        var status = lf_ploadfile(L, path, nil)
        if status == LUA_OK {
            guard let count = pushScriptArguments(L) else {
                lf_pop(L, 1)
                lua_pushstring(L, "'arg' is not a table")
                return report(L, LUA_ERRRUN)
            }
            status = doCall(L, arguments: count, results: LUA_MULTRET)
        }
        return report(L, status)
    }

    /// Pushes arg[1] ... arg[#arg]; nil when `arg` is not a table.
    func pushScriptArguments(_ L: OpaquePointer) -> Int32? {
        guard lf_pgetglobal(L, "arg") == LUA_OK, lua_type(L, -1) == LUA_TTABLE else {
            lf_pop(L, 1)
            return nil
        }
        let n = Int32(clamping: lua_rawlen(L, -1))
        guard lua_checkstack(L, n + 3) != 0 else {
            lf_pop(L, 1)
            return nil
        }
        for i in 1...max(n, 1) where i <= n { lua_rawgeti(L, -Int32(i), lua_Integer(i)) }
        lf_remove(L, -n - 1)
        return n
    }

    func doFile(_ L: OpaquePointer, _ path: String?) -> Int32 {
        doChunk(L, lf_ploadfile(L, path, nil))
    }

    func doString(_ L: OpaquePointer, _ code: String, name: String) -> Int32 {
        doChunk(L, lf_loadbuffer(L, code, code.utf8.count, name, nil))
    }

    func doChunk(_ L: OpaquePointer, _ status: Int32) -> Int32 {
        report(L, status == LUA_OK ? doCall(L, arguments: 0, results: 0) : status)
    }

    /// Calls with lua.c's traceback handler, stoppable with Ctrl-C.
    func doCall(_ L: OpaquePointer, arguments: Int32, results: Int32) -> Int32 {
        lf_catchinterrupt(L)
        let status = lf_pcalltraceback(L, arguments, results)
        lf_releaseinterrupt()
        return status
    }

    /// Prints the error on top (if `status` is one) as `progname: message`.
    @discardableResult
    func report(_ L: OpaquePointer, _ status: Int32) -> Int32 {
        guard status != LUA_OK else { return status }
        let message = lf_tostring(L, -1).map { String(cString: $0) } ?? "(null)"
        writeError((progname.map { "\($0): " } ?? "") + message + "\n")
        lf_pop(L, 1)
        return status
    }
}

/// The trampoline target that runs `Interpreter.main`.
private func interpreterMain(_ L: OpaquePointer?) -> Int32 {
    guard let L, let raw = lua_touserdata(L, 1) else { return 0 }
    let interpreter = Unmanaged<Interpreter>.fromOpaque(raw).takeUnretainedValue()
    lf_pop(L, 1)
    guard let state = interpreter.state else { return 0 }
    return interpreter.main(L, state: state)
}
