// The ffi module (libluaffi-module.so installed as ffi.so) under Debian's stock lua5.4:
// it carries no second Lua, and LuaJIT-compatible scripts run with it.
import Foundation
import Testing

/// The built module, if any; never an AddressSanitizer build (stock lua5.4 cannot
/// load one).
let builtModule: String? = Paths.product("libluaffi-module.so") { path in
    guard let data = FileManager.default.contents(atPath: path) else { return false }
    return data.range(of: Data("__asan_init".utf8)) == nil
}

/// A folder with `ffi.so` and `bit.so` linked to the built module, as
/// scripts/install-module lays them out. Removed at exit of the test process.
let moduleFolder: URL? = {
    guard let module = builtModule else { return nil }
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("luaffi-module-\(getpid())")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for name in ["ffi.so", "bit.so"] {
        let link = folder.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: link)
        try? FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: module)
    }
    return folder
}()

/// The lua/tests scripts whose first line is `-- luajit: compatible`.
let compatibleScripts: [String] = {
    let folder = Paths.packageRoot.appendingPathComponent("lua/tests")
    return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { name in
        guard name.hasSuffix(".lua"),
              let text = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) else { return false }
        return text.split(separator: "\n", maxSplits: 1).first == "-- luajit: compatible"
    }.sorted()
}()

/// This suite's own module scripts.
let moduleScripts: [String] = {
    let folder = Paths.fixtures.appendingPathComponent("module").path
    return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".lua") }.sorted()
}()

/// Runs `script` in `directory` under stock lua5.4 with the module on LUA_CPATH; nil
/// (with the reason recorded) when lua5.4 or the module is missing.
func runWithModule(_ script: String, in directory: URL) throws -> Outcome? {
    guard let lua = Paths.program("lua5.4") else { skip("lua5.4 is not installed"); return nil }
    guard let folder = moduleFolder else {
        skip("libluaffi-module.so is not built (scripts/test builds it; not under a sanitizer): \(script) not run")
        return nil
    }
    return try run(lua, [script], in: directory, environment: ["LUA_CPATH": "\(folder.path)/?.so;;"])
}

@Suite struct ModuleTests {
    @Test func linksNoLua() throws {
        guard let module = builtModule else { return skip("libluaffi-module.so is not built") }
        guard let readelf = Paths.program("readelf"), let nm = Paths.program("nm") else {
            return skip("binutils (readelf, nm) not installed")
        }
        let dynamic = try run(readelf, ["-d", module])
        let needed = dynamic.stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }
        #expect(!needed.isEmpty)
        #expect(!needed.contains { $0.contains("liblua") }, "the module links a Lua:\n\(needed)")
        let undefined = try run(nm, ["-D", "--undefined-only", module]).stdout
        for symbol in ["lua_pushboolean", "lua_createtable", "luaL_ref", "lua_pcallk"] {
            #expect(undefined.contains(" \(symbol)\n"), "\(symbol) should come from lua5.4")
        }
        let defined = try run(nm, ["-D", "--defined-only", module]).stdout.split(separator: "\n")
        #expect(!defined.contains { $0.hasSuffix(" lua_newstate") || $0.hasSuffix(" lua_pushboolean") })
        for entry in ["luaopen_ffi", "luaopen_bit", "luaopen_ffi_compat"] {
            #expect(defined.contains { $0.hasSuffix(" T \(entry)") }, "\(entry) is not exported")
        }
    }

    @Test(arguments: compatibleScripts)
    func luajitCompatibleScriptRuns(_ name: String) throws {
        guard let outcome = try runWithModule(name, in: Paths.packageRoot.appendingPathComponent("lua/tests")) else { return }
        #expect(outcome.status == 0, "lua5.4 \(name) with ffi.so:\n\(outcome)")
    }

    @Test(arguments: moduleScripts)
    func moduleScriptRuns(_ name: String) throws {
        guard let outcome = try runWithModule(name, in: Paths.fixtures.appendingPathComponent("module")) else { return }
        #expect(outcome.status == 0, "lua5.4 \(name) with ffi.so:\n\(outcome)")
        #expect(outcome.stdout.hasSuffix(" ok\n"), "\(outcome)")
    }

    @Test func someScriptsAreCompatible() {
        #expect(!compatibleScripts.isEmpty)
        #expect(moduleScripts.count >= 2)
    }
}
