// luaffi: the lua5.4 command line, with the ffi module built in.
import Glibc

let argv = (0..<Int(CommandLine.argc)).compactMap { CommandLine.unsafeArgv[$0] }
let interpreter = Interpreter(argv: argv, prepare: { _ in })
exit(interpreter.run())
