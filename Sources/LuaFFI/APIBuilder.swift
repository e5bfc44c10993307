// ffi.builder: cffi's out-of-line API mode. A builder collects an API-mode cdef and the
// C source, and compiles them with `cc` into a Lua C module (NAME.so).
import CLua
import CLuaCore
import Glibc

/// The builder methods (the builder is a table: its fields are the collected texts).
private let builderMethods: [SwiftFunctionEntry] = [
    ("cdef", builderCdef), ("set_source", builderSetSource), ("compile", builderCompile),
    ("emit_c_code", builderEmitCode),
]

/// `ffi.builder(name)`: a builder of the module `name` (`require(name)` loads it).
func ffiBuilder(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { _, L throws(FFIError) in
        guard let name = stringArgument(L, 1) else { throw FFIError.type(1, "builder", expected: "string", in: L) }
        guard isModuleName(name) else {
            throw FFIError.argument(1, "builder", "module name expected (letters, digits and '_'), got '\(name)'")
        }
        lua_createtable(L, 0, 4)
        lua_pushvalue(L, 1)
        lua_setfield(L, -2, "name")
        lua_pushstring(L, "")
        lua_setfield(L, -2, "cdefs")
        lua_createtable(L, 0, 2)
        lua_createtable(L, 0, Int32(builderMethods.count))
        setFunctions(L, builderMethods, upvalue: lf_upvalueindex(2))
        lua_setfield(L, -2, "__index")
        lua_pushstring(L, "ffi.builder")
        lua_setfield(L, -2, "__name")
        lua_setmetatable(L, -2)
        return 1
    }
}

/// A C identifier: what `luaopen_NAME` can be made of.
func isModuleName(_ name: String) -> Bool {
    guard let first = name.utf8.first, !(48...57).contains(first) else { return false }
    return name.utf8.allSatisfy { ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) || (48...57).contains($0) || $0 == 95 }
}

/// `b:cdef(decls)`: adds API-mode declarations (checked at once by the parser).
private func builderCdef(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { _, L throws(FFIError) in
        let builder = try APIBuilderTable(L)
        guard let text = stringArgument(L, 2) else { throw FFIError.type(2, "cdef", expected: "string", in: L) }
        let all = builder.cdefs.isEmpty ? text : builder.cdefs + "\n" + text
        _ = try APIGenerator(name: builder.name, cdef: all, source: "")
        pushString(L, "cdefs")
        pushString(L, all)
        lua_rawset(L, 1)
        return 0
    }
}

/// `b:set_source(csource [, options])`: the C that precedes the checks (`#include`s and
/// functions), and the compiler options.
private func builderSetSource(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { _, L throws(FFIError) in
        _ = try APIBuilderTable(L)
        guard lua_type(L, 2) == LUA_TSTRING else { throw FFIError.type(2, "set_source", expected: "string", in: L) }
        _ = try APIOptions(L, 3, "set_source")
        lua_settop(L, 3)
        pushString(L, "source")
        lua_pushvalue(L, 2)
        lua_rawset(L, 1)
        pushString(L, "options")
        lua_pushvalue(L, 3)
        lua_rawset(L, 1)
        return 0
    }
}

/// `b:emit_c_code(path)`: writes the module's C source (for a project's own build).
private func builderEmitCode(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { _, L throws(FFIError) in
        let builder = try APIBuilderTable(L)
        guard let path = stringArgument(L, 2) else { throw FFIError.type(2, "emit_c_code", expected: "string", in: L) }
        try writeFile(path, try builder.generator().generate())
        pushString(L, path)
        return 1
    }
}

/// `b:compile{tmpdir =, verbose =}`: compiles NAME.so into `tmpdir` (default `.`); returns
/// its path.
private func builderCompile(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { _, L throws(FFIError) in
        let builder = try APIBuilderTable(L)
        var directory = ".", verbose = false
        if lua_type(L, 2) == LUA_TTABLE {
            pushString(L, "tmpdir")
            lua_rawget(L, 2)
            directory = stringArgument(L, -1) ?? "."
            pushString(L, "verbose")
            lua_rawget(L, 2)
            verbose = lua_toboolean(L, -1) != 0
            lf_pop(L, 2)
        } else if lua_type(L, 2) > LUA_TNIL {
            throw FFIError.type(2, "compile", expected: "table", in: L)
        }
        let options = try builder.options(L)
        let path = try compileModule(
            name: builder.name, code: try builder.generator().generate(), options: options,
            directory: directory, verbose: verbose)
        pushString(L, path)
        return 1
    }
}

/// The fields of the builder table at 1 (read raw: no metamethod runs under Swift).
struct APIBuilderTable {
    var name: String
    var cdefs: String
    var source: String

    init(_ L: OpaquePointer) throws(FFIError) {
        guard lua_type(L, 1) == LUA_TTABLE, let name = Self.field(L, "name") else {
            throw FFIError("bad self (ffi.builder expected; call methods with ':')")
        }
        self.name = name
        cdefs = Self.field(L, "cdefs") ?? ""
        source = Self.field(L, "source") ?? ""
    }

    private static func field(_ L: OpaquePointer, _ key: String) -> String? {
        pushString(L, key)
        lua_rawget(L, 1)
        defer { lf_pop(L, 1) }
        return stringArgument(L, -1)
    }

    func generator() throws(FFIError) -> APIGenerator {
        try APIGenerator(name: name, cdef: cdefs, source: source)
    }

    func options(_ L: OpaquePointer) throws(FFIError) -> APIOptions {
        pushString(L, "options")
        lua_rawget(L, 1)
        defer { lf_pop(L, 1) }
        return try APIOptions(L, lua_gettop(L), "set_source")
    }
}

/// Writes `text` to `path`.
func writeFile(_ path: String, _ text: String) throws(FFIError) {
    guard let file = fopen(path, "w") else {
        throw FFIError("cannot write '\(path)': \(String(cString: strerror(errno)))")
    }
    let written = fputs(text, file)
    if fclose(file) != 0 || written < 0 {
        throw FFIError("cannot write '\(path)': \(String(cString: strerror(errno)))")
    }
}
