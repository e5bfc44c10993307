// LuaJIT's declaration-level rules (lj_cparse.c): what it accepts beyond strict C, and
// what it refuses as C does. Each case was checked with `luajit` side by side.

import CTypes
import Testing

@Suite struct LuaJITRulesTests {
    /// Accepted by LuaJIT (and here).
    @Test(arguments: [
        // The first (and only) declaration may omit its final ';'.
        "int abs(int x)",
        "typedef struct { int a; } foo_t",
        "struct T5 { int a; }",
        "enum E5 { E5A }",
        ";",
        // Redeclarations with another type keep the first.
        "int f(int); int f(double);",
        "extern int v; extern long v;",
        "typedef int T; typedef long T;",
        "typedef int ssize_t; typedef short int32_t;",
        // Record-scoped constants and anonymous members.
        "struct sc1 { static const int K = 5, L = 6; int a; };",
        "struct sc2 { enum { EA = 7, EB }; int a; };",
        "struct foo2 { int a, b; }; struct bar2 { struct foo2; int c; };",
        // String literals in constant expressions.
        "typedef char s4[sizeof(\"aa\" \"bb\")]; typedef char s3[sizeof \"ab\"];",
        // Backslash-newline between tokens.
        "typedef int \\\n bs_t;",
    ])
    func accepts(_ source: String) throws {
        try CDeclarations().cdef(source)
    }

    /// Refused by LuaJIT and C (the message is ours).
    @Test(arguments: [
        ("int abs(int x); int labs(int x)", "cdef:1:32: ';' expected near '<eof>'"),
        (";int abs(int x)", "cdef:1:16: ';' expected near '<eof>'"),
        ("int a int b;", "cdef:1:7: ';' expected near 'int'"),
        ("int double x;", "cdef:1:1: invalid type near 'int'"),
        ("char double x;", "cdef:1:1: invalid type near 'char'"),
        ("double double x;", "cdef:1:1: invalid type near 'double'"),
        (
            "static int x;",
            "cdef:1:12: invalid C type for static 'x' (only functions and integer constants)"
        ),
        (
            "static const double d = 1;",
            "cdef:1:21: invalid C type for static 'd' (only functions and integer constants)"
        ),
        (
            "struct s { static int x = 1; };",
            "cdef:1:23: invalid C type for static 'x' (only integer constants)"
        ),
        ("struct b { _Bool a:2; };", "cdef:1:18: invalid bitfield 'a'"),
        ("typedef int &r[10];", "cdef:1:14: invalid array element type"),
        ("union u { double x; int a[?]; };", "cdef:1:25: variable-length member 'a' in a union"),
        ("struct s1; struct s2 { struct s1; };", "cdef:1:24: anonymous member has incomplete type 'struct s1'"),
        ("struct RS { int a; }; struct RS { int b; };", "cdef:1:30: redefinition of 'struct RS' (previous definition at cdef:1:8)"),
    ])
    func refuses(_ source: String, _ expected: String) {
        do {
            try CDeclarations().cdef(source)
            Issue.record("no error for \(source)")
        } catch {
            #expect(error.headline == expected)
        }
    }

    @Test func redeclarationsKeepTheFirst() throws {
        let scope = CDeclarations()
        try scope.cdef("int f(int); extern int v; typedef int T; typedef int ssize_t;")
        #expect(scope.warnings == ["cdef:1:54: 'ssize_t' redeclared with another type (predefined type kept)"])
        try scope.cdef("double f(double); extern double v;\ntypedef double T; int f(int);")
        #expect(
            scope.warnings == [
                "cdef:1:8: 'f' redeclared with another type (first declaration at cdef:1:5 kept)",
                "cdef:1:33: 'v' redeclared with another type (first declaration at cdef:1:24 kept)",
                "cdef:2:16: 'T' redeclared with another type (first declaration at cdef:1:39 kept)",
            ])
        try scope.cdef("int f(int x); typedef int T;")  // the same types: nothing to say
        #expect(scope.warnings.isEmpty)
        #expect(scope.function(named: "f")?.type.result == .int32)
        #expect(scope.variable(named: "v")?.type == .int32)
        #expect(scope.typedef(named: "T") == .int32)
        #expect(scope.typedef(named: "ssize_t") == .int64)  // the predefined one
    }

    @Test func recordConstants() throws {
        let scope = CDeclarations()
        try scope.cdef(
            """
            struct sc { static const int K = 5; static const unsigned char C = 300;
              enum { EA = 7, EB }; int a[K]; struct { static const int IN = 9; int b; }; };
            """)
        guard case .record(let record)? = scope.tag(named: "sc") else {
            Issue.record("no struct sc")
            return
        }
        #expect(record.constant(named: "K")?.value == 5)
        #expect(record.constant(named: "C")?.value == 44)
        #expect(record.constant(named: "EB")?.value == 8)
        #expect(record.constant(named: "IN")?.value == 9)
        #expect(record.field(named: "a")?.type == CType.array(of: .int32, count: .fixed(5)))
        // Not global, except the enumerators (as in LuaJIT).
        #expect(scope.constant(named: "K") == nil)
        #expect(scope.constant(named: "EB")?.value == 8)
    }

    @Test func anonymousTaggedMember() throws {
        let scope = CDeclarations()
        try scope.cdef("struct foo2 { int a, b; }; struct bar2 { struct foo2; int c; };")
        guard case .record(let bar)? = scope.tag(named: "bar2") else {
            Issue.record("no struct bar2")
            return
        }
        #expect(bar.size == 12)
        #expect(bar.field(named: "b")?.offset == 4)
        #expect(bar.field(named: "c")?.offset == 8)
    }

    /// `aligned` on typedefs and type names (arrays too): size and alignment as LuaJIT.
    @Test(arguments: [
        ("char __attribute__((aligned(8)))", 1, 8),
        ("char __attribute__((aligned(8))) const __attribute__((aligned(2)))", 1, 2),
        ("int __attribute__((aligned(2)))", 4, 2),
        ("int __attribute__((aligned(8))) [10]", 40, 8),
        ("int [10] __attribute__((aligned(8)))", 40, 8),
        ("struct { char c; int __attribute__((aligned(2))) x; }", 8, 4),
        ("float __attribute__((mode(V4SF)))", 16, 16),
        ("uint8_t __attribute__((mode(__V16QI__)))", 16, 16),
        ("struct { int a; float __attribute__((mode(__V2SF__))) b[2]; }", 24, 8),
    ])
    func alignedTypeNames(_ source: String, _ size: Int, _ alignment: Int) throws {
        let scope = CDeclarations()  // alive while its records are read
        let type = try scope.parseType(source)
        #expect(type.size(on: .host) == size && type.alignment(on: .host) == alignment)
    }

    @Test func alignedTypedefs() throws {
        let scope = CDeclarations()
        try scope.cdef("typedef int __attribute__((aligned(16))) i16; struct wa { char c; i16 x; };")
        #expect(scope.typedef(named: "i16")?.alignment(on: .host) == 16)
        guard case .record(let wa)? = scope.tag(named: "wa") else {
            Issue.record("no struct wa")
            return
        }
        #expect(wa.size == 32 && wa.field(named: "x")?.offset == 16)
    }

    /// Backslash-newline splices lines, inside names too (C's phase 2, LuaJIT's lexer).
    @Test func lineSplices() throws {
        let scope = CDeclarations()
        try scope.cdef("typedef int bs\\\nnl_t; struct sp\\\r\nlice { int a\\\nb; }; unsigned \\\nlong ul;")
        #expect(scope.typedef(named: "bsnl_t") == .int32)
        #expect(scope.tag(named: "splice") != nil)
        #expect(scope.variable(named: "ul")?.type == .uint64)
        #expect(try scope.parseType("ch\\\nar") == .char)
        #expect(try scope.parseType("in\\\nt") == .int32)
        // A failed cdef removes a spliced name again.
        #expect(throws: CDeclarationError.self) { try scope.cdef("typedef int fa\\\nil_t; int broken(;") }
        #expect(scope.typedef(named: "fail_t") == nil)
        do {
            try scope.cdef("int x;\nint y\\\nz w;")
            Issue.record("no error")
        } catch {
            #expect(error.headline == "cdef:3:3: ';' expected near 'w'")
        }
    }

    /// Const parts: what LuaJIT refuses to assign as a whole.
    @Test func constParts() throws {
        let scope = CDeclarations()
        try scope.cdef(
            """
            struct pcs { int v; const int w; }; struct outer { struct pcs p; };
            struct plain { int v; int a[2]; }; struct anon { const struct { int ni; }; int m; };
            """)
        func record(_ tag: String) -> CRecord? {
            if case .record(let r)? = scope.tag(named: tag) { return r }
            return nil
        }
        #expect(record("pcs")?.hasConstMember == true && record("outer")?.hasConstMember == true)
        #expect(record("plain")?.hasConstMember == false)
        #expect(try scope.parseType("const int[3]").hasConstPart)
        #expect(try !scope.parseType("int[3]").hasConstPart)
        #expect(record("anon")?.field(named: "ni")?.type == CType.int32.adding(.const))
        #expect(record("anon")?.field(named: "m")?.type == .int32)
    }

    @Test func sizeofStringLiterals() throws {
        let scope = CDeclarations()
        #expect(try scope.parseType("char[sizeof(\"aa\" \"bb\")]").size(on: .host) == 5)
        #expect(try scope.parseType("char[sizeof \"\"]").size(on: .host) == 1)
        #expect(try scope.parseType("char[sizeof((\"a\\n\"))]").size(on: .host) == 3)
    }
}
