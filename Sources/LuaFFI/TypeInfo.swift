// Per-type facts the hot paths need, flattened from the CTypes model once per type.
import CTypes

/// How values of a type are stored and converted.
enum ValueKind: UInt8 {
    case void, bool
    case int8, uint8, int16, uint16, int32, uint32, int64, uint64
    case float, double, longDouble
    case complexFloat, complexDouble
    case pointer, reference, array, record, vector, function, other

    /// Whether the kind is a C integer (enums and char map to one of these).
    var isInteger: Bool { rawValue >= ValueKind.int8.rawValue && rawValue <= ValueKind.uint64.rawValue }
    /// Whether the kind is a C floating type.
    var isFloating: Bool { self == .float || self == .double || self == .longDouble }
    /// Whether the kind is an integer, floating or bool type.
    var isNumeric: Bool { isInteger || isFloating || self == .bool }
    /// Whether values are aggregates, accessed through references.
    var isAggregate: Bool {
        self == .array || self == .record || self == .complexFloat || self == .complexDouble || self == .vector
    }
}

/// The facts about one interned type. Plain values only: cheap to copy on hot paths.
struct TypeInfo {
    var kind: ValueKind
    /// Size in bytes; nil for void, functions, incomplete types and `[?]` arrays.
    var size: Int?
    var alignment: Int
    /// Pointee (pointers, references) or element (arrays) type id; -1 otherwise.
    var target: Int32 = -1
    /// Element count of a fixed array; nil for `[?]`/`[]` and non-arrays.
    var count: Int?
    /// Whether the top level is const (cannot be written).
    var isConst: Bool
    /// Whether the type is complete; incomplete records are looked at again later.
    var isComplete: Bool
    /// A `[?]` array or a struct ending in one (sized per object).
    var isVariable = false
    /// Records: where their positional initializer fields are in
    /// `positionalFieldInfos` (start -1 until built).
    var positional: (start: Int32, count: Int32) = (-1, 0)

    /// The integer kind for a size and signedness.
    static func integerKind(size: Int, signed: Bool) -> ValueKind {
        switch (size, signed) {
        case (1, true): .int8
        case (1, false): .uint8
        case (2, true): .int16
        case (2, false): .uint16
        case (4, true): .int32
        case (4, false): .uint32
        case (_, true): .int64
        default: .uint64
        }
    }

    /// The storage kind of `type`.
    static func kind(of type: CType) -> ValueKind {
        switch type.kind {
        case .void: .void
        case .bool: .bool
        case .char: .int8
        case .integer(let size, let signed): integerKind(size: size, signed: signed)
        case .enumeration(let e): kind(of: e.underlying)
        case .float: .float
        case .double: .double
        case .longDouble: .longDouble
        case .complexFloat: .complexFloat
        case .complexDouble: .complexDouble
        case .pointer: .pointer
        case .reference: .reference
        case .array: .array
        case .record: .record
        case .function: .function
        case .vector: .vector
        case .float128, .float16, .complexLongDouble: .other
        }
    }
}

extension FFIState {
    /// The facts about type `id`, recomputed while the type is incomplete.
    @inline(__always)
    func info(_ id: Int32) -> TypeInfo {
        let cached = infos[Int(id)]
        if cached.isComplete { return cached }
        let fresh = makeInfo(types[Int(id)])
        infos[Int(id)] = fresh
        if fresh.isComplete { refreshFastSize(id) }
        return fresh
    }

    /// Computes the facts about `type` (interning the types it refers to).
    func makeInfo(_ type: CType) -> TypeInfo {
        var info = TypeInfo(
            kind: TypeInfo.kind(of: type), size: type.size, alignment: type.alignment,
            isConst: type.qualifiers.contains(.const), isComplete: true)
        info.isVariable = type.variableLayout != nil
        switch type.kind {
        case .pointer(let pointee), .reference(let pointee):
            info.target = intern(pointee)
        case .array(let element, let count):
            info.target = intern(element)
            if case .fixed(let n) = count { info.count = n }
            info.isComplete = element.size != nil
        case .vector(let element, let size):
            info.target = intern(element)
            info.count = size / max(element.size ?? 1, 1)
        case .record(let record):
            info.isComplete = record.isComplete
        case .enumeration(let e):
            info.isComplete = e.isComplete
        default:
            break
        }
        return info
    }
}
