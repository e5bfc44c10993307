// A preprocessed header cut into its top-level declarations, so that some of them can
// be declared with the declarations they need (`ffi.include` with `only`).

/// The top-level declarations of a preprocessed header, what each one declares and
/// what it refers to.
///
/// A declaration ends at a `;` outside braces and parentheses, or at the `}` of a
/// function body. What it declares comes from parsing each declaration on its own, in
/// order, into a scratch scope, and from its text (`struct tag {`: a definition). A
/// declaration the parser cannot read is taken to declare the unknown names outside
/// its parentheses and braces: it fails the `cdef` only if the selection needs it. What it refers to is every identifier in it;
/// over-approximate on purpose: an extra declaration costs nothing, a missing one
/// fails the `cdef`.
public struct CHeaderSelection {
    /// The source bytes.
    private let bytes: [UInt8]
    /// Byte ranges of the declarations, in order; `#pragma` lines are ones too (kept
    /// always: `pack` changes layouts).
    private var chunks: [(start: Int, end: Int, isPragma: Bool)] = []
    /// Per declaration, the names it refers to (`tags`: after struct, union or enum).
    private var names: [Set<String>] = []
    private var tags: [Set<String>] = []
    /// Per declaration, the identifiers outside parentheses and braces.
    private var outerNames: [[String]] = []
    /// The declarations that declare an ordinary name or define a tag.
    private var declaring: [String: [Int]] = [:]
    private var defining: [String: [Int]] = [:]

    /// Every name the header declares: functions, variables, typedefs, constants, tags.
    public var declaredNames: [String] { Array(Set(declaring.keys).union(defining.keys)).sorted() }

    /// Reads `source`; throws a lexical error (the declarations themselves are read
    /// one by one, see above).
    public init(_ source: String, chunkName: String) throws(CDeclarationError) {
        bytes = Array(source.utf8)
        let scope = CDeclarations()
        try bytes.withUnsafeBufferPointer { (buffer) throws(CDeclarationError) in
            try split(buffer, chunkName: chunkName)
            // Each declaration's chunk name is its index: where a name was first
            // declared says which declaration declares it.
            for (index, chunk) in chunks.enumerated() where !chunk.isPragma {
                let text = UnsafeBufferPointer(rebasing: buffer[chunk.start..<chunk.end])
                do throws(CDeclarationError) {
                    try scope.cdef(utf8: text, chunkName: String(index))
                } catch {
                    for name in outerNames[index] where scope.typedef(named: name) == nil {
                        declaring[name, default: []].append(index)
                    }
                }
            }
        }
        let table = scope.table
        for key in table.functions.keys + table.variables.keys + table.constants.keys {
            note(key.string, scope.location(of: key.string))
        }
        for name in scope.typedefNames { note(name, scope.location(ofTypedef: name)) }
    }

    /// Records that the declaration `location` names declares `name`.
    private mutating func note(_ name: String, _ location: CSourceLocation?) {
        guard let chunk = location.flatMap({ Int($0.chunkName) }) else { return }
        declaring[name, default: []].append(chunk)
    }

    /// Cuts the source into declarations and collects the names they use.
    private mutating func split(_ buffer: UnsafeBufferPointer<UInt8>, chunkName: String) throws(CDeclarationError) {
        var lexer = Lexer(bytes: buffer, chunkName: chunkName)
        var splitter = Splitter()
        while true {
            let token = try lexer.next()
            if case .eof = token.kind { break }
            if case .pragma = token.kind {
                if splitter.start >= 0 { add(splitter.close(at: token.start)) }
                splitter.start = token.start
                add(splitter.close(at: token.end), pragma: true)
                continue
            }
            let name = token.isIdentifier ? String(decoding: buffer[token.start..<token.end], as: UTF8.self) : nil
            if let end = splitter.take(token, name: name, defines: { (try? lexer.peekIsBrace()) == true }) {
                add(splitter.close(at: end))
            }
        }
        if splitter.start >= 0 { add(splitter.close(at: buffer.count)) }
    }

    /// Appends a finished declaration.
    private mutating func add(_ declaration: Splitter.Declaration, pragma: Bool = false) {
        chunks.append((declaration.start, declaration.end, pragma))
        names.append(declaration.names)
        tags.append(declaration.tags)
        outerNames.append(declaration.outerNames)
        for tag in declaration.definedTags { defining[tag, default: []].append(chunks.count - 1) }
    }

    /// The source with only the declarations of `selected` names and those they need
    /// (transitively) left; the others are blanked out, keeping every line where it
    /// was (so error positions and line markers stay true).
    public func source(keeping selected: Set<String>) -> String {
        var kept = [Bool](repeating: false, count: chunks.count)
        var work: [Int] = []
        func need(_ list: [Int]?) {
            for chunk in list ?? [] where !kept[chunk] {
                kept[chunk] = true
                work.append(chunk)
            }
        }
        for name in selected {
            need(declaring[name])
            need(defining[name])
        }
        while let chunk = work.popLast() {
            for name in names[chunk] { need(declaring[name]) }
            for tag in tags[chunk] { need(defining[tag]) }
        }
        var output = bytes
        for (i, chunk) in chunks.enumerated() where !kept[i] && !chunk.isPragma {
            for at in chunk.start..<chunk.end where output[at] != 10 { output[at] = 32 }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// The state of the cut into declarations: nesting, and what the declaration being
/// read uses so far.
private struct Splitter {
    /// A finished declaration: its byte range and names.
    struct Declaration {
        var start = -1, end = -1
        var names = Set<String>(), tags = Set<String>(), outerNames: [String] = [], definedTags: [String] = []
    }

    var start = -1
    private var current = Declaration()
    private var depth = 0, braces = 0
    private var previous: Token?
    /// The parenthesis depth of a `struct`/`union`/`enum` keyword waiting for its tag.
    private var tagDepth: Int?
    /// Whether the open (last closed) top-level group follows an attribute keyword.
    private var groupIsAttribute = false, closedAttribute = false
    /// Whether a function body is being read (it ends the declaration at its `}`).
    private var isBody = false

    /// Ends the declaration at `end` and starts the next one.
    mutating func close(at end: Int) -> Declaration {
        var done = current
        (done.start, done.end) = (start, end)
        (current, start, isBody, tagDepth) = (Declaration(), -1, false, nil)
        return done
    }

    /// Reads one token (`name`: an identifier's); returns where the declaration ends
    /// if it ends with this token. `defines` says whether a tag is followed by `{`.
    mutating func take(_ token: Token, name: String?, defines: () -> Bool) -> Int? {
        if start < 0 { start = token.start }
        defer { previous = token }
        switch token.kind {
        case .keyword(.struct), .keyword(.union), .keyword(.enum):
            tagDepth = depth
        case .identifier:
            guard let name else { break }
            if tagDepth == depth {
                current.tags.insert(name)
                tagDepth = nil
                if defines() { current.definedTags.append(name) }
            } else {
                current.names.insert(name)
                if depth == 0, braces == 0 { current.outerNames.append(name) }
            }
        case .punct(.lparen), .punct(.lbracket):
            if depth == 0 { groupIsAttribute = previous.map(Self.isAttributeKeyword) ?? false }
            depth += 1
        case .punct(.rparen), .punct(.rbracket):
            depth -= 1
            if depth == 0 { closedAttribute = groupIsAttribute }
        case .punct(.lbrace):
            if braces == 0, depth == 0, previous?.isPunct(.rparen) == true, !closedAttribute { isBody = true }
            if tagDepth == depth { tagDepth = nil }
            braces += 1
        case .punct(.rbrace):
            braces -= 1
            if braces == 0, isBody { return token.end }
        case .punct(.semicolon) where braces == 0 && depth == 0:
            return token.end
        default:
            break
        }
        return nil
    }

    /// Whether a parenthesized group after `token` is an attribute's, not a parameter list.
    private static func isAttributeKeyword(_ token: Token) -> Bool {
        switch token.kind {
        case .keyword(.attribute), .keyword(.asm), .keyword(.declspec), .keyword(.alignas), .keyword(.typeof):
            return true
        default:
            return false
        }
    }
}

extension Lexer {
    /// Whether the next token is `{` (the lexer does not move).
    func peekIsBrace() throws(CDeclarationError) -> Bool {
        var copy = self
        return try copy.next().isPunct(.lbrace)
    }
}
