// The entry points that stock lua5.4 looks up in ffi.so: `require "ffi"`, `require
// "bit"` (through a bit.so link to the same file), `require "ffi.compat"`.
import CLua
import CLuaCore
import LuaFFI

/// `require "ffi"`: the ffi module table. Corresponds to LuaJIT's `luaopen_ffi`.
/// `openFFI` never raises, so it is called directly.
@_cdecl("luaopen_ffi")
public func luaopenFFI(_ L: OpaquePointer?) -> Int32 {
    openFFI(L)
}

/// `require "bit"`: LuaJIT's BitOp module (found when bit.so links to ffi.so).
@_cdecl("luaopen_bit")
public func luaopenBit(_ L: OpaquePointer?) -> Int32 {
    openBit(L)
}

/// `require "ffi.compat"` (Lua's all-in-one loader finds it in ffi.so): the global
/// `bit`, a cdata-aware `tonumber`, LuaJIT's `tostring`, `type` and `ipairs`, as
/// `luaffi` installs them. Returns true.
@_cdecl("luaopen_ffi_compat")
public func luaopenFFICompat(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    lf_pushswiftfunction(L, installCompatibility, 0)
    lf_call(L, 0, 1)  // may raise: no Swift reference, defer or inout is live here
    return 1
}

/// Installs the compatibility globals; raises through the trampoline on failure.
private func installCompatibility(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    if openLuaJITCompatibility(L) != 0 { return LF_RAISE }
    lua_pushboolean(L, 1)
    return 1
}
