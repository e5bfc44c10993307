// The loader of API-mode modules: `luaopen_NAME` (generated C) hands it the module's
// declarations, the compiler's numbers and the addresses; it returns the `lib`.
import CLua
import CLuaCore
import CTypes

/// The registry key under which `luaopen_NAME` finds the loader.
let apiLoaderKey: StaticString = "luaffi.apiload"

/// Adds `ffi.verify` to the module table on top, and the loader to the registry.
/// `[-0, +0, m]`
func openAPIMode(_ L: OpaquePointer, owner: Int32) {
    pushVerify(L, owner: owner)
    lua_setfield(L, -2, "verify")
    lua_pushvalue(L, owner)
    lf_pushswiftfunction(L, apiLoad, 1)
    lua_setfield(L, lf_registryindex(), apiLoaderKey.cString)
}

/// The loader (the payload table at 1): declares the module's cdef with the compiler's
/// layouts and values, and pushes its `lib`, a namespace whose symbols are the
/// module's addresses and whose macros are already values.
func apiLoad(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard lua_type(L, 1) == LUA_TTABLE else { throw FFIError.type(1, "apiload", expected: "table", in: L) }
        let name = rawString(L, "name") ?? "?"
        let version = rawString(L, "version") ?? "?"
        guard version == apiModuleVersion else {
            throw FFIError("module '\(name)' was built by another version of luaffi (\(version), this is \(apiModuleVersion)): rebuild it")
        }
        let arch = rawString(L, "arch") ?? "?"
        guard arch == "\(hostArchitecture)" else {
            throw FFIError("module '\(name)' was built for another architecture (\(arch), this is \(hostArchitecture))")
        }
        let parameters = try apiParameters(ffi, L, module: name)
        let layouts = apiLayouts(L)
        do throws(CDeclarationError) {
            try ffi.declarations.cdef(
                rawString(L, "cdef") ?? "", chunkName: name, parameters: parameters, layouts: layouts)
        } catch {
            throw FFIError("module '\(name)': \(error.message)")
        }
        // Kept out, as ffi.cdef keeps them out: redeclarations of earlier names.
        for warning in ffi.declarations.warnings { lua_warning(L, warning, 0) }
        try ffi.registerExterns(L, module: name)
        ffi.pushNamespace(L, handle: nil, name: name) {
            lua_pushstring(L, "symbols")
            lua_rawget(L, 1)
            lua_pushstring(L, "lazy")
            lua_rawget(L, 1)
        }
        // The macros' values go straight into the namespace's cache; an unsigned value
        // above 2^63-1 comes as {bits} and becomes a uint64_t cdata, as C values do.
        lua_getiuservalue(L, -1, 1)
        lua_pushstring(L, "macros")
        lua_rawget(L, 1)
        if lua_type(L, -1) == LUA_TTABLE {
            lua_pushnil(L)
            while lua_next(L, -2) != 0 {
                if lua_type(L, -1) == LUA_TTABLE {
                    lua_rawgeti(L, -1, 1)
                    let bits = lf_tointeger(L, -1, nil)
                    lf_pop(L, 2)
                    ffi.pushBoxed(L, uint64: UInt64(bitPattern: Int64(bits)))
                }
                lua_pushvalue(L, -2)
                lf_insert(L, -2)
                lua_rawset(L, -5)
            }
        }
        lf_pop(L, 2)
        return 1
    }
}

/// The `$` parameters: integers as they are, type names parsed.
private func apiParameters(_ ffi: FFIState, _ L: OpaquePointer, module: String) throws(FFIError) -> [CParameter] {
    var parameters: [CParameter] = []
    lua_pushstring(L, "params")
    lua_rawget(L, 1)
    defer { lf_pop(L, 1) }
    guard lua_type(L, -1) == LUA_TTABLE else { return [] }
    let count = lua_rawlen(L, -1)
    for index in 0..<count {
        lua_rawgeti(L, -1, lua_Integer(index + 1))
        defer { lf_pop(L, 1) }
        if let typeName = stringArgument(L, -1) {
            do throws(CDeclarationError) {
                parameters.append(.type(try ffi.declarations.parseType(typeName)))
            } catch {
                throw FFIError("module '\(module)': \(error.message)")
            }
        } else {
            parameters.append(.integer(Int64(lf_tointeger(L, -1, nil))))
        }
    }
    return parameters
}

/// The compiler's record layouts, in the order the record bodies close.
private func apiLayouts(_ L: OpaquePointer) -> [CCompilerLayout?] {
    lua_pushstring(L, "layouts")
    lua_rawget(L, 1)
    defer { lf_pop(L, 1) }
    guard lua_type(L, -1) == LUA_TTABLE else { return [] }
    var layouts: [CCompilerLayout?] = []
    for index in 0..<lua_rawlen(L, -1) {
        lua_rawgeti(L, -1, lua_Integer(index + 1))
        defer { lf_pop(L, 1) }
        guard lua_type(L, -1) == LUA_TTABLE else {
            layouts.append(nil)
            continue
        }
        var numbers: [Int] = []
        for k in 0..<lua_rawlen(L, -1) {
            lua_rawgeti(L, -1, lua_Integer(k + 1))
            numbers.append(Int(lf_tointeger(L, -1, nil)))
            lf_pop(L, 1)
        }
        guard numbers.count >= 2 else {
            layouts.append(nil)
            continue
        }
        layouts.append(CCompilerLayout(size: numbers[0], alignment: numbers[1], offsets: Array(numbers[2...])))
    }
    return layouts
}

/// The string field `key` of the table at 1. `[-0, +0, m]`
private func rawString(_ L: OpaquePointer, _ key: String) -> String? {
    pushString(L, key)
    lua_rawget(L, 1)
    defer { lf_pop(L, 1) }
    return stringArgument(L, -1)
}
