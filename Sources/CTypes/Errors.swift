// Parse and declaration errors in Lua's error dialect, with chunk, line, column and near-text.

/// An error found while parsing or declaring C: `chunk:line:column: reason near 'text'`.
///
/// `message` is the whole string, ready to be raised as a Lua error.
public struct CDeclarationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The chunk name given to `cdef` or `parseType` (e.g. `cdef`).
    public let chunkName: String
    /// The 1-based line of the offending token.
    public let line: Int
    /// The 1-based column (in bytes) of the offending token.
    public let column: Int
    /// The reason without position, e.g. `';' expected`.
    public let reason: String
    /// The offending token's text (`<eof>` at the end), or nil when the reason names it.
    public let near: String?

    /// Creates an error; `near` is appended as `near 'text'` when present.
    public init(chunkName: String, line: Int, column: Int, reason: String, near: String?) {
        self.chunkName = chunkName
        self.line = line
        self.column = column
        self.reason = reason
        self.near = near
    }

    /// The complete message: `cdef:3:12: ';' expected near 'int'`.
    public var message: String {
        var text = "\(chunkName):\(line):\(column): \(reason)"
        if let near { text += " near '\(near)'" }
        return text
    }

    public var description: String { message }
}
