// Every complete tagged struct/union of the system headers has the compiler's layout.

import CTypes
import Testing

@Suite struct HeaderLayoutTests {
    @Test func headerRecordsMatchTheCompiler() throws {
        let scope = CDeclarations()
        for name in HeaderTests.headers {
            try scope.cdef(try CCompiler.preprocess(header: name), chunkName: name)
        }
        var expected: [String] = []
        var main = ""
        for tag in scope.tagNames.sorted() {
            guard case .record(let record)? = scope.tag(named: tag), record.isComplete else {
                continue
            }
            let name = "\(record.keyword) \(tag)"
            main += "  printf(\"\(name) %zu %zu\\n\", sizeof(\(name)), _Alignof(\(name)));\n"
            expected.append("\(name) \(record.size!) \(record.alignment)")
            for field in record.fieldNames.sorted() {
                guard let ref = record.field(named: field), ref.bitfield == nil else { continue }
                main += "  printf(\"\(name).\(field) %zu\\n\", offsetof(\(name), \(field)));\n"
                expected.append("\(name).\(field) \(ref.offset)")
            }
        }
        let includes = HeaderTests.headers.map { "#include <\($0)>\n" }.joined()
        let program =
            includes + "#include <stddef.h>\nint main(void) {\n" + main + "  return 0;\n}\n"
        let actual = try CCompiler.compileAndRun(program).split(separator: "\n").map(String.init)
        #expect(expected.count > 100)
        #expect(actual == expected)
    }
}
