// Structural equivalence: two anonymous records or enums with the same body are the same type.

extension CType {
    /// Whether the types are equal, treating untagged records and enums with identical
    /// bodies as the same (used to accept repeated `typedef struct { ... } T;`).
    func isEquivalent(to other: CType) -> Bool {
        if self == other { return true }
        guard qualifiers == other.qualifiers else { return false }
        switch (kind, other.kind) {
        case (.pointer(let a), .pointer(let b)), (.reference(let a), .reference(let b)):
            return a.isEquivalent(to: b)
        case (.array(let a, let m), .array(let b, let n)):
            return m == n && a.isEquivalent(to: b)
        case (.record(let a), .record(let b)):
            return a.tag == nil && b.tag == nil && a.isEquivalent(to: b)
        case (.enumeration(let a), .enumeration(let b)):
            return a.tag == nil && b.tag == nil && a.constants == b.constants
                && a.underlying == b.underlying
        case (.function(let a), .function(let b)):
            return a.isVariadic == b.isVariadic && a.result.isEquivalent(to: b.result)
                && a.parameters.count == b.parameters.count
                && zip(a.parameters, b.parameters).allSatisfy { $0.type.isEquivalent(to: $1.type) }
        default:
            return false
        }
    }
}

extension CRecord {
    /// Same kind, layout and members (member types compared structurally).
    func isEquivalent(to other: CRecord) -> Bool {
        guard isUnion == other.isUnion, size == other.size, alignment == other.alignment,
            fields.count == other.fields.count
        else { return false }
        return zip(fields, other.fields).allSatisfy { a, b in
            a.name == b.name && a.offset == b.offset && a.bitfield == b.bitfield
                && a.type.isEquivalent(to: b.type)
        }
    }
}

extension CType {
    /// Whether a cdata of type `other` is an instance of this type by LuaJIT's
    /// `ffi.istype` rule (lib_ffi.c `ffi_istype`): the same type, qualifiers aside;
    /// pointers, or arrays of one size, to compatible types (`lj_cconv_compatptr` with
    /// qualifiers ignored: integers of one size, signedness aside); a struct or union
    /// for a pointer to it. A reference stands for its target on either side (a
    /// struct's `double arr[3]` field is a `double (&)[3]`, and an instance of
    /// `double[3]`, as in LuaJIT).
    public func isLuaJITInstanceType(_ other: CType, charIsSigned: Bool = TargetLayout.host.charIsSigned) -> Bool {
        let a = referent.unqualified, b = other.referent.unqualified
        if a == b { return true }
        // LuaJIT has one type for `char` and the `char`-signed 1-byte integer
        // (`int8_t` is `char` on x86-64).
        if case .char = a.kind, case .integer(1, charIsSigned) = b.kind { return true }
        if case .integer(1, charIsSigned) = a.kind, case .char = b.kind { return true }
        switch (a.kind, b.kind) {
        case (.pointer(let x), .pointer(let y)): return Self.compatiblePointees(x, y)
        case (.array(let x, .fixed(let m)), .array(let y, .fixed(let n))):
            return m == n && Self.compatiblePointees(x, y)
        case (.record, .pointer(let y)): return y.unqualified == a
        default: return false
        }
    }

    /// Whether this type and `other` are one type to LuaJIT, qualifiers aside: it has
    /// one type for `char` and the `char`-signed 1-byte integer, so arrays of them are
    /// one type too (an `int8_t[2]` cdata initializes a `char[2]`, x86-64).
    public func isLuaJITSameType(_ other: CType, charIsSigned: Bool = TargetLayout.host.charIsSigned) -> Bool {
        let a = unqualified, b = other.unqualified
        return a == b || Self.sameWithChar(a, b, charIsSigned)
    }

    /// `x` and `y` differ only in `char` against the `char`-signed 1-byte integer.
    private static func sameWithChar(_ x: CType, _ y: CType, _ charIsSigned: Bool) -> Bool {
        guard x.qualifiers == y.qualifiers, x.alignAttribute == y.alignAttribute else { return false }
        switch (x.kind, y.kind) {
        case (.char, .integer(1, charIsSigned)), (.integer(1, charIsSigned), .char): return true
        case (.array(let p, let m), .array(let q, let n)): return m == n && (p == q || sameWithChar(p, q, charIsSigned))
        default: return false
        }
    }

    /// The target of a reference; any other type itself.
    private var referent: CType {
        if case .reference(let target) = kind { return target }
        return self
    }

    /// `lj_cconv_compatptr` for two pointees, qualifiers ignored.
    private static func compatiblePointees(_ x: CType, _ y: CType) -> Bool {
        let x = x.unqualified, y = y.unqualified
        if x == y { return true }
        switch (x.kind, y.kind) {
        case (.integer(let m, _), .integer(let n, _)): return m == n
        case (.char, .integer(1, _)), (.integer(1, _), .char): return true
        case (.pointer(let p), .pointer(let q)): return compatiblePointees(p, q)
        case (.array(let p, let m), .array(let q, let n)): return m == n && compatiblePointees(p, q)
        default: return false
        }
    }
}

extension CType {
    /// Whether assigning a whole object of this type writes a `const` part: the type is
    /// `const`, an array of such elements, or a record with such a member (LuaJIT
    /// refuses `s = t` for a struct with a `const` field, and `a = {...}` for an array
    /// of `const` elements).
    public var hasConstPart: Bool {
        if qualifiers.contains(.const) { return true }
        switch kind {
        case .array(let element, _): return element.hasConstPart
        case .record(let record): return record.hasConstMember
        default: return false
        }
    }
}
