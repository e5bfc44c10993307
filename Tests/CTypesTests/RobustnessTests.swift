// Arbitrary and mutated input never crashes: it parses or throws a CDeclarationError.

import CTypes
import Testing

@Suite struct RobustnessTests {
    static let corpus = [
        "typedef struct s { int a : 3; double b[2]; union { char c; long d; }; } s_t;",
        "int (*signal(int, void (*)(int)))(int) __asm__(\"sig\");",
        "enum e : short { A = 1 << 3, B = sizeof(struct { char c[10]; }), C = (unsigned char)-1 };",
        "#pragma pack(push, 2)\nstruct p { char c; long long x : 40; } __attribute__((packed, aligned(8)));\n#pragma pack(pop)",
        "static const int N = 0x7fffffff * 2 / 3 % 5 ? 'a' : '\\x41'; int arr[N][?];",
        "static inline int f(int x) { return x ? ({ 1; }) : 2; } struct vls { int n; int a[?]; };",
        "typedef int v4 __attribute__((vector_size(16), mode(SI))); _Static_assert(1, \"x\");",
        // LuaJIT's rules: struct constants, tagged anonymous members, splices, no final ';'.
        "struct k { static const int K = 5; enum { A = 1 }; struct k2; int a[sizeof(\"ab\" \"c\") + K]; }",
        "typedef int __attribute__((aligned(16))) a\\\nb_t; float __attribute__((mode(V4SF))) v; int f(int)",
    ]

    static let fragments = [
        "(", ")", "[", "]", "{", "}", ";", ",", "*", "&", "...", "=", ":", "?", "$", "-", "~",
        "int", "struct", "union", "enum", "typedef", "const", "__attribute__", "((", "))",
        "packed", "aligned", "x", "1", "0", "0x", "'", "\"", "/*", "//", "\n#pragma pack(",
        "sizeof", "__asm__", "[?]", "<<", ">>", "/", "%", "long", "unsigned",
        "9999999999999999999999", "\\\n", "\\", "static", "V4SF",
    ]

    @Test func mutatedInputNeverCrashes() {
        var rng = SplitMix64(state: 42)
        for iteration in 0..<4000 {
            var text = Array(Self.corpus[iteration % Self.corpus.count].utf8)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let position = Int.random(in: 0...text.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0 where position < text.count: text.remove(at: position)
                case 1:
                    let fragment = Self.fragments[
                        Int.random(in: 0..<Self.fragments.count, using: &rng)]
                    text.insert(contentsOf: Array(fragment.utf8), at: position)
                default:
                    text.insert(UInt8.random(in: 0...255, using: &rng), at: position)
                }
            }
            let source = String(decoding: text, as: UTF8.self)
            let parameters: [CParameter] = [.integer(3), .type(.int32), .name("n")]
            let scope = CDeclarations()
            _ = try? scope.cdef(source, parameters: parameters)
            _ = try? scope.parseType(source, parameters: parameters)
        }
    }

    @Test func tokenSoupNeverCrashes() {
        var rng = SplitMix64(state: 7)
        for _ in 0..<3000 {
            var source = ""
            for _ in 0..<Int.random(in: 1...30, using: &rng) {
                source +=
                    Self.fragments[Int.random(in: 0..<Self.fragments.count, using: &rng)] + " "
            }
            _ = try? CDeclarations().cdef(source)
        }
    }

    @Test(arguments: [
        "int a[2147483647][2147483647][2147483647];",
        "struct big { char a[2147483647][2147483647]; };",
        "typedef int v __attribute__((vector_size(1152921504606846976)));",
        "int x[sizeof(int[2147483647][2147483647])];",
        "enum { A = 0x7fffffffffffffff, B };",
        "static const int X = -9223372036854775807 - 1; int y[X / -1];",
        "int z[1 << 64]; int w[-1 >> 70];",
        "struct s { int a : 64; };",
        "_Alignas(1 << 62) int q;",
    ])
    func extremeValuesAreErrorsOrValues(_ source: String) {
        _ = try? CDeclarations().cdef(source)
    }
}
