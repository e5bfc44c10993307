// extern "Lua" functions of API-mode modules (cffi's extern "Python"): real C functions
// in the module that call, through a slot, the callback `ffi.def_extern` binds.
import CLua
import CLuaCore
import CTypes

/// The registry table of extern "Lua" functions: name -> {slot =, type =, code =}.
private let externsKey: StaticString = "luaffi.externs"

extension FFIState {
    /// Records the module's extern "Lua" slots (the payload table at 1) with their
    /// function pointer types, for `ffi.def_extern`.
    func registerExterns(_ L: OpaquePointer, module: String) throws(FFIError) {
        pushString(L, "externs")
        lua_rawget(L, 1)
        defer { lf_pop(L, 1) }
        guard lua_type(L, -1) == LUA_TTABLE else { return }
        let externs = lua_gettop(L)
        pushExterns(L)
        lua_pushnil(L)
        while lua_next(L, externs) != 0 {
            guard let name = stringArgument(L, -2), let function = declarations.function(named: name) else {
                throw FFIError("module '\(module)': extern \"Lua\" function without a declaration")
            }
            lua_createtable(L, 0, 3)
            lf_insert(L, -2)
            lua_setfield(L, -2, "slot")
            lua_pushinteger(L, lua_Integer(intern(.pointer(to: CType(.function(function.type))))))
            lua_setfield(L, -2, "type")
            lua_pushvalue(L, -2)
            lf_insert(L, -2)
            lua_rawset(L, -4)
        }
        lf_pop(L, 1)
    }
}

/// Pushes the registry's table of extern "Lua" functions, made on first use. `[-0, +1, m]`
private func pushExterns(_ L: OpaquePointer) {
    if lua_getfield(L, lf_registryindex(), externsKey.cString) == LUA_TTABLE { return }
    lf_pop(L, 1)
    lua_createtable(L, 0, 4)
    lua_pushvalue(L, -1)
    lua_setfield(L, lf_registryindex(), externsKey.cString)
}

/// `ffi.def_extern(name, f)` (also `module.def_extern`): C calls of the extern "Lua"
/// function `name` call `f`, protected as `ffi.callback` is. Binding again replaces `f`.
func ffiDefExtern(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let name = stringArgument(L, 1) else { throw FFIError.type(1, "def_extern", expected: "string", in: L) }
        guard lua_type(L, 2) == LUA_TFUNCTION else { throw FFIError.type(2, "def_extern", expected: "function", in: L) }
        pushExterns(L)
        guard lua_getfield(L, -1, name) == LUA_TTABLE else {
            throw FFIError("no extern \"Lua\" function '\(name)' (declare it in the cdef of an API-mode module)")
        }
        let entry = lua_gettop(L)
        lua_getfield(L, entry, "slot")
        guard let slot = lua_touserdata(L, -1) else { throw FFIError("extern \"Lua\" function '\(name)' has no slot") }
        lua_getfield(L, entry, "type")
        let type = Int32(lf_tointeger(L, -1, nil))
        lf_pop(L, 2)
        if let bound = ffi.callback(at: slot.load(as: UnsafeRawPointer?.self)) {
            bound.rebind(L, to: 2)
            return 0
        }
        let callback = try ffi.makeCallback(L, 2, type: type)
        slot.storeBytes(of: callback.code, as: UnsafeMutableRawPointer.self)
        return 0
    }
}
