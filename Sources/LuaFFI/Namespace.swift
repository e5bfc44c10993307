// ffi.C: the namespace of C symbols. Reading a name gives a declared constant
// (enum constants and `static const` integers).
import CLua
import CLuaShims
import CTypes

extension FFIState {
    /// Pushes a namespace object (`ffi.C`). `[-0, +1, m]`
    /// The FFI owner userdata must be at `ownerIndex` (it becomes an upvalue).
    func pushNamespace(_ L: OpaquePointer, ownerIndex: Int32) {
        let owner = lua_absindex(L, ownerIndex)
        _ = lf_newuserdata(L, 0, 0)
        lua_createtable(L, 0, 3)
        lua_pushvalue(L, owner)
        lf_pushswiftfunction(L, namespaceIndex, 1)
        lua_setfield(L, -2, "__index")
        lua_pushvalue(L, owner)
        lf_pushswiftfunction(L, namespaceNewIndex, 1)
        lua_setfield(L, -2, "__newindex")
        lua_pushstring(L, "ffi.namespace")
        lua_setfield(L, -2, "__name")
        lua_setmetatable(L, -2)
    }

    /// Pushes the value of symbol `name`, or throws LuaJIT's error for it.
    func pushSymbol(_ L: OpaquePointer, _ name: String) throws(FFIError) {
        if let constant = declarations.constant(named: name) {
            pushConstant(L, constant)
            return
        }
        if declarations.function(named: name) != nil || declarations.variable(named: name) != nil {
            throw FFIError("cannot access C symbol '\(name)': C functions and variables are not supported yet")
        }
        throw FFIError("missing declaration for symbol '\(name)'")
    }

    /// Pushes an integer constant: a Lua integer (64-bit unsigned values above
    /// 2^63-1 as the float of the same value, until boxed 64-bit cdata exist).
    func pushConstant(_ L: OpaquePointer, _ constant: CConstant) {
        if case .integer(size: 8, isSigned: false) = constant.type.kind, constant.value < 0 {
            lua_pushnumber(L, Double(UInt64(bitPattern: constant.value)))
        } else {
            lua_pushinteger(L, lua_Integer(constant.value))
        }
    }
}

/// `__index` of a namespace: `ffi.C.name`.
private func namespaceIndex(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let name = stringArgument(L, 2) else {
            throw FFIError("bad symbol name (string expected, got \(String(cString: lf_typename(L, 2))))")
        }
        try ffi.pushSymbol(L, name)
        return 1
    }
}

/// `__newindex` of a namespace: constants cannot be assigned.
private func namespaceNewIndex(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let name = stringArgument(L, 2) ?? "?"
        if ffi.declarations.constant(named: name) != nil {
            throw FFIError("attempt to write to constant '\(name)'")
        }
        try ffi.pushSymbol(L, name)
        return 0
    }
}
