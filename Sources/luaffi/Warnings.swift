// lauxlib's warning functions, which luaL_newstate installs and LuaState does not:
// off until "@on", then "Lua warning: " messages on standard error.
import CLua
import CLuaCore
import Glibc

/// The warning system of a state made by `luaL_newstate`.
enum Warnings {
    /// Installs the initial, silent warning function. Corresponds to
    /// `lua_setwarnf(L, warnfoff, L)` in `luaL_newstate`.
    static func install(_ L: OpaquePointer) {
        lua_setwarnf(L, warnOff, UnsafeMutableRawPointer(L))
    }
}

/// A control message ("@on", "@off", any other "@..." ignored) switches the
/// warning function; returns whether `message` was one (lauxlib's `checkcontrol`).
private func checkControl(_ ud: UnsafeMutableRawPointer?, _ message: UnsafePointer<CChar>,
                          _ toContinue: Int32) -> Bool {
    guard toContinue == 0, message[0] == CChar(UInt8(ascii: "@")) else { return false }
    let L = OpaquePointer(ud)
    if strcmp(message + 1, "off") == 0 {
        lua_setwarnf(L, warnOff, ud)
    } else if strcmp(message + 1, "on") == 0 {
        lua_setwarnf(L, warnOn, ud)
    }
    return true
}

/// Warnings off: only control messages count (lauxlib's `warnfoff`).
private func warnOff(_ ud: UnsafeMutableRawPointer?, _ message: UnsafePointer<CChar>?,
                     _ toContinue: Int32) {
    guard let message else { return }
    _ = checkControl(ud, message, toContinue)
}

/// Warnings on: a new message (lauxlib's `warnfon`).
private func warnOn(_ ud: UnsafeMutableRawPointer?, _ message: UnsafePointer<CChar>?,
                    _ toContinue: Int32) {
    guard let message, !checkControl(ud, message, toContinue) else { return }
    lf_writeerr("Lua warning: ")
    warnContinue(ud, message, toContinue)
}

/// The rest of a message given in pieces (lauxlib's `warnfcont`).
private func warnContinue(_ ud: UnsafeMutableRawPointer?, _ message: UnsafePointer<CChar>?,
                          _ toContinue: Int32) {
    if let message { lf_writeerr(message) }
    if toContinue != 0 {
        lua_setwarnf(OpaquePointer(ud), warnContinue, ud)
    } else {
        lf_writeerr("\n")
        lua_setwarnf(OpaquePointer(ud), warnOn, ud)
    }
}
