// A hand-written lexer over UTF-8 bytes: one linear pass, tokens made on demand.

/// Turns C source bytes into tokens on demand; skips comments and `#` lines other than
/// `#pragma`. The parser pulls tokens in small batches, so no token array proportional to
/// the input is ever built.
struct Lexer {
    /// The source bytes, scanned without bounds checks in release builds. Owned by the
    /// caller (`cdef` keeps them alive for the whole parse).
    let bytes: UnsafeBufferPointer<UInt8>
    let chunkName: String
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private var atLineStart = true
    /// Decoded string literals and pragma texts, indexed by `.string` and `.pragma` tokens.
    private(set) var literals: [String] = []
    /// The names of identifiers spliced by backslash-newline (`ch\<newline>ar`), by the
    /// token's start: their source text is not their name (`Parser.name(of:)`).
    private(set) var splicedNames: [Int: String] = [:]

    init(bytes: UnsafeBufferPointer<UInt8>, chunkName: String) {
        self.bytes = bytes
        self.chunkName = chunkName
    }

    /// Appends up to `count` tokens; true when the last one appended is `.eof`.
    ///
    /// Spaces, identifiers, keywords and one-byte punctuators are handled inline (most of
    /// any declaration); everything else goes through `next()`.
    mutating func lex(into tokens: inout TokenBuffer, count: Int) throws(CDeclarationError)
        -> Bool
    {
        tokens.reserve(count)
        var produced = 0
        let end = bytes.count
        let keywords = KeywordTable.shared
        while produced < count {
            if let base = bytes.baseAddress {
                var i = index
                while i < end {
                    let c = base[i]
                    if c == 32 || c == 9 || c == 13 {
                        i &+= 1
                    } else if c == 10 {
                        line &+= 1
                        lineStart = i &+ 1
                        atLineStart = true
                        i &+= 1
                    } else {
                        break
                    }
                }
                index = i
                if i < end {
                    let c = base[i]
                    var kind: Token.Kind?
                    var next = i &+ 1
                    if isIdentifierStart(c) {
                        let quoted =
                            (c == UInt8(ascii: "L") || c == UInt8(ascii: "u")
                                || c == UInt8(ascii: "U"))
                            && next < end && (base[next] == 39 || base[next] == 34)
                        if !quoted {
                            var hash = (2_166_136_261 ^ UInt32(c)) &* 16_777_619
                            var bits = c
                            while next < end {
                                let b = base[next]
                                guard keywords.identifierPart[Int(b)] != 0 else { break }
                                hash = (hash ^ UInt32(b)) &* 16_777_619
                                bits |= b
                                next &+= 1
                            }
                            if next < end && base[next] == UInt8(ascii: "\\") {
                                // Maybe a line splice inside the name: the slow path.
                            } else if let keyword = keywords.keyword(hash: hash, base, i, next &- i) {
                                kind = .keyword(keyword)
                            } else {
                                // Only ASCII names keep their bytes as a String: others get
                                // hashed again from the String (0: unknown).
                                kind = .identifier(hash: bits < 0x80 ? hash : 0)
                            }
                        }
                    } else {
                        switch c {
                        case UInt8(ascii: "("): kind = .punct(.lparen)
                        case UInt8(ascii: ")"): kind = .punct(.rparen)
                        case UInt8(ascii: "["): kind = .punct(.lbracket)
                        case UInt8(ascii: "]"): kind = .punct(.rbracket)
                        case UInt8(ascii: "{"): kind = .punct(.lbrace)
                        case UInt8(ascii: "}"): kind = .punct(.rbrace)
                        case UInt8(ascii: ";"): kind = .punct(.semicolon)
                        case UInt8(ascii: ","): kind = .punct(.comma)
                        case UInt8(ascii: "*"): kind = .punct(.star)
                        default: break
                        }
                    }
                    if let kind {
                        index = next
                        atLineStart = false
                        tokens.append(
                            Token(
                                kind: kind, start: i, end: next, line: line,
                                column: i &- lineStart &+ 1))
                        produced &+= 1
                        continue
                    }
                }
            }
            let token = try self.next()
            tokens.append(token)
            produced &+= 1
            if case .eof = token.kind { return true }
        }
        return false
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
        if spliceLength(at: index) > 0 { return splicedIdentifier(from: start) }
        if let base = bytes.baseAddress, let keyword = KeywordTable.shared.keyword(base, start, index - start) {
            return make(.keyword(keyword), from: start)
        }
        return make(.identifier(hash: 0), from: start)  // rare: hashed from its String
    }

    /// The length of a backslash-newline at `at` that continues an identifier (C's line
    /// splicing, as LuaJIT's lexer does it), or 0.
    private func spliceLength(at: Int) -> Int {
        guard byte(at) == UInt8(ascii: "\\") else { return 0 }
        let length = byte(at + 1) == 13 && byte(at + 2) == 10 ? 3 : (byte(at + 1) == 10 ? 2 : 0)
        return length > 0 && isIdentifierPart(byte(at + length)) ? length : 0
    }

    /// An identifier with line splices in it: its name is its bytes without them.
    private mutating func splicedIdentifier(from start: Int) -> Token {
        let tokenLine = line, column = start - lineStart + 1
        var name = Array(bytes[start..<index])
        while case let length = spliceLength(at: index), length > 0 {
            index += length
            newline(at: index - 1)
            atLineStart = false
            let part = index
            while index < bytes.count && isIdentifierPart(bytes[index]) { index += 1 }
            name += bytes[part..<index]
        }
        let keyword = name.withUnsafeBufferPointer { KeywordTable.shared.keyword($0, 0..<$0.count) }
        if keyword == nil { splicedNames[start] = String(decoding: name, as: UTF8.self) }
        return Token(
            kind: keyword.map { .keyword($0) } ?? .identifier(hash: 0), start: start, end: index,
            line: tokenLine, column: column)
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
        let text = bytes[start..<index]
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
        for index in 0..<min(position, bytes.count) where bytes[index] == 10 {
            line += 1
            lineStart = index + 1
        }
        return CDeclarationError(
            chunkName: chunkName, line: line, column: position - lineStart + 1, reason: reason,
            near: near, excerpt: SourceExcerpt.make(bytes, at: position))
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
