// The C type model: structural types are Hashable values, records and enums are references.

/// Type qualifiers: `const`, `volatile`, `restrict` (and their `__x__` spellings).
public struct CQualifiers: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// `const`, `__const`, `__const__`.
    public static let const = CQualifiers(rawValue: 1)
    /// `volatile`, `__volatile__`.
    public static let volatile = CQualifiers(rawValue: 2)
    /// `restrict`, `__restrict`, `__restrict__`.
    public static let restrict = CQualifiers(rawValue: 4)
}

/// The length of an array type.
public enum CArrayCount: Hashable, Sendable {
    /// `[n]`, including `[0]`.
    case fixed(Int)
    /// `[]`: incomplete (flexible array member, `extern int a[];`).
    case unspecified
    /// `[?]`: LuaJIT's variable-length array; the length is given when allocating.
    case variable

    /// The length of a `.fixed` array, or -1.
    var fixedValue: Int {
        if case .fixed(let n) = self { return n }
        return -1
    }
}

/// One parameter of a function type; the name is informative only (not part of equality).
public struct CFunctionParameter: Hashable {
    /// The declared name, if any.
    public var name: String?
    /// The parameter type, already adjusted (arrays and functions decay to pointers).
    public var type: CType
    /// Creates a parameter.
    public init(name: String?, type: CType) {
        self.name = name
        self.type = type
    }
    public static func == (a: Self, b: Self) -> Bool { a.type == b.type }
    public func hash(into hasher: inout Hasher) { hasher.combine(type) }
}

/// A function type: result, parameters, variadic flag (calling conventions are ignored).
///
/// `f()` and `f(void)` both have zero parameters.
public struct CFunctionType: Hashable {
    /// The result type.
    public var result: CType
    /// The parameters in order.
    public var parameters: [CFunctionParameter]
    /// Whether the prototype ends with `...`.
    public var isVariadic: Bool
    /// Creates a function type.
    public init(result: CType, parameters: [CFunctionParameter], isVariadic: Bool = false) {
        self.result = result
        self.parameters = parameters
        self.isVariadic = isVariadic
    }
}

/// A C type: a kind plus the qualifiers applied at this level.
///
/// `const char *` is `pointer(to: char[const])`; `char *const` is `pointer(to: char)[const]`.
public struct CType: Hashable {
    /// The kinds of C types.
    /// Only the cases that contain types are boxed, so primitive types need no allocation.
    public enum Kind: Hashable {
        case void
        /// `bool`, `_Bool`.
        case bool
        /// Plain `char` (signedness per target; `signed char` is `.integer(size: 1, isSigned: true)`).
        case char
        /// Every other integer type, canonicalized by size and signedness (`long` and
        /// `long long` are both `.integer(size: 8, isSigned: true)` on LP64, as in LuaJIT).
        case integer(size: Int, isSigned: Bool)
        case float, double, longDouble
        /// `_Float128`, `__float128`.
        case float128
        /// `_Float16` (laid out, not converted).
        case float16
        /// `complex float`, `complex double` (`_Complex`, `__complex__`).
        case complexFloat, complexDouble
        /// `long double _Complex`: laid out, not converted (as `_Float128`).
        case complexLongDouble
        /// A pointer to the pointee type.
        indirect case pointer(CType)
        /// A C++ reference (`int &`).
        indirect case reference(CType)
        /// An array of the element type.
        indirect case array(CType, CArrayCount)
        /// A function (not a pointer to one).
        indirect case function(CFunctionType)
        /// A struct or union.
        case record(CRecord)
        /// An enum.
        case enumeration(CEnum)
        /// A GCC vector (`__attribute__((vector_size(n)))`) of the element type, `size` bytes.
        indirect case vector(CType, size: Int)
    }

    /// What kind of type this is.
    public var kind: Kind
    /// Qualifiers on this level of the type.
    public var qualifiers: CQualifiers
    /// `__attribute__((aligned(n)))` on a typedef or type name, as log2(n) + 1 (0: the
    /// natural alignment). Fits the padding after `qualifiers`.
    private var alignmentCode: UInt8 = 0

    /// The alignment an `aligned` attribute gave this type (a typedef or type name, as
    /// GCC and LuaJIT: it may lower the natural one), nil for the natural alignment.
    public var alignAttribute: Int? { alignmentCode == 0 ? nil : 1 << Int(alignmentCode - 1) }

    /// This type with the alignment of `aligned(n)` (`n` a power of two).
    public func aligned(_ n: Int) -> CType {
        precondition(n > 0 && n & (n - 1) == 0, "alignment must be a power of two")
        var copy = self
        copy.alignmentCode = UInt8(n.trailingZeroBitCount + 1)
        return copy
    }

    /// Creates a type.
    public init(_ kind: Kind, qualifiers: CQualifiers = []) {
        self.kind = kind
        self.qualifiers = qualifiers
    }

    /// Common types (`int32` is `int`, `int64` is `long`/`long long`/`int64_t` on LP64).
    public static var void: CType { CType(.void) }
    public static var bool: CType { CType(.bool) }
    public static var char: CType { CType(.char) }
    public static var int8: CType { CType(.integer(size: 1, isSigned: true)) }
    public static var uint8: CType { CType(.integer(size: 1, isSigned: false)) }
    public static var int16: CType { CType(.integer(size: 2, isSigned: true)) }
    public static var uint16: CType { CType(.integer(size: 2, isSigned: false)) }
    public static var int32: CType { CType(.integer(size: 4, isSigned: true)) }
    public static var uint32: CType { CType(.integer(size: 4, isSigned: false)) }
    public static var int64: CType { CType(.integer(size: 8, isSigned: true)) }
    public static var uint64: CType { CType(.integer(size: 8, isSigned: false)) }
    public static var float: CType { CType(.float) }
    public static var double: CType { CType(.double) }

    /// A pointer to `pointee`.
    public static func pointer(to pointee: CType, qualifiers: CQualifiers = []) -> CType {
        CType(.pointer(pointee), qualifiers: qualifiers)
    }

    /// An array of `element`.
    public static func array(of element: CType, count: CArrayCount) -> CType {
        CType(.array(element, count))
    }

    /// This type with `extra` qualifiers added.
    public func adding(_ extra: CQualifiers) -> CType {
        var copy = self
        copy.qualifiers.formUnion(extra)
        return copy
    }

    /// The type with `extra` qualifiers as C applies them to a type name: to the
    /// elements of an array type (`const T` with `T` an `int [2]` typedef is
    /// `const int [2]`, C11 6.7.3p9, and LuaJIT), else to the type itself.
    public func qualified(_ extra: CQualifiers) -> CType {
        guard !extra.isEmpty else { return self }
        guard case .array(let element, let count) = kind else { return adding(extra) }
        var copy = self
        copy.kind = .array(element.qualified(extra), count)
        return copy
    }

    /// This type without qualifiers at the top level (an `aligned` attribute stays).
    public var unqualified: CType {
        var copy = self
        copy.qualifiers = []
        return copy
    }

    /// Whether this is an integer type (including `char`, `bool` and enums).
    public var isInteger: Bool {
        switch kind {
        case .bool, .char, .integer, .enumeration: return true
        default: return false
        }
    }

    /// The type as a parameter sees it: arrays become pointers, functions function pointers.
    public var decayed: CType {
        switch kind {
        case .array(let element, _): return CType(.pointer(element), qualifiers: qualifiers)
        case .function: return CType(.pointer(self))
        default: return self
        }
    }
}
