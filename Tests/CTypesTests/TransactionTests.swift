// cdef commits all of its declarations or none of them.

import CTypes
import Testing

@Suite struct TransactionTests {
    @Test func failedCdefChangesNothing() throws {
        let scope = CDeclarations()
        try scope.cdef("struct later; enum opaque; typedef int keep_t; enum { OLD = 1 };")
        let source = """
            struct later { int a; double b; };
            enum opaque { O1, O2 };
            typedef struct later later_t;
            struct fresh { int x; };
            int new_function(int);
            extern int new_variable;
            enum { NEW_CONSTANT = 5 };
            static const int NEW_STATIC = 2;
            int broken(;
            """
        #expect(throws: CDeclarationError.self) { try scope.cdef(source) }
        guard case .record(let later)? = scope.tag(named: "later") else {
            Issue.record("struct later lost")
            return
        }
        #expect(!later.isComplete)
        #expect(later.fields.isEmpty)
        #expect(later.field(named: "a") == nil)
        guard case .enumeration(let opaque)? = scope.tag(named: "opaque") else {
            Issue.record("enum opaque lost")
            return
        }
        #expect(!opaque.isComplete)
        #expect(scope.typedef(named: "later_t") == nil)
        #expect(scope.tag(named: "fresh") == nil)
        #expect(scope.function(named: "new_function") == nil)
        #expect(scope.variable(named: "new_variable") == nil)
        #expect(scope.constant(named: "NEW_CONSTANT") == nil)
        #expect(scope.constant(named: "NEW_STATIC") == nil)
        #expect(scope.constant(named: "OLD")?.value == 1)
        #expect(scope.typedef(named: "keep_t") == .int32)

        // The same declarations, corrected, succeed afterwards.
        try scope.cdef(source.replacingOccurrences(of: "int broken(;", with: "int fixed(void);"))
        #expect(later.isComplete && later.size == 16)
        #expect(opaque.isComplete)
        #expect(scope.function(named: "new_function") != nil)
    }

    /// A rollback rebuilds the names it removes from the source (or takes the `$` name
    /// parameters as they were): every kind of name goes, non-ASCII ones included.
    @Test func failedCdefRemovesEveryName() throws {
        let scope = CDeclarations()
        let source = """
            typedef int café; struct é { int x; }; enum ë { Ë1 }; int naïve(café);
            extern int ïn; typedef int $; struct $ { int y; }; int $(void); enum { $ };
            int broken(;
            """
        let names: [CParameter] = [.name("p_t"), .name("p_tag"), .name("p_f"), .name("P_K")]
        #expect(throws: CDeclarationError.self) { try scope.cdef(source, parameters: names) }
        for typedef in ["café", "p_t"] { #expect(scope.typedef(named: typedef) == nil) }
        for tag in ["é", "ë", "p_tag"] { #expect(scope.tag(named: tag) == nil) }
        for function in ["naïve", "p_f"] { #expect(scope.function(named: function) == nil) }
        #expect(scope.variable(named: "ïn") == nil)
        for constant in ["Ë1", "P_K"] { #expect(scope.constant(named: constant) == nil) }
        try scope.cdef(source.replacingOccurrences(of: "int broken(;", with: ""), parameters: names)
        #expect(scope.typedef(named: "café") != nil && scope.typedef(named: "p_t") != nil)
        #expect(scope.tag(named: "é") != nil && scope.tag(named: "p_tag") != nil)
        #expect(scope.function(named: "naïve") != nil && scope.function(named: "p_f") != nil)
        #expect(scope.constant(named: "Ë1") != nil && scope.constant(named: "P_K") != nil)
    }

    @Test func failedParseTypeChangesNothing() {
        let scope = CDeclarations()
        #expect(throws: CDeclarationError.self) { try scope.parseType("struct t1 { int a; } x") }
        #expect(scope.tag(named: "t1") == nil)
    }

    @Test func redefinitionRules() throws {
        let scope = CDeclarations()
        try scope.cdef("struct point { int x, y; }; typedef int myint;")
        try scope.cdef(
            "struct point { int x, y; }; typedef int myint; typedef int int32_t; typedef unsigned long size_t;"
        )
        #expect(throws: CDeclarationError.self) { try scope.cdef("struct point { int x; };") }
        // A typedef redefined with another type keeps the first (LuaJIT's rule).
        try scope.cdef("typedef long myint; typedef short int32_t;")
        #expect(scope.typedef(named: "myint") == .int32 && scope.typedef(named: "int32_t") == .int32)
        #expect(throws: CDeclarationError.self) { try scope.cdef("enum point { P };") }
        #expect(throws: CDeclarationError.self) {
            try scope.cdef("enum { DUP = 1 }; enum { DUP = 2 };")
        }
        try scope.cdef("enum { SAME = 1 }; enum { SAME = 1 };")
    }

    @Test func predefinedTypedefs() throws {
        let scope = CDeclarations()
        let expected: [(String, String)] = [
            ("int8_t", "signed char"), ("uint8_t", "unsigned char"), ("int16_t", "short"),
            ("uint16_t", "unsigned short"), ("int32_t", "int"), ("uint32_t", "unsigned int"),
            ("int64_t", "int64_t"), ("uint64_t", "uint64_t"), ("intptr_t", "int64_t"),
            ("uintptr_t", "uint64_t"), ("ptrdiff_t", "int64_t"), ("size_t", "uint64_t"),
            ("ssize_t", "int64_t"), ("wchar_t", "int"), ("va_list", "void *"),
            ("__builtin_va_list", "void *"), ("__gnuc_va_list", "void *"), ("bool", "bool"),
        ]
        for (name, spelling) in expected {
            #expect(try scope.parseType(name).description == spelling, "\(name)")
        }
    }
}
