// The declaration syntax cdef accepts: C99, GCC extensions, LuaJIT's additions.

import CTypes
import Testing

@Suite struct SyntaxTests {
    @Test(arguments: [
        "typedef struct s123 { int a; double b; } s123; int f123(int, double);",
        "struct list { struct list *next; int value; };",
        "typedef int (*callback)(void *ud, const char *name);",
        "void (*signal(int sig, void (*func)(int)))(int);",
        "int printf(const char *fmt, ...);",
        "int f(); int g(void);",
        "long unsigned int a; long long int b; unsigned c; signed d; short int e;",
        "const volatile int cv; int * const cp; int * restrict rp; int * __restrict rp2;",
        "__const int c1; __volatile__ int v1; int * __restrict__ r1;",
        "_Bool b1; bool b2; _Complex double z1; complex float z2; long double ld;",
        "int &ref_like(int &x);",
        "int a0[0]; int a1[]; int m[2][3][4];",
        "struct vls { int n; double d[?]; };",
        "struct fam { int n; char data[]; };",
        "enum color { RED, GREEN = 5, BLUE }; enum color paint;",
        "enum opaque; struct incomplete; union u_incomplete;",
        "enum small : uint8_t { S1, S2 };",
        "enum big { HUGE = 0x100000000 };",
        "struct outer { union { int i; float f; }; struct { int x, y; }; };",
        "struct __attribute__((packed)) p1 { char c; int i; };",
        "struct p2 { char c; int i; } __attribute__((__packed__));",
        "struct al { int x __attribute__((aligned(16))); } __attribute__((aligned));",
        "typedef int v4si __attribute__((vector_size(16)));",
        "typedef int i8 __attribute__((mode(QI))); typedef unsigned u64m __attribute__((__mode__(__DI__)));",
        "struct __declspec(align(8)) ds { char c; };",
        "#pragma pack(1)\nstruct pk { char c; int i; };\n#pragma pack()",
        "#pragma pack(push, 2)\nstruct pk2 { char c; int i; };\n#pragma pack(pop)",
        "# 1 \"file.h\"\n#define X 1\nint after_marker;",
        "__extension__ typedef long long ll_t;",
        "int renamed(int) __asm__(\"real_name\"); extern int var asm(\"real_var\");",
        "static const int LIMIT = 5; static const unsigned long MASK = ~0UL;",
        "struct sc { static const int N = 3; int arr[N]; };",
        "static inline int add(int a, int b) { return a + b; } int after;",
        "extern inline __attribute__((gnu_inline)) int h(void) { if (1) { return 2; } }",
        "extern int errno_like; extern char **environ_like;",
        "_Noreturn void quit(int); __thread int tls1; _Thread_local int tls2;",
        "_Static_assert(sizeof(int) == 4, \"int is 32 bits\");",
        "typedef __builtin_va_list my_va; int vf(const char *, va_list);",
        "__int128 i128; unsigned __int128 u128; _Float128 f128; _Float64 f64; _Float32 f32;",
        "int aligned_of = __alignof__(double); int aligned2[_Alignof(long long)];",
        "__typeof__(int) t1; typeof(char *) t2;",
        "struct bits { unsigned a : 1, b : 7; int : 0; long long big : 60; unsigned : 4; };",
        "int arr_expr[sizeof(int) * 2 + (3 << 1) - 'a' / 97];",
        "int cast_expr[(unsigned char)257];",
        "void takes_array(int a[static 10], int b[const], int c[*]);",
        "int (*fp_array[4])(int); int (*(*fp_returning)(int))[3];",
        "int __stdcall std_fn(int); int (__cdecl *cdecl_fp)(int);",
        "struct { int a; } anon_var;",
        "typedef struct { int a; } T1; typedef struct { int a; } T1;",
        "int redecl(int); int redecl(int x);",
        "struct fwd; typedef struct fwd fwd_t; struct fwd { fwd_t *self; };",
        "unsigned long long ull = 18446744073709551615ULL;",
        "int x1, *x2, x3[2], (*x4)(void);",
        "enum trailing { T_A, T_B, };",
        "// a comment\nint /* inline */ commented; /* multi\nline */",
        "int $;",
        "_Atomic(int) atomic_counter; _Atomic long atomic_long;",
        "typedef int fn_t(int); fn_t declared_through_typedef; fn_t *fp_through_typedef;",
        "struct pollfd; int poll(struct pollfd *fds, unsigned long nfds, int timeout);",
        "",
    ])
    func accepts(_ source: String) throws {
        let parameters: [CParameter] = source.contains("$") ? [.name("dollar_name")] : []
        try CDeclarations().cdef(source, parameters: parameters)
    }

    @Test func declarationsAreRecorded() throws {
        let scope = CDeclarations()
        try scope.cdef(
            """
            typedef struct point { int x, y; } point_t;
            int distance(const point_t *a, const point_t *b) __asm__("dist2");
            extern int counter;
            enum { A = 1, B = A << 4, C };
            static const int LIMIT = 3 * 7;
            """)
        let function = try #require(scope.function(named: "distance"))
        #expect(function.symbol == "dist2")
        #expect(function.type.parameters.map(\.name) == ["a", "b"])
        #expect(function.type.result == .int32)
        #expect(scope.variable(named: "counter")?.type == .int32)
        #expect(scope.constant(named: "B")?.value == 16)
        #expect(scope.constant(named: "C")?.value == 17)
        #expect(scope.constant(named: "LIMIT")?.value == 21)
        #expect(scope.typedef(named: "point_t")?.description == "struct point")
        #expect(scope.function(named: "nope") == nil)
    }

    @Test func functionsAndVariadics() throws {
        let scope = CDeclarations()
        try scope.cdef(
            "int printf(const char *, ...); void none(); void none2(void); void arr(int a[3], int f(int));"
        )
        #expect(scope.function(named: "printf")?.type.isVariadic == true)
        #expect(scope.function(named: "none")?.type.parameters.isEmpty == true)
        #expect(scope.function(named: "none2")?.type.parameters.isEmpty == true)
        let arr = try #require(scope.function(named: "arr"))
        #expect(arr.type.parameters.map(\.type.description) == ["int *", "int (*)(int)"])
    }

    @Test func enums() throws {
        let scope = CDeclarations()
        try scope.cdef(
            """
            enum e1 { E1A, E1B };
            enum e2 { E2A = -1 };
            enum e3 { E3A = 0x100000000 };
            enum e4 : unsigned char { E4A = 200 };
            enum e5 { E5A = 1 } __attribute__((packed));
            enum e6 { E6A = -0x7fffffffffffffff - 1, E6B = 0x7fffffffffffffff };
            enum e7 { E7A = 0xffffffffffffffffULL };
            """)
        func underlying(_ name: String) throws -> String {
            guard case .enumeration(let e)? = scope.tag(named: name) else { return "?" }
            return e.underlying.description
        }
        #expect(try underlying("e1") == "unsigned int")
        #expect(try underlying("e2") == "int")
        #expect(try underlying("e3") == "uint64_t")
        #expect(try underlying("e4") == "unsigned char")
        #expect(try underlying("e5") == "unsigned char")
        #expect(try underlying("e6") == "int64_t")
        #expect(try underlying("e7") == "uint64_t")
        #expect(scope.constant(named: "E3A")?.value == 0x1_0000_0000)
        #expect(scope.constant(named: "E7A")?.value == -1)
        #expect(try scope.parseType("enum e3").size == 8)
        #expect(try scope.parseType("enum e1").size == 4)
    }

    @Test func transparentFieldLookup() throws {
        let scope = CDeclarations()
        try scope.cdef(
            """
            struct outer {
              int tag;
              union { int i; struct { short lo, hi; }; };
              struct { char c; } named;
              unsigned flag : 3, mode : 5;
            };
            """)
        guard case .record(let r) = try scope.parseType("struct outer").kind else {
            Issue.record("not a record")
            return
        }
        #expect(r.field(named: "tag")?.offset == 0)
        #expect(r.field(named: "i")?.offset == 4)
        #expect(r.field(named: "hi")?.offset == 6)
        #expect(r.field(named: "hi")?.type == .int16)
        #expect(r.field(named: "named")?.offset == 8)
        #expect(r.field(named: "c") == nil)
        #expect(r.field(named: "mode")?.bitfield == CBitfield(bitOffset: 75, width: 5))
        #expect(r.size == 12)
        #expect(r.fields.count == 5)
    }

    @Test func variableLengthRecords() throws {
        let scope = CDeclarations()
        try scope.cdef("struct vls { int n; double d[?]; }; struct fam { int n; char data[]; };")
        guard case .record(let vls) = try scope.parseType("struct vls").kind,
            case .record(let fam) = try scope.parseType("struct fam").kind
        else { return }
        #expect(vls.isVariableLength && vls.size == 8 && vls.alignment == 8)
        #expect(fam.hasFlexibleArray && fam.size == 4)
        #expect(try scope.parseType("int[?]").size == nil)
    }

    @Test func parameters() throws {
        let scope = CDeclarations()
        try scope.cdef(
            "struct $ { $ x; int a[$]; };",
            parameters: [.name("param"), .type(.double), .integer(7)])
        let type = try scope.parseType("struct param")
        #expect(type.size == 8 + 7 * 4 + 4)
        #expect(
            try scope.parseType("$ *", parameters: [.type(type)]).description == "struct param *")
        #expect(try scope.parseType("int[$]", parameters: [.integer(3)]).size == 12)
        #expect(throws: CDeclarationError.self) { try scope.parseType("$", parameters: []) }
        #expect(throws: CDeclarationError.self) {
            try scope.parseType("int[$]", parameters: [.type(.int32)])
        }
    }

    @Test func typeofAnonymousStruct() throws {
        let scope = CDeclarations()
        let type = try scope.parseType("struct { int a; double b; }")
        #expect(type.size == 16)
        // A tag in a type name must name a declared type, as in LuaJIT: no definitions.
        #expect(throws: CDeclarationError.self) { try scope.parseType("struct inline_tag { char c; } *") }
        #expect(throws: CDeclarationError.self) { try scope.parseType("struct inline_tag *") }
        #expect(scope.tag(named: "inline_tag") == nil)
        try scope.cdef("struct inline_tag;")
        #expect(try scope.parseType("struct inline_tag *").description == "struct inline_tag *")
    }

    /// Names are found the same way whether they come from the lexer (which hashes
    /// ASCII names as it reads them) or from a Swift string: ASCII, non-ASCII UTF-8,
    /// `$` parameters, and bytes that are not UTF-8 (kept as their repaired string).
    @Test func namesFromSourceAndFromSwiftAgree() throws {
        let scope = CDeclarations()
        try scope.cdef("typedef int plain_t; typedef int café; int naïve(café); struct é { int x; };")
        #expect(scope.typedef(named: "plain_t") != nil)
        #expect(scope.typedef(named: "café") != nil)
        #expect(scope.function(named: "naïve") != nil)
        #expect(scope.tag(named: "é") != nil)
        #expect(try scope.parseType("café *").size == 8)
        #expect(try scope.parseType("struct é").size == 4)
        try scope.cdef("typedef int $;", parameters: [.name("from_param")])
        #expect(scope.typedef(named: "from_param") != nil)
        #expect(try scope.parseType("from_param").size == 4)
        let bytes: [UInt8] = Array("typedef int a".utf8) + [0xFF] + Array("b; a".utf8) + [0xFF] + Array("b use;".utf8)
        try bytes.withUnsafeBufferPointer { try scope.cdef(utf8: $0) }
        #expect(scope.typedef(named: "a\u{FFFD}b") != nil)
        #expect(scope.variable(named: "use") != nil)
    }

    @Test func sizesOfPrimitives() throws {
        let scope = CDeclarations()
        let table: [(String, Int, Int)] = [
            ("char", 1, 1), ("short", 2, 2), ("int", 4, 4), ("long", 8, 8), ("long long", 8, 8),
            ("float", 4, 4), ("double", 8, 8), ("long double", 16, 16), ("void *", 8, 8),
            ("complex float", 8, 4), ("complex double", 16, 8), ("__int128", 16, 16),
            ("bool", 1, 1), ("int __attribute__((vector_size(32)))", 32, 32),
        ]
        for (name, size, alignment) in table {
            let type = try scope.parseType(name)
            #expect(type.size == size, "\(name)")
            #expect(type.alignment == alignment, "\(name)")
        }
        #expect(try scope.parseType("void").size == nil)
        #expect(try scope.parseType("int (int)").size == nil)
    }
}
