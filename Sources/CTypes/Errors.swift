// Parse and declaration errors in Lua's error dialect, with chunk, line, column, near-text
// and the offending source line with a caret under the offending token.

/// An error found while parsing or declaring C: `chunk:line:column: reason near 'text'`,
/// followed by the source line and a `^` marker.
///
/// `message` is the whole string, ready to be raised as a Lua error:
///
///     cdef:2:18: ';' expected near 'int'
///       struct s { int a int b; };
///                        ^
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
    /// The offending source line and a line with `^` under the offending token, each
    /// indented by two spaces (tabs kept, so the caret lines up); nil when unknown.
    public let excerpt: String?

    /// Creates an error; `near` is appended as `near 'text'` when present.
    public init(
        chunkName: String, line: Int, column: Int, reason: String, near: String?,
        excerpt: String? = nil
    ) {
        self.chunkName = chunkName
        self.line = line
        self.column = column
        self.reason = reason
        self.near = near
        self.excerpt = excerpt
    }

    /// The first line of the message: `cdef:3:12: ';' expected near 'int'`.
    public var headline: String {
        var text = "\(chunkName):\(line):\(column): \(reason)"
        if let near { text += " near '\(near)'" }
        return text
    }

    /// The complete message: the headline, then the excerpt (when known) on two lines.
    public var message: String {
        guard let excerpt else { return headline }
        return headline + "\n" + excerpt
    }

    public var description: String { message }
}

/// Builds the two-line excerpt of an error: the source line and the caret line.
enum SourceExcerpt {
    /// Bytes of the line shown before and after the offending byte when the line is long.
    static let before = 60
    static let after = 40

    /// The excerpt for the byte at `offset` of `bytes` (the end of input is allowed).
    static func make(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> String {
        let offset = max(0, min(offset, bytes.count))
        var lineStart = offset
        while lineStart > 0 && bytes[lineStart - 1] != 10 { lineStart -= 1 }
        var lineEnd = offset
        while lineEnd < bytes.count && bytes[lineEnd] != 10 && bytes[lineEnd] != 13 { lineEnd += 1 }
        var from = max(lineStart, offset - before)
        var to = min(lineEnd, offset + after)
        while from > lineStart && isContinuation(bytes[from]) { from -= 1 }
        while to < lineEnd && isContinuation(bytes[to]) { to += 1 }
        var shown: [UInt8] = [32, 32]
        var marker: [UInt8] = [32, 32]
        if from > lineStart {
            shown += Array("...".utf8)
            marker += [32, 32, 32]
        }
        for index in from..<to {
            let byte = bytes[index]
            shown.append(byte < 32 && byte != 9 || byte == 127 ? 32 : byte)
            if index < offset && !isContinuation(byte) { marker.append(byte == 9 ? 9 : 32) }
        }
        if to < lineEnd { shown += Array("...".utf8) }
        marker.append(UInt8(ascii: "^"))
        return String(decoding: shown, as: UTF8.self) + "\n"
            + String(decoding: marker, as: UTF8.self)
    }

    private static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}
