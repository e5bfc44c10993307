// luaffi against lua5.4: the same command lines, input and environment must give the
// same output, errors and exit status (argv[0] aside).
import Foundation
import Testing

/// One command line to run through both interpreters.
struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let arguments: [String]
    var stdin: [UInt8] = []
    var environment: [String: String] = [:]

    init(_ name: String, _ arguments: [String], stdin: String = "",
         environment: [String: String] = [:]) {
        self.init(name, arguments, bytes: Array(stdin.utf8), environment: environment)
    }

    init(_ name: String, _ arguments: [String], bytes: [UInt8], environment: [String: String] = [:]) {
        self.name = name
        self.arguments = arguments
        self.stdin = bytes
        self.environment = environment
    }

    var testDescription: String { name }
}

/// Scripts from Fixtures/, one feature each.
let scriptCases: [Case] = [
    Case("print", ["hello.lua"]),
    Case("arg table and ...", ["args.lua", "one", "two words", ""]),
    Case("runtime error with traceback", ["runtime_error.lua"]),
    Case("error with a table value", ["error_table.lua"]),
    Case("error with __tostring", ["error_tostring.lua"]),
    Case("error(nil)", ["error_nil.lua"]),
    Case("error message with a NUL", ["error_string_nul.lua"]),
    Case("error message not UTF-8", ["error_bytes.lua"]),
    Case("syntax error", ["syntax_error.lua"]),
    Case("os.exit(3)", ["exit_code.lua"]),
    Case("os.exit(true)", ["exit_true.lua"]),
    Case("os.exit(false)", ["exit_false.lua"]),
    Case("io.write without newline", ["write_no_newline.lua"]),
    Case("reading stdin", ["read_stdin.lua"], stdin: "line one\n 42 tail\nmore\n"),
    Case("warn without -W", ["warnings.lua"]),
    Case("warn with -W", ["-W", "warnings.lua"]),
    Case("-W and control warnings from -e", ["-W", "-e", "warn('@off')", "-e", "warn('a', 'b')", "warnings.lua"]),
    Case("chunk returning values", ["returns.lua"]),
    Case("stack overflow", ["stack_overflow.lua"]),
    Case("strings with NUL", ["nul_string.lua"]),
    Case("finalizers at close", ["close_state.lua"]),
    Case("missing script", ["nosuch.lua"]),
]

/// The options of lua5.4's command line.
let optionCases: [Case] = [
    Case("-v", ["-v"]),
    Case("-v with a script", ["-v", "hello.lua"]),
    Case("-e", ["-e", "print(1 + 1, ...)"]),
    Case("-e joined", ["-eprint('joined')"]),
    Case("-e error", ["-e", "error('in -e')"]),
    Case("-e syntax error", ["-e", "x ="]),
    Case("-e missing argument", ["-e"]),
    Case("-e followed by an option", ["-e", "-v"]),
    Case("-x bad option", ["-x"]),
    Case("-v with extra characters", ["-vx"]),
    Case("--x", ["--x"]),
    Case("-l mod", ["-l", "mod", "-e", "print(mod.name)"], environment: ["LUA_PATH": "./?.lua"]),
    Case("-lmod", ["-lmod", "-e", "print(mod.name)"], environment: ["LUA_PATH": "./?.lua"]),
    Case("-l g=mod", ["-l", "g=mod", "-e", "print(g.name, mod)"], environment: ["LUA_PATH": "./?.lua"]),
    Case("-l nosuchmod", ["-l", "nosuchmod"]),
    Case("-l missing argument", ["-l"]),
    Case("-E ignores LUA_INIT and LUA_PATH", ["-E", "-e", "print(package.path)"],
         environment: ["LUA_INIT": "print('init ran')", "LUA_PATH": "./?.lua"]),
    Case("LUA_INIT chunk", ["-e", "print(arg[0])"], environment: ["LUA_INIT": "print('init ran')"]),
    Case("LUA_INIT_5_4 before LUA_INIT", ["-e", ""],
         environment: ["LUA_INIT": "print('init')", "LUA_INIT_5_4": "print('init 5.4')"]),
    Case("LUA_INIT @file", ["-e", ""], environment: ["LUA_INIT": "@init.lua"]),
    Case("LUA_INIT @missing file", ["-e", "print('not reached')"], environment: ["LUA_INIT": "@nosuch.lua"]),
    Case("LUA_INIT error", ["hello.lua"], environment: ["LUA_INIT": "error('init failed')"]),
    Case("LUA_INIT_5_4 syntax error", ["hello.lua"], environment: ["LUA_INIT_5_4": "x ="]),
    Case("-- then script", ["--", "args.lua", "-v"]),
    Case("-- alone runs stdin", ["--"], stdin: "print('stdin', ...)"),
    Case("- runs stdin", ["-"], stdin: "print('stdin', ...)"),
    Case("- with arguments", ["-", "a", "b"], stdin: "print('stdin', ...) print(arg[0], arg[-1])"),
    Case("-- - is a file named -", ["--", "-", "a"]),
    Case("script arguments", ["args.lua", "-e", "x", "--"]),
    Case("-e then script", ["-e", "x = 5", "args.lua", "p"]),
    Case("arg table with no script", ["-e", "for i = -3, 3 do io.write(tostring(arg[i]), ' ') end print()"]),
    Case("arg not a table", ["-e", "arg = nil", "arg_len.lua"]),
    Case("arg with __len", ["-e", "arg = setmetatable({}, {__len = function() return 2 end})", "arg_len.lua"]),
    Case("arg with a float __len", ["-e", "arg = setmetatable({}, {__len = function() return 1.5 end})", "arg_len.lua"]),
    Case("no arguments: stdin is the script", [], stdin: "print('from stdin')"),
    Case("no arguments: error in stdin", [], stdin: "print('before') error('x')"),
]

/// The REPL with standard input not a terminal (both read it through readline).
let interactiveCases: [Case] = [
    Case("-i expressions and statements", ["-i"], stdin: """
        1+1
        =1+1
        "a", nil
        for i=1,2 do
        print(i)
        end
        error("boom")
        error({})
        x = = 1
        local a <const> = 1; a = 2
        return
        =
        """),
    Case("-i prompts", ["-i"], stdin: "_PROMPT = 'P> '\n1\n_PROMPT2 = 42\nif x then\nend\n_PROMPT = true\n2\n"),
    Case("-i input ends inside a statement", ["-i"], stdin: "for i = 1, 2 do\n"),
    Case("-i input ends inside a statement, _PROMPT2", ["-i"], stdin: "_PROMPT2 = 'more'\nif x then\n"),
    Case("-i failing _PROMPT", ["-i"],
         stdin: "_PROMPT = setmetatable({}, {__tostring = function() error('bad prompt') end})\n1\n"),
    Case("-i failing print", ["-i"], stdin: "print = function() error('no print') end\n1\n"),
    Case("-i missing print", ["-i"], stdin: "print = nil\n1\n"),
    Case("-i after a script", ["-i", "args.lua", "x"], stdin: "=#arg\n"),
    Case("-i with -e", ["-e", "y = 7", "-i"], stdin: "=y\nos.exit(4)\n"),
    Case("-i input not UTF-8", ["-i"], bytes: Array("x = '".utf8) + [0xFF, 0xFE] + Array("'\n=x\nerror(x)\n".utf8)),
]

@Suite("luaffi against lua5.4")
struct DifferentialTests {
    @Test("scripts", arguments: scriptCases)
    func script(_ c: Case) throws { try compare(c) }

    @Test("options and environment", arguments: optionCases)
    func option(_ c: Case) throws { try compare(c) }

    @Test("interactive mode, input not a terminal", arguments: interactiveCases)
    func interactive(_ c: Case) throws { try compare(c) }

    /// A C module (Debian's lua-filesystem) resolves against luaffi's Lua API.
    @Test("require of a C module")
    func cModule() throws {
        let (lua, luaffi) = try runBoth(["lfs_load.lua"])
        #expect(luaffi == lua)
        #expect(String(decoding: luaffi.stdout, as: UTF8.self) == "table\tstring\tdirectory\n")
    }

    func compare(_ c: Case) throws {
        let (lua, luaffi) = try runBoth(c.arguments, stdin: c.stdin, environment: c.environment)
        #expect(luaffi == lua, "\(c.name): luaffi\n\(luaffi)\n=== lua5.4\n\(lua)")
    }
}
