// The recursive-descent parser's core: token access, errors, entry points, `$` parameters.

/// Parses C declarations into a transaction. One parser per `cdef`/`parseType` call.
struct Parser {
    let bytes: [UInt8]
    let chunkName: String
    let tokens: [Token]
    /// Decoded string literals and pragma texts (see `Token.Kind`).
    let literals: [String]
    let transaction: Transaction
    var position = 0
    var parameters: [CParameter]
    var nextParameter = 0
    /// `#pragma pack` state: the current value and the pushed ones.
    var pack: Int?
    var packStack: [Int?] = []
    /// Nesting depth of declarators, records and expressions (capped).
    var depth = 0
    /// Depth of unevaluated subexpressions (`0 && 1/0` is not an error).
    var unevaluated = 0
    static let maximumDepth = 200

    init(
        source: String, chunkName: String, transaction: Transaction, parameters: [CParameter]
    ) throws(CDeclarationError) {
        bytes = Array(source.utf8)
        self.chunkName = chunkName
        self.transaction = transaction
        self.parameters = parameters
        if bytes.count >= Int(Int32.max) {
            throw CDeclarationError(
                chunkName: chunkName, line: 1, column: 1, reason: "chunk too large", near: nil)
        }
        (tokens, literals) = try Lexer.tokens(of: bytes, chunkName: chunkName)
    }

    var target: TargetLayout { transaction.target }

    // MARK: Entry points

    /// Parses declarations up to the end of input.
    mutating func parseDeclarations() throws(CDeclarationError) {
        while !isAtEnd { try externalDeclaration() }
    }

    /// Parses one type name (specifiers plus abstract declarator) filling the input.
    mutating func parseTypeName() throws(CDeclarationError) -> CType {
        let type = try typeName()
        if !isAtEnd { throw unexpected() }
        return type
    }

    // MARK: Tokens

    var current: Token { tokens[position] }
    var isAtEnd: Bool {
        if case .eof = current.kind { return true }
        return false
    }

    /// The token after the current one (the `.eof` token repeats).
    func peek(_ offset: Int = 1) -> Token { tokens[min(position + offset, tokens.count - 1)] }

    mutating func advance() {
        if position < tokens.count - 1 { position += 1 }
    }

    /// Consumes the punctuator if it is next.
    mutating func accept(_ p: Punct) -> Bool {
        guard current.isPunct(p) else { return false }
        advance()
        return true
    }

    /// Consumes the punctuator or fails with `'x' expected`.
    mutating func expect(_ p: Punct, _ spelling: String) throws(CDeclarationError) {
        guard accept(p) else { throw error("'\(spelling)' expected") }
    }

    /// The name of an identifier token (its source text).
    func name(of token: Token) -> String {
        String(decoding: bytes[token.start..<token.end], as: UTF8.self)
    }

    /// The current token's name if it is an identifier.
    var currentIdentifier: String? { current.isIdentifier ? name(of: current) : nil }

    /// Consumes an identifier (or a `$` name parameter) or fails.
    mutating func expectIdentifier() throws(CDeclarationError) -> String {
        if current.isIdentifier {
            let name = name(of: current)
            advance()
            return name
        }
        if current.isPunct(.dollar) { return try nameParameter() }
        throw error("'<identifier>' expected")
    }

    // MARK: Errors

    /// The source text of a token, `<eof>` at the end.
    func text(of token: Token) -> String {
        if case .eof = token.kind { return "<eof>" }
        let end = min(token.end, token.start + 40)
        return String(decoding: bytes[token.start..<end], as: UTF8.self)
    }

    /// An error at `token` (default: the current one) with `near 'text'`.
    func error(_ reason: String, at token: Token? = nil, near: Bool = true) -> CDeclarationError {
        let token = token ?? current
        return CDeclarationError(
            chunkName: chunkName, line: token.line, column: token.column, reason: reason,
            near: near ? text(of: token) : nil, excerpt: SourceExcerpt.make(bytes, at: token.start))
    }

    /// Where `token` is.
    func location(of token: Token) -> CSourceLocation {
        CSourceLocation(chunkName: chunkName, line: token.line, column: token.column)
    }

    /// ` (previous definition at cdef:1:8)`, or ` (predefined)` without a location.
    func previous(_ location: CSourceLocation?, _ what: String = "definition") -> String {
        guard let location else { return " (predefined)" }
        return " (previous \(what) at \(location))"
    }

    /// `unexpected symbol near 'x'`.
    func unexpected() -> CDeclarationError { error("unexpected symbol") }

    /// Guards recursion: call before descending, `depth -= 1` after.
    mutating func enter() throws(CDeclarationError) {
        depth += 1
        if depth > Self.maximumDepth { throw error("chunk has too many syntax levels") }
    }

    // MARK: $ parameters

    private mutating func takeParameter() throws(CDeclarationError) -> CParameter {
        guard nextParameter < parameters.count else {
            throw error("missing parameter for '$'", near: false)
        }
        defer { nextParameter += 1 }
        advance()
        return parameters[nextParameter]
    }

    mutating func typeParameter() throws(CDeclarationError) -> CType {
        let token = current
        guard case .type(let type) = try takeParameter() else {
            throw error("type parameter expected", at: token)
        }
        return type
    }

    mutating func integerParameter() throws(CDeclarationError) -> Int64 {
        let token = current
        guard case .integer(let value) = try takeParameter() else {
            throw error("integer parameter expected", at: token)
        }
        return value
    }

    mutating func nameParameter() throws(CDeclarationError) -> String {
        let token = current
        switch try takeParameter() {
        case .name(let name): return name
        case .type(let type):
            if case .record(let r) = type.kind, let tag = r.tag { return tag }
            if case .enumeration(let e) = type.kind, let tag = e.tag { return tag }
            throw error("name parameter expected", at: token)
        case .integer: throw error("name parameter expected", at: token)
        }
    }
}
