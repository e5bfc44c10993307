// Lua values to C values: the conversions of writes, initializers and arguments.
import CLua
import CLuaCore
import CTypes

extension FFIState {
    /// Converts the Lua value at `index` to C type `id` and stores it at `address`.
    /// Throws LuaJIT's message (`cannot convert 'string' to 'int'`); the caller adds
    /// where (argument, field...). Corresponds to LuaJIT's `lj_cconv_ct_tv`.
    func store(_ L: OpaquePointer, _ index: Int32, as id: Int32, to address: UnsafeMutableRawPointer) throws(FFIError) {
        let info = info(id)
        switch info.kind {
        case .bool:
            address.storeBytes(of: try truth(L, index, id) ? 1 : 0, as: UInt8.self)
        case let kind where kind.isInteger:
            storeInteger(try integer(L, index, id), kind: kind, to: address)
        case .float:
            address.storeBytes(of: Float(try number(L, index, id)), toByteOffset: 0, as: Float.self)
        case .double:
            address.storeBytes(of: try number(L, index, id), as: Double.self)
        case .longDouble:
            storeLongDouble(try number(L, index, id), to: address)
        case .pointer:
            address.storeBytes(of: try pointer(L, index, to: id), as: UnsafeMutableRawPointer?.self)
        case .array, .record, .complexFloat, .complexDouble:
            try storeAggregate(L, index, as: id, to: address)
        case .vector:
            try storeVector(L, index, as: id, to: address)
        case .reference:
            guard let target = address.load(as: UnsafeMutableRawPointer?.self) else {
                throw FFIError("NULL reference of type '\(types[Int(id)].cName)'")
            }
            try store(L, index, as: info.target, to: target)
        default:
            throw conversionError(L, index, to: id)
        }
    }

    /// `cannot convert 'X' to 'T'`, X being the Lua type or the cdata's C type.
    func conversionError(_ L: OpaquePointer, _ index: Int32, to id: Int32) -> FFIError {
        FFIError("cannot convert '\(typeName(L, index))' to '\(types[Int(id)].cName)'")
    }

    /// The C type of a cdata, or the Lua type name of any other value.
    func typeName(_ L: OpaquePointer, _ index: Int32) -> String {
        if let cdata = cdata(L, at: index) { return types[Int(cdata.typeID)].cName }
        return String(cString: lf_typename(L, index))
    }

    /// A Lua value as a C truth value: booleans, numbers and numeric cdata (non-zero,
    /// floating values untruncated: 0.5 is true, as in LuaJIT).
    func truth(_ L: OpaquePointer, _ index: Int32, _ id: Int32) throws(FFIError) -> Bool {
        switch lua_type(L, index) {
        case LUA_TBOOLEAN: return lua_toboolean(L, index) != 0
        case LUA_TNUMBER: return lf_tonumber(L, index, nil) != 0
        default:
            if let cdata = cdata(L, at: index), let value = try floatingValue(of: cdata) {
                // A complex is no truth value (LuaJIT).
                if realPart(of: cdata) != nil { throw conversionError(L, index, to: id) }
                return value != 0
            }
            return try integer(L, index, id) != 0
        }
    }

    /// The value stored into a bitfield of type `id`: a `bool` bitfield takes the
    /// truth of the value (2 is true, as LuaJIT), others its integer bits, a number
    /// converted as to a 32-bit integer of the field's signedness whatever its declared
    /// width (LuaJIT's `lj_cconv_bf_tv`: 2^32 + 5 into a `uint8_t` bitfield is 5).
    func bitfieldValue(_ L: OpaquePointer, _ index: Int32, _ id: Int32) throws(FFIError) -> Int64 {
        switch info(id).kind {
        case .bool: return try truth(L, index, id) ? 1 : 0
        case .uint8, .uint16, .uint32: return try integer(L, index, id, as: .uint32)
        case .int8, .int16, .int32: return try integer(L, index, id, as: .int32)
        default: return try integer(L, index, id)
        }
    }

    /// A Lua value as a C integer (two's complement bits): Lua numbers (floats are
    /// truncated toward zero as x86-64 converts them, `integerBits`), booleans (0 or
    /// 1, as LuaJIT), numeric cdata, enum constant names for enums. Floats convert as
    /// to `kind` (default: the kind of `id`).
    func integer(_ L: OpaquePointer, _ index: Int32, _ id: Int32, as kind: ValueKind? = nil) throws(FFIError) -> Int64 {
        switch lua_type(L, index) {
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return Int64(lf_tointeger(L, index, nil)) }
            return integerBits(lf_tonumber(L, index, nil), to: kind ?? info(id).kind)
        case LUA_TSTRING:
            if case .enumeration(let e) = types[Int(id)].kind, let name = stringArgument(L, index) {
                guard let value = e.value(of: name) else {
                    throw FFIError("invalid value '\(name)' for '\(types[Int(id)].cName)'")
                }
                return value
            }
        case LUA_TBOOLEAN:
            return lua_toboolean(L, index) != 0 ? 1 : 0
        case LUA_TUSERDATA:
            if let cdata = cdata(L, at: index) {
                if let value = try floatingValue(of: cdata) { return integerBits(value, to: kind ?? info(id).kind) }
                if let value = try scalarBits(of: cdata) { return value }
            }
        default:
            break
        }
        throw conversionError(L, index, to: id)
    }

    /// A Lua value as a C floating value: numbers, booleans (0 or 1, as LuaJIT) and
    /// numeric cdata.
    func number(_ L: OpaquePointer, _ index: Int32, _ id: Int32) throws(FFIError) -> Double {
        if lua_type(L, index) == LUA_TNUMBER { return lf_tonumber(L, index, nil) }
        if lua_type(L, index) == LUA_TBOOLEAN { return lua_toboolean(L, index) != 0 ? 1 : 0 }
        if let cdata = cdata(L, at: index) {
            if let value = try scalarNumber(of: cdata) { return value }
            if let value = realPart(of: cdata) { return value }
        }
        throw conversionError(L, index, to: id)
    }

    /// The real part of a complex cdata, or nil: a complex converts to a real or an
    /// integer as its real part (LuaJIT's `lj_cconv_ct_ct`).
    func realPart(of cdata: CDataRef) -> Double? {
        let (address, type) = value(of: cdata)
        switch info(type).kind {
        case .complexFloat: return Double(address.load(as: Float.self))
        case .complexDouble: return address.load(as: Double.self)
        default: return nil
        }
    }

    /// The value of a floating or complex cdata (a complex converts as its real part,
    /// LuaJIT's `lj_cconv_ct_ct`), or nil for other cdata.
    func floatingValue(of cdata: CDataRef) throws(FFIError) -> Double? {
        try checkUsable(cdata)
        let (address, id) = value(of: cdata)
        let kind = info(id).kind
        return kind.isFloating ? loadFloating(address, kind: kind) : realPart(of: cdata)
    }

    /// The integer bits of a numeric cdata (truncating floating values), or nil.
    func scalarBits(of cdata: CDataRef) throws(FFIError) -> Int64? {
        try checkUsable(cdata)
        let (address, id) = value(of: cdata)
        let kind = info(id).kind
        if kind.isInteger || kind == .bool { return loadInteger(address, kind: kind == .bool ? .uint8 : kind) }
        if kind.isFloating { return truncatedBits(loadFloating(address, kind: kind)) }
        return nil
    }

    /// The value of a numeric cdata as a Double, or nil.
    func scalarNumber(of cdata: CDataRef) throws(FFIError) -> Double? {
        try checkUsable(cdata)
        let (address, id) = value(of: cdata)
        let kind = info(id).kind
        if kind.isFloating { return loadFloating(address, kind: kind) }
        guard kind.isInteger || kind == .bool else { return nil }
        let bits = loadInteger(address, kind: kind == .bool ? .uint8 : kind)
        return kind == .uint64 ? Double(UInt64(bitPattern: bits)) : Double(bits)
    }

    /// A released cdata may not be used.
    @inline(__always)
    func checkUsable(_ cdata: CDataRef) throws(FFIError) {
        if cdata.flags.contains(.released) {
            throw FFIError("attempt to use a released cdata of type '\(types[Int(cdata.typeID)].cName)'")
        }
    }
}

/// A double truncated toward zero to 64 bits (values of uint64_t range keep their
/// bits; NaN and out-of-range values give 0x8000000000000000, as x86-64 does).
func truncatedBits(_ value: Double) -> Int64 {
    if value >= -0x1p63 && value < 0x1p63 { return Int64(value) }
    if value >= 0 && value < 18446744073709551616.0 { return Int64(bitPattern: UInt64(value)) }
    return Int64.min
}

/// A double converted to an integer of `kind` as LuaJIT does on x86-64: `uint64_t`
/// keeps values up to 2^64 (`truncatedBits`); other 64-bit types and `uint32_t` go
/// through a signed 64-bit conversion, narrower types through a 32-bit one, and a
/// value out of that range (or NaN) gives the "integer indefinite" 0x80...0.
func integerBits(_ value: Double, to kind: ValueKind) -> Int64 {
    switch kind {
    // From 2^64 on, x86-64 code subtracts 2^64 first (LuaJIT: 2^64 is 0, 2^64 + 4096 is 4096).
    case .uint64: return value >= 0x1p64 && value < 0x1p64 + 0x1p63 ? Int64(value - 0x1p64) : truncatedBits(value)
    case .int64, .uint32: return value >= -0x1p63 && value < 0x1p63 ? Int64(value) : Int64.min
    default: return value > -2147483649.0 && value < 2147483648.0 ? Int64(value) : Int64(Int32.min)
    }
}

/// Stores the low bits of `value` as an integer of `kind`.
func storeInteger(_ value: Int64, kind: ValueKind, to address: UnsafeMutableRawPointer) {
    switch kind {
    case .int8, .uint8, .bool: address.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
    case .int16, .uint16: address.storeBytes(of: UInt16(truncatingIfNeeded: value), as: UInt16.self)
    case .int32, .uint32: address.storeBytes(of: UInt32(truncatingIfNeeded: value), as: UInt32.self)
    default: address.storeBytes(of: value, as: Int64.self)
    }
}

/// Loads an integer of `kind`, sign- or zero-extended to 64 bits.
func loadInteger(_ address: UnsafeRawPointer, kind: ValueKind) -> Int64 {
    switch kind {
    case .int8: Int64(address.load(as: Int8.self))
    case .uint8, .bool: Int64(address.load(as: UInt8.self))
    case .int16: Int64(address.loadUnaligned(as: Int16.self))
    case .uint16: Int64(address.loadUnaligned(as: UInt16.self))
    case .int32: Int64(address.loadUnaligned(as: Int32.self))
    case .uint32: Int64(address.loadUnaligned(as: UInt32.self))
    default: address.loadUnaligned(as: Int64.self)
    }
}

/// Loads a floating value of `kind` as a Double.
func loadFloating(_ address: UnsafeRawPointer, kind: ValueKind) -> Double {
    switch kind {
    case .float: Double(address.loadUnaligned(as: Float.self))
    case .longDouble: loadLongDouble(address)
    default: address.loadUnaligned(as: Double.self)
    }
}
