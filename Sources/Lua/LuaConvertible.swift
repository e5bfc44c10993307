// Conversions between Swift values and Lua values on the stack.
import CLua
import CLuaCore

/// A Swift type that converts to and from a Lua value.
///
/// The requirements work on a raw `lua_State *` (`L`: the state's handle, or one
/// of its coroutines) and never raise: pushes cannot fail while Swift runs (the
/// allocator never refuses then), and reads are raw (no metamethods).
/// Conversions follow lauxlib's `luaL_check*`: a number string is a number, an
/// integral float is an integer, a number is a string.
public protocol LuaConvertible {
    /// Pushes the value. `[-0, +1, m]`
    func push(to L: OpaquePointer)
    /// The value at `index`, or nil when the Lua value does not convert. `[-0, +0, -]`
    static func peek(_ L: OpaquePointer, at index: Int32) -> Self?
    /// The Lua type name that `peek` expects, for error messages (`"number"`).
    static var luaTypeName: String { get }
    /// Pushes an array of this type; by default a sequence table (`[UInt8]`: a
    /// string). `[-0, +1, m]`
    static func push(array: [Self], to L: OpaquePointer)
    /// An array of this type at `index` (see `push(array:to:)`). `[-0, +0, -]`
    static func peekArray(_ L: OpaquePointer, at index: Int32) -> [Self]?
    /// The Lua type name that `peekArray` expects.
    static var luaArrayTypeName: String { get }
}

extension LuaConvertible {
    /// A sequence `{[1] = ..., [n] = ...}`. `nil` elements (of optionals) leave holes.
    public static func push(array: [Self], to L: OpaquePointer) {
        lua_createtable(L, Int32(clamping: array.count), 0)
        _ = lua_checkstack(L, 2)
        for (i, element) in array.enumerated() {
            element.push(to: L)
            lua_rawseti(L, -2, lua_Integer(i + 1))
        }
    }

    /// The elements `t[1] ... t[#t]` (raw), when every one converts.
    public static func peekArray(_ L: OpaquePointer, at index: Int32) -> [Self]? {
        guard lua_type(L, index) == LUA_TTABLE, lua_checkstack(L, 2) != 0 else { return nil }
        let table = lua_absindex(L, index)
        let count = Int(lua_rawlen(L, table))
        var result: [Self] = []
        result.reserveCapacity(count)
        for i in 0..<count {
            lua_rawgeti(L, table, lua_Integer(i + 1))
            defer { lf_pop(L, 1) }
            guard let element = peek(L, at: -1) else { return nil }
            result.append(element)
        }
        return result
    }

    public static var luaArrayTypeName: String { "table" }
}

extension Bool: LuaConvertible {
    @inlinable
    public func push(to L: OpaquePointer) { lua_pushboolean(L, self ? 1 : 0) }
    /// Any Lua value: `nil` and `false` are false (as `lua_toboolean`).
    @inlinable
    public static func peek(_ L: OpaquePointer, at index: Int32) -> Bool? {
        lua_toboolean(L, index) != 0
    }
    @inlinable
    public static var luaTypeName: String { "boolean" }
}

/// Reads an integer as `luaL_checkinteger` does (strings and integral floats too).
@inlinable
func luaInteger(_ L: OpaquePointer, _ index: Int32) -> Int64? {
    var ok: Int32 = 0
    let value = lua_tointegerx(L, index, &ok)
    return ok != 0 ? Int64(value) : nil
}

/// Integers convert as `luaL_checkinteger` reads them; a value outside the type's
/// range does not convert (a `UInt64` above `Int64.max` pushes wrapped, as Lua's
/// integers hold it).
extension LuaConvertible where Self: FixedWidthInteger {
    @inlinable
    public func push(to L: OpaquePointer) { lua_pushinteger(L, lua_Integer(truncatingIfNeeded: self)) }
    @inlinable
    public static func peek(_ L: OpaquePointer, at index: Int32) -> Self? {
        luaInteger(L, index).flatMap { Self(exactly: $0) }
    }
    @inlinable
    public static var luaTypeName: String { "number" }
}

extension Int: LuaConvertible {}
extension Int64: LuaConvertible {}
extension Int32: LuaConvertible {}

extension Double: LuaConvertible {
    @inlinable
    public func push(to L: OpaquePointer) { lua_pushnumber(L, self) }
    @inlinable
    public static func peek(_ L: OpaquePointer, at index: Int32) -> Double? {
        var ok: Int32 = 0
        let value = lua_tonumberx(L, index, &ok)
        return ok != 0 ? value : nil
    }
    @inlinable
    public static var luaTypeName: String { "number" }
}

extension Float: LuaConvertible {
    @inlinable
    public func push(to L: OpaquePointer) { lua_pushnumber(L, Double(self)) }
    @inlinable
    public static func peek(_ L: OpaquePointer, at index: Int32) -> Float? { Double.peek(L, at: index).map(Float.init) }
    @inlinable
    public static var luaTypeName: String { "number" }
}

extension String: LuaConvertible {
    @inlinable
    public func push(to L: OpaquePointer) { LuaState.pushString(self, to: L) }
    /// A string, or a number converted as `tostring` would (without changing the
    /// value on the stack, unlike `lua_tolstring`).
    @inlinable
    public static func peek(_ L: OpaquePointer, at index: Int32) -> String? {
        switch lua_type(L, index) {
        case LUA_TSTRING: return LuaState.string(at: index, in: L)
        case LUA_TNUMBER: return LuaState.value(at: index, in: L).numberText
        default: return nil
        }
    }
    @inlinable
    public static var luaTypeName: String { "string" }
}

extension LuaValue: LuaConvertible {
    public func push(to L: OpaquePointer) { LuaState.push(self, to: L) }
    public static func peek(_ L: OpaquePointer, at index: Int32) -> LuaValue? { LuaState.value(at: index, in: L) }
    public static var luaTypeName: String { "value" }

    /// A number as Lua's `tostring` writes it (`%.14g` for floats, `1.0` style).
    @usableFromInline var numberText: String? {
        switch self {
        case .integer(let i): return String(i)
        case .number(let d):
            if d.isNaN { return d.sign == .minus ? "-nan" : "nan" }
            if d.isInfinite { return d < 0 ? "-inf" : "inf" }
            if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + ".0" }
            return String(d)
        default: return nil
        }
    }
}

extension Optional: LuaConvertible where Wrapped: LuaConvertible {
    /// `nil` pushes Lua `nil`.
    @inlinable
    public func push(to L: OpaquePointer) {
        switch self {
        case .none: lua_pushnil(L)
        case .some(let value): value.push(to: L)
        }
    }
    /// `nil` or no value reads as `.some(nil)`; anything else as `Wrapped`.
    @inlinable
    public static func peek(_ L: OpaquePointer, at index: Int32) -> Wrapped?? {
        if lf_isnoneornil(L, index) != 0 { return .some(nil) }
        return Wrapped.peek(L, at: index).map { .some($0) }
    }
    @inlinable
    public static var luaTypeName: String { Wrapped.luaTypeName }
}

extension Array: LuaConvertible where Element: LuaConvertible {
    /// A sequence table, or what `Element` makes of an array (`[UInt8]`: a string).
    @inlinable
    public func push(to L: OpaquePointer) { Element.push(array: self, to: L) }
    @inlinable
    public static func peek(_ L: OpaquePointer, at index: Int32) -> [Element]? { Element.peekArray(L, at: index) }
    @inlinable
    public static var luaTypeName: String { Element.luaArrayTypeName }
}

extension UInt8: LuaConvertible {
    /// `[UInt8]` is a Lua string, byte for byte (no UTF-8 check or repair).
    @inlinable
    public static func push(array: [UInt8], to L: OpaquePointer) { LuaState.pushBytes(array, to: L) }
    /// The bytes of a string (a number is not converted).
    @inlinable
    public static func peekArray(_ L: OpaquePointer, at index: Int32) -> [UInt8]? { LuaState.bytes(at: index, in: L) }
    @inlinable
    public static var luaArrayTypeName: String { "string" }
}

extension Dictionary: LuaConvertible where Key: LuaConvertible, Value: LuaConvertible {
    /// A table with a field per entry.
    public func push(to L: OpaquePointer) {
        lua_createtable(L, 0, Int32(clamping: count))
        _ = lua_checkstack(L, 3)
        for (key, value) in self {
            key.push(to: L)
            if !LuaState.isTableKey(at: -1, in: L) { lf_pop(L, 1); continue }
            value.push(to: L)
            lua_rawset(L, -3)
        }
    }
    /// Every pair of the table (raw `next`), when every key and value converts.
    public static func peek(_ L: OpaquePointer, at index: Int32) -> [Key: Value]? {
        guard lua_type(L, index) == LUA_TTABLE, lua_checkstack(L, 3) != 0 else { return nil }
        let table = lua_absindex(L, index)
        var result: [Key: Value] = [:]
        lua_pushnil(L)
        while lua_next(L, table) != 0 {
            guard let key = Key.peek(L, at: -2), let value = Value.peek(L, at: -1) else {
                lf_pop(L, 2)
                return nil
            }
            result[key] = value
            lf_pop(L, 1)
        }
        return result
    }
    public static var luaTypeName: String { "table" }
}

/// References read from the stack: the value of the Lua type, in a registry slot.
extension LuaReference {
    /// Reads a reference of this class when the value has the `expected` type.
    static func peekReference(_ L: OpaquePointer, _ index: Int32, _ expected: Int32) -> Self? {
        guard lua_type(L, index) == expected, let state = LuaState.owner(of: L) else { return nil }
        lua_pushvalue(L, index)
        return Self(popping: L, state: state)
    }
}

extension LuaTable: LuaConvertible {
    public static func peek(_ L: OpaquePointer, at index: Int32) -> LuaTable? { peekReference(L, index, LUA_TTABLE) }
    public static var luaTypeName: String { "table" }
}

extension LuaFunction: LuaConvertible {
    public static func peek(_ L: OpaquePointer, at index: Int32) -> LuaFunction? { peekReference(L, index, LUA_TFUNCTION) }
    public static var luaTypeName: String { "function" }
}

extension LuaUserdata: LuaConvertible {
    public static func peek(_ L: OpaquePointer, at index: Int32) -> LuaUserdata? { peekReference(L, index, LUA_TUSERDATA) }
    public static var luaTypeName: String { "userdata" }
}

/// Checked conversions with lauxlib's error messages.
@usableFromInline
enum LuaConversion {
    /// The type name lauxlib's `luaL_typeerror` shows for the value at `index`:
    /// `__name` of its metatable, `light userdata`, `no value`, or the type.
    @usableFromInline
    static func typeName(_ L: OpaquePointer, _ index: Int32) -> String {
        if lua_type(L, index) == LUA_TNONE { return "no value" }
        let field = luaL_getmetafield(L, index, "__name")  // raw: cannot raise
        if field != LUA_TNIL {
            let name = field == LUA_TSTRING ? LuaState.string(at: -1, in: L) : nil
            lf_pop(L, 1)
            if let name { return name }
        }
        if lua_type(L, index) == LUA_TLIGHTUSERDATA { return "light userdata" }
        return String(cString: lf_typename(L, index))
    }

    /// The value at `index` as `T`, or a `LuaError` saying what was expected
    /// (`"bad <what> (number expected, got nil)"`).
    @inlinable
    static func check<T: LuaConvertible>(
        _ type: T.Type, _ L: OpaquePointer, _ index: Int32, what: @autoclosure () -> String
    ) throws -> T {
        if let value = T.peek(L, at: index) { return value }
        throw mismatch(what(), expected: T.luaTypeName, L, index)
    }

    /// The error of `check`.
    @usableFromInline
    static func mismatch(_ what: String, expected: String, _ L: OpaquePointer, _ index: Int32) -> LuaError {
        LuaError(message: "bad \(what) (\(problem(expected: expected, L, index)))")
    }

    /// Why the value at `index` is not the `expected` one, in lauxlib's words:
    /// `number expected, got nil`; a number an integer type refused has `no integer
    /// representation` (luaL_checkinteger) or is out of the type's range (`value
    /// out of range`, as `string.char(300)` says).
    static func problem(expected: String, _ L: OpaquePointer, _ index: Int32) -> String {
        if expected == "number", lua_isnumber(L, index) != 0 {
            return luaInteger(L, index) == nil ? "number has no integer representation" : "value out of range"
        }
        return "\(expected) expected, got \(typeName(L, index))"
    }
}
