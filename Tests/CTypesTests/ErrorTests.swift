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
            "cdef:2:8: redefinition of 'struct point' (previous definition at cdef:1:8)"
        ),
        (
            "struct point { int x; };\nunion point { int x; };",
            "cdef:2:7: redefinition of 'union point' (previous definition at cdef:1:8)"
        ),
        ("int a[1/0];", "cdef:1:8: division by zero"),
        ("int a[5 % (2 - 2)];", "cdef:1:9: division by zero"),
        ("struct s { int a };", "cdef:1:18: ';' expected near '}'"),
        ("int x\nint y;", "cdef:2:1: ';' expected near 'int'"),
        ("struct s2 { int a; int a; };", "cdef:1:24: duplicate member 'a'"),
        ("struct s3 { int a; union { int b; char a; }; };", "cdef:1:17: duplicate member 'a'"),
        (
            "enum { A = 1 };\nenum { A = 2 };",
            "cdef:2:8: redefinition of 'A' (previous definition at cdef:1:8)"
        ),
        (
            "enum e { X };\nenum e { Y };",
            "cdef:2:6: redefinition of 'enum e' (previous definition at cdef:1:6)"
        ),
        ("int x;\n/* never\nclosed", "cdef:2:1: unfinished comment near '<eof>'"),
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
        // Found by the fuzzer: an endless loop at the end of input.
        ("__declspec(align(8) int", "cdef:1:24: ')' expected near '<eof>'"),
    ])
    func message(_ source: String, _ expected: String) {
        #expect(throws: CDeclarationError.self) { try CDeclarations().cdef(source) }
        do {
            try CDeclarations().cdef(source)
        } catch {
            #expect(error.headline == expected)
            #expect(error.message.hasPrefix(expected + "\n"))
        }
    }

    /// The message shows the offending line with a caret under the offending token.
    @Test(arguments: [
        (
            "int a;\nstruct s { int a int b; };", "cdef:2:18: ';' expected near 'int'",
            "  struct s { int a int b; };\n                   ^"
        ),
        (
            "\tstruct t {\n\t\tint a\t\tint b; };", "cdef:2:10: ';' expected near 'int'",
            "  \t\tint a\t\tint b; };\n  \t\t     \t\t^"
        ),
        (
            "int x; int", "cdef:1:11: '<identifier>' expected near '<eof>'",
            "  int x; int\n            ^"
        ),
        (
            "/* \u{e9}t\u{e9} */ int \u{e9} ];", "cdef:1:20: ';' expected near ']'",
            "  /* \u{e9}t\u{e9} */ int \u{e9} ];\n" + String(repeating: " ", count: 2 + 16) + "^"
        ),
    ])
    func excerpt(_ source: String, _ headline: String, _ excerpt: String) {
        do {
            try CDeclarations().cdef(source)
            Issue.record("no error")
        } catch {
            #expect(error.headline == headline)
            #expect(error.excerpt == excerpt)
            #expect(error.message == headline + "\n" + excerpt)
        }
    }

    /// Long lines (such as `cc -E` output) are cut around the offending token.
    @Test func longLineExcerpt() {
        let source =
            String(repeating: "int a0; ", count: 40) + "int @;"
            + String(repeating: " int b;", count: 40)
        do {
            try CDeclarations().cdef(source)
            Issue.record("no error")
        } catch {
            let lines =
                error.excerpt?.split(separator: "\n", omittingEmptySubsequences: false) ?? []
            #expect(lines.count == 2)
            #expect(
                lines.first?.hasPrefix("  ...") == true && lines.first?.hasSuffix("...") == true)
            guard lines.count == 2, let caret = lines[1].firstIndex(of: "^") else { return }
            let column = lines[1].distance(from: lines[1].startIndex, to: caret)
            let marked = lines[0].dropFirst(column).first
            #expect(marked == "@")
        }
    }

    /// Identical redeclarations stay allowed; the first location is kept.
    @Test func redeclarationsAndLocations() throws {
        let scope = CDeclarations()
        try scope.cdef(
            "struct point { int x; };\ntypedef int T;\nint f(int a);\nextern int v;\nenum { K = 3 };",
            chunkName: "one")
        try scope.cdef(
            "struct point { int x; }; typedef int T; int f(int b); extern int v; enum { K = 3 };",
            chunkName: "two")
        #expect(scope.location(ofTag: "point")?.description == "one:1:8")
        #expect(scope.location(ofTypedef: "T")?.description == "one:2:13")
        #expect(scope.location(of: "f")?.description == "one:3:5")
        #expect(scope.location(of: "v")?.description == "one:4:12")
        #expect(scope.location(of: "K")?.description == "one:5:8")
        #expect(scope.location(ofTypedef: "size_t") == nil)
        do {
            try scope.cdef("struct point { long x; };", chunkName: "three")
            Issue.record("no error")
        } catch {
            #expect(
                error.headline
                    == "three:1:8: redefinition of 'struct point' (previous definition at one:1:8)")
        }
        // A failed definition leaves no location behind.
        try scope.cdef("struct later;")
        #expect(throws: CDeclarationError.self) {
            try scope.cdef("struct later { int a; int a; };")
        }
        guard case .record(let later)? = scope.tag(named: "later") else {
            Issue.record("struct later lost")
            return
        }
        #expect(later.location == nil && !later.isComplete)
    }

    /// Symbol tables keep chunk names by index: a failed cdef's chunk name is dropped
    /// again, and the names of later chunks still come out right.
    @Test func locationsAcrossChunks() throws {
        let scope = CDeclarations()
        try scope.cdef("typedef int A;", chunkName: "first")
        #expect(throws: CDeclarationError.self) {
            try scope.cdef("typedef int B;\nint broken(;", chunkName: "failed")
        }
        try scope.cdef("\ntypedef int C; struct C2 { int a; };", chunkName: "second")
        try scope.cdef("typedef int D;", chunkName: "first")
        #expect(scope.location(ofTypedef: "A")?.description == "first:1:13")
        #expect(scope.location(ofTypedef: "B") == nil)
        #expect(scope.location(ofTypedef: "C")?.description == "second:2:13")
        #expect(scope.location(ofTypedef: "D")?.description == "first:1:13")
        do {
            try scope.cdef("struct C2 { long a; };", chunkName: "failed")
            Issue.record("no error")
        } catch {
            #expect(
                error.headline
                    == "failed:1:8: redefinition of 'struct C2' (previous definition at second:2:23)")
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
            #expect(error.headline == "decls:2:9: ';' expected near 'c'")
            #expect(error.message == "decls:2:9: ';' expected near 'c'\n    int b c;\n          ^")
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
            #expect(error.headline == "typeof:1:6: unexpected symbol near ')'")
        }
    }
}
