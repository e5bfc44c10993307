// swift-tools-version:6.2
// LuaFFI: PUC Lua 5.4 embedded in Swift, with LuaJIT's FFI API built on libffi.
import PackageDescription

/// Every Swift target: Swift 6 language mode, warnings are errors.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "LuaFFI",
    products: [
        .library(name: "Lua", targets: ["Lua"]),
        // `Data` as Lua strings (kept out of `Lua`, which links no Foundation).
        .library(name: "LuaFoundation", targets: ["LuaFoundation"]),
        .library(name: "CTypes", targets: ["CTypes"]),
        .library(name: "LuaFFI", targets: ["LuaFFI"]),
        .executable(name: "luaffi", targets: ["luaffi"]),
        // The C test library of the call tests (libffitest.so next to the test bundle).
        .library(name: "ffitest", type: .dynamic, targets: ["CTestLib"]),
        // The ffi module for Debian's stock lua5.4: libluaffi-module.so, installed as
        // ffi.so by scripts/install-module (never named `ffi`: libffi.so is libffi).
        .library(name: "luaffi-module", type: .dynamic, targets: ["FFIModule"]),
    ],
    targets: [
        // System libraries (Debian: liblua5.4-dev, libffi-dev). No pkg-config needed:
        // the headers are found under /usr/include with no flags. CLua gives the
        // headers only: liblua5.4 is linked by the `Lua` target (apps, the
        // interpreter, tests), never into the module that stock lua5.4 loads, which
        // must use the interpreter's own copy of Lua.
        .systemLibrary(name: "CLua", path: "Sources/CLua"),
        // libffi, with accessors for its type globals.
        .target(name: "CLibFFI", linkerSettings: [.linkedLibrary("ffi")]),
        // C, in layers that depend one way (docs/architecture.md, "C targets"):
        // the core: Lua's function-like macros as functions, the allocator with its
        // memory limit, the execution limits, the trampolines and protected calls.
        .target(name: "CLuaCore", dependencies: ["CLua"]),
        // The embedding API's C pieces: yielding Swift closures, the sandbox.
        .target(name: "CLuaEmbedding", dependencies: ["CLua", "CLuaCore"]),
        // The ffi module's fast paths: calls (libffi's too), callbacks, cdata access,
        // ops, metatypes.
        .target(name: "CFFIFast", dependencies: ["CLua", "CLuaCore", "CLibFFI"]),
        // The interpreter's C pieces: Ctrl-C, readline.
        .target(name: "CInterpreter", dependencies: ["CLua"]),
        // C declarations: lexer, parser, type model, layout. Pure Swift.
        .target(name: "CTypes", swiftSettings: strict),
        // libFuzzer target for the CTypes parser (docs/ctypes.md); a plain build runs files.
        .executableTarget(name: "CTypesFuzz", dependencies: ["CTypes"], swiftSettings: strict),
        // The ffi module: ctypes, cdata, calls, callbacks, libraries. Uses the Lua C
        // API only (no LuaState), so that it can also be loaded into stock lua5.4.
        .target(
            name: "LuaFFI", dependencies: ["CTypes", "CLua", "CLuaCore", "CFFIFast", "CLibFFI"],
            swiftSettings: strict, linkerSettings: [.linkedLibrary("dl")]),
        // The Swift embedding API (offers the ffi module to the states it makes).
        .target(
            name: "Lua", dependencies: ["CLua", "CLuaCore", "CLuaEmbedding", "LuaFFI"], swiftSettings: strict,
            linkerSettings: [.linkedLibrary("lua5.4")]),
        // `Data: LuaConvertible` (byte-exact Lua strings), for hosts that use Foundation.
        .target(name: "LuaFoundation", dependencies: ["Lua", "CLua", "CLuaCore"], swiftSettings: strict),
        // The lua5.4-compatible interpreter. It links the shared liblua5.4, whose
        // symbols C modules loaded with require resolve against: one Lua per process.
        .executableTarget(name: "luaffi", dependencies: ["Lua", "LuaFFI", "CLuaCore", "CInterpreter"], swiftSettings: strict),
        // examples/plugin-host: runs every plugin of a folder in its own limited state.
        .executableTarget(
            name: "plugin-host", dependencies: ["Lua"], path: "examples/plugin-host/Sources/plugin-host",
            swiftSettings: strict),
        // Benchmarks of the embedding API against the C API (run in release).
        .executableTarget(
            name: "EmbeddingBenchmark", dependencies: ["Lua", "CLua", "CLuaCore", "CLuaEmbedding"],
            path: "Benchmarks/EmbeddingBenchmark", swiftSettings: strict),
        // `luaopen_ffi` (and `luaopen_bit`, `luaopen_ffi_compat`) for stock lua5.4. No
        // liblua: the Lua API resolves against the interpreter that loads the module.
        .target(name: "FFIModule", dependencies: ["LuaFFI", "CLua", "CLuaCore"], swiftSettings: strict),
        // Known C functions, structs, unions, callbacks and globals for the call tests.
        .target(name: "CTestLib", path: "Tests/CTestLib", linkerSettings: [.linkedLibrary("pthread")]),
        .testTarget(name: "CTypesTests", dependencies: ["CTypes"], swiftSettings: strict),
        .testTarget(name: "LuaTests", dependencies: ["Lua", "LuaFFI", "LuaFoundation", "CLuaCore", "CFFIFast"], swiftSettings: strict),
        .testTarget(
            name: "luaffiTests", dependencies: ["Lua"], exclude: ["Fixtures"],
            swiftSettings: strict),
        // Where users meet it: examples/*.lua under luaffi, the module under stock
        // lua5.4, busted spec suites under luaffi. Runs the built programs only.
        .testTarget(name: "EcosystemTests", dependencies: ["Lua"], exclude: ["Fixtures"], swiftSettings: strict),
    ]
)
