// A hand-written lexer over UTF-8 bytes: one linear pass producing all tokens.

/// Turns C source bytes into tokens; skips comments and `#` lines other than `#pragma`.
struct Lexer {
    /// The source, for error messages.
    let source: [UInt8]
    /// The same bytes, scanned without bounds checks in release builds.
    let bytes: UnsafeBufferPointer<UInt8>
    let chunkName: String
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private var atLineStart = true
    /// Decoded string literals and pragma texts, indexed by `.string` and `.pragma` tokens.
    private(set) var literals: [String] = []

    init(source: [UInt8], bytes: UnsafeBufferPointer<UInt8>, chunkName: String) {
        self.source = source
        self.bytes = bytes
        self.chunkName = chunkName
    }

    /// Lexes the whole input; the last token is `.eof`. Also returns the literals.
    static func tokens(of bytes: [UInt8], chunkName: String) throws(CDeclarationError) -> (
        [Token], [String]
    ) {
        try bytes.withUnsafeBufferPointer { buffer throws(CDeclarationError) in
            var lexer = Lexer(source: bytes, bytes: buffer, chunkName: chunkName)
            var tokens: [Token] = []
            tokens.reserveCapacity(bytes.count / 5 + 16)
            while true {
                let token = try lexer.next()
                tokens.append(token)
                if case .eof = token.kind { return (tokens, lexer.literals) }
            }
        }
    }

    private func byte(_ at: Int) -> UInt8 { at < bytes.count ? bytes[at] : 0 }

    /// The next token.
    mutating func next() throws(CDeclarationError) -> Token {
        while true {
            try skipSpaceAndComments()
            guard index < bytes.count else { return make(.eof, from: index) }
            if bytes[index] == UInt8(ascii: "#") && atLineStart {
                if let pragma = directive() { return pragma }
                continue
            }
            atLineStart = false
            return try token()
        }
    }

    private func make(_ kind: Token.Kind, from start: Int) -> Token {
        Token(kind: kind, start: start, end: index, line: line, column: start - lineStart + 1)
    }

    private mutating func newline(at position: Int) {
        line += 1
        lineStart = position + 1
        atLineStart = true
    }

    private mutating func skipSpaceAndComments() throws(CDeclarationError) {
        while index < bytes.count {
            let c = bytes[index]
            if c == 10 {
                newline(at: index)
                index += 1
            } else if c == 32 || c == 9 || c == 13 || c == 12 || c == 11 {
                index += 1
            } else if c == UInt8(ascii: "\\") && (byte(index + 1) == 10 || byte(index + 1) == 13) {
                index += 1
            } else if c == UInt8(ascii: "/") && byte(index + 1) == UInt8(ascii: "/") {
                while index < bytes.count && bytes[index] != 10 { index += 1 }
            } else if c == UInt8(ascii: "/") && byte(index + 1) == UInt8(ascii: "*") {
                try skipBlockComment()
            } else {
                return
            }
        }
    }

    private mutating func skipBlockComment() throws(CDeclarationError) {
        let start = index
        index += 2
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "*") && byte(index + 1) == UInt8(ascii: "/") {
                index += 2
                return
            }
            if bytes[index] == 10 {
                newline(at: index)
                atLineStart = false
            }
            index += 1
        }
        throw error("unfinished comment", at: start, near: "<eof>")
    }

    /// Reads a `#` line: returns a `.pragma` token, or nil for lines that are ignored.
    private mutating func directive() -> Token? {
        let start = index
        index += 1
        var textStart = index
        while index < bytes.count && bytes[index] != 10 {
            if bytes[index] == UInt8(ascii: "\\") && byte(index + 1) == 10 {
                index += 1
                newline(at: index)
                atLineStart = false
            }
            index += 1
        }
        while textStart < index && (bytes[textStart] == 32 || bytes[textStart] == 9) {
            textStart += 1
        }
        guard bytes[textStart..<index].starts(with: "pragma".utf8) else { return nil }
        atLineStart = false
        literals.append(String(decoding: bytes[(textStart + 6)..<index], as: UTF8.self))
        return make(.pragma(literals.count - 1), from: start)
    }

    private mutating func token() throws(CDeclarationError) -> Token {
        let start = index
        let c = bytes[index]
        if isIdentifierStart(c) {
            if (c == UInt8(ascii: "L") || c == UInt8(ascii: "u") || c == UInt8(ascii: "U"))
                && (byte(index + 1) == 39 || byte(index + 1) == 34)
            {
                index += 1
                return try quoted(from: start, wide: true)
            }
            return identifier(from: start)
        }
        if isDigit(c) || (c == UInt8(ascii: ".") && isDigit(byte(index + 1))) {
            return try number(from: start)
        }
        if c == 39 || c == 34 { return try quoted(from: start, wide: false) }
        return punctuator(from: start)
    }

    private mutating func identifier(from start: Int) -> Token {
        while index < bytes.count && isIdentifierPart(bytes[index]) { index += 1 }
        if let keyword = KeywordTable.shared.keyword(bytes, start..<index) {
            return make(.keyword(keyword), from: start)
        }
        return make(.identifier, from: start)
    }

    private mutating func number(from start: Int) throws(CDeclarationError) -> Token {
        while index < bytes.count {
            let c = bytes[index]
            if isIdentifierPart(c) || c == UInt8(ascii: ".") {
                index += 1
            } else if (c == UInt8(ascii: "+") || c == UInt8(ascii: "-"))
                && "eEpP".utf8.contains(bytes[index - 1])
            {
                index += 1
            } else {
                break
            }
        }
        let text = source[start..<index]
        guard let kind = NumberLiteral.parse(text) else {
            throw error("malformed number", at: start, near: String(decoding: text, as: UTF8.self))
        }
        return make(kind, from: start)
    }

    private mutating func quoted(from start: Int, wide: Bool) throws(CDeclarationError) -> Token {
        let quote = bytes[index]
        index += 1
        var value: [UInt8] = []
        while true {
            guard index < bytes.count, bytes[index] != 10 else {
                throw error(
                    "unfinished string", at: start,
                    near: String(decoding: bytes[start..<index], as: UTF8.self))
            }
            let c = bytes[index]
            index += 1
            if c == quote { break }
            if c == UInt8(ascii: "\\") {
                value.append(contentsOf: escape())
            } else {
                value.append(c)
            }
        }
        if quote == 34 {
            literals.append(String(decoding: value, as: UTF8.self))
            return make(.string(literals.count - 1), from: start)
        }
        var code: Int64 = 0
        for b in value { code = (code << 8) | Int64(b) }
        return make(.character(code, isWide: wide), from: start)
    }

    /// Decodes the escape after a backslash.
    private mutating func escape() -> [UInt8] {
        guard index < bytes.count else { return [] }
        let c = bytes[index]
        index += 1
        switch c {
        case UInt8(ascii: "n"): return [10]
        case UInt8(ascii: "t"): return [9]
        case UInt8(ascii: "r"): return [13]
        case UInt8(ascii: "a"): return [7]
        case UInt8(ascii: "b"): return [8]
        case UInt8(ascii: "f"): return [12]
        case UInt8(ascii: "v"): return [11]
        case UInt8(ascii: "x"): return [UInt8(truncatingIfNeeded: digits(radix: 16, max: 16))]
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            index -= 1
            return [UInt8(truncatingIfNeeded: digits(radix: 8, max: 3))]
        default: return [c]
        }
    }

    private mutating func digits(radix: Int, max: Int) -> Int {
        var value = 0
        var count = 0
        while count < max, index < bytes.count, let d = digitValue(bytes[index]), d < radix {
            value = (value &* radix) &+ d
            index += 1
            count += 1
        }
        return value
    }

    private mutating func punctuator(from start: Int) -> Token {
        let c = bytes[index]
        let d = byte(index + 1)
        let (punct, length) = Self.punct(c, d, byte(index + 2))
        index += length
        return make(.punct(punct), from: start)
    }

    /// The punctuator starting with bytes `c d e` and its length.
    @inline(__always) private static func punct(_ c: UInt8, _ d: UInt8, _ e: UInt8) -> (Punct, Int)
    {
        let one = single[Int(c)]
        switch one {
        case .less, .greater, .assign, .bang, .amp, .pipe, .minus, .dot:
            return double(c, d, e) ?? (one, 1)
        default:
            return (one, 1)
        }
    }

    /// The two- or three-byte punctuator starting with `c d e`, if any.
    private static func double(_ c: UInt8, _ d: UInt8, _ e: UInt8) -> (Punct, Int)? {
        switch (c, d) {
        case (UInt8(ascii: "<"), UInt8(ascii: "<")): return (.shiftLeft, 2)
        case (UInt8(ascii: ">"), UInt8(ascii: ">")): return (.shiftRight, 2)
        case (UInt8(ascii: "<"), UInt8(ascii: "=")): return (.lessEqual, 2)
        case (UInt8(ascii: ">"), UInt8(ascii: "=")): return (.greaterEqual, 2)
        case (UInt8(ascii: "="), UInt8(ascii: "=")): return (.equal, 2)
        case (UInt8(ascii: "!"), UInt8(ascii: "=")): return (.notEqual, 2)
        case (UInt8(ascii: "&"), UInt8(ascii: "&")): return (.andAnd, 2)
        case (UInt8(ascii: "|"), UInt8(ascii: "|")): return (.orOr, 2)
        case (UInt8(ascii: "-"), UInt8(ascii: ">")): return (.arrow, 2)
        case (UInt8(ascii: "."), UInt8(ascii: ".")):
            return e == UInt8(ascii: ".") ? (.ellipsis, 3) : (.other, 1)
        default: return nil
        }
    }

    private static let single: [Punct] = {
        var table = [Punct](repeating: .other, count: 256)
        let pairs: [(Character, Punct)] = [
            ("(", .lparen), (")", .rparen), ("[", .lbracket), ("]", .rbracket),
            ("{", .lbrace), ("}", .rbrace), (";", .semicolon), (",", .comma), ("*", .star),
            ("&", .amp), ("=", .assign), (":", .colon), ("?", .question), (".", .dot),
            ("$", .dollar), ("<", .less), (">", .greater), ("+", .plus), ("-", .minus),
            ("/", .slash), ("%", .percent), ("^", .caret), ("|", .pipe), ("!", .bang),
            ("~", .tilde),
        ]
        for (char, punct) in pairs { table[Int(char.asciiValue!)] = punct }
        return table
    }()

    /// An error at byte `position`; its line and column are counted afresh (the error may
    /// start on an earlier line, as an unfinished comment does).
    private func error(_ reason: String, at position: Int, near: String) -> CDeclarationError {
        var line = 1
        var lineStart = 0
        for index in 0..<min(position, source.count) where source[index] == 10 {
            line += 1
            lineStart = index + 1
        }
        return CDeclarationError(
            chunkName: chunkName, line: line, column: position - lineStart + 1, reason: reason,
            near: near, excerpt: SourceExcerpt.make(source, at: position))
    }
}

@inline(__always) func isIdentifierStart(_ c: UInt8) -> Bool {
    (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z") || c == UInt8(ascii: "_")
        || c >= 0x80
}

@inline(__always) func isIdentifierPart(_ c: UInt8) -> Bool {
    isIdentifierStart(c) || isDigit(c)
}

@inline(__always) func isDigit(_ c: UInt8) -> Bool {
    c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
}

/// The value of a hex digit, or nil.
func digitValue(_ c: UInt8) -> Int? {
    if isDigit(c) { return Int(c - UInt8(ascii: "0")) }
    let lower = c | 0x20
    if lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "f") {
        return Int(lower - UInt8(ascii: "a")) + 10
    }
    return nil
}
