// Lua values as Swift values, and moving them across the stack.
import CLua
import CLuaShims

/// A Lua value that Swift can hold without the state: the plain types.
///
/// Tables, functions, userdata and threads are not copied out of Lua; reading one
/// gives `.other` with its type name.
public enum LuaValue: Equatable, CustomStringConvertible {
    case `nil`
    case boolean(Bool)
    /// A Lua integer (subtype of number).
    case integer(Int64)
    /// A Lua float (subtype of number).
    case number(Double)
    /// A Lua string (decoded as UTF-8; invalid bytes are replaced).
    case string(String)
    /// A light userdata: a bare C pointer.
    case lightUserdata(UnsafeMutableRawPointer)
    /// A value Swift cannot hold: its `type()` name (`"table"`, `"function"`...).
    case other(typeName: String)

    public var description: String {
        switch self {
        case .nil: "nil"
        case .boolean(let b): String(b)
        case .integer(let i): String(i)
        case .number(let d): String(d)
        case .string(let s): s
        case .lightUserdata(let p): "userdata: \(p)"
        case .other(let name): name
        }
    }
}

extension LuaState {
    /// Pushes a value. `[-0, +1, m]` (memory errors cannot happen while Swift runs:
    /// see `lf_StateInfo.armed`).
    public func push(_ value: LuaValue) {
        guard let L = handle else { preconditionFailure("push on a closed Lua state") }
        Self.push(value, to: L)
    }

    /// Pushes a value on any state. `[-0, +1, m]`
    static func push(_ value: LuaValue, to L: OpaquePointer) {
        switch value {
        case .nil: lua_pushnil(L)
        case .boolean(let b): lua_pushboolean(L, b ? 1 : 0)
        case .integer(let i): lua_pushinteger(L, lua_Integer(i))
        case .number(let d): lua_pushnumber(L, d)
        case .string(let s): pushString(s, to: L)
        case .lightUserdata(let p): lua_pushlightuserdata(L, p)
        case .other: lua_pushnil(L)
        }
    }

    /// Pushes a Swift string as a Lua string (its UTF-8 bytes). `[-0, +1, m]`
    @usableFromInline
    static func pushString(_ s: String, to L: OpaquePointer) {
        var s = s
        s.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { lf_pushlstring(L, $0.baseAddress, $0.count) }
        }
    }

    /// The value at a stack index, without converting it. `[-0, +0, -]`
    public func value(at index: Int32) -> LuaValue {
        guard let L = handle else { return .nil }
        return Self.value(at: index, in: L)
    }

    /// Whether the value at `index` can be a table key: `lua_rawset` raises for nil
    /// and NaN keys, which must never happen from Swift. `[-0, +0, -]`
    static func isTableKey(at index: Int32, in L: OpaquePointer) -> Bool {
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE: return false
        case LUA_TNUMBER: return lua_isinteger(L, index) != 0 || !lf_tonumber(L, index, nil).isNaN
        default: return true
        }
    }

    /// The value at a stack index on any state. `[-0, +0, -]`
    @usableFromInline
    static func value(at index: Int32, in L: OpaquePointer) -> LuaValue {
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .integer(Int64(lf_tointeger(L, index, nil))) }
            return .number(lf_tonumber(L, index, nil))
        case LUA_TSTRING: return .string(string(at: index, in: L) ?? "")
        case LUA_TLIGHTUSERDATA: return lua_touserdata(L, index).map { .lightUserdata($0) } ?? .nil
        default: return .other(typeName: String(cString: lf_typename(L, index)))
        }
    }

    /// The bytes of the string at `index` as a Swift string, or nil if the value is
    /// not a string (numbers are not converted). `[-0, +0, -]`
    @usableFromInline
    static func string(at index: Int32, in L: OpaquePointer) -> String? {
        guard lua_type(L, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let chars = lua_tolstring(L, index, &length) else { return nil }
        let bytes = UnsafeRawBufferPointer(start: chars, count: length)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The number of values on the stack. Corresponds to `lua_gettop`.
    public var top: Int32 {
        guard let L = handle else { return 0 }
        return lua_gettop(L)
    }

    /// Pops `n` values. Corresponds to `lua_pop`. `[-n, +0, -]`
    public func pop(_ n: Int32 = 1) {
        guard let L = handle else { return }
        lf_pop(L, n)
    }
}
