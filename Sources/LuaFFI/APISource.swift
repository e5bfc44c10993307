// An API-mode cdef split into what the parser reads (cffi's `...` forms become `$`
// parameters whose values the C compiler gives) and what the C compiler checks.

/// A value the compiler gives for one `$` of the parser text.
struct APIHole {
    enum Kind { case integer, integerType, floatType }
    var kind: Kind
    /// The C expression (an integer), or the C type name (`integerType`, `floatType`).
    var expression: String
    var line: Int
}

/// A struct or union body, in the order the bodies close (the parser completes records
/// in that order).
struct APIRecord {
    /// How C names it (`struct tag`, or a typedef name); nil when it cannot be named.
    var cName: String?
    var isUnion: Bool
    /// Whether it ended with `...;` (the compiler knows the other members).
    var isPartial: Bool
    /// The members as C text, for a twin struct the compiler compares with the real one
    /// (nil when the body defines tagged types, which the twin would redefine).
    var body: String?
    var line: Int
    /// The line of each name spelled in the body (member names among them).
    var lines: [String: Int]
}

/// A top-level declaration of functions or variables, as C text.
struct APIDeclaration {
    var text: String
    var line: Int
    /// Per declarator, the identifiers it spells: the declared name is the first one the
    /// parser declared as a function or variable.
    var candidates: [[String]]
    /// The declared names (found by `APIGenerator`).
    var names: [String] = []
    /// `static const T NAME;`: a constant the module copies when it loads.
    var isConstant: Bool
    /// `extern "Lua"`: a function the module defines, calling a Lua function.
    var isExternLua: Bool
    /// The parser text, when the declaration is read on first use of its name (it has no
    /// `...` form and defines no type) rather than when the module loads.
    var lazyText: String?
}

/// An API-mode cdef, split.
struct APISource {
    /// The text the parser reads when the module loads (comments dropped, lines kept).
    var parserText = ""
    /// The same with the declarations read on first use (`APIDeclaration.lazyText`).
    var fullText = ""
    var holes: [APIHole] = []
    var records: [APIRecord] = []
    var declarations: [APIDeclaration] = []
    var macros: [(name: String, line: Int)] = []

    /// Splits `source`; throws a message naming the line for a form it does not take.
    init(_ source: String) throws(FFIError) {
        let tokens = apiTokens(source)
        var start = 0
        var depth = 0
        for (index, token) in tokens.enumerated() {
            switch token.kind {
            case .pragma:
                if depth == 0, start == index {
                    append(token.text + "\n", at: token.line, lazy: false)
                    start = index + 1
                }
            case .macro(let name):
                macros.append((name, token.line))
                if start == index { start = index + 1 }
            case .punct(UInt8(ascii: "{")), .punct(UInt8(ascii: "(")), .punct(UInt8(ascii: "[")):
                depth += 1
            case .punct(UInt8(ascii: "}")), .punct(UInt8(ascii: ")")), .punct(UInt8(ascii: "]")):
                depth -= 1
            case .punct(UInt8(ascii: ";")) where depth == 0:
                try declaration(tokens[start...index])
                start = index + 1
            default:
                break
            }
        }
        if start < tokens.count {
            // The last declaration may omit its `;`, as in `ffi.cdef`.
            try declaration(tokens[start...] + [APIToken(kind: .punct(59), text: ";", line: tokens.last!.line)])
        }
        for index in holes.indices {
            holes[index].expression = named(holes[index].expression)
            if holes[index].expression.contains("@unnamed@") {
                throw FFIError("cdef:\(holes[index].line): '[...]' in a struct or union that C cannot name")
            }
        }
        for index in records.indices {
            records[index].body = records[index].body.map(named).flatMap { $0.contains("@unnamed@") ? nil : $0 }
        }
    }

    /// The lines `parserText` and `fullText` have reached (kept equal to the cdef's).
    private var line = 1, fullLine = 1
    /// Record bodies by the order they open; their C names once they close.
    private var openedNames: [String?] = []

    /// Appends a declaration's parser text, starting on line `at`, to the full text and
    /// (unless read on first use) to the text read at load time.
    private mutating func append(_ text: String, at target: Int, lazy: Bool) {
        let lines = text.utf8.count { $0 == 10 }
        fullText += String(repeating: "\n", count: max(0, target - fullLine)) + text
        fullLine = max(fullLine, target) + lines
        guard !lazy else { return }
        parserText += String(repeating: "\n", count: max(0, target - line)) + text
        line = max(line, target) + lines
    }

    /// Replaces the `@R<n>@` placeholders (a record's C name, known when it closes).
    private func named(_ text: String) -> String {
        guard text.contains("@R") else { return text }
        var result = text
        for (index, name) in openedNames.enumerated() {
            result = result.replacing("@R\(index)@", with: name ?? "@unnamed@")
        }
        return result
    }

    /// One top-level declaration, `;` included.
    private mutating func declaration(_ tokens: ArraySlice<APIToken>) throws(FFIError) {
        var tokens = Array(tokens)
        guard let first = tokens.first else { return }
        if tokens.count == 4, first.isWord("typedef"), tokens[1].kind == .ellipsis {
            // `typedef ... T;`: an opaque type.
            append("typedef struct \(tokens[2].text) \(tokens[2].text);", at: first.line, lazy: false)
            return
        }
        if tokens.count == 5, first.isWord("typedef"), tokens[2].kind == .ellipsis {
            // `typedef int... T;` / `typedef float... T;`: a number type of unknown size.
            let kind: APIHole.Kind = tokens[1].isWord("int") ? .integerType : .floatType
            guard tokens[1].isWord("int") || tokens[1].isWord("float") || tokens[1].isWord("double") else {
                throw FFIError("cdef:\(first.line): 'typedef \(tokens[1].text)...' (int... or float... expected)")
            }
            holes.append(APIHole(kind: kind, expression: tokens[3].text, line: first.line))
            append("typedef $ \(tokens[3].text);", at: first.line, lazy: false)
            return
        }
        var isExternLua = false
        if tokens.count > 2, first.isWord("extern"), tokens[1].kind == .string, tokens[1].text == "\"Lua\"" {
            isExternLua = true
            tokens.removeFirst(2)
        }
        var isConstant = false
        if tokens.first?.isWord("static") == true, tokens.contains(where: { $0.isWord("const") }) {
            isConstant = true
            tokens[0].text = "extern"
        }
        let holeCount = holes.count, recordCount = openedNames.count
        var writer = DeclarationWriter(tokens: tokens, isTypedef: tokens.first?.isWord("typedef") == true)
        try writer.write(into: &self)
        let declares = !writer.isTypedef && !writer.candidates.allSatisfy(\.isEmpty)
        let lazy = declares && !isExternLua && holes.count == holeCount && openedNames.count == recordCount
            && !writer.hasEnumBody
        append(writer.parserText, at: first.line, lazy: lazy)
        if declares {
            declarations.append(APIDeclaration(
                text: writer.cText, line: first.line, candidates: writer.candidates, isConstant: isConstant,
                isExternLua: isExternLua, lazyText: lazy ? writer.parserText : nil))
        }
    }

    fileprivate mutating func addHole(_ hole: APIHole) { holes.append(hole) }
    fileprivate mutating func openRecord() -> Int {
        openedNames.append(nil)
        return openedNames.count - 1
    }
    fileprivate mutating func closeRecord(_ id: Int, _ record: APIRecord) {
        openedNames[id] = record.cName
        records.append(record)
    }
}

/// Rewrites one declaration token by token: the parser text goes to the `APISource`,
/// the C text (for the compiler's checks) stays here.
private struct DeclarationWriter {
    let tokens: [APIToken]
    let isTypedef: Bool
    var cText = ""
    var parserText = ""
    var hasEnumBody = false
    var candidates: [[String]] = [[]]
    /// The open record bodies: their id, where their C text starts, what they hold.
    private var frames: [(id: Int, tag: String?, isUnion: Bool, bodyStart: String.Index, partial: Bool, nested: Bool, line: Int, lines: [String: Int])] = []
    private var parens = 0
    private var cLine = 0, parserLine = 0

    init(tokens: [APIToken], isTypedef: Bool) {
        self.tokens = tokens
        self.isTypedef = isTypedef
        cLine = tokens.first?.line ?? 0
        parserLine = cLine
    }

    /// Appends to the parser text, on the token's line.
    private mutating func p(_ text: String, _ line: Int) {
        while parserLine < line {
            parserText += "\n"
            parserLine += 1
        }
        parserText += text + " "
    }

    private mutating func c(_ text: String, _ line: Int) {
        while cLine < line {
            cText += "\n"
            cLine += 1
        }
        cText += text + " "
    }

    mutating func write(into source: inout APISource) throws(FFIError) {
        var i = 0
        while i < tokens.count {
            let token = tokens[i]
            let next = i + 1 < tokens.count ? tokens[i + 1] : nil
            if token.isWord("struct") || token.isWord("union"), let body = bodyStart(after: i) {
                openRecord(from: i, body: body, into: &source)
                i = body + 1
                continue
            }
            if token.isWord("enum"), let body = bodyStart(after: i) {
                i = try enumBody(from: i, body: body, into: &source)
                continue
            }
            if token.kind == .ellipsis, !frames.isEmpty, next?.isPunct(";") == true {
                frames[frames.count - 1].partial = true
                i += 2
                continue
            }
            if token.isPunct("["), next?.kind == .ellipsis, i + 2 < tokens.count, tokens[i + 2].isPunct("]") {
                let expression = try arrayLength(before: i)
                source.addHole(APIHole(kind: .integer, expression: expression, line: token.line))
                p("[$]", token.line)
                c(frames.isEmpty ? "[]" : "[\(expression)]", token.line)
                i += 3
                continue
            }
            if token.isPunct("}"), !frames.isEmpty, parens == 0 {
                closeRecord(at: token, next: next, into: &source)
                i += 1
                continue
            }
            if token.isPunct("(") { parens += 1 }
            if token.isPunct(")") { parens -= 1 }
            if frames.isEmpty, parens == 0, token.isPunct(",") { candidates.append([]) }
            if frames.isEmpty, token.kind == .identifier { candidates[candidates.count - 1].append(token.text) }
            if !frames.isEmpty, token.kind == .identifier { frames[frames.count - 1].lines[token.text] = token.line }
            p(token.text, token.line)
            c(token.text, token.line)
            i += 1
        }
    }

    /// `struct|union [tag] {` from `i` to `body`: a record body opens.
    private mutating func openRecord(from i: Int, body: Int, into source: inout APISource) {
        let tag = body > i + 1 ? tokens[i + 1].text : nil
        for k in i...body {
            p(tokens[k].text, tokens[k].line)
            c(tokens[k].text, tokens[k].line)
        }
        if tag != nil, !frames.isEmpty { frames[frames.count - 1].nested = true }
        let isUnion = tokens[i].isWord("union")
        frames.append((source.openRecord(), tag, isUnion, cText.endIndex, false, false, tokens[i].line, [:]))
    }

    /// `}`: the innermost record body closes; C names it by its tag, or by the typedef
    /// name that follows when it is the declaration's outermost, untagged body.
    private mutating func closeRecord(at token: APIToken, next: APIToken?, into source: inout APISource) {
        let frame = frames.removeLast()
        let body = String(cText[frame.bodyStart...])
        p("}", token.line)
        c("}", token.line)
        var name = frame.tag.map { (frame.isUnion ? "union " : "struct ") + $0 }
        if name == nil, frames.isEmpty, isTypedef, let after = next, after.kind == .identifier,
            !after.text.hasPrefix("__")
        {
            name = after.text
        }
        source.closeRecord(frame.id, APIRecord(
            cName: name, isUnion: frame.isUnion, isPartial: frame.partial,
            body: frame.nested ? nil : body, line: frame.line, lines: frame.lines))
    }

    /// The index of the `{` of a record or enum body starting at `i`, if it has one.
    private func bodyStart(after i: Int) -> Int? {
        var k = i + 1
        if k < tokens.count, tokens[k].kind == .identifier { k += 1 }
        return k < tokens.count && tokens[k].isPunct("{") ? k : nil
    }

    /// The C expression for the length of the `[...]` array declared before `bracket`.
    private func arrayLength(before bracket: Int) throws(FFIError) -> String {
        let line = tokens[bracket].line
        guard bracket > 0, tokens[bracket - 1].kind == .identifier else {
            throw FFIError("cdef:\(line): '[...]' must follow the declared name (as in 'int a[...]')")
        }
        let name = tokens[bracket - 1].text
        if let frame = frames.last {
            guard frames.count == 1 || frame.tag != nil else {
                throw FFIError("cdef:\(line): '[...]' in a nested anonymous struct or union is not supported")
            }
            let member = "((@R\(frame.id)@ *)0)->\(name)"
            return "(sizeof(\(member)) / sizeof((\(member))[0]))"
        }
        if isTypedef { return "(sizeof(\(name)) / sizeof((*(\(name) *)0)[0]))" }
        return "(sizeof(\(name)) / sizeof((\(name))[0]))"
    }

    /// `enum [tag] { ... }`: with a `...` item, every enumerator's value comes from C.
    private mutating func enumBody(from i: Int, body: Int, into source: inout APISource) throws(FFIError) -> Int {
        hasEnumBody = true
        var end = body + 1
        var level = 1
        while end < tokens.count, level > 0 {
            if tokens[end].isPunct("{") || tokens[end].isPunct("(") { level += 1 }
            if tokens[end].isPunct("}") || tokens[end].isPunct(")") { level -= 1 }
            end += 1
        }
        let items = tokens[(body + 1)..<(end - 1)]
        for k in i...body {
            p(tokens[k].text, tokens[k].line)
            c(tokens[k].text, tokens[k].line)
        }
        guard items.contains(where: { $0.kind == .ellipsis }) else {
            for token in items[...] { p(token.text, token.line); c(token.text, token.line) }
            p("}", tokens[end - 1].line)
            c("}", tokens[end - 1].line)
            return end
        }
        var atItemStart = true
        var depth = 0
        for token in items {
            if token.isPunct("(") { depth += 1 }
            if token.isPunct(")") { depth -= 1 }
            if depth == 0, token.isPunct(",") { atItemStart = true; continue }
            guard atItemStart, token.kind == .identifier else { continue }
            atItemStart = false
            source.addHole(APIHole(kind: .integer, expression: "(\(token.text))", line: token.line))
            p("\(token.text) = $,", token.line)
            c("\(token.text),", token.line)
        }
        p("}", tokens[end - 1].line)
        c("}", tokens[end - 1].line)
        return end
    }
}
