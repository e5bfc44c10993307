// ffi.load, ffi.dlopen, ffi.dlclose, ffi.errno.
import CLua
import CLuaCore
import Glibc

/// LuaJIT's library name rules: a name without '/' gets `lib` in front and `.so`
/// after when it has no '.' (`"z"` -> `libz.so`); paths are used as they are.
func libraryFileName(_ name: String) -> String {
    guard !name.contains("/") else { return name }
    var file = name
    if !file.contains(".") { file += ".so" }
    if !file.hasPrefix("lib") { file = "lib" + file }
    return file
}

extension FFIState {
    /// Opens a library and pushes its namespace, or throws dlerror's message.
    func openLibrary(_ L: OpaquePointer, _ name: String, flags: Int32) throws(FFIError) {
        var handle = dlopen(name, flags)
        if handle == nil, !name.contains("/") { handle = dlopen(libraryFileName(name), flags) }
        var reason = handle == nil ? dlerror().map { String(cString: $0) } ?? "unknown error" : ""
        if handle == nil, let target = linkerScriptTarget(reason) {
            handle = dlopen(target, flags)
            if handle == nil { reason = dlerror().map { String(cString: $0) } ?? reason }
        }
        guard let handle else { throw FFIError("cannot load library '\(name)': \(reason)") }
        pushNamespace(L, handle: handle, name: name)
    }
}

/// The library a GNU ld script names (`libm.so` on Debian is one), as LuaJIT's
/// `clib_resolve_lds` finds it: dlerror gives "/path: invalid ELF header"; the
/// file's first `GROUP ( /path ...` or `INPUT ( /path ...` is loaded instead.
func linkerScriptTarget(_ dlerrorMessage: String) -> String? {
    guard dlerrorMessage.hasPrefix("/"), let colon = dlerrorMessage.firstIndex(of: ":"),
          let file = fopen(String(dlerrorMessage[..<colon]), "r") else { return nil }
    defer { fclose(file) }
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = fread(&buffer, 1, buffer.count - 1, file)
    let text = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard text.hasPrefix("/* GNU ld script") || text.hasPrefix("GROUP") || text.hasPrefix("INPUT") else { return nil }
    for line in text.split(separator: "\n") {
        for keyword in ["GROUP", "INPUT"] {
            guard let range = line.firstRange(of: keyword) else { continue }
            let rest = line[range.upperBound...].drop { $0 == " " || $0 == "(" || $0 == "\t" }
            let path = rest.prefix { $0 != " " && $0 != ")" && $0 != "\t" }
            if path.hasPrefix("/") { return String(path) }
        }
    }
    return nil
}

/// `ffi.load(name [, global])`: LuaJIT's loader.
func ffiLoad(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let name = stringArgument(L, 1) else { throw FFIError.type(1, "load", expected: "string", in: L) }
        let global = lua_toboolean(L, 2) != 0
        try ffi.openLibrary(L, libraryFileName(name), flags: RTLD_LAZY | (global ? RTLD_GLOBAL : RTLD_LOCAL))
        return 1
    }
}

/// `ffi.dlopen(name_or_path [, flags])`: Python cffi's loader (flags default to
/// RTLD_NOW); the name is tried as given, then with LuaJIT's rules.
func ffiDlopen(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let name = stringArgument(L, 1) else { throw FFIError.type(1, "dlopen", expected: "string", in: L) }
        let flags = lua_type(L, 2) == LUA_TNUMBER ? Int32(truncatingIfNeeded: lf_tointeger(L, 2, nil)) : RTLD_NOW
        let known = RTLD_LAZY | RTLD_NOW | RTLD_GLOBAL | RTLD_LOCAL | RTLD_NODELETE | RTLD_NOLOAD
        guard flags & ~known == 0, flags & (RTLD_LAZY | RTLD_NOW) != 0 else {
            throw FFIError.argument(2, "dlopen", "invalid flags \(flags) (RTLD_LAZY or RTLD_NOW, with RTLD_GLOBAL, RTLD_LOCAL, RTLD_NODELETE, RTLD_NOLOAD)")
        }
        try ffi.openLibrary(L, name, flags: flags)
        return 1
    }
}

/// `ffi.dlclose(lib)`: the namespace becomes unusable (an error, not a crash); the
/// library is unloaded once no function taken from it remains.
func ffiDlclose(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let library = ffi.library(L, at: 1) else { throw FFIError.type(1, "dlclose", expected: "library", in: L) }
        // ffi.C is the process's own namespace, shared by every script.
        guard library.pointee.handle != nil || library.pointee.closed else {
            throw FFIError.argument(1, "dlclose", "the C namespace cannot be closed")
        }
        library.pointee.closed = true
        // Empty the symbol cache: every lookup now reaches the closed check.
        lua_getiuservalue(L, 1, 1)
        lua_pushnil(L)
        while lua_next(L, -2) != 0 {
            lf_pop(L, 1)
            lua_pushvalue(L, -1)
            lua_pushnil(L)
            lua_rawset(L, -4)
        }
        return 0
    }
}

/// `ffi.errno([new])`: errno as it was right after the last C call; sets it when
/// given a value (returning the old one).
func ffiErrno(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let old = ffi.savedErrno
        if lua_gettop(L) >= 1 {
            ffi.savedErrno = Int32(truncatingIfNeeded: lf_tointeger(L, 1, nil))
            errno = ffi.savedErrno
        }
        lua_pushinteger(L, lua_Integer(old))
        return 1
    }
}
