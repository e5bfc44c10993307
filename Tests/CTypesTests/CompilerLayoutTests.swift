// API mode's record layouts: the compiler's numbers replace the computed ones, one per
// record body in the order the bodies close, and a failed cdef leaves nothing behind.

import CTypes
import Testing

@Suite struct CompilerLayoutTests {
    @Test func layoutsApplyInClosingOrder() throws {
        let scope = CDeclarations()
        try scope.cdef(
            "struct outer { struct inner { char c; int i; } in; long tail; }; struct plain { int a; };",
            chunkName: "api", parameters: [],
            layouts: [
                CCompilerLayout(size: 24, alignment: 8, offsets: [0, 16]),  // struct inner
                CCompilerLayout(size: 40, alignment: 8, offsets: [8, 32]),  // struct outer
                nil,  // struct plain keeps its computed layout
            ])
        guard case .record(let inner)? = scope.tag(named: "inner"), case .record(let outer)? = scope.tag(named: "outer"),
            case .record(let plain)? = scope.tag(named: "plain")
        else { Issue.record("records missing"); return }
        #expect(inner.size == 24 && inner.alignment == 8 && inner.field(named: "i")?.offset == 16)
        #expect(outer.size == 40 && outer.field(named: "in")?.offset == 8 && outer.field(named: "tail")?.offset == 32)
        #expect(plain.size == 4 && plain.alignment == 4)
        #expect(scope.completedRecordsInOrder.map(\.tag) == ["inner", "outer", "plain"])
        // The layouts were for that cdef only.
        try scope.cdef("struct later { char c; int i; };")
        guard case .record(let later)? = scope.tag(named: "later") else { Issue.record("later missing"); return }
        #expect(later.size == 8 && later.field(named: "i")?.offset == 4)
    }

    @Test func bitfieldsAndAnonymousMembersKeepTheirOffsets() throws {
        let scope = CDeclarations()
        try scope.cdef(
            "struct b { int x : 3; union { int u; }; int y; };", chunkName: "api", parameters: [],
            layouts: [nil, CCompilerLayout(size: 16, alignment: 4, offsets: [12])])
        guard case .record(let record)? = scope.tag(named: "b") else { Issue.record("missing"); return }
        #expect(record.measurableFields.map(\.name) == ["y"])
        #expect(record.field(named: "y")?.offset == 12 && record.field(named: "u")?.offset == 4 && record.size == 16)
    }

    @Test func aFailedCdefRollsBack() {
        let scope = CDeclarations()
        #expect(throws: CDeclarationError.self) {
            try scope.cdef(
                "struct gone { int a; }; int broken(", chunkName: "api", parameters: [],
                layouts: [CCompilerLayout(size: 8, alignment: 4, offsets: [4])])
        }
        #expect(scope.tag(named: "gone") == nil && scope.completedRecordsInOrder.isEmpty)
    }
}
