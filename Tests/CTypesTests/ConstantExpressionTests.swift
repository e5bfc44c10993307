// C constant expressions evaluate with C's types, promotions and truncating casts.

import CTypes
import Testing

@Suite struct ConstantExpressionTests {
    /// Evaluates `expression` through a `static const long long` declaration.
    static func evaluate(_ expression: String, type: String = "long long") throws -> Int64? {
        let scope = CDeclarations()
        try scope.cdef("enum { TEN = 10 }; static const \(type) V = \(expression);")
        return scope.constant(named: "V")?.value
    }

    @Test(
        arguments: [
            ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("7 / 2", 3), ("-7 / 2", -3), ("-7 % 3", -1),
            ("1 << 10", 1024), ("-16 >> 2", -4), ("0x10 | 0x01", 17), ("0xff & 0x0f", 15),
            ("5 ^ 3", 6), ("~0", -1), ("!0", 1), ("!5", 0), ("-(-3)", 3), ("+4", 4),
            ("1 < 2", 1), ("2 <= 1", 0), ("3 > 2", 1), ("3 >= 4", 0), ("1 == 1", 1), ("1 != 1", 0),
            ("1 && 0", 0), ("1 || 0", 1), ("0 && 1 / 0", 0), ("1 || 1 / 0", 1),
            ("1 ? 2 : 3", 2), ("0 ? 2 : 3", 3), ("0 ? 1 / 0 : 4", 4),
            ("010", 8), ("0b101", 5), ("0X1F", 31), ("10u", 10), ("10UL", 10), ("10llu", 10),
            ("'a'", 97), ("'\\n'", 10), ("'\\x41'", 65), ("'\\101'", 65), ("'\\0'", 0),
            ("'\\377'", -1),
            ("sizeof(int)", 4), ("sizeof(double[3])", 24), ("sizeof(struct { char c; int i; })", 8),
            ("sizeof 1", 4), ("sizeof 1LL", 8), ("_Alignof(double)", 8), ("__alignof__(short)", 2),
            // LuaJIT's casts to types narrower than int: no conversion, unsigned comparison.
            ("(unsigned char)257", 257), ("(signed char)255", 255), ("(short)65535", 65535),
            ("(_Bool)5", 5), ("(char)-1 < 0", 0), ("(char)-1 + 0 < 0", 1), ("(char)-10 / 2", -5),
            ("(char)-1 >> 28", 15), ("(char)1 ? (char)-1 : 0", -1),
            ("(unsigned)-1", 4_294_967_295), ("-1 < 0u", 0), ("-1 < 0", 1), ("-1L < 0u", 1),
            ("0xffffffff", 4_294_967_295), ("2147483647 + 1", -2_147_483_648),
            ("2147483648", 2_147_483_648),
            ("TEN * TEN", 100), ("(long long)1 << 40", 1 << 40), ("1ull << 63 >> 63", 1),
            ("-9223372036854775807LL - 1", Int64.min), ("9223372036854775807LL / -1", -Int64.max),
        ] as [(String, Int64)])
    func value(_ expression: String, _ expected: Int64) throws {
        #expect(try Self.evaluate(expression) == expected)
    }

    /// With `cCasts` (what `ffi.include` reads real headers with), casts convert as C.
    @Test(arguments: [
        ("(unsigned char)257", 1), ("(signed char)255", -1), ("(short)65535", -1), ("(_Bool)5", 1),
        ("(char)-1 < 0", 1), ("(unsigned char)-1 >> 4", 15), ("(unsigned)-1", 4_294_967_295),
    ] as [(String, Int64)])
    func cCasts(_ expression: String, _ expected: Int64) throws {
        let scope = CDeclarations()
        try scope.cdef("static const long long V = \(expression);", options: CDefOptions(cCasts: true))
        #expect(scope.constant(named: "V")?.value == expected)
    }

    @Test func staticConstTruncatesToItsType() throws {
        #expect(try Self.evaluate("300", type: "unsigned char") == 44)
        #expect(try Self.evaluate("-1", type: "unsigned int") == 4_294_967_295)
        #expect(try Self.evaluate("-1", type: "uint64_t") == -1)
    }

    @Test(arguments: ["1 / 0", "1 % 0", "(1 ? 1 / 0 : 0)", "UNKNOWN + 1", "1 +", "(1", "1 ? 2"])
    func invalid(_ expression: String) {
        #expect(throws: CDeclarationError.self) {
            try CDeclarations().cdef("int a[\(expression)];")
        }
    }
}
