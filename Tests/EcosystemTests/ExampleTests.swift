// Runs every examples/*.lua with the built luaffi: exit status 0 and the lines that
// show each example did its work (and its error handling).
import Foundation
import Testing

/// The examples, by file name.
let exampleNames: [String] = {
    let folder = Paths.packageRoot.appendingPathComponent("examples").path
    return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
        .filter { $0.hasSuffix(".lua") }.sorted()
}()

/// Lines each example must print (examples not listed need only succeed).
let expectedExampleLines: [String: [String]] = [
    "hello.lua": ["sorted by qsort: 1 3 7 19 42 88", "out of range: examples/hello.lua:"],
    "libc.lua": [
        "qsort: apple banana cherry fig pear", "strftime: 2023-11-14 22:13:20 UTC, weekday 2",
        "getenv: from libc", "after unsetenv, NULL: true", "error: setenv '': Invalid argument (errno 22)",
        "error: chdir: No such file or directory (errno 2)",
    ],
    "libm.lua": [
        "sqrt(2) = 1.414214", "pow(2, 10) = 1024", "frexp(48) = 0.75 * 2^6", "modf(3.25) = 3 + 0.25",
        "log(-1): math error: Numerical argument out of domain",
        "sqrt('four'): bad argument #1 to 'sqrt' (cannot convert 'string' to 'double')",
    ],
    "zlib.lua": ["round trip ok", "uncompress: buffer error (-5)", "uncompress: data error (-3)"],
    "sqlite3.lua": [
        "exec row: apple 1.25", "exec row: pear 2.5", "step row: 2 pear 2.50", "step row: 3 fig 4.00",
        "error: sqlite3_exec: no such table: vegetables", "error: prepare: incomplete input (sqlite code 1)",
        "error: insert: UNIQUE constraint failed: fruit.name (sqlite code 19)", "closed",
    ],
    "structs.lua": [
        "regular file: true", "gettimeofday agrees with os.time", "nanosleep 20 ms: slept at least 20 ms: true",
        "stat /nonexistent/luaffi: No such file or directory", "clock_gettime: Invalid argument",
    ],
]

@Suite struct ExampleTests {
    @Test func examplesExist() {
        for name in expectedExampleLines.keys {
            #expect(exampleNames.contains(name), "examples/\(name) is missing")
        }
    }

    @Test(arguments: exampleNames)
    func runs(_ name: String) throws {
        guard let luaffi = Paths.luaffi else {
            return skip("luaffi is not built (scripts/test builds it): examples/\(name) not run")
        }
        let outcome = try run(luaffi, ["examples/\(name)"])
        #expect(outcome.status == 0, "luaffi examples/\(name):\n\(outcome)")
        for line in expectedExampleLines[name] ?? [] {
            #expect(outcome.stdout.contains(line), "examples/\(name) did not print '\(line)':\n\(outcome)")
        }
    }
}
