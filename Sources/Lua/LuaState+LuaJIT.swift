// Offering LuaJIT compatibility (the `bit` module, a cdata-aware `tonumber` and `type`)
// to a state.
import CLua
import LuaFFI

extension LuaState {
    /// Makes LuaJIT code run unchanged where PUC Lua allows: preloads `bit` (LuaJIT's
    /// BitOp API), sets the global `bit`, replaces `tonumber` with one that converts
    /// cdata as `ffi.tonumber` does, `tostring` with LuaJIT's (what `__tostring`
    /// returns, unchecked), `type` with one that answers `"cdata"` for cdata and
    /// ctype objects, and `ipairs` with one that honours `__ipairs`. Needs the base
    /// and package libraries.
    /// The Swift API leaves globals alone unless this is called; `luaffi` calls it
    /// unless `LUAFFI_NO_COMPAT` is set (docs/luajit-compat.md).
    public func installLuaJITCompatibility() throws {
        let L = try checkedHandle()
        if openLuaJITCompatibility(L) != 0 {
            throw popError(L, status: LUA_ERRRUN)
        }
    }

    /// Makes `require "bit"` load LuaJIT's BitOp module, without touching globals.
    public func preloadBit() throws {
        try preload("bit", swiftOpener: openBit)
    }
}
