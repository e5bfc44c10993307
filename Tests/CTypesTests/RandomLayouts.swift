// Test helper: a seeded generator of random struct/union declarations and the C program
// that prints their layout as the C compiler sees it.

/// SplitMix64: a small deterministic PRNG.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A generated record: its C declaration and the member names to check.
struct GeneratedRecord {
    var name: String
    var source: String
    /// Top-level lookups: (field name, is bitfield).
    var checks: [(String, Bool)]
    var hasFlexibleArray: Bool
}

/// Generates random declarations; names are unique within the whole batch.
struct LayoutGenerator {
    var rng: SplitMix64
    var records: [GeneratedRecord] = []
    private var counter = 0

    static let scalars = [
        "char", "signed char", "unsigned char", "short", "unsigned short", "int", "unsigned",
        "long", "unsigned long", "long long", "unsigned long long", "float", "double",
        "long double", "void *", "_Bool", "int64_t", "uint8_t", "_Complex double",
    ]
    static let bitfieldTypes: [(String, Int)] = [
        ("char", 8), ("signed char", 8), ("unsigned char", 8), ("short", 16),
        ("unsigned short", 16), ("int", 32), ("unsigned int", 32), ("long", 64),
        ("unsigned long", 64), ("long long", 64), ("unsigned long long", 64), ("uint32_t", 32),
    ]

    init(seed: UInt64) { rng = SplitMix64(state: seed) }

    private mutating func chance(_ percent: Int) -> Bool {
        Int.random(in: 0..<100, using: &rng) < percent
    }
    private mutating func pick<T>(_ items: [T]) -> T {
        items[Int.random(in: 0..<items.count, using: &rng)]
    }
    private mutating func fresh() -> String {
        counter += 1
        return "f\(counter)"
    }
    private mutating func alignment() -> Int { pick([1, 2, 4, 8, 16, 32]) }

    /// Generates one top-level record and appends it.
    mutating func generateRecord() {
        let name = "r\(records.count)"
        let isUnion = chance(20)
        var checks: [(String, Bool)] = []
        let body = members(depth: 0, checks: &checks, allowFlexible: !isUnion)
        var attributes = ""
        if chance(15) { attributes += " __attribute__((packed))" }
        if chance(10) { attributes += " __attribute__((aligned(\(alignment()))))" }
        var source = "\(isUnion ? "union" : "struct") \(name) {\n\(body.text)}\(attributes);\n"
        if chance(15) {
            let n = pick([1, 2, 4, 8, 16])
            source =
                chance(50)
                ? "#pragma pack(\(n))\n" + source + "#pragma pack()\n"
                : "#pragma pack(push, \(n))\n" + source + "#pragma pack(pop)\n"
        }
        records.append(
            GeneratedRecord(
                name: (isUnion ? "union " : "struct ") + name, source: source, checks: checks,
                hasFlexibleArray: body.flexible))
    }

    /// A member list; fills `checks` with the names visible from the top-level record.
    private mutating func members(depth: Int, checks: inout [(String, Bool)], allowFlexible: Bool)
        -> (text: String, flexible: Bool)
    {
        var text = ""
        let count = Int.random(in: 1...6, using: &rng)
        for _ in 0..<count { text += "  " + member(depth: depth, checks: &checks) + ";\n" }
        if allowFlexible && depth == 0 && !checks.isEmpty && chance(5) {
            let name = fresh()
            text += "  int \(name)[];\n"
            checks.append((name, false))
            return (text, true)
        }
        return (text, false)
    }

    private mutating func member(depth: Int, checks: inout [(String, Bool)]) -> String {
        let roll = Int.random(in: 0..<100, using: &rng)
        if roll < 30 { return bitfield(checks: &checks) }
        if roll < 40 && depth < 2 { return nested(depth: depth, checks: &checks) }
        if roll < 45 && depth < 2 { return transparent(depth: depth, checks: &checks) }
        if roll < 50, let earlier = reusable() { return named(earlier, checks: &checks) }
        return ordinary(checks: &checks)
    }

    private mutating func fieldAttributes() -> String {
        var text = ""
        if chance(10) { text += " __attribute__((packed))" }
        if chance(8) { text += " __attribute__((aligned(\(alignment()))))" }
        return text
    }

    private mutating func ordinary(checks: inout [(String, Bool)]) -> String {
        let name = fresh()
        checks.append((name, false))
        var type = pick(Self.scalars)
        let pointer = type.hasSuffix("*")
        if pointer {
            type.removeLast()
            type += "*"
        }
        var declarator = pointer ? name : " " + name
        if chance(20) { declarator += "[\(Int.random(in: 1...4, using: &rng))]" }
        if chance(5) { declarator += "[\(Int.random(in: 1...3, using: &rng))]" }
        return type + declarator + fieldAttributes()
    }

    private mutating func bitfield(checks: inout [(String, Bool)]) -> String {
        let (type, bits) = pick(Self.bitfieldTypes)
        if chance(8) { return "\(type) :0" }
        let width =
            chance(40)
            ? Int.random(in: max(1, bits - 8)...bits, using: &rng)
            : Int.random(in: 1...bits, using: &rng)
        if chance(10) { return "\(type) :\(width)" }
        let name = fresh()
        checks.append((name, true))
        return "\(type) \(name) : \(width)" + (chance(10) ? " __attribute__((packed))" : "")
            + (chance(5) ? " __attribute__((aligned(\(alignment()))))" : "")
    }

    private mutating func nested(depth: Int, checks: inout [(String, Bool)]) -> String {
        var inner: [(String, Bool)] = []
        let body = members(depth: depth + 1, checks: &inner, allowFlexible: false)
        let keyword = chance(30) ? "union" : "struct"
        var attributes = ""
        if chance(15) { attributes += " __attribute__((packed))" }
        if chance(10) { attributes += " __attribute__((aligned(\(alignment()))))" }
        let name = fresh()
        checks.append((name, false))
        let array = chance(20) ? "[\(Int.random(in: 1...3, using: &rng))]" : ""
        return "\(keyword)\(attributes) {\n\(body.text)  } \(name)\(array)" + fieldAttributes()
    }

    private mutating func transparent(depth: Int, checks: inout [(String, Bool)]) -> String {
        let body = members(depth: depth + 1, checks: &checks, allowFlexible: false)
        let keyword = chance(50) ? "union" : "struct"
        let attributes = chance(15) ? " __attribute__((packed))" : ""
        return "\(keyword)\(attributes) {\n\(body.text)  }"
    }

    private mutating func reusable() -> GeneratedRecord? {
        let candidates = records.suffix(50).filter { !$0.hasFlexibleArray }
        return candidates.isEmpty ? nil : pick(Array(candidates))
    }

    private mutating func named(_ record: GeneratedRecord, checks: inout [(String, Bool)]) -> String
    {
        let name = fresh()
        checks.append((name, false))
        let array = chance(20) ? "[2]" : ""
        return "\(record.name) \(name)\(array)" + fieldAttributes()
    }

    /// The declarations of all records.
    var declarations: String { records.map(\.source).joined() }

    /// A C program printing `name size align`, `name.field offset` and `name.field bit N`.
    func program(for slice: ArraySlice<GeneratedRecord>) -> String {
        var main = ""
        for record in slice {
            main +=
                "  printf(\"\(record.name) %zu %zu\\n\", sizeof(\(record.name)), _Alignof(\(record.name)));\n"
            for (field, isBitfield) in record.checks {
                if isBitfield {
                    main +=
                        "  { \(record.name) s; memset(&s, 0, sizeof s); s.\(field) = -1; printf(\"\(record.name).\(field) bit %d\\n\", firstbit(&s, sizeof s)); }\n"
                } else {
                    main +=
                        "  printf(\"\(record.name).\(field) %zu\\n\", offsetof(\(record.name), \(field)));\n"
                }
            }
        }
        return """
            #include <stdio.h>
            #include <stddef.h>
            #include <stdint.h>
            #include <string.h>
            static int firstbit(const void *p, size_t n) {
              const unsigned char *b = p;
              for (size_t i = 0; i < n * 8; i++) if (b[i / 8] >> (i % 8) & 1) return (int)i;
              return -1;
            }
            \(declarations)
            int main(void) {
            \(main)  return 0;
            }

            """
    }
}
