// Top-level declarations: typedefs, functions, variables, constants, pragmas, assertions.

extension Parser {
    /// One external declaration (or `;`, `#pragma`, `_Static_assert`).
    mutating func externalDeclaration() throws(CDeclarationError) {
        dropConsumedTokens()
        if accept(.semicolon) {
            sawSemicolon = true
            return
        }
        if case .pragma = current.kind { return try pragma() }
        if current.isKeyword(.staticAssert) { return try staticAssertion() }
        let start = current
        var specs = Specifiers()
        try specifiers(into: &specs)
        try declarationList(specs, at: start)
    }

    /// The declarators after `specs`, up to `;` (or a skipped function body).
    mutating func declarationList(_ specs: Specifiers, at start: Token) throws(CDeclarationError) {
        if current.isPunct(.semicolon) || (isAtEnd && specs.tag != nil) { return try endDeclaration() }
        while true {
            var declarator = Declarator()
            try self.declarator(abstract: false, into: &declarator)
            try attributes(into: &declarator.attributes)
            if declarator.isFunction && current.isPunct(.lbrace) {
                return try skipBody()
            }
            var initializer: ConstantValue?
            if accept(.assign) { initializer = try self.initializer() }
            try declare(declarator, specs, initializer: initializer, at: start)
            if accept(.comma) { continue }
            return try endDeclaration()
        }
    }

    /// The `;` ending a declaration. As in LuaJIT (`cp_decl_multi`), the first top-level
    /// declaration may omit it at the end of the input: `ffi.cdef "int abs(int x)"`.
    private mutating func endDeclaration() throws(CDeclarationError) {
        if accept(.semicolon) {
            if depth == 0 { sawSemicolon = true }
            return
        }
        if isAtEnd && depth == 0 && !sawSemicolon { return }
        throw expected(";")
    }

    /// Declares one declarator according to the storage class and type.
    private mutating func declare(
        _ declarator: Declarator, _ specs: Specifiers, initializer: ConstantValue?, at start: Token
    ) throws(CDeclarationError) {
        guard let name = declarator.name, let token = declarator.nameToken else { return }
        let type = try self.type(of: declarator, specifiers: specs, at: start)
        if specs.storage == .typedef {
            return declareTypedef(name, type.aligned(by: declarator, specs), at: token)
        }
        if case .function(let function) = type.kind {
            return declareFunction(
                name, FunctionEntry(asmName: asmName(of: declarator.attributes), type: function),
                at: token)
        }
        if let initializer, type.qualifiers.contains(.const), type.isInteger {
            let value = ConstantValue(initializer.bits, as: type, target: target) ?? initializer
            return try declareConstant(
                CConstant(name: name, value: value.signedValue, type: type.unqualified), at: token)
        }
        if specs.storage == .static {
            throw error(
                "invalid C type for static '\(name)' (only functions and integer constants)",
                at: token, near: false)
        }
        // A redeclaration keeps the first declaration, whatever its type (LuaJIT's rule).
        if !transaction.override, let old = transaction.variable(name) {
            if !old.value.type.isEquivalent(to: type) { warnRedeclared(name, at: token, first: old.at) }
            return
        }
        transaction.addVariable(
            name, at: token,
            Declared(
                value: CVariableDeclaration(
                    name: name, type: type, asmName: asmName(of: declarator.attributes)),
                at: declared(at: token)))
    }

    /// A function: a redeclaration keeps the first one, whatever its type (as LuaJIT,
    /// which ignores redeclarations: headers often repeat a prototype with other
    /// spellings of its types).
    private mutating func declareFunction(_ name: String, _ function: FunctionEntry, at token: Token) {
        let new = Declared(value: function, at: declared(at: token))
        if let old = transaction.addFunctionIfAbsent(symbol(name, from: token), at: token, new),
            !CType(.function(old.value.type)).isEquivalent(to: CType(.function(function.type)))
        {
            warnRedeclared(name, at: token, first: old.at)
        }
    }

    /// A typedef: a redefinition keeps the first one, whatever its type (LuaJIT's rule;
    /// the predefined `ssize_t`, `wchar_t`... included).
    private mutating func declareTypedef(_ name: String, _ type: CType, at token: Token) {
        let new = Declared(value: type, at: declared(at: token))
        if let old = transaction.addTypedefIfAbsent(symbol(name, from: token), at: token, new),
            !old.value.isEquivalent(to: type)
        {
            warnRedeclared(name, at: token, first: old.at)
        }
    }

    /// Notes a redeclaration with another type (kept out; see `CDeclarations.warnings`).
    private mutating func warnRedeclared(_ name: String, at token: Token, first: DeclaredAt) {
        let kept = transaction.base.location(first).map { "first declaration at \($0) kept" }
            ?? "predefined type kept"
        transaction.warnings.append("\(location(of: token)): '\(name)' redeclared with another type (\(kept))")
    }

    /// After `=`: a constant expression, or a skipped brace/other initializer.
    private mutating func initializer() throws(CDeclarationError) -> ConstantValue? {
        if current.isPunct(.lbrace) {
            try skipBody()
            return nil
        }
        let saved = position
        if let value = try? constantExpression(),
            current.isPunct(.comma) || current.isPunct(.semicolon)
        {
            return value
        }
        position = saved
        while !current.isPunct(.comma) && !current.isPunct(.semicolon) {
            if case .eof = current.kind { throw error("';' expected") }
            if current.isPunct(.lparen) { try skipBalancedParentheses() } else { advance() }
        }
        return nil
    }

    /// Skips a `{ ... }` body with balanced braces.
    mutating func skipBody() throws(CDeclarationError) {
        var level = 0
        repeat {
            if case .eof = current.kind { throw error("'}' expected") }
            if current.isPunct(.lbrace) { level += 1 }
            if current.isPunct(.rbrace) { level -= 1 }
            advance()
        } while level > 0
    }

    /// `_Static_assert(expr, "message");` — evaluated; false is an error.
    mutating func staticAssertion() throws(CDeclarationError) {
        let token = current
        advance()
        try expect(.lparen, "(")
        let value = try constantExpression()
        var message = "static assertion failed"
        if accept(.comma), case .string(let text) = current.kind {
            message += ": \"\(literals[text])\""
            advance()
        }
        try expect(.rparen, ")")
        try expect(.semicolon, ";")
        if !value.isTrue { throw error(message, at: token, near: false) }
    }

    /// `#pragma pack(n)`, `pack()`, `pack(push[, n])`, `pack(pop)`; other pragmas ignored.
    mutating func pragma() throws(CDeclarationError) {
        guard case .pragma(let index) = current.kind else { return }
        let text = literals[index]
        let token = current
        advance()
        let words = text.split(whereSeparator: { " \t(),".contains($0) })
        guard words.first == "pack" else { return }
        var arguments = words.dropFirst()
        switch arguments.first {
        case "push"?:
            packStack.append(pack)
            arguments = arguments.dropFirst()
        case "pop"?:
            pack = packStack.popLast() ?? nil
            return
        default: break
        }
        guard let first = arguments.first else {
            pack = nil
            return
        }
        guard let n = Int(first), n > 0, n & (n - 1) == 0, n <= 16 else {
            throw error("invalid '#pragma pack' value", at: token, near: false)
        }
        pack = n
    }
}
