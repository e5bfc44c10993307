// Weak tables: the side tables of the ffi (handles, finalizers) and of LuaClass.
import CLua
import CLuaCore

/// Pushes a new empty table whose metatable makes it weak: `mode` is `"k"`, `"v"`
/// or `"kv"`, as `__mode`. `[-0, +1, m]`
package func pushWeakTable(_ L: OpaquePointer, mode: String) {
    lua_createtable(L, 0, 0)
    lua_createtable(L, 0, 1)
    lua_pushstring(L, mode)
    lua_setfield(L, -2, "__mode")
    lua_setmetatable(L, -2)
}
