// Which targets' calling conventions this project implements, and what a call on any
// other target must refuse. Layout tables exist for several targets (this folder); the
// rules for passing values to C exist for x86-64 System V only: the direct register
// path, the eightbyte classes of unions, packed and bitfield structs, and x87 long
// double. Elsewhere libffi makes the calls, and only what it describes on its own
// (scalars, pointers, plain structs) may cross them.

extension TargetLayout {
    /// Whether this project implements this target's calling convention: the direct
    /// register paths of calls and callbacks and every by-value type.
    public var implementsCalls: Bool { self == .x86_64SysV }

    /// Why a value of `type` cannot be passed to or returned from C by value on this
    /// target, or nil when it can: on a target whose calls are not implemented, a
    /// `long double`, a complex number, a union, a packed struct or one with bitfields
    /// (at any depth of a by-value struct).
    public func byValueRefusal(_ type: CType) -> String? {
        guard !implementsCalls, let part = Self.unimplementedPart(of: type) else { return nil }
        return "\(part) by value is not supported on \(name): only x86-64 System V calls are implemented"
    }

    /// The first part of a by-value `type` whose passing depends on rules written for
    /// x86-64 System V only.
    private static func unimplementedPart(of type: CType) -> String? {
        switch type.kind {
        case .longDouble, .float128: return "'\(type.cName)'"
        case .complexFloat, .complexDouble: return "a complex number"
        case .vector: return "a vector"
        case .array(let element, _): return unimplementedPart(of: element)
        case .record(let record):
            if record.isUnion { return "a union ('\(type.cName)')" }
            if record.isPacked { return "a packed struct ('\(type.cName)')" }
            if record.fields.contains(where: { $0.bitfield != nil }) {
                return "a struct with bitfields ('\(type.cName)')"
            }
            return record.fields.lazy.compactMap { unimplementedPart(of: $0.type) }.first
        default: return nil
        }
    }
}
