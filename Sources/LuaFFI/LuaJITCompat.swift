// What LuaJIT code expects besides `ffi`: the global `bit`, a cdata-aware `tonumber`,
// LuaJIT's `tostring`, a `type` that answers "cdata", an `ipairs` that honours `__ipairs`, and Lua 5.1's
// `unpack` and `loadstring`.
import CLua
import CLuaCore
import CFFIFast

/// Installs LuaJIT compatibility in a state that has the base and package
/// libraries: the `bit` module (`package.loaded.bit` and the global `bit`, as LuaJIT
/// opens it), a global `tonumber` that converts cdata like `ffi.tonumber` and is
/// the builtin otherwise, a global `tostring` that returns what `__tostring` returns
/// (Lua 5.4's raises unless it is a string) and describes cdata without calling
/// their `__tostring`, a global `type` that answers "cdata" for cdata, and an
/// `ipairs` that honours `__ipairs` (metatypes' too) as LuaJIT does, and the globals
/// `unpack` and `loadstring` where the state lacks them. Does not load
/// `ffi`. Returns 0, or LF_RAISE with the error on the stack; never raises (see
/// `lf_SwiftFunction`). `[-0, +(0|1), m]`
public func openLuaJITCompatibility(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    guard lf_prequiref(L, "bit", openBit, 1) == LUA_OK else { return LF_RAISE }
    lf_pushcompattonumber(L, compatTonumber)
    guard lf_psetglobal(L, "tonumber") == LUA_OK else { return LF_RAISE }
    lf_pushcompattostring(L)
    guard lf_psetglobal(L, "tostring") == LUA_OK else { return LF_RAISE }
    lf_pushcfunction(L, lf_compattype)
    guard lf_psetglobal(L, "type") == LUA_OK else { return LF_RAISE }
    guard lf_pgetglobal(L, "ipairs") == LUA_OK else { return LF_RAISE }
    lua_pushcclosure(L, lf_compatipairs, 1)
    guard lf_psetglobal(L, "ipairs") == LUA_OK else { return LF_RAISE }
    // The Lua 5.1 names LuaJIT keeps and its code calls, where the state has none.
    let aliases = "unpack = unpack or table.unpack; loadstring = loadstring or load"
    guard lf_loadbuffer(L, aliases, aliases.utf8.count, "=compat", "t") == LUA_OK,
          lf_pcall(L, 0, 0, 0) == LUA_OK else { return LF_RAISE }
    return 0
}

/// `tonumber(v [, base])`: Lua 5.4's `luaB_tonumber`, plus `ffi.tonumber(v)` for a
/// cdata `v` without base (LuaJIT's builtin converts cdata).
private func compatTonumber(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    do {
        return try tonumber(L)
    } catch {
        return error.raise(L)
    }
}

private func tonumber(_ L: OpaquePointer) throws(FFIError) -> Int32 {
    guard lf_isnoneornil(L, 2) != 0 else { return try tonumber(L, base: 2) }
    switch lua_type(L, 1) {
    case LUA_TNUMBER:
        lua_pushvalue(L, 1)
        return 1
    case LUA_TSTRING:
        var length = 0
        if let text = lua_tolstring(L, 1, &length), lua_stringtonumber(L, text) == length + 1 { return 1 }
    case LUA_TUSERDATA:
        if let ffi = loadedFFIState(L), let cdata = ffi.cdata(L, at: 1) {
            try ffi.pushNumber(L, cdata)
            return 1
        }
    case LUA_TNONE:
        throw FFIError.argument(1, "tonumber", "value expected")
    default:
        break
    }
    lua_pushnil(L)
    return 1
}

/// `tonumber(s, base)`: an integer numeral in `base` (2...36), or nil.
private func tonumber(_ L: OpaquePointer, base index: Int32) throws(FFIError) -> Int32 {
    var isInteger: Int32 = 0
    let base = lf_tointeger(L, index, &isInteger)
    if isInteger == 0 {
        if lua_type(L, index) == LUA_TNUMBER || lua_type(L, index) == LUA_TSTRING && lua_isnumber(L, index) != 0 {
            throw FFIError.argument(index, "tonumber", "number has no integer representation")
        }
        throw FFIError.type(index, "tonumber", expected: "number", in: L)
    }
    guard base >= 2 && base <= 36 else { throw FFIError.argument(2, "tonumber", "base out of range") }
    // Lua 5.1 (LuaJIT) reads a number as the string it prints as: `tonumber(777, 8)` is
    // 511, and an integral float has no ".0" there.
    if lua_type(L, 1) == LUA_TNUMBER {
        var isIntegral: Int32 = 0
        let integer = lf_tointeger(L, 1, &isIntegral)
        if isIntegral != 0 { lua_pushinteger(L, integer); lf_replace(L, 1) }
        _ = lua_tolstring(L, 1, nil)
    }
    guard lua_type(L, 1) == LUA_TSTRING else { throw FFIError.type(1, "tonumber", expected: "string", in: L) }
    var length = 0
    guard let text = lua_tolstring(L, 1, &length) else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: text, count: length)
    if let value = parseInteger(bytes, base: UInt64(base)) { lua_pushinteger(L, lua_Integer(value)) } else { lua_pushnil(L) }
    return 1
}

/// lbaselib.c's `l_str2int`: optional spaces and '-', digits in `base`, spaces.
private func parseInteger(_ bytes: UnsafeRawBufferPointer, base: UInt64) -> Int64? {
    func isSpace(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }
    var i = bytes.startIndex
    while i < bytes.endIndex, isSpace(bytes[i]) { i += 1 }
    let negative = i < bytes.endIndex && bytes[i] == UInt8(ascii: "-")
    if i < bytes.endIndex, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
    var value: UInt64 = 0, digits = 0
    while i < bytes.endIndex {
        let c = bytes[i]
        let digit: UInt64
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = UInt64(c - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): digit = UInt64(c - UInt8(ascii: "A")) + 10
        default: digit = 99
        }
        if digit == 99 { break }
        guard digit < base else { return nil }
        value = value &* base &+ digit
        digits += 1
        i += 1
    }
    while i < bytes.endIndex, isSpace(bytes[i]) { i += 1 }
    guard digits > 0, i == bytes.endIndex else { return nil }
    return Int64(bitPattern: negative ? 0 &- value : value)
}
