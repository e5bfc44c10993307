// ffi.verify: cffi's in-line API mode. The module is built once into a cache folder,
// keyed by a hash of everything that goes into it, and reused while nothing changes.
import CLua
import CLuaCore
import CFFIFast
import Glibc

/// Pushes `ffi.verify`: the C half (`lf_apiverify`) around `verifyBuild`. `[-0, +1, m]`
func pushVerify(_ L: OpaquePointer, owner: Int32) {
    lua_pushvalue(L, owner)
    lf_pushswiftfunction(L, verifyBuild, 1)
    lua_pushcclosure(L, lf_apiverify, 1)
}

/// `ffi.verify(csource, {cdef = , tmpdir = , set_source options...})`, Swift half:
/// returns the module's `luaopen` function and name, building the module if the cache
/// does not have it.
private func verifyBuild(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { _, L throws(FFIError) in
        guard let source = stringArgument(L, 1) else { throw FFIError.type(1, "verify", expected: "string", in: L) }
        guard lua_type(L, 2) == LUA_TTABLE else { throw FFIError.type(2, "verify", expected: "table", in: L) }
        pushString(L, "cdef")
        lua_rawget(L, 2)
        guard let cdef = stringArgument(L, -1) else { throw FFIError("bad argument #2 to 'verify' (field 'cdef' expected)") }
        pushString(L, "tmpdir")
        lua_rawget(L, 2)
        let given = stringArgument(L, -1)
        lf_pop(L, 2)
        let folder: String
        if let given { folder = given } else { folder = try cacheFolder() }
        let options = try APIOptions(L, 2, "verify")
        var hash = FNV64()
        for part in [apiModuleVersion, "\(hostArchitecture)", cdef, source] + options.arguments { hash.add(part) }
        let name = "_luaffi_" + String(hash.value, radix: 16)
        let path = folder + "/" + name + ".so"
        if access(path, R_OK) != 0 {
            let code = try APIGenerator(name: name, cdef: cdef, source: source).generate()
            _ = try compileModule(name: name, code: code, options: options, directory: folder, verbose: false)
        }
        guard let handle = dlopen(path, RTLD_NOW) else {
            throw FFIError("cannot load '\(path)': \(dlerror().map { String(cString: $0) } ?? "?")")
        }
        guard let open = dlsym(handle, "luaopen_" + name) else { throw FFIError("'\(path)' has no luaopen_\(name)") }
        lf_pushcfunction(L, unsafeBitCast(open, to: lua_CFunction.self))
        pushString(L, name)
        return 2
    }
}

/// `$XDG_CACHE_HOME/luaffi` (or `~/.cache/luaffi`), created if needed.
private func cacheFolder() throws(FFIError) -> String {
    let base: String
    if let xdg = getenv("XDG_CACHE_HOME"), xdg.pointee != 0 {
        base = String(cString: xdg)
    } else if let home = getenv("HOME") {
        base = String(cString: home) + "/.cache"
    } else {
        throw FFIError("no cache folder for ffi.verify (set XDG_CACHE_HOME or HOME, or give tmpdir)")
    }
    for folder in [base, base + "/luaffi"] where mkdir(folder, 0o755) != 0 && errno != EEXIST {
        throw FFIError("cannot create '\(folder)': \(String(cString: strerror(errno)))")
    }
    return base + "/luaffi"
}

/// FNV-1a, 64 bits, over strings separated by a zero byte.
private struct FNV64 {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ text: String) {
        for byte in text.utf8 + [0] { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
    }
}
