// Conversion rules held in two places - the Swift rules and the C fast paths - fed the
// same inputs: Fixtures/conversion_grid.lua prints the outcome of every conversion of
// a grid of values into C types (new, fields, elements, pointers, casts, call
// arguments and results, callback results, 64-bit arithmetic), and the two runs, fast
// paths on and off, must print the same lines.
import Foundation
import Testing

@Suite struct ConversionGridTests {
    @Test func fastPathsAndSwiftRulesAgree() throws {
        let luaffi = try Programs.luaffi()
        let testlib = URL(fileURLWithPath: luaffi).deletingLastPathComponent()
            .appendingPathComponent("libffitest.so").path
        func run(_ extra: [String: String]) throws -> Outcome {
            try Run(luaffi, ["conversion_grid.lua"], environment: sanitizerEnvironment(["LUAFFI_TESTLIB": testlib].merging(extra) { $1 }))
                .finish(timeout: 120)
        }
        let fast = try run([:]), slow = try run(["LUAFFI_API_STACK": "1"])
        #expect(fast.status == "exit 0", "\(fast)")
        #expect(slow.status == "exit 0", "\(slow)")
        let fastLines = String(decoding: fast.stdout, as: UTF8.self).split(separator: "\n")
        let slowLines = String(decoding: slow.stdout, as: UTF8.self).split(separator: "\n")
        #expect(fastLines.count > 8000, "the grid printed \(fastLines.count) lines")
        #expect(fastLines.count == slowLines.count)
        for (a, b) in zip(fastLines, slowLines) where a != b {
            Issue.record("fast path: \(a)\nSwift path: \(b)")
        }
    }
}
