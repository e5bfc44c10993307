// `Data` as a byte-exact Lua string. A module of its own, so that the `Lua` library
// (and the luaffi interpreter) does not link Foundation.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CLua
import CLuaCore
import Lua

extension Data: LuaConvertible {
    /// Pushes the bytes as a Lua string, unchanged. `[-0, +1, m]`
    public func push(to L: OpaquePointer) {
        withUnsafeBytes { bytes in
            lf_pushlstring(L, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        }
    }
    /// The bytes of a string (a number is not converted).
    public static func peek(_ L: OpaquePointer, at index: Int32) -> Data? {
        guard lua_type(L, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let chars = lua_tolstring(L, index, &length) else { return nil }
        return Data(bytes: chars, count: length)
    }
    public static var luaTypeName: String { "string" }
}
