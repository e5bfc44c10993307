// Simple integer macros of `cc -dM -E` output, as `static const` declarations.

/// The object-like macros whose value is an integer: a literal (decimal, hex, octal,
/// binary, with `u`/`l` suffixes), parenthesized or negated, or the name of another
/// such macro. Names starting with `__` (the compiler's own) are left out.
public enum CMacroConstants {
    /// The macros of `definitions` (`#define NAME value` lines) with integer values.
    public static func parse(_ definitions: String) -> [(name: String, value: Int64, isUnsigned: Bool)] {
        var values: [String: (Int64, Bool)] = [:], aliases: [String: String] = [:], order: [String] = []
        for line in definitions.split(separator: "\n") {
            guard line.hasPrefix("#define ") else { continue }
            let rest = line.dropFirst(8)
            let name = rest.prefix { $0 == "_" || $0.isLetter || $0.isNumber }
            guard !name.isEmpty, !name.hasPrefix("__"), rest.dropFirst(name.count).first == " " else { continue }
            let text = rest.dropFirst(name.count + 1).trimmingCharacters(" ")
            if let value = integer(text) {
                values[String(name)] = value
            } else if text.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }), !text.isEmpty {
                aliases[String(name)] = String(text)
            } else {
                continue
            }
            order.append(String(name))
        }
        return order.compactMap { name in
            var target = name
            for _ in 0..<8 where values[target] == nil { target = aliases[target] ?? target }
            return values[target].map { (name, $0.0, $0.1) }
        }
    }

    /// `static const` declarations of `constants`, one a line.
    public static func declarations(_ constants: [(name: String, value: Int64, isUnsigned: Bool)]) -> String {
        constants.map { constant in
            if constant.isUnsigned && constant.value < 0 {
                return "static const uint64_t \(constant.name) = \(UInt64(bitPattern: constant.value))ULL;"
            }
            if Int64(Int32.min)...Int64(Int32.max) ~= constant.value {
                return "static const int \(constant.name) = \(constant.value);"
            }
            let literal = constant.value == .min ? "(-9223372036854775807LL - 1)" : "\(constant.value)LL"
            return "static const int64_t \(constant.name) = \(literal);"
        }.joined(separator: "\n")
    }

    /// An integer literal, possibly parenthesized and signed; nil for anything else.
    static func integer(_ text: Substring) -> (Int64, Bool)? {
        var text = text.trimmingCharacters(" ")
        while text.hasPrefix("("), text.hasSuffix(")") { text = text.dropFirst().dropLast().trimmingCharacters(" ") }
        if text.hasPrefix("-") || text.hasPrefix("+") {
            guard let (value, isUnsigned) = integer(text.dropFirst()) else { return nil }
            return text.hasPrefix("-") ? (0 &- value, isUnsigned) : (value, isUnsigned)
        }
        let digits = text.prefix { $0.isHexDigit || $0 == "x" || $0 == "X" || $0 == "b" || $0 == "B" }
        let suffix = text.dropFirst(digits.count).lowercased()
        guard ["", "u", "l", "ul", "lu", "ll", "ull", "llu"].contains(suffix), let first = digits.first, first.isNumber else {
            return nil
        }
        let lower = digits.lowercased()
        let parsed: UInt64?
        if lower.hasPrefix("0x") { parsed = UInt64(lower.dropFirst(2), radix: 16) }
        else if lower.hasPrefix("0b") { parsed = UInt64(lower.dropFirst(2), radix: 2) }
        else if lower.hasPrefix("0"), lower.count > 1 { parsed = UInt64(lower.dropFirst(), radix: 8) }
        else { parsed = UInt64(lower, radix: 10) }
        guard let parsed else { return nil }
        return (Int64(bitPattern: parsed), suffix.contains("u") || parsed > UInt64(Int64.max))
    }
}

extension Substring {
    /// Without leading and trailing `character`s.
    func trimmingCharacters(_ character: Character) -> Substring {
        var text = self
        while text.first == character { text = text.dropFirst() }
        while text.last == character { text = text.dropLast() }
        return text
    }
}
