// The tokens of an API-mode cdef: just enough C lexing to find cffi's `...` forms,
// declaration boundaries and record bodies (the parser reads the rewritten text).

/// One token of an API-mode cdef.
struct APIToken {
    enum Kind: Equatable {
        case identifier, number, string, ellipsis
        /// A punctuation byte (`{`, `;`, `[`...); multi-byte operators come as several.
        case punct(UInt8)
        /// A `#pragma` line, kept for the parser.
        case pragma
        /// `#define NAME ...`: a macro whose value the compiler gives.
        case macro(String)
    }
    var kind: Kind
    var text: String
    /// 1-based line of the token's start.
    var line: Int

    func isPunct(_ byte: Character) -> Bool { kind == .punct(byte.asciiValue ?? 0) }
    func isWord(_ word: String) -> Bool { kind == .identifier && text == word }
}

/// Splits `source` into tokens; comments and preprocessor lines other than `#pragma`
/// and `#define NAME ...` are dropped.
func apiTokens(_ source: String) -> [APIToken] {
    let bytes = Array(source.utf8)
    var tokens: [APIToken] = []
    var i = 0, line = 1
    var lineStart = true
    func text(_ from: Int, _ to: Int) -> String { String(decoding: bytes[from..<to], as: UTF8.self) }
    func isWordByte(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) || b == 95 || b == 36 || b >= 0x80
    }
    while i < bytes.count {
        let b = bytes[i]
        if b == 10 { line += 1; i += 1; lineStart = true; continue }
        if b == 32 || b == 9 || b == 13 || b == 12 || b == 11 { i += 1; continue }
        if b == 47, i + 1 < bytes.count, bytes[i + 1] == 47 {
            while i < bytes.count, bytes[i] != 10 { i += 1 }
            continue
        }
        if b == 47, i + 1 < bytes.count, bytes[i + 1] == 42 {
            i += 2
            while i < bytes.count, !(bytes[i] == 42 && i + 1 < bytes.count && bytes[i + 1] == 47) {
                if bytes[i] == 10 { line += 1 }
                i += 1
            }
            i += 2
            continue
        }
        let startLine = line
        if b == 35, lineStart {
            // A directive, to the end of the line (backslash-newline continues it).
            let start = i
            while i < bytes.count, bytes[i] != 10 || bytes[i - 1] == 92 {
                if bytes[i] == 10 { line += 1 }
                i += 1
            }
            if let token = directiveToken(text(start + 1, i), line: startLine) { tokens.append(token) }
            continue
        }
        lineStart = false
        let start = i
        let kind: APIToken.Kind
        if isWordByte(b), !(b >= 48 && b <= 57) {
            while i < bytes.count, isWordByte(bytes[i]) { i += 1 }
            kind = .identifier
        } else if (b >= 48 && b <= 57) || (b == 46 && i + 1 < bytes.count && bytes[i + 1] >= 48 && bytes[i + 1] <= 57) {
            while i < bytes.count, isWordByte(bytes[i]) || bytes[i] == 46
                || ((bytes[i] == 43 || bytes[i] == 45) && (bytes[i - 1] | 0x20) == 101)
            { i += 1 }
            kind = .number
        } else if b == 34 || b == 39 {
            i += 1
            while i < bytes.count, bytes[i] != b, bytes[i] != 10 { i += bytes[i] == 92 ? 2 : 1 }
            i = min(i + 1, bytes.count)
            kind = .string
        } else if b == 46, i + 2 < bytes.count, bytes[i + 1] == 46, bytes[i + 2] == 46 {
            i += 3
            kind = .ellipsis
        } else {
            i += 1
            kind = .punct(b)
        }
        tokens.append(APIToken(kind: kind, text: text(start, i), line: startLine))
    }
    return tokens
}

/// The token of a directive's text (after `#`): `#pragma` lines and `#define NAME ...`;
/// nil for the others, which are dropped.
private func directiveToken(_ text: String, line: Int) -> APIToken? {
    let directive = text.replacingBackslashNewlines()
    // A comment may end the line (`#define Z_OK ... // 0`).
    let code = directive.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false)[0]
        .split(separator: "/*", maxSplits: 1, omittingEmptySubsequences: false)[0]
    let words = code.split(whereSeparator: { $0 == " " || $0 == "\t" })
    if words.first == "pragma" { return APIToken(kind: .pragma, text: "#" + directive, line: line) }
    if words.count == 3, words[0] == "define", words[2] == "..." {
        return APIToken(kind: .macro(String(words[1])), text: "", line: line)
    }
    return nil
}

extension String {
    fileprivate func replacingBackslashNewlines() -> String {
        split(separator: "\\\n", omittingEmptySubsequences: false).joined(separator: " ")
    }
}
