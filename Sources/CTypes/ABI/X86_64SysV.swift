// x86-64 System V: the layout table and the calling rules this project implements
// for it, the one target whose calls are implemented (CallingRules.swift). The rules
// are read by libffi's type descriptions (LibFFITypes.swift), the plans of calls and
// callbacks (CallPlan.swift) and, as the data those plans give it, the C direct path
// (lf_Callable, lf_CCallback): no other file knows a register or an eightbyte.

extension TargetLayout {
    /// x86-64 System V (Linux, BSD, macOS Intel).
    public static let x86_64SysV = TargetLayout(
        name: "x86_64", charIsSigned: true, long: SizeAlign(8, 8), pointer: SizeAlign(8, 8),
        longDouble: SizeAlign(16, 16), wcharIsSigned: true, biggestAlignment: 16)
}

/// The calling rules of x86-64 System V (the psABI, "Parameter Passing").
public enum SysVCalls {
    /// The class of a scalar argument that travels in one register.
    public enum RegisterClass: Sendable {
        /// rdi, rsi, rdx, rcx, r8, r9.
        case integer
        /// xmm0-xmm7.
        case floating
    }

    /// Integer argument registers.
    public static let integerRegisters = 6
    /// Floating argument registers.
    public static let floatingRegisters = 8

    /// The register slot of each argument when every argument travels in a register:
    /// integer registers are slots 0..<6 in order, floating ones 6..<14. Nil when an
    /// argument has no register class (an aggregate, a `long double`) or the registers
    /// run out: the call goes through libffi then.
    public static func registerSlots(_ classes: [RegisterClass?]) -> [Int]? {
        var integers = 0, floats = 0
        var slots: [Int] = []
        slots.reserveCapacity(classes.count)
        for registerClass in classes {
            switch registerClass {
            case .integer?:
                guard integers < integerRegisters else { return nil }
                slots.append(integers)
                integers += 1
            case .floating?:
                guard floats < floatingRegisters else { return nil }
                slots.append(integerRegisters + floats)
                floats += 1
            case nil:
                return nil
            }
        }
        return slots
    }

    /// How a struct or union result of up to 16 bytes comes back in registers: the
    /// class of each eightbyte (`true`: SSE, xmm0/xmm1; `false`: INTEGER, rax/rdx),
    /// or nil when it comes back in memory (through a hidden pointer) or in st0 (one
    /// `long double`), or is over-aligned.
    public static func returnRegisters(_ type: CType) -> [Bool]? {
        guard case .record = type.kind, type.alignment <= 8 else { return nil }
        return eightbyteClasses(of: type)
    }

    /// The class of each eightbyte of a struct or union that travels in registers:
    /// `true` for SSE (only `float`/`double` parts touch it), `false` for INTEGER; nil
    /// when it travels in memory (over 16 bytes, a `long double`, a complex or vector
    /// part, a misaligned field of a packed struct) or is no complete record.
    public static func eightbyteClasses(of type: CType) -> [Bool]? {
        guard case .record(let record) = type.kind, let size = record.size, size > 0, size <= 16,
              !record.isVariableLength, !record.hasFlexibleArray,
              let leaves = scalarLeaves(type, base: 0), !leaves.contains(where: \.isMisaligned) else { return nil }
        return stride(from: 0, to: size, by: 8).map { start in
            let touching = leaves.filter { $0.offset < min(start + 8, size) && $0.offset + $0.size > start }
            return !touching.isEmpty && touching.allSatisfy(\.isFloating)
        }
    }

    /// Whether `type` is one `long double` wrapped in structs, unions of one member or
    /// one-element arrays: returned in st0 and passed in memory as a `long double` is.
    public static func isSingleLongDouble(_ type: CType) -> Bool {
        switch type.kind {
        case .longDouble: return true
        case .array(let element, .fixed(1)): return isSingleLongDouble(element)
        case .record(let record):
            guard record.fields.count == 1, record.fields[0].bitfield == nil else { return false }
            return isSingleLongDouble(record.fields[0].type)
        default: return false
        }
    }

    /// A scalar inside an aggregate.
    private struct Leaf {
        var offset: Int
        var size: Int
        var isFloating: Bool
        /// At an offset that is not a multiple of its type's alignment (packed).
        var isMisaligned: Bool
    }

    /// Every scalar inside `type` at `base` with its offset; nil when a part forces
    /// memory passing (`long double`, `_Float128`, `_Float16`, vectors) or has no size.
    private static func scalarLeaves(_ type: CType, base: Int) -> [Leaf]? {
        switch type.kind {
        case .array(let element, .fixed(let count)):
            guard let elementSize = element.size else { return nil }
            var leaves: [Leaf] = []
            for i in 0..<count {
                guard let inner = scalarLeaves(element, base: base + i * elementSize) else { return nil }
                leaves += inner
            }
            return leaves
        case .record(let record):
            var leaves: [Leaf] = []
            for field in record.fields {
                if let bitfield = field.bitfield {
                    leaves.append(Leaf(offset: base + bitfield.bitOffset / 8,
                                       size: (bitfield.bitOffset % 8 + bitfield.width + 7) / 8,
                                       isFloating: false, isMisaligned: false))
                    continue
                }
                guard let inner = scalarLeaves(field.type, base: base + field.offset) else { return nil }
                leaves += inner
            }
            return leaves
        case .complexFloat, .complexDouble:
            let half = type.kind == .complexFloat ? 4 : 8
            let misaligned = base % half != 0
            return [Leaf(offset: base, size: half, isFloating: true, isMisaligned: misaligned),
                    Leaf(offset: base + half, size: half, isFloating: true, isMisaligned: misaligned)]
        case .bool, .char, .integer, .enumeration, .pointer, .reference, .float, .double:
            guard let size = type.size else { return nil }
            let isFloating = type.kind == .float || type.kind == .double
            return [Leaf(offset: base, size: size, isFloating: isFloating,
                         isMisaligned: base % max(type.alignment, 1) != 0)]
        default:
            return nil
        }
    }
}
