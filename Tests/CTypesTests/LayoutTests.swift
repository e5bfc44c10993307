// Layouts computed by CTypes agree exactly with the C compiler's.

import CTypes
import Testing

@Suite struct LayoutTests {
    /// The lines the C program prints, computed by CTypes instead.
    static func expectedLines(_ records: ArraySlice<GeneratedRecord>, in scope: CDeclarations)
        throws -> [String]
    {
        var lines: [String] = []
        for record in records {
            let type = try scope.parseType(record.name)
            lines.append("\(record.name) \(type.size ?? -1) \(type.alignment)")
            guard case .record(let r) = type.kind else { continue }
            for (field, isBitfield) in record.checks {
                guard let ref = r.field(named: field) else {
                    lines.append("\(record.name).\(field) missing")
                    continue
                }
                if isBitfield {
                    lines.append("\(record.name).\(field) bit \(ref.bitfield?.bitOffset ?? -1)")
                } else {
                    lines.append("\(record.name).\(field) \(ref.offset)")
                }
            }
        }
        return lines
    }

    /// `long double _Complex` and `_Float16` (laid out, not converted: glibc's
    /// `<complex.h>`, GCC's intrinsics headers).
    @Test func layoutOnlyTypesMatchTheCompiler() throws {
        let source = """
            struct cld { char c; long double _Complex z; _Float16 h; _Float64x _Complex w;
                         _Float16 hv __attribute__((vector_size(16))); };
            """
        let scope = CDeclarations()
        try scope.cdef(source)
        let type = try scope.parseType("struct cld")
        guard case .record(let record) = type.kind else { Issue.record("no struct"); return }
        let output = try CCompiler.compileAndRun("""
            #include <stdio.h>
            #include <stddef.h>
            \(source)
            int main(void) {
                printf("%zu %zu %zu %zu %zu %zu", sizeof(struct cld), _Alignof(struct cld), offsetof(struct cld, z),
                       offsetof(struct cld, w), offsetof(struct cld, h), offsetof(struct cld, hv));
                return 0;
            }
            """)
        let offsets = ["z", "w", "h", "hv"].map { record.field(named: $0)?.offset ?? -1 }
        #expect(output == "\(type.size ?? -1) \(type.alignment) " + offsets.map(String.init).joined(separator: " "))
        #expect(throws: CDeclarationError.self) { try scope.cdef("_Float128 _Complex q;") }
    }

    @Test(arguments: Array(1...6))
    func randomLayoutsMatchTheCompiler(batch: Int) throws {
        var generator = LayoutGenerator(seed: UInt64(batch) &* 0x1234_5678_9ABC)
        for _ in 0..<300 { generator.generateRecord() }
        let scope = CDeclarations()
        try scope.cdef(generator.declarations)
        let output = try CCompiler.compileAndRun(generator.program(for: generator.records[...]))
        let actual = output.split(separator: "\n").map(String.init)
        let expected = try Self.expectedLines(generator.records[...], in: scope)
        #expect(actual.count == expected.count)
        var mismatches = 0
        for (a, e) in zip(actual, expected) where a != e {
            mismatches += 1
            if mismatches <= 5 {
                let name = String(
                    a.split(separator: ".")[0].split(separator: " ").prefix(2).joined(
                        separator: " "))
                let source = generator.records.first { $0.name == name }?.source ?? ""
                Issue.record("cc: \(a)  ctypes: \(e)\n\(source)")
            }
        }
        #expect(mismatches == 0)
    }
}
