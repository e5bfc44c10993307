// Decoding of C integer literals (dec/hex/octal/binary with u/l/ll suffixes) and floats.

enum NumberLiteral {
    /// Decodes a pp-number; nil when malformed (or out of range).
    static func parse(_ text: some Collection<UInt8>) -> Token.Kind? {
        // Fast path: a plain decimal literal (no suffix, no leading 0), as in `[16]`.
        if text.count <= 18, let first = text.first, first != UInt8(ascii: "0") || text.count == 1 {
            var value: UInt64 = 0
            var plain = true
            for c in text {
                guard isDigit(c) else {
                    plain = false
                    break
                }
                value = value &* 10 &+ UInt64(c &- UInt8(ascii: "0"))
            }
            if plain { return .integer(value, isUnsigned: false, isLong: false, isDecimal: true) }
        }
        let lower = text.map { $0 | 0x20 }
        let isHex =
            lower.count > 2 && lower[0] == UInt8(ascii: "0") && lower[1] == UInt8(ascii: "x")
        if lower.contains(UInt8(ascii: ".")) || (!isHex && lower.contains(UInt8(ascii: "e")))
            || (isHex && lower.contains(UInt8(ascii: "p")))
        {
            return .floating
        }
        return integer(lower, isHex: isHex)
    }

    private static func integer(_ lower: [UInt8], isHex: Bool) -> Token.Kind? {
        var position = 0
        var radix = 10
        if isHex {
            radix = 16
            position = 2
        } else if lower.count > 2 && lower[0] == UInt8(ascii: "0") && lower[1] == UInt8(ascii: "b")
        {
            radix = 2
            position = 2
        } else if lower.count > 1 && lower[0] == UInt8(ascii: "0") {
            radix = 8
        }
        var value: UInt64 = 0
        var sawDigit = false
        while position < lower.count, let d = digitValue(lower[position]), d < 16 {
            guard d < radix else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: UInt64(radix))
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            value = s
            sawDigit = true
            position += 1
        }
        guard sawDigit || radix == 8 else { return nil }
        guard let (isUnsigned, isLong) = suffix(lower[position...]) else { return nil }
        return .integer(value, isUnsigned: isUnsigned, isLong: isLong, isDecimal: radix == 10)
    }

    /// `u`, `l`, `ul`, `ll`, `ull`, `llu`... in any case.
    private static func suffix(_ rest: ArraySlice<UInt8>) -> (Bool, Bool)? {
        var isUnsigned = false
        var longs = 0
        for c in rest {
            switch c {
            case UInt8(ascii: "u") where !isUnsigned: isUnsigned = true
            case UInt8(ascii: "l") where longs < 2: longs += 1
            default: return nil
            }
        }
        return (isUnsigned, longs > 0)
    }
}
