// Errors that cross from Lua into Swift.
import CLua

/// A Lua error seen from Swift: what failed, the message, the error value, and where.
///
/// Thrown by every `LuaState` operation that runs Lua code. The message is Lua's own
/// (`chunk:line: text`); the traceback is the stack at the point of the error, when
/// the error happened while running code (not for syntax errors). `value` is the
/// error value itself: `error({code = 42})` arrives as a `.table` whose fields can
/// be read (`try error.value.table?.get("code", as: Int.self)`).
///
/// The error is `Sendable`, but a reference in `value` belongs to its state: read
/// it on the state's thread, as any reference.
public struct LuaError: Error, CustomStringConvertible, Sendable {
    /// The class of failure, following Lua's status codes.
    public enum Kind: Sendable, Equatable {
        /// A runtime error (`LUA_ERRRUN`).
        case runtime
        /// A syntax error while loading a chunk (`LUA_ERRSYNTAX`).
        case syntax
        /// Out of memory, or past the state's memory limit (`LUA_ERRMEM`).
        case memory
        /// An error inside the message handler (`LUA_ERRERR`).
        case messageHandler
        /// A file could not be opened or read (`LUA_ERRFILE`).
        case file
        /// The state could not be created or was already closed.
        case state
        /// The state's instruction or time budget ran out (see `LuaSandbox`).
        case limit
    }

    /// The class of failure.
    public var kind: Kind
    /// The error message, as Lua would print it (the error value converted with
    /// `tostring`, or `(error object is a X value)`).
    public var message: String
    /// `stack traceback:` and its lines, when the error happened while running.
    public var traceback: String?
    /// The error value when it is not the message itself (a table, say).
    private var storedValue: ErrorValue?

    /// Creates an error; used by the state and by Swift functions that want to raise
    /// a Lua error with an exact message (no position is added to it).
    public init(_ kind: Kind = .runtime, message: String, traceback: String? = nil) {
        self.kind = kind
        self.message = message
        self.traceback = traceback
    }

    /// Creates an error whose Lua error value is `value`: thrown from a Swift
    /// function, Lua code sees that value (as `error(value)` raises it, with no
    /// position added). The message is `value` as `tostring` shows plain values.
    public init(_ kind: Kind = .runtime, value: LuaValue, message: String? = nil, traceback: String? = nil) {
        self.init(kind, message: message ?? value.description, traceback: traceback)
        if value.stringBytes != Array(self.message.utf8) { storedValue = ErrorValue(value) }
    }

    /// The Lua error value: what `error(...)` raised (a string message, a table, a
    /// number...). For errors made from a message only, the message as a string.
    public var value: LuaValue { storedValue?.value ?? .string(message) }

    /// The chunk name of the message's position (`script.lua` in
    /// `script.lua:3: boom`), when the message starts with one.
    public var chunk: String? { position?.chunk }

    /// The line of the message's position (3 in `script.lua:3: boom`).
    public var line: Int? { position?.line }

    /// The `chunk:line:` prefix that `luaL_error` and `error` add, parsed.
    private var position: (chunk: String, line: Int)? {
        // The chunk name may contain colons (`[string "a:b"]`): take the first
        // ":<digits>: " in the message.
        var rest = message[...]
        while let colon = rest.firstIndex(of: ":") {
            let after = rest[rest.index(after: colon)...]
            let digits = after.prefix { $0.isASCII && $0.isNumber }
            if !digits.isEmpty, after.dropFirst(digits.count).hasPrefix(": "), let line = Int(digits) {
                let chunk = String(message[..<colon])
                return chunk.isEmpty ? nil : (chunk, line)
            }
            rest = after
        }
        return nil
    }

    /// The message followed by the traceback, as `lua5.4` prints an error.
    public var description: String {
        guard let traceback else { return message }
        return message + "\n" + traceback
    }

    /// Whether `value` is a value of its own, not the message.
    var hasValue: Bool { storedValue != nil }

    /// The kind for a status code of the C API.
    static func kind(ofStatus status: Int32) -> Kind {
        switch status {
        case LUA_ERRSYNTAX: .syntax
        case LUA_ERRMEM: .memory
        case LUA_ERRERR: .messageHandler
        case LUA_ERRERR + 1: .file  // LUA_ERRFILE, a macro Swift cannot import
        default: .runtime
        }
    }
}

/// Holds an error value for `LuaError`. Unchecked: a reference inside is used on its
/// state's thread only (see `LuaError`); plain values are immutable.
private final class ErrorValue: @unchecked Sendable {
    let value: LuaValue
    init(_ value: LuaValue) { self.value = value }
}

extension LuaValue {
    /// The table of a `.table` value, else nil.
    public var table: LuaTable? {
        if case .table(let t) = self { return t }
        return nil
    }

    /// The function of a `.function` value, else nil.
    public var function: LuaFunction? {
        if case .function(let f) = self { return f }
        return nil
    }
}
