// The recursive-descent parser's core: token access, errors, entry points, `$` parameters.

/// Parses C declarations into a transaction. One parser per `cdef`/`parseType` call.
struct Parser {
    /// The source, alive for the whole parse (see `CDeclarations.parse`).
    let bytes: UnsafeBufferPointer<UInt8>
    let chunkName: String
    /// The lexer, pulled in batches: `tokens` holds the tokens of the current top-level
    /// declaration and a few ahead (consumed ones are dropped between declarations).
    var lexer: Lexer
    var tokens: TokenBuffer
    /// Whether the lexer has produced `.eof` (or failed).
    var lexingDone = false
    /// Batches lexed (the budget is asked every 16).
    var batches = 0
    /// A lexer error: the stream ends there with `.eof`; reported in preference to any
    /// parse error (as if the whole input had been lexed first).
    var lexerError: CDeclarationError?
    let transaction: Transaction
    /// `chunkName`'s index in the scope's `chunkNames`, -1 until a declaration needs it.
    var chunk: Int32 = -1
    var position = 0
    var parameters: [CParameter]
    var nextParameter = 0
    /// `#pragma pack` state: the current value and the pushed ones.
    var pack: Int?
    /// Casts in constant expressions convert as C does (CDefOptions.cCasts).
    var cCasts = false
    var packStack: [Int?] = []
    /// The `__asm__` labels seen (`DeclarationAttributes.asmName` indexes them).
    var asmNames: [String] = []
    /// The members of the record bodies and the parameters of the parameter lists
    /// being parsed (see `recordBody`, `parameterList`).
    var memberStack = ScratchStack<MemberSpec>()
    var parameterStack = ScratchStack<CFunctionParameter>()
    /// The record-scoped constants of the record bodies being parsed (see `tagSpecifier`).
    var recordConstants: [CConstant] = []
    /// Parameters being parsed (nested: a parameter of a function pointer parameter).
    var parameterDepth = 0
    /// Whether a top-level `;` has been seen (see `endDeclaration`).
    var sawSemicolon = false
    /// Nesting depth of declarators, records and expressions (capped).
    var depth = 0
    /// Depth of unevaluated subexpressions (`0 && 1/0` is not an error).
    var unevaluated = 0
    /// A type name given to `ffi.typeof`, `ffi.new`... (`parseTypeName`): as in
    /// LuaJIT, a struct, union or enum tag there must have been declared by a `cdef`,
    /// and may not be given a body (`tagInTypeName`).
    var isStandaloneTypeName = false
    /// The cap: C11's minimum for nested declarators and structs (63), and small
    /// enough for a 512 KiB thread stack even under AddressSanitizer.
    static let maximumDepth = 64
    /// Tokens lexed per batch, and the lookahead always available after the current token.
    static let batch = 64
    static let lookahead = 4

    init(
        bytes: UnsafeBufferPointer<UInt8>, chunkName: String, transaction: Transaction,
        parameters: [CParameter]
    ) throws(CDeclarationError) {
        self.bytes = bytes
        self.chunkName = chunkName
        self.transaction = transaction
        self.parameters = parameters
        if bytes.count >= Int(Int32.max) {
            throw CDeclarationError(
                chunkName: chunkName, line: 1, column: 1, reason: "chunk too large", near: nil)
        }
        lexer = Lexer(bytes: bytes, chunkName: chunkName)
        tokens = TokenBuffer(capacity: Self.batch * 6)
        refill()
    }

    /// Frees the token buffer and the scratch stacks (call once, when done with the parser).
    func release() {
        tokens.release()
        memberStack.release()
        parameterStack.release()
    }

    /// The scope's target, borrowed (a `let` of the transaction: no copy).
    @inline(__always) var target: TargetLayout {
        _read { yield transaction.target }
    }

    /// Decoded string literals and pragma texts (see `Token.Kind`).
    var literals: [String] { lexer.literals }

    /// Lexes the next batch of tokens (the stream ends with `.eof`, also after an error).
    /// Every 16 batches, asks the budget (a stop ends the stream as a lexer error).
    mutating func refill() {
        if lexingDone { return }
        batches &+= 1
        if batches & 15 == 0, let error = budgetError() { return endStream(error) }
        do throws(CDeclarationError) {
            lexingDone = try lexer.lex(into: &tokens, count: Self.batch)
        } catch {
            endStream(error)
        }
    }

    /// Ends the token stream with `.eof` after `error`, reported as a lexer error.
    private mutating func endStream(_ error: CDeclarationError) {
        lexerError = error
        let end = bytes.count
        tokens.reserve(1)
        tokens.append(Token(kind: .eof, start: end, end: end, line: 0, column: 0))
        lexingDone = true
    }

    /// The budget's stop (see `CDeclarationBudget`), at the last token lexed, or nil.
    func budgetError() -> CDeclarationError? {
        guard let budget = transaction.base.budget,
              let reason = budget.check(keeping: transaction.keptBytes) else { return nil }
        let last = tokens.count > 0 ? tokens[tokens.count - 1] : nil
        return CDeclarationError(
            chunkName: chunkName, line: max(last?.line ?? 1, 1), column: max(last?.column ?? 1, 1),
            reason: reason, near: nil)
    }

    /// Drops the consumed tokens (between top-level declarations: nothing goes back there).
    mutating func dropConsumedTokens() {
        if position >= Self.batch * 4 {
            tokens.removeFirst(position)
            position = 0
        }
    }

    /// The error to report for `error`: a lexer error anywhere in the input wins, as the
    /// whole input is lexed before parsing in the language's model.
    mutating func finalError(_ error: CDeclarationError) -> CDeclarationError {
        while !lexingDone {
            tokens.removeAll()
            position = 0
            refill()
        }
        return lexerError ?? error
    }

    /// Fails with the lexer's error, if the input had one (call after a successful parse).
    func checkLexer() throws(CDeclarationError) {
        if let lexerError { throw lexerError }
    }


    // MARK: Entry points

    /// Parses declarations up to the end of input.
    mutating func parseDeclarations() throws(CDeclarationError) {
        while !isAtEnd { try externalDeclaration() }
    }

    /// Parses one type name (specifiers plus abstract declarator) filling the input.
    mutating func parseTypeName() throws(CDeclarationError) -> CType {
        isStandaloneTypeName = true
        let type = try typeName()
        if !isAtEnd { throw unexpected() }
        return type
    }

    // MARK: Tokens

    @inline(__always) var current: Token { tokens[position] }
    @inline(__always) var isAtEnd: Bool {
        if case .eof = current.kind { return true }
        return false
    }

    /// The token after the current one (the `.eof` token repeats).
    /// Valid up to `lookahead` tokens ahead.
    @inline(__always) func peek(_ offset: Int = 1) -> Token {
        tokens[min(position + offset, tokens.count - 1)]
    }

    @inline(__always) mutating func advance() {
        if position &+ Self.lookahead &+ 1 < tokens.count {
            position &+= 1
        } else {
            advanceRefilling()
        }
    }

    private mutating func advanceRefilling() {
        if position + Self.lookahead + 1 >= tokens.count { refill() }
        if position < tokens.count - 1 { position += 1 }
        if position + Self.lookahead >= tokens.count { refill() }
    }

    /// Consumes the punctuator if it is next.
    @inline(__always) mutating func accept(_ p: Punct) -> Bool {
        guard current.isPunct(p) else { return false }
        advance()
        return true
    }

    /// Consumes the punctuator or fails with `'x' expected`.
    @inline(__always)
    mutating func expect(_ p: Punct, _ spelling: StaticString) throws(CDeclarationError) {
        guard accept(p) else { throw expected(spelling) }
    }

    /// The error of `expect` (kept out of line: the common path only compares).
    @inline(never)
    func expected(_ spelling: StaticString) -> CDeclarationError {
        error("'\(spelling)' expected")
    }

    /// The name of an identifier token: its source text, but for a name spliced by
    /// backslash-newline (hash 0 marks those and non-ASCII names, both rare).
    @inline(__always) func name(of token: Token) -> String {
        if case .identifier(0) = token.kind, !lexer.splicedNames.isEmpty,
            let name = lexer.splicedNames[token.start]
        {
            return name
        }
        return identifierString(bytes, token.start, token.end)
    }

    /// The symbol-table key of `name`, read from `token` (an ASCII identifier brings
    /// the lexer's hash; other names, and `$` parameters, are hashed here).
    @inline(__always) func symbol(_ name: String, from token: Token) -> SymbolName {
        if case .identifier(let hash) = token.kind, hash != 0 { return SymbolName(name, fnv: hash) }
        return SymbolName(name)
    }

    /// The symbol-table key of an identifier token.
    @inline(__always) func symbol(of token: Token) -> SymbolName {
        symbol(name(of: token), from: token)
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
    mutating func location(of token: Token) -> CSourceLocation {
        CSourceLocation(chunkName: chunkName, line: token.line, column: token.column)
    }

    /// Where `token` is, as a symbol table entry keeps it.
    mutating func declared(at token: Token) -> DeclaredAt {
        if chunk < 0 { chunk = transaction.base.chunkIndex(chunkName) }
        return DeclaredAt(chunk: chunk, line: Int32(token.line), column: Int32(token.column))
    }

    /// ` (previous definition at cdef:1:8)`, or ` (predefined)` without a location.
    func previous(_ location: CSourceLocation?, _ what: String = "definition") -> String {
        guard let location else { return " (predefined)" }
        return " (previous \(what) at \(location))"
    }

    /// `previous` of a symbol table entry's location.
    func previous(_ at: DeclaredAt?, _ what: String = "definition") -> String {
        previous(at.flatMap { transaction.base.location($0) }, what)
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

/// The text of the identifier at `start..<end` in `bytes`.
@inline(__always) func identifierString(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
    let count = end - start
    guard let base = bytes.baseAddress, count > 0 else { return "" }
    // An identifier is ASCII or UTF-8 the lexer let through; the initializer validates.
    return String(unsafeUninitializedCapacity: count) { buffer in
        buffer.baseAddress!.initialize(from: base + start, count: count)
        return count
    }
}
