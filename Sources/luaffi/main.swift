// luaffi: the lua5.4 command line, with the ffi module built in.
import Glibc
import LuaFFI

let argv = (0..<Int(CommandLine.argc)).compactMap { CommandLine.unsafeArgv[$0] }
let interpreter = Interpreter(argv: argv, prepare: { try $0.preloadFFI() })
exit(interpreter.run())
