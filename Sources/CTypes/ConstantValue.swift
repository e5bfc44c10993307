// Integer values of C constant expressions with C's conversion rules (32/64-bit, sign).

/// An integer constant: bits normalized to `width` bytes (4 or 8), with signedness.
struct ConstantValue {
    /// The value's bits; 32-bit values are sign- or zero-extended to 64 bits.
    var bits: UInt64
    var width: Int
    var isUnsigned: Bool
    /// The value has a type narrower than `int` (a cast to one, or a constant of one):
    /// LuaJIT's constant expressions keep it unconverted, compare it unsigned and give it
    /// the other operand's type in arithmetic (`lj_cparse.c`, `cp_expr_infix`).
    var isNarrow = false

    init(bits: UInt64, width: Int, isUnsigned: Bool) {
        self.width = width
        self.isUnsigned = isUnsigned
        if width == 8 {
            self.bits = bits
        } else if isUnsigned {
            self.bits = bits & 0xFFFF_FFFF
        } else {
            self.bits = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: bits)))
        }
    }

    init(int value: Int64) {
        self.init(bits: UInt64(bitPattern: value), width: 4, isUnsigned: false)
    }

    /// A value of C type `type` (truncating like a cast); nil for non-integer types.
    init?(_ value: UInt64, as type: CType, target: TargetLayout) {
        switch type.kind {
        case .bool:
            self.init(bits: value == 0 ? 0 : 1, width: 4, isUnsigned: false)
        case .char:
            let byte = UInt64(value & 0xFF)
            self.init(
                int: target.charIsSigned ? Int64(Int8(truncatingIfNeeded: byte)) : Int64(byte))
        case .integer(let size, let isSigned) where size < 4:
            let mask: UInt64 = (1 << UInt64(size * 8)) - 1
            let v = value & mask
            let signBit: UInt64 = 1 << UInt64(size * 8 - 1)
            self.init(int: isSigned && v & signBit != 0 ? Int64(bitPattern: v | ~mask) : Int64(v))
        case .integer(let size, let isSigned):
            self.init(bits: value, width: min(size, 8), isUnsigned: !isSigned)
        case .enumeration(let e):
            self.init(value, as: e.underlying, target: target)
        case .pointer:
            self.init(bits: value, width: 8, isUnsigned: true)
        default:
            return nil
        }
    }

    /// `(type)operand` as LuaJIT evaluates it: no conversion to a type narrower than
    /// `int` (`(char)257` is 257, marked narrow), C's conversion to any other integer
    /// type; nil for non-integer types. `asC`: C's conversion to every type.
    static func cast(_ operand: ConstantValue, to type: CType, target: TargetLayout, asC: Bool)
        -> ConstantValue?
    {
        guard isNarrow(type), !asC else { return ConstantValue(operand.bits, as: type, target: target) }
        var value = operand
        value.isNarrow = true
        return value
    }

    /// Whether `type` is an integer type narrower than `int` (LuaJIT's ids below `int32_t`).
    static func isNarrow(_ type: CType) -> Bool {
        switch type.kind {
        case .bool, .char: return true
        case .integer(let size, _): return size < 4
        default: return false
        }
    }

    /// The type of `a op b` for arithmetic: C's usual conversions, except that a narrow
    /// operand takes the other's type (LuaJIT's promotion to the larger type id).
    static func arithmetic(_ a: ConstantValue, _ b: ConstantValue)
        -> (width: Int, isUnsigned: Bool, isNarrow: Bool)
    {
        if a.isNarrow != b.isNarrow {
            let other = a.isNarrow ? b : a
            return (other.width, other.isUnsigned, false)
        }
        let (width, isUnsigned) = common(a, b)
        return (width, isUnsigned, a.isNarrow)
    }

    /// The value as a signed 64-bit pattern.
    var signedValue: Int64 { Int64(bitPattern: bits) }

    /// The C type of the value.
    var type: CType { CType(.integer(size: width, isSigned: !isUnsigned)) }

    /// Whether the value is representable as `int`.
    var fitsInt32: Bool {
        let v = signedValue
        return !(isUnsigned && width == 8 && bits > UInt64(Int64.max)) && v >= Int64(Int32.min)
            && v <= Int64(Int32.max)
    }

    /// The value as a non-negative Int, if it is one.
    var nonNegativeInt: Int? {
        if !isUnsigned && signedValue < 0 { return nil }
        return bits <= UInt64(Int.max) ? Int(bits) : nil
    }

    var isTrue: Bool { bits != 0 }

    /// The next enumerator value: +1, widening past `int` as GCC does.
    var successor: ConstantValue {
        if !isUnsigned && width == 4 && signedValue == Int64(Int32.max) {
            return ConstantValue(bits: bits + 1, width: 8, isUnsigned: false)
        }
        return ConstantValue(bits: bits &+ 1, width: width, isUnsigned: isUnsigned)
    }

    /// The common type of two operands (usual arithmetic conversions).
    static func common(_ a: ConstantValue, _ b: ConstantValue) -> (width: Int, isUnsigned: Bool) {
        if a.width != b.width {
            return a.width > b.width ? (a.width, a.isUnsigned) : (b.width, b.isUnsigned)
        }
        return (a.width, a.isUnsigned || b.isUnsigned)
    }

    /// The type of an integer literal from its value and suffixes (C11 6.4.4.1).
    static func literal(_ value: UInt64, isUnsigned: Bool, isLong: Bool, isDecimal: Bool)
        -> ConstantValue
    {
        if !isLong {
            if !isUnsigned && value <= UInt64(Int32.max) {
                return ConstantValue(bits: value, width: 4, isUnsigned: false)
            }
            if (isUnsigned || !isDecimal) && value <= UInt64(UInt32.max) {
                return ConstantValue(bits: value, width: 4, isUnsigned: true)
            }
        }
        if !isUnsigned && value <= UInt64(Int64.max) {
            return ConstantValue(bits: value, width: 8, isUnsigned: false)
        }
        return ConstantValue(bits: value, width: 8, isUnsigned: true)
    }
}
