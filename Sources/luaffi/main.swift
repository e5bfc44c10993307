// luaffi: the lua5.4 command line, with the ffi module built in.
import Glibc
import LuaFFI

let argv = (0..<Int(CommandLine.argc)).compactMap { CommandLine.unsafeArgv[$0] }
/// LuaJIT compatibility (`bit`, cdata-aware `tonumber`) unless LUAFFI_NO_COMPAT is set
/// to something other than "" or "0" (docs/luajit-compat.md).
let compatibility = getenv("LUAFFI_NO_COMPAT").map { String(cString: $0) }.map { $0.isEmpty || $0 == "0" } ?? true
let interpreter = Interpreter(argv: argv, prepare: { state in
    try state.preloadFFI()
    if compatibility { try state.installLuaJITCompatibility() }
})
exit(interpreter.run())
