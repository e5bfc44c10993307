// The `bit` module: LuaJIT's BitOp API (lib_bit.c) with its results, for LuaJIT code.
//
// Numbers work on 32 bits and give signed 32-bit Lua integers, as LuaJIT. A cdata
// argument switches the operation to 64 bits and the result to a boxed `int64_t`
// (`uint64_t` if an argument is an unsigned 64-bit cdata), as LuaJIT 2.1.
// docs/luajit-compat.md lists where the results differ from LuaJIT's.
import CFFIFast
import CLua
import CLuaCore

/// The functions of the `bit` table: a C fast path (LF_BIT_*) for Lua numbers in
/// front of the Swift function, which does the rest (cdata, numeric strings, errors);
/// `tohex` is Swift's alone.
private let bitFunctions: [(name: StaticString, fast: Int?, function: lf_SwiftFunction)] = [
    ("tobit", LF_BIT_TOBIT, bitTobit), ("tohex", nil, bitTohex), ("bnot", LF_BIT_BNOT, bitBnot),
    ("bswap", LF_BIT_BSWAP, bitBswap), ("band", LF_BIT_BAND, bitBand), ("bor", LF_BIT_BOR, bitBor),
    ("bxor", LF_BIT_BXOR, bitBxor), ("lshift", LF_BIT_LSHIFT, bitLshift), ("rshift", LF_BIT_RSHIFT, bitRshift),
    ("arshift", LF_BIT_ARSHIFT, bitArshift), ("rol", LF_BIT_ROL, bitRol), ("ror", LF_BIT_ROR, bitRor),
]

/// Opens the `bit` module: pushes its table. Corresponds to LuaJIT's `luaopen_bit`.
/// Never raises (see `lf_SwiftFunction`). The module does not load `ffi`: cdata
/// arguments are understood once `ffi` is loaded (they cannot exist before).
/// `[-0, +1, m]`
public func openBit(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    lua_createtable(L, 0, Int32(bitFunctions.count))
    for (name, fast, function) in bitFunctions {
        if let fast { lf_pushbitfunction(L, Int32(fast), function) } else { lf_pushswiftfunction(L, function, 0) }
        lua_setfield(L, -2, name.cString)
    }
    return 1
}

/// One argument of a bit operation: a 32-bit value from a Lua number, or a 64-bit
/// value from a cdata (`unsigned`: an unsigned 64-bit cdata).
private struct BitOperand {
    var bits: UInt64
    var isCData = false
    var unsigned = false
}

/// A bit operation's failure: an argument error message for the trampoline.
private struct BitError: Error {
    var message: String
}

/// Runs a bit function: a thrown `BitError` becomes a raised Lua error (positioned
/// like `luaL_argerror`) after this frame returns.
@inline(__always)
private func bitEntry(_ L: OpaquePointer?, _ body: (OpaquePointer) throws(BitError) -> Int32) -> Int32 {
    guard let L else { return 0 }
    do {
        return try body(L)
    } catch {
        return FFIError(error.message).raise(L)
    }
}

/// LuaJIT's `lj_num2bit`: the low 32 bits of `n` rounded to an integer (the 2^52+2^51
/// trick: rounds half to even, wraps modulo 2^32).
@inline(__always)
private func num2bit(_ n: Double) -> Int32 {
    Int32(truncatingIfNeeded: (n + 6755399441055744.0).bitPattern)
}

/// The FFIState of the loaded `ffi` module (`package.loaded.ffi`), if any: the owner
/// userdata is upvalue 2 of its functions. Raw accesses only. `[-0, +0, -]`
func loadedFFIState(_ L: OpaquePointer) -> FFIState? {
    let top = lua_gettop(L)
    defer { lua_settop(L, top) }
    lua_pushstring(L, "_LOADED")
    guard lua_rawget(L, lf_registryindex()) == LUA_TTABLE else { return nil }
    lua_pushstring(L, "ffi")
    guard lua_rawget(L, -2) == LUA_TTABLE else { return nil }
    lua_pushstring(L, "new")
    guard lua_rawget(L, -2) == LUA_TFUNCTION, lua_getupvalue(L, -1, 2) != nil,
          lf_getmetatable(L, FFIState.ownerMetatable.cString) == LUA_TTABLE, lua_getmetatable(L, -2) != 0,
          lua_rawequal(L, -1, -2) != 0,
          let slot = lua_touserdata(L, -3), let raw = slot.load(as: UnsafeMutableRawPointer?.self)
    else { return nil }
    return Unmanaged<FFIState>.fromOpaque(raw).takeUnretainedValue()
}

/// The argument at `index` as a bit operand (lauxlib's number check for Lua values;
/// numeric strings convert as in LuaJIT).
private func bitOperand(_ L: OpaquePointer, _ index: Int32, _ function: String) throws(BitError) -> BitOperand {
    var isNumber: Int32 = 0
    let type = lua_type(L, index)
    if type == LUA_TNUMBER || type == LUA_TSTRING {
        let integer = lf_tointeger(L, index, &isNumber)
        if isNumber != 0 { return BitOperand(bits: UInt64(UInt32(truncatingIfNeeded: integer))) }
        let number = lf_tonumber(L, index, &isNumber)
        if isNumber != 0 { return BitOperand(bits: UInt64(UInt32(bitPattern: num2bit(number)))) }
    } else if type == LUA_TUSERDATA, let ffi = loadedFFIState(L), let cdata = ffi.cdata(L, at: index) {
        return try cdataOperand(ffi, L, cdata, index, function)
    }
    let got = String(cString: lf_typename(L, index))
    throw BitError(message: "bad argument #\(index) to '\(function)' (number expected, got \(got))")
}

/// A cdata argument as a 64-bit operand (LuaJIT's `lj_carith_check64`).
private func cdataOperand(
    _ ffi: FFIState, _ L: OpaquePointer, _ cdata: CDataRef, _ index: Int32, _ function: String
) throws(BitError) -> BitOperand {
    do { try ffi.checkUsable(cdata) } catch { throw BitError(message: error.message) }
    let (address, id) = ffi.value(of: cdata)
    let kind = ffi.info(id).kind
    let bits: Int64
    switch kind {
    case .bool: bits = loadInteger(address, kind: .uint8)
    case let kind where kind.isInteger: bits = loadInteger(address, kind: kind)
    case let kind where kind.isFloating: bits = truncatedBits(loadFloating(address, kind: kind))
    case .complexFloat: bits = truncatedBits(Double(address.load(as: Float.self)))
    case .complexDouble: bits = truncatedBits(address.load(as: Double.self))
    default:
        let name = ffi.typeName(L, index)
        throw BitError(message: "bad argument #\(index) to '\(function)' (cannot convert '\(name)' to 'int64_t')")
    }
    return BitOperand(bits: UInt64(bitPattern: bits), isCData: true, unsigned: kind == .uint64)
}

/// A Lua number argument converted in 64-bit mode (as LuaJIT converts a number to
/// `int64_t`: integers exactly, floats truncated).
private func wideOperand(_ L: OpaquePointer, _ index: Int32, _ operand: BitOperand) -> UInt64 {
    if operand.isCData || lua_type(L, index) != LUA_TNUMBER { return operand.bits }
    if lua_isinteger(L, index) != 0 { return UInt64(bitPattern: Int64(lf_tointeger(L, index, nil))) }
    return UInt64(bitPattern: truncatedBits(lf_tonumber(L, index, nil)))
}

/// Pushes a 32-bit result as a signed Lua integer, or a 64-bit result as a boxed
/// cdata (`uint64_t` when `unsigned`). `[-0, +1, m]`
private func pushBitResult(_ L: OpaquePointer, _ bits: UInt64, wide: Bool, unsigned: Bool) -> Int32 {
    if wide, let ffi = loadedFFIState(L) {
        if unsigned { ffi.pushBoxed(L, uint64: bits) } else { ffi.pushBoxed(L, int64: Int64(bitPattern: bits)) }
    } else {
        lua_pushinteger(L, lua_Integer(Int32(truncatingIfNeeded: bits)))
    }
    return 1
}

/// `bit.tobit(x)`: x normalized to a signed 32-bit number.
private func bitTobit(_ L: OpaquePointer?) -> Int32 {
    bitEntry(L) { L throws(BitError) in
        let x = try bitOperand(L, 1, "tobit")
        return pushBitResult(L, x.bits, wide: false, unsigned: false)
    }
}

/// `bit.bnot(x)`: bitwise not.
private func bitBnot(_ L: OpaquePointer?) -> Int32 {
    bitEntry(L) { L throws(BitError) in
        let x = try bitOperand(L, 1, "bnot")
        return pushBitResult(L, ~x.bits, wide: x.isCData, unsigned: x.unsigned)
    }
}

/// `bit.bswap(x)`: byte order reversed (32 or 64 bits).
private func bitBswap(_ L: OpaquePointer?) -> Int32 {
    bitEntry(L) { L throws(BitError) in
        let x = try bitOperand(L, 1, "bswap")
        let bits = x.isCData ? x.bits.byteSwapped : UInt64(lf_bit32(Int32(LF_BIT_BSWAP), UInt32(truncatingIfNeeded: x.bits), 0))
        return pushBitResult(L, bits, wide: x.isCData, unsigned: x.unsigned)
    }
}

/// The n-ary operations, folded over all arguments (at least one).
private enum Fold { case and, or, xor }

/// `bit.band/bor/bxor(x1, x2, ...)`: 64-bit if any argument is a cdata.
private func fold(_ L: OpaquePointer, _ op: Fold, _ function: String) throws(BitError) -> Int32 {
    let count = max(lua_gettop(L), 1)
    var operands: [BitOperand] = []
    operands.reserveCapacity(Int(count))
    for index in 1...count { operands.append(try bitOperand(L, index, function)) }
    let wide = operands.contains { $0.isCData }
    guard wide else { // lf_bit32: the rule the C fast path uses
        let code = switch op { case .and: LF_BIT_BAND; case .or: LF_BIT_BOR; case .xor: LF_BIT_BXOR }
        let result = operands.dropFirst().reduce(UInt32(truncatingIfNeeded: operands[0].bits)) {
            lf_bit32(Int32(code), $0, UInt32(truncatingIfNeeded: $1.bits))
        }
        return pushBitResult(L, UInt64(result), wide: false, unsigned: false)
    }
    var result: UInt64 = op == .and ? ~0 : 0
    for (offset, operand) in operands.enumerated() {
        let bits = wideOperand(L, Int32(offset) + 1, operand)
        switch op {
        case .and: result &= bits
        case .or: result |= bits
        case .xor: result ^= bits
        }
    }
    return pushBitResult(L, result, wide: true, unsigned: operands.contains { $0.unsigned })
}

private func bitBand(_ L: OpaquePointer?) -> Int32 { bitEntry(L) { L throws(BitError) in try fold(L, .and, "band") } }
private func bitBor(_ L: OpaquePointer?) -> Int32 { bitEntry(L) { L throws(BitError) in try fold(L, .or, "bor") } }
private func bitBxor(_ L: OpaquePointer?) -> Int32 { bitEntry(L) { L throws(BitError) in try fold(L, .xor, "bxor") } }

/// The shifts and rotations.
private enum Shift { case left, right, arithmetic, rotateLeft, rotateRight }

/// `bit.lshift/rshift/arshift/rol/ror(x, n)`: x decides the width (a cdata: 64 bits,
/// count modulo 64; else 32 bits, count modulo 32).
private func shift(_ L: OpaquePointer, _ op: Shift, _ function: String) throws(BitError) -> Int32 {
    let x = try bitOperand(L, 1, function)
    let n = try bitOperand(L, 2, function).bits
    if x.isCData {
        let count = n & 63
        let bits: UInt64 = switch op {
        case .left: x.bits << count
        case .right: x.bits >> count
        case .arithmetic: UInt64(bitPattern: Int64(bitPattern: x.bits) >> count)
        case .rotateLeft: x.bits << count | x.bits >> ((64 - count) & 63)
        case .rotateRight: x.bits >> count | x.bits << ((64 - count) & 63)
        }
        return pushBitResult(L, bits, wide: true, unsigned: x.unsigned)
    }
    let code = switch op {
    case .left: LF_BIT_LSHIFT
    case .right: LF_BIT_RSHIFT
    case .arithmetic: LF_BIT_ARSHIFT
    case .rotateLeft: LF_BIT_ROL
    case .rotateRight: LF_BIT_ROR
    }
    let bits = lf_bit32(Int32(code), UInt32(truncatingIfNeeded: x.bits), UInt32(truncatingIfNeeded: n))
    return pushBitResult(L, UInt64(bits), wide: false, unsigned: false)
}

private func bitLshift(_ L: OpaquePointer?) -> Int32 { bitEntry(L) { L throws(BitError) in try shift(L, .left, "lshift") } }
private func bitRshift(_ L: OpaquePointer?) -> Int32 { bitEntry(L) { L throws(BitError) in try shift(L, .right, "rshift") } }
private func bitArshift(_ L: OpaquePointer?) -> Int32 {
    bitEntry(L) { L throws(BitError) in try shift(L, .arithmetic, "arshift") }
}
private func bitRol(_ L: OpaquePointer?) -> Int32 { bitEntry(L) { L throws(BitError) in try shift(L, .rotateLeft, "rol") } }
private func bitRor(_ L: OpaquePointer?) -> Int32 { bitEntry(L) { L throws(BitError) in try shift(L, .rotateRight, "ror") } }

/// `bit.tohex(x [, n])`: the low n hex digits of x (default 8, 16 for a cdata);
/// negative n gives upper case digits; more than 16 digits pad with zeros (as
/// LuaJIT 2.1's `%.*x`).
private func bitTohex(_ L: OpaquePointer?) -> Int32 {
    bitEntry(L) { L throws(BitError) in
        let x = try bitOperand(L, 1, "tohex")
        var n: Int32 = x.isCData ? 16 : 8
        if lua_gettop(L) >= 2 { n = Int32(truncatingIfNeeded: try bitOperand(L, 2, "tohex").bits) }
        let digits = Array((n < 0 ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        let width = min(Int(n.magnitude), 254)
        var bits = width < 16 ? x.bits & ((1 << (4 * UInt64(width))) &- 1) : x.bits
        var text = [UInt8](repeating: UInt8(ascii: "0"), count: max(width, 16))
        var i = text.count
        while bits != 0 { i -= 1; text[i] = digits[Int(bits & 15)]; bits >>= 4 }
        let hex = String(decoding: text[(text.count - width)...], as: UTF8.self)
        lua_pushlstring(L, hex, width)
        return 1
    }
}
