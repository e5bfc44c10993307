// C spelling of types (`int (*[3])(void)`), and LuaJIT's in `ctype<...>` (`int (*[3])()`).

extension CType: CustomStringConvertible {
    /// The C spelling of the type as an abstract declarator, e.g. `const char *`,
    /// `int (*)(int, double)`, `char (*)[8]`. 64-bit integers are spelled `int64_t` /
    /// `uint64_t` as LuaJIT does.
    public var description: String { cName }

    /// The C spelling of the type (same as `description`).
    public var cName: String { declaration(named: "") }

    /// The type as LuaJIT's `tostring` spells it (`lj_ctype_repr`): no parameter
    /// lists (`int (*)()`), `complex` for `complex double`, `char` for `signed char`.
    /// For display only: it is not C (`int (*)()` declares no prototype).
    public var luajitName: String { spell(inner: "", luajit: true) }

    /// The C declaration of `name` with this type, e.g. `int (*name)(void)`.
    public func declaration(named name: String) -> String {
        spell(inner: name, luajit: false)
    }

    /// Spells the type around the declarator text `inner` built so far.
    private func spell(inner: String, luajit: Bool) -> String {
        switch kind {
        case .pointer(let pointee):
            return pointee.spell(inner: "*" + qualifierSuffix(before: inner), luajit: luajit)
        case .reference(let target):
            return target.spell(inner: "&" + inner, luajit: luajit)
        case .array(let element, let count):
            return element.spell(inner: Self.grouped(inner) + Self.spell(count), luajit: luajit)
        case .function(let function):
            let parameters = luajit ? "()" : function.parameterList
            return function.result.spell(inner: Self.grouped(inner) + parameters, luajit: luajit)
        case .vector(let element, let size):
            let base = "\(element.spell(inner: "", luajit: luajit)) __attribute__((vector_size(\(size))))"
            return qualifierPrefix + (inner.isEmpty ? base : base + " " + inner)
        default:
            let base = qualifierPrefix + (luajit ? luajitBaseName : baseName)
            return inner.isEmpty ? base : base + " " + inner
        }
    }

    /// LuaJIT's names where they differ from C's.
    private var luajitBaseName: String {
        switch kind {
        case .complexDouble: return "complex"
        case .integer(size: 1, isSigned: true): return "char"
        default: return baseName
        }
    }

    /// Parenthesizes a declarator that starts with a pointer or reference.
    private static func grouped(_ inner: String) -> String {
        inner.hasPrefix("*") || inner.hasPrefix("&") ? "(" + inner + ")" : inner
    }

    private static func spell(_ count: CArrayCount) -> String {
        switch count {
        case .fixed(let n): return "[\(n)]"
        case .unspecified: return "[]"
        case .variable: return "[?]"
        }
    }

    /// `const volatile ` (with trailing space) for a base type.
    private var qualifierPrefix: String {
        qualifierWords.map { $0 + " " }.joined()
    }

    /// `const` after a `*`, separated from the rest of the declarator.
    private func qualifierSuffix(before inner: String) -> String {
        let words = qualifierWords.joined(separator: " ")
        if words.isEmpty { return inner }
        return inner.isEmpty ? words : words + " " + inner
    }

    private var qualifierWords: [String] {
        var words: [String] = []
        if qualifiers.contains(.const) { words.append("const") }
        if qualifiers.contains(.volatile) { words.append("volatile") }
        if qualifiers.contains(.restrict) { words.append("restrict") }
        return words
    }

    /// The name of a non-derived type.
    private var baseName: String {
        switch kind {
        case .void: return "void"
        case .bool: return "bool"
        case .char: return "char"
        case .integer(let size, let isSigned): return Self.integerName(size, isSigned)
        case .float: return "float"
        case .double: return "double"
        case .longDouble: return "long double"
        case .float128: return "_Float128"
        case .float16: return "_Float16"
        case .complexFloat: return "complex float"
        case .complexDouble: return "complex double"
        case .complexLongDouble: return "complex long double"
        case .record(let record): return record.description
        case .enumeration(let enumeration): return enumeration.description
        default: return "?"
        }
    }

    private static func integerName(_ size: Int, _ isSigned: Bool) -> String {
        let name: String
        switch size {
        case 1: name = "char"
        case 2: name = "short"
        case 4: name = "int"
        case 8: return isSigned ? "int64_t" : "uint64_t"
        case 16: name = "__int128"
        default: return isSigned ? "int\(size * 8)_t" : "uint\(size * 8)_t"
        }
        if size == 1 { return isSigned ? "signed char" : "unsigned char" }
        return isSigned ? name : "unsigned " + name
    }
}

extension CFunctionType {
    /// `(int, double)`, `(void)`, `(const char *, ...)`.
    var parameterList: String {
        var items = parameters.map(\.type.cName)
        if isVariadic { items.append("...") }
        return "(" + (items.isEmpty ? "void" : items.joined(separator: ", ")) + ")"
    }
}
