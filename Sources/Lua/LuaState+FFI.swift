// Offering the ffi module to a state.
import LuaFFI

extension LuaState {
    /// Makes `require "ffi"` load the ffi module in this state (a `package.preload`
    /// entry; the module is created on first `require`).
    public func preloadFFI() throws {
        try preload("ffi", swiftOpener: openFFI)
    }
}
