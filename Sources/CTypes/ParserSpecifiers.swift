// Declaration specifiers: storage class, qualifiers, type words, tags and typedef names.

/// The storage class of a declaration.
enum StorageClass {
    case none, typedef, extern, `static`
}

/// What the specifiers of one declaration say.
struct Specifiers {
    var storage = StorageClass.none
    var type = CType.void
    var attributes = DeclarationAttributes()
    /// The struct/union/enum declared or defined by the specifiers, if any.
    var tag: CTag?
}

/// The counted type words (`unsigned long long int`) before they are resolved.
struct TypeWords {
    /// Three bits of count per type keyword (`void` through `float16`).
    private var packed: UInt64 = 0
    var named: CType?
    var isEmpty: Bool { packed == 0 }

    private static func shift(_ keyword: Keyword) -> UInt64 {
        UInt64(keyword.rawValue - Keyword.void.rawValue) * 3
    }

    mutating func add(_ keyword: Keyword) {
        if count(keyword) < 7 { packed += 1 << Self.shift(keyword) }
    }

    func count(_ keyword: Keyword) -> Int { Int(packed >> Self.shift(keyword) & 7) }

    /// The keyword when exactly one type keyword was seen, once (`int`, `double`...).
    @inline(__always) var single: Keyword? {
        guard packed != 0, packed & (packed &- 1) == 0 else { return nil }
        let shift = UInt8(truncatingIfNeeded: packed.trailingZeroBitCount)
        guard shift % 3 == 0 else { return nil }
        return Keyword(rawValue: Keyword.void.rawValue + shift / 3)
    }

    /// The number of type keywords seen.
    var total: Int {
        var sum = 0
        var bits = packed
        while bits != 0 {
            sum += Int(bits & 7)
            bits >>= 3
        }
        return sum
    }
}

extension Parser {
    /// Parses declaration specifiers into `result` (a fresh `Specifiers()`; filled in
    /// place, so the value is never copied on the way out); fails when there is no type.
    mutating func specifiers(into result: inout Specifiers) throws(CDeclarationError) {
        // Fast path: one type word or a typedef name, then something that cannot continue
        // the specifiers (not a keyword): `int a`, `double *p`, `uint8_t d[16]`.
        if case .keyword = peek().kind {
        } else {
            switch current.kind {
            case .keyword(let keyword):
                if let type = singleWordType(keyword) {
                    advance()
                    result.type = type
                    return
                }
            case .identifier:
                if let type = transaction.typedef(symbol(of: current))?.value {
                    advance()
                    result.type = type
                    return
                }
            default: break
            }
        }
        try generalSpecifiers(into: &result)
    }

    /// The type of a lone type keyword that needs no other word (`int`, `double`...).
    @inline(__always) private mutating func singleWordType(_ keyword: Keyword) -> CType? {
        switch keyword {
        case .int: return CType(.integer(size: target.int.size, isSigned: true))
        case .double: return .double
        case .char: return .char
        case .void: return .void
        case .float: return .float
        default: return nil
        }
    }

    private mutating func generalSpecifiers(into result: inout Specifiers) throws(CDeclarationError) {
        var words = TypeWords()
        var qualifiers: CQualifiers = []
        let start = current
        while try specifier(&result, &words, &qualifiers) {}
        if words.isEmpty && words.named == nil {
            if let name = currentIdentifier {
                throw error("undeclared identifier '\(name)'", near: false)
            }
            throw error("declaration specifier expected")
        }
        result.type = try resolve(words, at: start).qualified(qualifiers)
    }

    /// Consumes one specifier; false when the current token is not one.
    private mutating func specifier(
        _ result: inout Specifiers, _ words: inout TypeWords, _ qualifiers: inout CQualifiers
    ) throws(CDeclarationError) -> Bool {
        switch current.kind {
        case .keyword(let keyword):
            return try keywordSpecifier(keyword, &result, &words, &qualifiers)
        case .identifier:
            guard words.isEmpty, words.named == nil,
                let type = transaction.typedef(symbol(of: current))?.value
            else {
                return false
            }
            advance()
            words.named = type
            return true
        case .punct(.dollar):
            guard words.isEmpty, words.named == nil else { return false }
            words.named = try typeParameter()
            return true
        default:
            return false
        }
    }

    private mutating func keywordSpecifier(
        _ keyword: Keyword, _ result: inout Specifiers, _ words: inout TypeWords,
        _ qualifiers: inout CQualifiers
    ) throws(CDeclarationError) -> Bool {
        switch keyword {
        case .typedef: result.storage = .typedef
        case .extern: result.storage = .extern
        case .static: result.storage = .static
        case .auto, .register, .inline, .noreturn, .threadLocal, .gnuExtension, .callingConvention:
            break
        case .atomic where peek().isPunct(.lparen):
            try named(&words) { (p: inout Parser) throws(CDeclarationError) in try p.atomicSpecifier() }
            return true
        case .const, .volatile, .restrict, .atomic:
            qualifiers.formUnion(qualifier(keyword))
        case .attribute, .declspec, .alignas:
            try attributes(into: &result.attributes)
            return true
        case .struct, .union, .enum:
            try named(&words) { (p: inout Parser) throws(CDeclarationError) in
                let (type, tag) = try p.tagSpecifier(keyword)
                result.tag = tag
                return type
            }
            return true
        case .typeof:
            try named(&words) { (p: inout Parser) throws(CDeclarationError) in try p.typeofSpecifier() }
            return true
        case .builtinVaList:
            try named(&words) { (p: inout Parser) throws(CDeclarationError) in
                p.advance()
                return .pointer(to: .void)
            }
            return true
        case .void, .bool, .char, .short, .int, .long, .float, .double, .signed, .unsigned,
            .complex, .int128, .float128, .float64, .float32, .float64x, .float32x, .float16:
            if words.named != nil { throw error("invalid type") }
            words.add(keyword)
        default:
            return false
        }
        advance()
        return true
    }

    /// Parses a named type (tag, typeof) after checking no other type word was seen.
    private mutating func named(
        _ words: inout TypeWords, _ parse: (inout Parser) throws(CDeclarationError) -> CType
    ) throws(CDeclarationError) {
        if !words.isEmpty || words.named != nil { throw error("invalid type") }
        words.named = try parse(&self)
    }

    @inline(__always) func qualifier(_ keyword: Keyword) -> CQualifiers {
        switch keyword {
        case .const: return .const
        case .volatile: return .volatile
        case .restrict: return .restrict
        default: return []
        }
    }

    /// `_Atomic(type-name)`: the type (atomicity is not modelled).
    private mutating func atomicSpecifier() throws(CDeclarationError) -> CType {
        advance()
        advance()
        let type = try typeName()
        try expect(.rparen, ")")
        return type
    }

    /// `__typeof__(type-name)`; an expression operand gives its integer type.
    private mutating func typeofSpecifier() throws(CDeclarationError) -> CType {
        try enter()
        defer { depth -= 1 }
        advance()
        try expect(.lparen, "(")
        let type: CType
        if startsTypeName(current) {
            type = try typeName()
        } else {
            type = try constantExpression().type
        }
        try expect(.rparen, ")")
        return type
    }

    /// Whether `token` can start a type name (used to tell casts and parameter lists).
    mutating func startsTypeName(_ token: Token) -> Bool {
        switch token.kind {
        case .keyword(let k):
            switch k {
            case .sizeof, .alignof, .asm, .staticAssert: return false
            default: return true
            }
        case .identifier: return transaction.typedef(symbol(of: token)) != nil
        case .punct(.dollar):
            if nextParameter < parameters.count, case .type = parameters[nextParameter] {
                return true
            }
            return false
        default: return false
        }
    }

    /// Resolves counted type words to a type.
    private mutating func resolve(_ words: TypeWords, at token: Token) throws(CDeclarationError)
        -> CType
    {
        if let named = words.named { return named }
        if let keyword = words.single, let type = singleWordType(keyword) { return type }
        guard let type = resolveWords(words) else { throw error("invalid type", at: token) }
        return type
    }

    private mutating func resolveWords(_ w: TypeWords) -> CType? {
        let signed = w.count(.signed)
        let unsigned = w.count(.unsigned)
        if signed + unsigned > 1 { return nil }
        let sign = unsigned == 0
        if w.count(.void) == 1 && w.total == 1 { return .void }
        if w.count(.bool) == 1 && w.total == 1 { return .bool }
        if w.count(.char) == 1 {
            guard w.total == 1 + signed + unsigned else { return nil }
            if signed + unsigned == 0 { return .char }
            return CType(.integer(size: 1, isSigned: sign))
        }
        if w.count(.int128) == 1 { return CType(.integer(size: 16, isSigned: sign)) }
        let floatingWords = w.count(.float) + w.count(.double) + w.count(.float128) + w.count(.float16)
            + w.count(.float64) + w.count(.float32) + w.count(.float64x) + w.count(.float32x)
        if floatingWords + w.count(.complex) > 0 {
            // Only `long` and `_Complex` go with one floating word (`int double` is wrong).
            guard floatingWords <= 1, w.count(.complex) <= 1,
                w.total == floatingWords + w.count(.complex) + w.count(.long)
            else { return nil }
            return floating(w)
        }
        return integer(w, sign)
    }

    private mutating func integer(_ w: TypeWords, _ isSigned: Bool) -> CType? {
        guard w.count(.int) <= 1 else { return nil }
        let shorts = w.count(.short)
        let longs = w.count(.long)
        let all = w.total
        guard all == shorts + longs + w.count(.int) + w.count(.signed) + w.count(.unsigned) else {
            return nil
        }
        switch (shorts, longs) {
        case (0, 0): return CType(.integer(size: target.int.size, isSigned: isSigned))
        case (1, 0): return CType(.integer(size: target.short.size, isSigned: isSigned))
        case (0, 1): return CType(.integer(size: target.long.size, isSigned: isSigned))
        case (0, 2): return CType(.integer(size: target.longLong.size, isSigned: isSigned))
        default: return nil
        }
    }

    private mutating func floating(_ w: TypeWords) -> CType? {
        let longs = w.count(.long)
        let complex = w.count(.complex)
        if w.count(.float128) == 1 { return complex > 0 ? nil : CType(.float128) }
        if w.count(.float16) == 1 { return complex > 0 || longs > 0 ? nil : CType(.float16) }
        if w.count(.float64x) == 1 { return CType(complex > 0 ? .complexLongDouble : .longDouble) }
        if w.count(.float) + w.count(.float32) == 1 {
            return longs > 0 ? nil : CType(complex > 0 ? .complexFloat : .float)
        }
        if longs == 1 && w.count(.double) == 1 { return CType(complex > 0 ? .complexLongDouble : .longDouble) }
        if longs > 0 { return nil }
        return CType(complex > 0 ? .complexDouble : .double)
    }
}
