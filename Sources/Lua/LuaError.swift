// Errors that cross from Lua into Swift.
import CLua

/// A Lua error seen from Swift: what failed, the message, and where.
///
/// Thrown by every `LuaState` operation that runs Lua code. The message is Lua's own
/// (`chunk:line: text`); the traceback is the stack at the point of the error, when
/// the error happened while running code (not for syntax errors).
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

    /// Creates an error; used by the state and by Swift functions that want to raise
    /// a Lua error with an exact message (no position is added to it).
    public init(_ kind: Kind = .runtime, message: String, traceback: String? = nil) {
        self.kind = kind
        self.message = message
        self.traceback = traceback
    }

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
