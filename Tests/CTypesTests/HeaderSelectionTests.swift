// ffi.include's pure parts: selecting declarations with what they need, line markers,
// integer macros.

import CTypes
import Testing

@Suite struct HeaderSelectionTests {
    /// A selection declares the selected names and what they need, nothing else.
    @Test func selectsWithDependencies() throws {
        let source = """
            typedef unsigned int id_t2;
            #pragma pack(push, 1)
            struct item { char c; id_t2 id; };
            #pragma pack(pop)
            struct unrelated { int u; };
            typedef struct node { struct item item; struct node *next; } node_t;
            enum color { RED, GREEN };
            static inline int helper(int x) { return x + RED; }
            int count(const node_t *head, enum color c);
            int other(struct unrelated *u);
            """
        let selection = try CHeaderSelection(source, chunkName: "h")
        #expect(Set(selection.declaredNames).isSuperset(of: ["count", "other", "node_t", "item", "unrelated", "RED"]))
        let kept = selection.source(keeping: ["count"])
        #expect(kept.split(separator: "\n", omittingEmptySubsequences: false).count
            == source.split(separator: "\n", omittingEmptySubsequences: false).count)
        let scope = CDeclarations()
        try scope.cdef(kept)
        #expect(scope.function(named: "count") != nil)
        #expect(scope.function(named: "other") == nil && scope.function(named: "helper") == nil)
        #expect(scope.constant(named: "GREEN")?.value == 1)
        #expect(scope.typedef(named: "node_t")?.size == 16)  // the packed item: 5 bytes, then a pointer
        guard case .record(let unrelated)? = scope.tag(named: "unrelated") else {
            return  // not even mentioned: fine
        }
        #expect(!unrelated.isComplete)
    }

    /// A declaration the parser cannot read stands in the way only when needed.
    @Test func unreadableDeclarations() throws {
        let source = "int fine(void);\n_Float16 _Complex odd(void);\nint uses(void);\n"
        let selection = try CHeaderSelection(source, chunkName: "h")
        #expect(selection.declaredNames.contains("odd"))
        try CDeclarations().cdef(selection.source(keeping: ["fine", "uses"]))
        #expect(throws: CDeclarationError.self) { try CDeclarations().cdef(selection.source(keeping: ["odd"])) }
    }

    /// Real headers: each selection of one function parses.
    @Test(arguments: ["zlib.h", "sqlite3.h", "stdio.h", "sys/stat.h"])
    func realHeader(_ header: String) throws {
        let source = try CCompiler.preprocess(header: header)
        let selection = try CHeaderSelection(source, chunkName: header)
        let full = CDeclarations()
        try full.cdef(source)
        for name in full.functionNames.sorted().prefix(40) {
            let scope = CDeclarations()
            try scope.cdef(selection.source(keeping: [name]), chunkName: header)
            #expect(scope.function(named: name) != nil, "\(name)")
        }
    }

    @Test func lineMarkers() {
        let source = "# 1 \"a.c\"\nint a;\n# 10 \"/usr/include/x.h\" 1 3 4\nint x;\nint y;\n# 3 \"a.c\" 2\nint b;\n"
        let markers = CLineMarkers(source)
        #expect(markers.origin(ofLine: 2)! == ("a.c", 1))
        #expect(markers.origin(ofLine: 5)! == ("/usr/include/x.h", 11))
        #expect(markers.origin(ofLine: 7)! == ("a.c", 3))
        #expect(markers.origin(ofLine: 1) == nil)
        let error = CDeclarationError(chunkName: "<x.h>", line: 5, column: 3, reason: "bad", near: "y")
        #expect(markers.mapped(error).headline == "/usr/include/x.h:11:3: bad near 'y'")
    }

    @Test func integerMacros() throws {
        let definitions = """
            #define A 1
            #define B (-0x10)
            #define C 0777u
            #define D 0xFFFFFFFFFFFFFFFFULL
            #define E A
            #define F (1 + 2)
            #define G(x) x
            #define __H 5
            #define I "text"
            #define J 4294967296L
            #define K 0b101
            #define L UNKNOWN
            """
        let constants = CMacroConstants.parse(definitions)
        let values = Dictionary(uniqueKeysWithValues: constants.map { ($0.name, $0.value) })
        #expect(values == ["A": 1, "B": -16, "C": 511, "D": -1, "E": 1, "J": 4294967296, "K": 5])
        let scope = CDeclarations()
        try scope.cdef(CMacroConstants.declarations(constants))
        #expect(scope.constant(named: "D")?.type == .uint64)
        #expect(scope.constant(named: "J")?.type == .int64)
        #expect(scope.constant(named: "B")?.value == -16)
    }
}
