// The command line of lua5.4: which options were given and where the script is.
import CLuaCore
import Glibc

/// The options found before the script (lua.c's `collectargs`).
struct Options: OptionSet {
    let rawValue: Int
    static let error = Options(rawValue: 1 << 0)
    static let interactive = Options(rawValue: 1 << 1)
    static let version = Options(rawValue: 1 << 2)
    static let execute = Options(rawValue: 1 << 3)
    static let ignoreEnvironment = Options(rawValue: 1 << 4)

    /// Scans `argv` as lua.c 5.4.4 does. `script` becomes the index of the script
    /// name, `argv.count` when there is none, or the index of the bad option on
    /// `.error`.
    static func collect(_ argv: [UnsafeMutablePointer<CChar>], script: inout Int) -> Options {
        var options: Options = []
        var i = 1
        while i < argv.count {
            script = i
            let arg = argv[i]
            guard arg[0] == dash else { return options }
            switch UInt8(bitPattern: arg[1]) {
            case UInt8(ascii: "-"):
                if arg[2] != 0 { return .error }
                script = i + 1
                return options
            case 0:
                return options
            case UInt8(ascii: "E"):
                if arg[2] != 0 { return .error }
                options.insert(.ignoreEnvironment)
            case UInt8(ascii: "W"):
                if arg[2] != 0 { return .error }
            case UInt8(ascii: "i"), UInt8(ascii: "v"):
                if arg[1] == CChar(UInt8(ascii: "i")) { options.insert(.interactive) }
                if arg[2] != 0 { return .error }
                options.insert(.version)  // -i implies -v
            case UInt8(ascii: "e"), UInt8(ascii: "l"):
                if arg[1] == CChar(UInt8(ascii: "e")) { options.insert(.execute) }
                if arg[2] == 0 {
                    i += 1
                    if i >= argv.count || argv[i][0] == dash { return .error }
                }
            default:
                return .error
            }
            i += 1
        }
        script = argv.count
        return options
    }
}

private let dash = CChar(UInt8(ascii: "-"))

/// lua.c's `l_message`: `pname: msg` and a newline on standard error, each piece
/// flushed; no prefix when `pname` is nil, "(null)" for a missing message (as glibc's
/// printf). Bytes are written as they are: messages need not be UTF-8.
func writeMessage(_ pname: UnsafePointer<CChar>?, _ msg: UnsafePointer<CChar>?) {
    if let pname {
        lf_writeerr(pname)
        lf_writeerr(": ")
    }
    if let msg { lf_writeerr(msg) } else { lf_writeerr("(null)") }
    lf_writeerr("\n")
}

/// Prints the usage message after a bad option (lua.c's `print_usage`).
func printUsage(progname: UnsafePointer<CChar>, badOption: UnsafePointer<CChar>) {
    lf_writeerr(progname)
    let needsArgument = badOption[1] == CChar(UInt8(ascii: "e"))
        || badOption[1] == CChar(UInt8(ascii: "l"))
    lf_writeerr(needsArgument ? ": '" : ": unrecognized option '")
    lf_writeerr(badOption)
    lf_writeerr(needsArgument ? "' needs argument\n" : "'\n")
    lf_writeerr("usage: ")
    lf_writeerr(progname)
    lf_writeerr("""
         [options] [script [args]]
        Available options are:
          -e stat   execute string 'stat'
          -i        enter interactive mode after executing 'script'
          -l mod    require library 'mod' into global 'mod'
          -l g=mod  require library 'mod' into global 'g'
          -v        show version information
          -E        ignore environment variables
          -W        turn warnings on
          --        stop handling options
          -         stop handling options and execute stdin

        """)
}
