// Malformed declarations give Lua-dialect errors with line, column and near-text.

import CTypes
import Testing

@Suite struct ErrorTests {
    @Test(arguments: [
        ("int x; int", "cdef:1:11: '<identifier>' expected near '<eof>'"),
        ("foo_t x;", "cdef:1:1: undeclared identifier 'foo_t'"),
        ("extern foo_t x;", "cdef:1:8: undeclared identifier 'foo_t'"),
        (
            "struct point { int x; };\nstruct point { int y; };",
            "cdef:2:1: redefinition of 'struct point'"
        ),
        (
            "struct point { int x; };\nunion point { int x; };",
            "cdef:2:1: redefinition of 'union point'"
        ),
        ("int a[1/0];", "cdef:1:8: division by zero"),
        ("int a[5 % (2 - 2)];", "cdef:1:9: division by zero"),
        ("struct s { int a };", "cdef:1:18: ';' expected near '}'"),
        ("int x\nint y;", "cdef:2:1: ';' expected near 'int'"),
        ("typedef int T; typedef long T;", "cdef:1:29: redefinition of 'T'"),
        ("int x : 3;", "cdef:1:7: ';' expected near ':'"),
        ("struct s { int b : 33; };", "cdef:1:16: invalid bitfield 'b'"),
        ("struct s { float f : 3; };", "cdef:1:18: invalid bitfield 'f'"),
        ("int a[-1];", "cdef:1:7: invalid array size"),
        ("enum e { A = B };", "cdef:1:14: undeclared identifier 'B'"),
        ("_Static_assert(1 == 2, \"nope\");", "cdef:1:1: static assertion failed: \"nope\""),
        ("long char x;", "cdef:1:1: invalid type near 'long'"),
        (
            "int __attribute__((aligned(3))) x;",
            "cdef:1:20: requested alignment is not a power of 2"
        ),
        ("/* never closed", "cdef:1:1: unfinished comment near '<eof>'"),
        ("int f(int x;", "cdef:1:12: ')' expected near ';'"),
        ("struct s { struct t x; };", "cdef:1:21: field 'x' has incomplete type 'struct t'"),
        ("void v[3];", "cdef:1:6: invalid array element type"),
        ("int f(void)(int);", "cdef:1:5: invalid function result type"),
        ("int x = 08;", "cdef:1:9: malformed number near '08'"),
        ("struct s {", "cdef:1:11: '}' expected near '<eof>'"),
        ("int [3] x;", "cdef:1:5: '<identifier>' expected near '['"),
        ("char *p = \"abc;", "cdef:1:11: unfinished string near '\"abc;'"),
        ("} x;", "cdef:1:1: declaration specifier expected near '}'"),
    ])
    func message(_ source: String, _ expected: String) {
        #expect(throws: CDeclarationError.self) { try CDeclarations().cdef(source) }
        do {
            try CDeclarations().cdef(source)
        } catch {
            #expect(error.message == expected)
        }
    }

    @Test func fields() {
        do {
            try CDeclarations().cdef("int a;\n  int b c;", chunkName: "decls")
            Issue.record("no error")
        } catch {
            #expect(error.chunkName == "decls")
            #expect(error.line == 2)
            #expect(error.column == 9)
            #expect(error.reason == "';' expected")
            #expect(error.near == "c")
            #expect(error.message == "decls:2:9: ';' expected near 'c'")
        }
    }

    /// Declarators nested 5000 deep: parentheses, parenthesized and unary expressions.
    static func deeplyNested(_ kind: Int) -> String {
        let n = 5000
        switch kind {
        case 0: return String(repeating: "(", count: n) + "x" + String(repeating: ")", count: n)
        case 1:
            return "x[" + String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n)
                + "]"
        default: return "x[" + String(repeating: "-", count: n) + "1]"
        }
    }

    @Test(arguments: [0, 1, 2])
    func deepNestingIsAnError(_ kind: Int) {
        do {
            try CDeclarations().cdef("int " + Self.deeplyNested(kind) + ";")
            Issue.record("no error")
        } catch {
            #expect(error.reason == "chunk has too many syntax levels")
        }
    }

    @Test func deepStructNesting() {
        let source =
            String(repeating: "struct { ", count: 1000) + "int x;"
            + String(repeating: "} a;", count: 1000)
        #expect(throws: CDeclarationError.self) { try CDeclarations().cdef(source) }
    }

    @Test func typeErrors() {
        #expect(throws: CDeclarationError.self) { try CDeclarations().parseType("int x y") }
        do {
            _ = try CDeclarations().parseType("int *)")
            Issue.record("no error")
        } catch {
            #expect(error.message == "typeof:1:6: unexpected symbol near ')'")
        }
    }
}
