// The lua5.4 command, step by step (lua.c 5.4.4's pmain and its helpers), in Swift.
//
// All of it runs inside `pmain`, a Swift function that Lua calls through the
// trampoline with lua.c's two arguments (argc, argv), so tracebacks end in
// "[C]: in ?" and stack depths match lua5.4's. Nothing here raises a Lua error:
// where lua.c lets an error escape pmain, the Swift code throws `Escape` with the
// error value on the stack, and the trampoline raises it.
import CLua
import CLuaCore
import CInterpreter
import Glibc
import Lua

/// Thrown where lua.c raises out of pmain; the error value is on top of the stack.
struct Escape: Error {}

/// One run of the interpreter over one command line.
final class Interpreter {
    let argv: [UnsafeMutablePointer<CChar>]
    /// Prefix of error messages (argv[0], or "lua" when it is empty); nil inside the
    /// REPL (as lua.c).
    var progname: UnsafePointer<CChar>?
    /// Extra setup of the state (the ffi module...), run after the standard libraries.
    let prepare: (LuaState) throws -> Void
    /// The state while `run` runs.
    private(set) var state: LuaState?

    init(argv: [UnsafeMutablePointer<CChar>], prepare: @escaping (LuaState) throws -> Void) {
        self.argv = argv
        if let name = argv.first, name[0] != 0 {
            progname = UnsafePointer(name)
        } else {
            progname = defaultProgname
        }
        self.prepare = prepare
    }

    /// Runs the command line; returns the process exit status (lua.c's `main`).
    func run() -> Int32 {
        guard let state = try? LuaState(libraries: []), let L = state.handle else {
            writeMessage(argv.first.map { UnsafePointer($0) }, "cannot create state: not enough memory")
            return EXIT_FAILURE
        }
        self.state = state
        defer { self.state = nil }
        Warnings.install(L)
        _ = lf_gc(L, LUA_GCSTOP, 0, 0)
        lf_pushswiftfunction(L, interpreterMain, 0)
        lua_pushinteger(L, lua_Integer(argv.count))
        lua_pushlightuserdata(L, Unmanaged.passUnretained(self).toOpaque())
        let status = lf_pcall(L, 2, 1, 0)
        let result = lua_toboolean(L, -1) != 0
        report(L, status)
        withExtendedLifetime(state) { state.close() }
        return result && status == LUA_OK ? EXIT_SUCCESS : EXIT_FAILURE
    }

    /// lua.c's `pmain`: returns the number of results (1: true on success, 0 on a
    /// reported failure) or LF_RAISE with an error on the stack.
    func main(_ L: OpaquePointer, state: LuaState) -> Int32 {
        do {
            guard try steps(L, state: state) else { return 0 }
            lua_pushboolean(L, 1)
            return 1
        } catch is Escape {
            return LF_RAISE
        } catch {
            lua_pushstring(L, "\(error)")
            return LF_RAISE
        }
    }

    /// The body of pmain; false after a reported failure.
    private func steps(_ L: OpaquePointer, state: LuaState) throws -> Bool {
        let argc = argv.count
        var script = argc
        let options = Options.collect(argv, script: &script)
        let optionLimit = script > 0 ? script : argc
        if options.contains(.error) {
            printUsage(progname: progname ?? defaultProgname, badOption: argv[script])
            return false
        }
        if options.contains(.version) { printVersion() }
        if options.contains(.ignoreEnvironment) {
            lua_pushboolean(L, 1)
            lua_setfield(L, lf_registryindex(), "LUA_NOENV")
        }
        try state.open(.all)
        try prepare(state)
        createArgTable(L, script: script)
        _ = lf_gc(L, LUA_GCRESTART, 0, 0)
        _ = lf_gc(L, LUA_GCGEN, 0, 0)
        if !options.contains(.ignoreEnvironment), handleLuaInit(L) != LUA_OK { return false }
        if !runOptions(L, limit: optionLimit) { return false }
        if script < argc, try handleScript(L, at: script) != LUA_OK { return false }
        if options.contains(.interactive) {
            try REPL(interpreter: self, L: L).run()
        } else if script == argc, options.isDisjoint(with: [.execute, .version]) {
            if lf_stdin_is_tty() != 0 {
                printVersion()
                try REPL(interpreter: self, L: L).run()
            } else {
                doFile(L, nil)  // lua.c ignores the outcome here
            }
        }
        return true
    }

    func printVersion() {
        lf_writeout(lf_copyright())
        lf_writeout("\n")
    }

    /// `arg`: the script at index 0, its arguments above, the interpreter and the
    /// options below (negative indexes). With no script, argv[0] is at index 0.
    func createArgTable(_ L: OpaquePointer, script: Int) {
        let script = script == argv.count ? 0 : script
        let positive = argv.count - (script + 1)
        lua_createtable(L, Int32(max(positive, 0)), Int32(script + 1))
        for (i, arg) in argv.enumerated() {
            lua_pushstring(L, arg)
            lua_rawseti(L, -2, lua_Integer(i - script))
        }
        lua_setglobal(L, "arg")  // _G has no metatable yet: cannot raise
    }

    /// Runs `-e` and `-l` options and `-W`, in order, up to `limit` (lua.c's `runargs`).
    func runOptions(_ L: OpaquePointer, limit: Int) -> Bool {
        var i = 1
        while i < limit {
            let arg = argv[i]
            let option = UInt8(bitPattern: arg[1])
            if option == UInt8(ascii: "e") || option == UInt8(ascii: "l") {
                var extra = arg + 2
                if extra[0] == 0 { i += 1; extra = argv[i] }
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

    /// `-l mod` or `-l g=mod`: `g = require("mod")` (lua.c's `dolibrary`).
    func doLibrary(_ L: OpaquePointer, _ spec: UnsafePointer<CChar>) -> Int32 {
        guard let global = strdup(spec) else { return LUA_ERRMEM }
        defer { free(global) }
        var module = UnsafePointer(global)
        if let equals = strchr(global, Int32(UInt8(ascii: "="))) {
            equals.pointee = 0
            module = UnsafePointer(equals + 1)
        }
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
        if value[0] == CChar(UInt8(ascii: "@")) { return doFile(L, value + 1) }
        return doString(L, value, name: name)
    }

    /// Loads the script (`-` is standard input unless after `--`) and calls it with
    /// the positive entries of `arg` as arguments (lua.c's `handle_script`).
    func handleScript(_ L: OpaquePointer, at index: Int) throws -> Int32 {
        var path: UnsafePointer<CChar>? = UnsafePointer(argv[index])
        if strcmp(argv[index], "-") == 0, strcmp(argv[index - 1], "--") != 0 { path = nil }
        var status = lf_ploadfile(L, path, nil)
        if status == LUA_OK {
            let count = try pushScriptArguments(L)
            status = doCall(L, arguments: count, results: LUA_MULTRET)
        }
        return report(L, status)
    }

    /// Pushes arg[1] ... arg[#arg], `#` honouring `__len` (lua.c's `pushargs`).
    func pushScriptArguments(_ L: OpaquePointer) throws -> Int32 {
        guard lf_pgetglobal(L, "arg") == LUA_OK else { throw Escape() }
        guard lua_type(L, -1) == LUA_TTABLE else { throw fail(L, "'arg' is not a table") }
        let n = Int32(truncatingIfNeeded: try length(L))
        guard lua_checkstack(L, n + 3) != 0 else {
            throw fail(L, "stack overflow (too many arguments to script)")
        }
        var i: Int32 = 1
        while i <= n {
            lua_rawgeti(L, -i, lua_Integer(i))
            i += 1
        }
        lf_remove(L, -i)
        return max(n, 0)  // lua.c goes on with a negative count: undefined behaviour
    }

    /// luaL_len of the value on top, run protected.
    private func length(_ L: OpaquePointer) throws -> lua_Integer {
        let code = "return #..."
        guard lf_loadbuffer(L, code, code.utf8.count, "=?", nil) == LUA_OK else { throw Escape() }
        lua_pushvalue(L, -2)
        guard lf_pcall(L, 1, 1, 0) == LUA_OK else { throw Escape() }
        var isInteger: Int32 = 0
        let n = lf_tointeger(L, -1, &isInteger)
        lf_pop(L, 1)
        guard isInteger != 0 else { throw fail(L, "object length is not an integer") }
        return n
    }

    /// Pushes `message` and returns the error to throw (lua.c's `luaL_error` in pmain).
    func fail(_ L: OpaquePointer, _ message: String) -> Escape {
        lua_pushstring(L, message)
        return Escape()
    }

    @discardableResult
    func doFile(_ L: OpaquePointer, _ path: UnsafePointer<CChar>?) -> Int32 {
        doChunk(L, lf_ploadfile(L, path, nil))
    }

    func doString(_ L: OpaquePointer, _ code: UnsafePointer<CChar>, name: String) -> Int32 {
        doChunk(L, lf_loadbuffer(L, code, strlen(code), name, nil))
    }

    func doChunk(_ L: OpaquePointer, _ status: Int32) -> Int32 {
        report(L, status == LUA_OK ? doCall(L, arguments: 0, results: 0) : status)
    }

    /// Calls with lua.c's traceback handler, stoppable with Ctrl-C (lua.c's `docall`).
    func doCall(_ L: OpaquePointer, arguments: Int32, results: Int32) -> Int32 {
        lf_catchinterrupt(L)
        let status = lf_pcalltraceback(L, arguments, results)
        lf_releaseinterrupt()
        return status
    }

    /// Prints the error on top (if `status` is one) as `progname: message` and pops it.
    @discardableResult
    func report(_ L: OpaquePointer, _ status: Int32) -> Int32 {
        guard status != LUA_OK else { return status }
        writeMessage(progname, lf_tostring(L, -1))
        lf_pop(L, 1)
        return status
    }
}

/// lua.c's LUA_PROGNAME, the program name when argv[0] is missing or empty.
nonisolated(unsafe) private let defaultProgname: UnsafePointer<CChar> = UnsafePointer(strdup("lua")!)

/// The trampoline target that runs `Interpreter.main` with (argc, interpreter) on
/// the stack; they stay there, as lua.c's pmain leaves argc and argv.
private func interpreterMain(_ L: OpaquePointer?) -> Int32 {
    guard let L, let raw = lua_touserdata(L, 2) else { return 0 }
    let interpreter = Unmanaged<Interpreter>.fromOpaque(raw).takeUnretainedValue()
    guard let state = interpreter.state else { return 0 }
    return interpreter.main(L, state: state)
}
