// examples/api-mode: build.lua compiles the API-mode modules with the built luaffi,
// then zlib.lua and sqlite3.lua use them under luaffi and under stock lua5.4 with ffi.so.
import Foundation
import Testing

/// Lines each API-mode example prints when it did its work.
let expectedAPIModeLines: [String: [String]] = [
    "zlib.lua": ["sizeof(z_stream) = 112 (from the compiler)", "round trip ok", "inflate garbage: inflate: incorrect header check (-3)"],
    "sqlite3.lua": ["SQLITE_ROW = 100, SQLITE_DONE = 101", "SQLITE_CONSTRAINT: true", "row: pear 2.50", "closed"],
]

@Suite struct APIModeTests {
    /// The modules, built once into a temporary folder (nil when luaffi is not built).
    static let built: URL? = {
        guard let luaffi = Paths.luaffi else { return nil }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("luaffi-api-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        guard let outcome = try? run(luaffi, ["examples/api-mode/build.lua", folder.path]), outcome.status == 0 else {
            return nil
        }
        return folder
    }()

    @Test func builds() throws {
        guard Paths.luaffi != nil else { return skip("luaffi is not built") }
        let folder = try #require(Self.built, "examples/api-mode/build.lua failed")
        for module in ["zlib_api.so", "sqlite_api.so"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(module).path))
        }
    }

    @Test(arguments: ["zlib.lua", "sqlite3.lua"])
    func runsUnderLuaffi(_ name: String) throws {
        guard let luaffi = Paths.luaffi, let folder = Self.built else { return skip("luaffi is not built") }
        let outcome = try run(luaffi, ["examples/api-mode/\(name)", folder.path])
        #expect(outcome.status == 0, "luaffi examples/api-mode/\(name):\n\(outcome)")
        for line in expectedAPIModeLines[name] ?? [] {
            #expect(outcome.stdout.contains(line), "\(name) did not print '\(line)':\n\(outcome)")
        }
    }

    @Test(arguments: ["zlib.lua", "sqlite3.lua"])
    func runsUnderStockLua(_ name: String) throws {
        guard let folder = Self.built else { return skip("luaffi is not built") }
        let script = Paths.packageRoot.appendingPathComponent("examples/api-mode/\(name)").path
        guard let outcome = try runWithModule(script, in: folder) else { return }
        #expect(outcome.status == 0, "lua5.4 examples/api-mode/\(name) with ffi.so:\n\(outcome)")
        for line in expectedAPIModeLines[name] ?? [] {
            #expect(outcome.stdout.contains(line), "\(name) did not print '\(line)':\n\(outcome)")
        }
    }
}
