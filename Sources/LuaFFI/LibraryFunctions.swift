// ffi.load, ffi.dlopen, ffi.dlclose, ffi.errno.
import CLua
import CLuaShims
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
        guard let handle else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw FFIError("cannot load library '\(name)': \(reason)")
        }
        pushNamespace(L, handle: handle, name: name)
    }
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
        try ffi.openLibrary(L, name, flags: flags)
        return 1
    }
}

/// `ffi.dlclose(lib)`: the namespace becomes unusable (an error, not a crash); the
/// library is unloaded once no function taken from it remains.
func ffiDlclose(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let library = ffi.library(L, at: 1) else { throw FFIError.type(1, "dlclose", expected: "library", in: L) }
        library.pointee.closed = true
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
