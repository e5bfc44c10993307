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
        var depth = 0, braces = 0, start = -1
        var previous: Token?, tagDepth: Int?, groupIsAttribute = false, closedAttribute = false, isBody = false
        var refs = Set<String>(), tagRefs = Set<String>(), outer: [String] = []
        func close(_ end: Int, pragma: Bool = false) {
            chunks.append((start, end, pragma))
            names.append(refs)
            tags.append(tagRefs)
            outerNames.append(outer)
            (refs, tagRefs, outer, start, isBody, tagDepth) = ([], [], [], -1, false, nil)
        }
        while true {
            let token = try lexer.next()
            if case .eof = token.kind { break }
            if case .pragma = token.kind {
                if start >= 0 { close(token.start) }
                start = token.start
                close(token.end, pragma: true)
                continue
            }
            if start < 0 { start = token.start }
            switch token.kind {
            case .keyword(.struct), .keyword(.union), .keyword(.enum):
                tagDepth = depth
            case .identifier:
                let name = String(decoding: buffer[token.start..<token.end], as: UTF8.self)
                if tagDepth == depth {
                    tagRefs.insert(name)
                    tagDepth = nil
                    if (try? lexer.peekIsBrace()) == true { defining[name, default: []].append(chunks.count) }
                } else {
                    refs.insert(name)
                    if depth == 0, braces == 0 { outer.append(name) }
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
                if braces == 0, isBody { close(token.end) }
            case .punct(.semicolon) where braces == 0 && depth == 0:
                close(token.end)
            default:
                break
            }
            previous = token
        }
        if start >= 0 { close(buffer.count) }
    }

    /// Whether a parenthesized group after `token` is an attribute's, not a parameter list.
    private static func isAttributeKeyword(_ token: Token) -> Bool {
        switch token.kind {
        case .keyword(.attribute), .keyword(.asm), .keyword(.declspec), .keyword(.alignas), .keyword(.typeof):
            return true
        default:
            return token.isPunct(.rparen)  // `__attribute__((a)) (b)`: still an attribute
        }
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

extension Lexer {
    /// Whether the next token is `{` (the lexer does not move).
    func peekIsBrace() throws(CDeclarationError) -> Bool {
        var copy = self
        return try copy.next().isPunct(.lbrace)
    }
}
