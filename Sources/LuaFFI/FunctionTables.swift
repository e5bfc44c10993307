// Tables of Swift functions for Lua, named by string literals; strings for Lua.
import CLuaCore

/// A function table entry. The name is a literal that Lua receives as a C string:
/// a `String` would be converted (and allocated) for every field of every state.
typealias SwiftFunctionEntry = (name: StaticString, function: lf_SwiftFunction)

extension StaticString {
    /// The literal as a C string (string literals are NUL-terminated).
    var cString: UnsafePointer<CChar> {
        UnsafeRawPointer(utf8Start).assumingMemoryBound(to: CChar.self)
    }
}

/// Sets each entry as a field of the table on top: a Swift function whose upvalue
/// is the value at `upvalue` (the ffi's owner userdata, say). `[-0, +0, m]`
func setFunctions(_ L: OpaquePointer, _ entries: [SwiftFunctionEntry], upvalue: Int32) {
    let upvalue = lua_absindex(L, upvalue)
    for (name, function) in entries {
        lua_pushvalue(L, upvalue)
        lf_pushswiftfunction(L, function, 1)
        lua_setfield(L, -2, name.cString)
    }
}

/// Pushes a Swift string as a Lua string (its UTF-8 bytes; no C copy is made, as
/// passing a `String` where C wants a `char *` would). `[-0, +1, m]`
func pushString(_ L: OpaquePointer, _ string: String) {
    var string = string
    string.withUTF8 { bytes in
        bytes.withMemoryRebound(to: CChar.self) { lf_pushlstring(L, $0.baseAddress, $0.count) }
    }
}

/// Pushes `table[name]` of the table at `index` without metamethods (an options
/// table's `__index` could raise through Swift frames). `[-0, +1, m]`
@discardableResult
func rawField(_ L: OpaquePointer, _ index: Int32, _ name: StaticString) -> Int32 {
    let index = lua_absindex(L, index)
    lua_pushstring(L, name.cString)
    return lua_rawget(L, index)
}
