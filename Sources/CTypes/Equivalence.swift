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
