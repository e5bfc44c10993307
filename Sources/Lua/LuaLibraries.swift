// The standard libraries a state can open.
import CLua

/// A set of Lua's standard libraries. Corresponds to the `luaopen_*` functions that
/// `luaL_openlibs` calls.
public struct LuaLibraries: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The basic library (`_G`, `print`, `pcall`, ...).
    public static let base = LuaLibraries(rawValue: 1 << 0)
    /// `package` and `require`.
    public static let package = LuaLibraries(rawValue: 1 << 1)
    /// `coroutine`.
    public static let coroutine = LuaLibraries(rawValue: 1 << 2)
    /// `table`.
    public static let table = LuaLibraries(rawValue: 1 << 3)
    /// `io`: files and processes.
    public static let io = LuaLibraries(rawValue: 1 << 4)
    /// `os`: clock, date, environment, and also `os.execute` and `os.remove`.
    public static let os = LuaLibraries(rawValue: 1 << 5)
    /// `string`.
    public static let string = LuaLibraries(rawValue: 1 << 6)
    /// `math`.
    public static let math = LuaLibraries(rawValue: 1 << 7)
    /// `utf8`.
    public static let utf8 = LuaLibraries(rawValue: 1 << 8)
    /// `debug`.
    public static let debug = LuaLibraries(rawValue: 1 << 9)

    /// Every standard library, as `luaL_openlibs` opens them.
    public static let all: LuaLibraries = [
        .base, .package, .coroutine, .table, .io, .os, .string, .math, .utf8, .debug,
    ]
    /// The libraries without access to files, processes or the debug API.
    public static let safe: LuaLibraries = [.base, .coroutine, .table, .string, .math, .utf8]

    /// Each library with its global name and its `luaopen_` function, in
    /// `luaL_openlibs` order.
    static let openers: [(LuaLibraries, String, lua_CFunction)] = [
        (.base, "_G", luaopen_base), (.package, "package", luaopen_package),
        (.coroutine, "coroutine", luaopen_coroutine), (.table, "table", luaopen_table),
        (.io, "io", luaopen_io), (.os, "os", luaopen_os), (.string, "string", luaopen_string),
        (.math, "math", luaopen_math), (.utf8, "utf8", luaopen_utf8),
        (.debug, "debug", luaopen_debug),
    ]
}
