// Lua values as Swift values, and moving them across the stack.
import CLua
import CLuaCore

/// A Lua value held by Swift: plain values by value, tables, functions, userdata
/// and coroutines by reference.
///
/// References (`.table`, `.function`, `.userdata`, `.thread`) keep the Lua object
/// alive and belong to their state (use them on its thread, as the state itself);
/// a `LuaValue` that holds one is therefore not `Sendable`.
public enum LuaValue: Equatable, CustomStringConvertible {
    case `nil`
    case boolean(Bool)
    /// A Lua integer (subtype of number).
    case integer(Int64)
    /// A Lua float (subtype of number).
    case number(Double)
    /// A Lua string that is valid UTF-8.
    case string(String)
    /// A Lua string that is not valid UTF-8, byte for byte (pushing either case
    /// gives a Lua string; `.bytes` and `.string` of the same bytes are equal).
    case bytes([UInt8])
    /// A light userdata: a bare C pointer.
    case lightUserdata(UnsafeMutableRawPointer)
    /// A table, by reference.
    case table(LuaTable)
    /// A Lua or C function, by reference.
    case function(LuaFunction)
    /// A full userdata (a Swift object of a `LuaClass`, a cdata...), by reference.
    case userdata(LuaUserdata)
    /// A coroutine, by reference.
    case thread(LuaCoroutine)
    /// A value Swift could not hold: its `type()` name. No longer produced (tables,
    /// functions, userdata and coroutines come as references); pushes nil.
    @available(*, deprecated, message: "tables, functions, userdata and coroutines are .table, .function, .userdata and .thread")
    case other(typeName: String)

    public var description: String {
        switch self {
        case .nil: "nil"
        case .boolean(let b): String(b)
        case .integer(let i): String(i)
        case .number(let d): String(d)
        case .string(let s): s
        case .bytes(let b): String(decoding: b, as: UTF8.self)
        case .lightUserdata(let p): "userdata: \(p)"
        case .table(let r as LuaReference), .function(let r as LuaReference),
             .userdata(let r as LuaReference), .thread(let r as LuaReference): r.description
        default: typeName
        }
    }

    /// The Lua type name, as `type()` gives it (`"number"`, `"table"`...).
    public var typeName: String {
        switch self {
        case .nil: "nil"
        case .boolean: "boolean"
        case .integer, .number: "number"
        case .string, .bytes: "string"
        case .lightUserdata, .userdata: "userdata"
        case .table: "table"
        case .function: "function"
        case .thread: "thread"
        default: (self as any DeprecatedOther).otherTypeName
        }
    }

    /// The bytes of a string value (`.string` or `.bytes`), else nil.
    public var stringBytes: [UInt8]? {
        switch self {
        case .string(let s): Array(s.utf8)
        case .bytes(let b): b
        default: nil
        }
    }

    /// Equal values of the same case (an integer never equals a float), strings by
    /// their bytes; references are equal when they name the same Lua object.
    public static func == (a: LuaValue, b: LuaValue) -> Bool {
        switch (a, b) {
        case (.nil, .nil): return true
        case (.boolean(let x), .boolean(let y)): return x == y
        case (.integer(let x), .integer(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x.utf8.elementsEqual(y.utf8)  // bytes, not Unicode equivalence
        case (.string, .bytes), (.bytes, .string), (.bytes, .bytes): return a.stringBytes == b.stringBytes
        case (.lightUserdata(let x), .lightUserdata(let y)): return x == y
        case (.table(let x as LuaReference), .table(let y as LuaReference)),
             (.function(let x as LuaReference), .function(let y as LuaReference)),
             (.userdata(let x as LuaReference), .userdata(let y as LuaReference)),
             (.thread(let x as LuaReference), .thread(let y as LuaReference)):
            return x.isSame(as: y)
        default: return a.isOther && b.isOther && a.typeName == b.typeName
        }
    }

    /// Whether this is the deprecated `.other` case.
    private var isOther: Bool {
        switch self {
        case .nil, .boolean, .integer, .number, .string, .bytes, .lightUserdata, .table, .function, .userdata, .thread:
            false
        default: true
        }
    }
}

/// Reads the name of the deprecated `.other` case without a deprecation warning
/// (the witness is deprecated, the requirement is not).
private protocol DeprecatedOther {
    var otherTypeName: String { get }
}

extension LuaValue: DeprecatedOther {
    @available(*, deprecated)
    fileprivate var otherTypeName: String {
        if case .other(let name) = self { return name }
        return "nil"
    }
}

extension LuaState {
    /// Pushes a value. `[-0, +1, m]` (memory errors cannot happen while Swift runs:
    /// see `lf_StateInfo.armed`).
    /// On a closed state nothing is pushed (every later operation throws).
    public func push(_ value: LuaValue) {
        guard let L = handle else { return }
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
        case .bytes(let b): pushBytes(b, to: L)
        case .lightUserdata(let p): lua_pushlightuserdata(L, p)
        case .table(let r as LuaReference), .function(let r as LuaReference),
             .userdata(let r as LuaReference), .thread(let r as LuaReference):
            r.push(to: L)
        default: lua_pushnil(L)
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

    /// Pushes bytes as a Lua string, unchanged. `[-0, +1, m]`
    @usableFromInline
    static func pushBytes(_ bytes: [UInt8], to L: OpaquePointer) {
        bytes.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { lf_pushlstring(L, $0.baseAddress, $0.count) }
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

    /// The value at a stack index on a thread of a `LuaState` (tables, functions,
    /// userdata and coroutines become references; nil on any other state).
    /// `[-0, +0, m]`
    @usableFromInline
    static func value(at index: Int32, in L: OpaquePointer) -> LuaValue {
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .integer(Int64(lf_tointeger(L, index, nil))) }
            return .number(lf_tonumber(L, index, nil))
        case LUA_TSTRING: return stringValue(at: index, in: L)
        case LUA_TLIGHTUSERDATA: return lua_touserdata(L, index).map { .lightUserdata($0) } ?? .nil
        case LUA_TTABLE: return LuaTable.peek(L, at: index).map { .table($0) } ?? .nil
        case LUA_TFUNCTION: return LuaFunction.peek(L, at: index).map { .function($0) } ?? .nil
        case LUA_TUSERDATA: return LuaUserdata.peek(L, at: index).map { .userdata($0) } ?? .nil
        default: return LuaCoroutine.peek(L, at: index).map { .thread($0) } ?? .nil
        }
    }

    /// A Lua string as `.string`, or `.bytes` when it is not valid UTF-8. `[-0, +0, -]`
    static func stringValue(at index: Int32, in L: OpaquePointer) -> LuaValue {
        var length = 0
        guard let chars = lua_tolstring(L, index, &length) else { return .nil }
        let bytes = UnsafeRawBufferPointer(start: chars, count: length).assumingMemoryBound(to: UInt8.self)
        if let s = String(validating: bytes, as: UTF8.self) { return .string(s) }
        return .bytes(Array(bytes))
    }

    /// The bytes of the string at `index`, or nil if the value is not a string
    /// (numbers are not converted). `[-0, +0, -]`
    @usableFromInline
    static func bytes(at index: Int32, in L: OpaquePointer) -> [UInt8]? {
        guard lua_type(L, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let chars = lua_tolstring(L, index, &length) else { return nil }
        return Array(UnsafeRawBufferPointer(start: chars, count: length))
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
