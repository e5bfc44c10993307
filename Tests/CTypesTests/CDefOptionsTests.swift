// cdef's options (Python cffi's keywords): pack and override, against the compiler.

import CTypes
import Testing

@Suite struct CDefOptionsTests {
    static let body = "struct p { char c; short s; int i; double d; long double x; };"

    /// `pack: n` lays out as `#pragma pack(n)` does in the C compiler.
    @Test(arguments: [1, 2, 4, 8, 16])
    func packMatchesThePragma(_ pack: Int) throws {
        let scope = CDeclarations()
        try scope.cdef(Self.body, options: CDefOptions(pack: pack))
        guard case .record(let record)? = scope.tag(named: "p") else { Issue.record("no struct p"); return }
        let output = try CCompiler.compileAndRun("""
            #include <stdio.h>
            #include <stddef.h>
            #pragma pack(\(pack))
            \(Self.body)
            int main(void) {
                printf("%zu %zu %zu %zu", sizeof(struct p), _Alignof(struct p), offsetof(struct p, d), offsetof(struct p, x));
                return 0;
            }
            """)
        let fields = ["d", "x"].map { record.field(named: $0)?.offset ?? -1 }
        #expect(output == "\(record.size ?? -1) \(record.alignment) \(fields[0]) \(fields[1])")
    }

    /// Options apply to their cdef only.
    @Test func packIsPerCdef() throws {
        let scope = CDeclarations()
        try scope.cdef("struct a { char c; int i; };", options: CDefOptions(pack: 1))
        try scope.cdef("struct b { char c; int i; };")
        guard case .record(let a)? = scope.tag(named: "a"), case .record(let b)? = scope.tag(named: "b") else {
            Issue.record("missing structs")
            return
        }
        #expect(a.size == 5 && b.size == 8)
    }

    /// Override replaces every kind of declaration; a failed cdef puts the old ones back.
    @Test func overrideReplacesAndRollsBack() throws {
        let scope = CDeclarations()
        try scope.cdef("""
            typedef int t; struct s { int a; }; enum e { E1 }; int f(int);
            extern int v; static const int K = 1; enum { A = 1 };
            """)
        guard case .record(let oldStruct)? = scope.tag(named: "s") else { Issue.record("no struct s"); return }
        let replacement = """
            typedef double t; struct s { double a, b; }; enum e { E2, E3 }; double f(double);
            extern double v; static const int K = 2; enum { A = 3 };
            """
        #expect(throws: CDeclarationError.self) { try scope.cdef(replacement) }
        #expect(throws: CDeclarationError.self) {
            try scope.cdef(replacement + " int broken(;", options: CDefOptions(override: true))
        }
        #expect(scope.typedef(named: "t") == .int32)
        #expect(scope.constant(named: "K")?.value == 1 && scope.constant(named: "A")?.value == 1)
        #expect(scope.constant(named: "E2") == nil)
        guard case .record(let kept)? = scope.tag(named: "s") else { Issue.record("struct s lost"); return }
        #expect(kept === oldStruct && kept.size == 4)
        try scope.cdef(replacement, options: CDefOptions(override: true))
        #expect(scope.typedef(named: "t") == .double)
        #expect(scope.function(named: "f")?.type.result == .double)
        #expect(scope.variable(named: "v")?.type == .double)
        #expect(scope.constant(named: "K")?.value == 2 && scope.constant(named: "A")?.value == 3)
        #expect(scope.constant(named: "E3")?.value == 1)
        guard case .record(let new)? = scope.tag(named: "s") else { Issue.record("struct s lost"); return }
        #expect(new !== oldStruct && new.size == 16 && oldStruct.size == 4)
        #expect(scope.warnings.isEmpty)
    }

    /// A forward-declared struct is completed in place, override or not.
    @Test func overrideCompletesAnOpaqueStruct() throws {
        let scope = CDeclarations()
        try scope.cdef("struct o; typedef struct o o_t;")
        guard case .record(let opaque)? = scope.tag(named: "o") else { Issue.record("no struct o"); return }
        try scope.cdef("struct o { int a; };", options: CDefOptions(override: true))
        guard case .record(let completed)? = scope.tag(named: "o") else { Issue.record("struct o lost"); return }
        #expect(completed === opaque && opaque.size == 4)
    }

    /// `declaredTypes` lists what the scope declared, sorted, without predefined typedefs.
    @Test func declaredTypes() throws {
        let scope = CDeclarations()
        try scope.cdef("typedef int b_t, a_t; struct z { int x; }; struct y; union u { int i; }; enum e { E };")
        let declared = scope.declaredTypes()
        #expect(declared.typedefs == ["a_t", "b_t"])
        #expect(declared.structs == ["y", "z"])
        #expect(declared.unions == ["u"])
    }
}
