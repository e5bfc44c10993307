// Tokens of the C declaration language, as produced by the lexer.

/// Punctuators the parser distinguishes; anything else is `.other`.
enum Punct: UInt8 {
    case lparen, rparen, lbracket, rbracket, lbrace, rbrace, semicolon, comma
    case star, amp, ellipsis, assign, colon, question, dot, dollar
    case less, greater, lessEqual, greaterEqual, equal, notEqual
    case plus, minus, slash, percent, caret, pipe, bang, tilde
    case shiftLeft, shiftRight, andAnd, orOr, arrow, other
}

/// Reserved words and the GCC spellings of them.
enum Keyword: UInt8 {
    case typedef, extern, `static`, auto, register, inline, noreturn, threadLocal, gnuExtension
    case const, volatile, restrict, atomic
    case void, bool, char, short, int, long, float, double, signed, unsigned, complex
    case int128, float128, float64, float32, float64x, float32x, float16, builtinVaList
    case `struct`, union, `enum`
    case attribute, declspec, asm, sizeof, alignof, typeof, staticAssert, alignas
    case callingConvention

    /// Spellings, including `__x` and `__x__` forms.
    static let table: [String: Keyword] = {
        var table: [String: Keyword] = [
            "typedef": .typedef, "extern": .extern, "static": .static, "auto": .auto,
            "register": .register, "_Noreturn": .noreturn, "__thread": .threadLocal,
            "_Thread_local": .threadLocal, "__extension__": .gnuExtension,
            "_Atomic": .atomic, "void": .void, "_Bool": .bool, "bool": .bool,
            "char": .char, "short": .short, "int": .int, "long": .long, "float": .float,
            "double": .double, "_Complex": .complex, "complex": .complex,
            "__int128": .int128, "__int128_t": .int128, "_Float128": .float128,
            "__float128": .float128, "_Float64": .float64, "_Float32": .float32,
            "_Float64x": .float64x, "_Float32x": .float32x, "_Float16": .float16,
            "__builtin_va_list": .builtinVaList, "struct": .struct, "union": .union,
            "enum": .enum, "__declspec": .declspec, "sizeof": .sizeof,
            "_Alignof": .alignof, "_Static_assert": .staticAssert,
            "static_assert": .staticAssert, "_Alignas": .alignas,
            "__cdecl": .callingConvention, "__stdcall": .callingConvention,
            "__fastcall": .callingConvention, "__thiscall": .callingConvention,
            "__ptr32": .callingConvention, "__ptr64": .callingConvention,
        ]
        let gnu: [(String, Keyword)] = [
            ("inline", .inline), ("const", .const), ("volatile", .volatile),
            ("restrict", .restrict), ("signed", .signed), ("unsigned", .unsigned),
            ("complex", .complex), ("attribute", .attribute), ("asm", .asm),
            ("alignof", .alignof), ("typeof", .typeof),
        ]
        for (word, keyword) in gnu {
            table[word] = keyword
            table["__" + word] = keyword
            table["__" + word + "__"] = keyword
        }
        table["__attribute"] = .attribute
        table["attribute"] = nil
        table["alignof"] = .alignof
        table["typeof"] = .typeof
        return table
    }()
}

/// A token: its kind and where it is. Plain data (no references), so copying it is free.
struct Token {
    /// What the token is, with its value.
    enum Kind {
        /// An identifier: its name is the source text (`Parser.name(of:)`), with the
        /// FNV-1a hash of its bytes when they are ASCII (the lexer computes it anyway;
        /// `SymbolName`), else 0.
        case identifier(hash: UInt32)
        case keyword(Keyword)
        /// An integer literal: value, `u` suffix, `l`/`ll` suffix, decimal.
        case integer(UInt64, isUnsigned: Bool, isLong: Bool, isDecimal: Bool)
        /// A character literal's value (the raw code; plain chars are sign-adjusted later).
        case character(Int64, isWide: Bool)
        /// A string literal: the index of its decoded value in the lexer's `literals`.
        case string(Int)
        case floating
        case punct(Punct)
        /// `#pragma` line: the index of the text after `pragma` in the lexer's `literals`.
        case pragma(Int)
        case eof
    }

    var kind: Kind
    private var range: (start: Int32, end: Int32)
    private var position: (line: Int32, column: Int32)

    /// Creates a token; offsets, line and column fit in 32 bits (the parser checks the size).
    init(kind: Kind, start: Int, end: Int, line: Int, column: Int) {
        self.kind = kind
        range = (Int32(truncatingIfNeeded: start), Int32(truncatingIfNeeded: end))
        position = (Int32(truncatingIfNeeded: line), Int32(truncatingIfNeeded: column))
    }

    /// Byte range in the source.
    var start: Int { Int(range.start) }
    var end: Int { Int(range.end) }
    /// 1-based line and column of `start`.
    var line: Int { Int(position.line) }
    var column: Int { Int(position.column) }

    /// Whether this is the given punctuator.
    @inline(__always) func isPunct(_ p: Punct) -> Bool {
        if case .punct(let q) = kind { return q == p }
        return false
    }

    /// Whether this is the given keyword.
    @inline(__always) func isKeyword(_ k: Keyword) -> Bool {
        if case .keyword(let q) = kind { return q == k }
        return false
    }

    /// Whether this is an identifier.
    @inline(__always) var isIdentifier: Bool {
        if case .identifier = kind { return true }
        return false
    }
}

/// A growable buffer of tokens without bounds checks or reference counting: the parser's
/// window on the token stream. Owned by one parser, released with `release()`.
struct TokenBuffer {
    private(set) var base: UnsafeMutablePointer<Token>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    @inline(__always) subscript(index: Int) -> Token { base[index] }

    /// Makes room for `extra` more tokens.
    @inline(__always) mutating func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(count + extra) }
    }

    private mutating func grow(_ needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newBase = UnsafeMutablePointer<Token>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Appends within the reserved capacity.
    @inline(__always) mutating func append(_ token: Token) {
        (base + count).initialize(to: token)
        count &+= 1
    }

    /// Removes the first `n` tokens.
    mutating func removeFirst(_ n: Int) {
        (base).moveInitialize(from: base + n, count: count - n)
        count -= n
    }

    mutating func removeAll() { count = 0 }

    func release() { base.deallocate() }
}
