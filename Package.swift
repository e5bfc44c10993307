// swift-tools-version:6.2
// LuaFFI: PUC Lua 5.4 embedded in Swift, with LuaJIT's FFI API built on libffi.
import PackageDescription

/// Every Swift target: Swift 6 language mode, warnings are errors.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "LuaFFI",
    products: [
        .library(name: "Lua", targets: ["Lua"]),
        .library(name: "CTypes", targets: ["CTypes"]),
        .library(name: "LuaFFI", targets: ["LuaFFI"]),
        .executable(name: "luaffi", targets: ["luaffi"]),
    ],
    targets: [
        // System libraries (Debian: liblua5.4-dev, libffi-dev). No pkg-config needed:
        // the headers are found under /usr/include with no flags.
        .systemLibrary(name: "CLua", path: "Sources/CLua"),
        // libffi, with accessors for its type globals.
        .target(name: "CLibFFI", linkerSettings: [.linkedLibrary("ffi")]),
        // Lua's function-like macros as functions, and the error trampolines.
        .target(name: "CLuaShims", dependencies: ["CLua"]),
        // C declarations: lexer, parser, type model, layout. Pure Swift.
        .target(name: "CTypes", swiftSettings: strict),
        // The Swift embedding API.
        .target(name: "Lua", dependencies: ["CLua", "CLuaShims"], swiftSettings: strict),
        // The ffi module: ctypes, cdata, calls, callbacks, libraries.
        .target(
            name: "LuaFFI", dependencies: ["Lua", "CTypes", "CLua", "CLuaShims", "CLibFFI"],
            swiftSettings: strict, linkerSettings: [.linkedLibrary("dl")]),
        // The lua5.4-compatible interpreter.
        .executableTarget(
            name: "luaffi", dependencies: ["Lua", "LuaFFI"], swiftSettings: strict,
            // Export the Lua API from the executable too, as lua5.4 does (-Wl,-E),
            // so that C modules loaded with require resolve against our one copy.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"])]),
        .testTarget(name: "CTypesTests", dependencies: ["CTypes"], swiftSettings: strict),
        .testTarget(name: "LuaTests", dependencies: ["Lua", "LuaFFI"], swiftSettings: strict),
        .testTarget(
            name: "luaffiTests", dependencies: ["Lua"], exclude: ["Fixtures"],
            swiftSettings: strict),
    ]
)
