// C values to Lua values: the conversions of reads (fields, elements, results).
import CLua
import CLuaCore
import CTypes

extension FFIState {
    /// Pushes the C value of type `id` stored at `address`. Integers that fit a Lua
    /// integer become integers (a `uint64_t` above 2^63-1 is boxed), floating values
    /// floats, pointers pointer cdata, complex numbers and vectors new cdata, arrays and
    /// records references into the object at `anchor` (which they keep alive).
    /// `[-0, +1, m]`
    func push(_ L: OpaquePointer, _ id: Int32, from address: UnsafeRawPointer, anchor: Int32) throws(FFIError) {
        let info = info(id)
        switch info.kind {
        case .bool: lua_pushboolean(L, address.load(as: UInt8.self) != 0 ? 1 : 0)
        case .int8: lua_pushinteger(L, lua_Integer(address.load(as: Int8.self)))
        case .uint8: lua_pushinteger(L, lua_Integer(address.load(as: UInt8.self)))
        case .int16: lua_pushinteger(L, lua_Integer(address.loadUnaligned(as: Int16.self)))
        case .uint16: lua_pushinteger(L, lua_Integer(address.loadUnaligned(as: UInt16.self)))
        case .int32: lua_pushinteger(L, lua_Integer(address.loadUnaligned(as: Int32.self)))
        case .uint32: lua_pushinteger(L, lua_Integer(address.loadUnaligned(as: UInt32.self)))
        case .int64: lua_pushinteger(L, lua_Integer(address.loadUnaligned(as: Int64.self)))
        case .uint64:
            let value = address.loadUnaligned(as: UInt64.self)
            if value <= UInt64(Int64.max) {
                lua_pushinteger(L, lua_Integer(value))
            } else {
                pushBoxed(L, uint64: value)
            }
        case .float: lua_pushnumber(L, Double(address.loadUnaligned(as: Float.self)))
        case .double: lua_pushnumber(L, address.loadUnaligned(as: Double.self))
        case .longDouble: lua_pushnumber(L, loadLongDouble(address))
        case .pointer:
            pushPointer(L, id, address.loadUnaligned(as: UnsafeMutableRawPointer?.self))
        case .array, .record:
            pushReference(L, to: id, at: UnsafeMutableRawPointer(mutating: address), anchor: anchor)
        case .complexFloat, .complexDouble, .vector:
            // Complex numbers and vectors are read as values, new cdata (LuaJIT).
            let size = info.size ?? 0
            pushNewCData(L, intern(types[Int(id)].unqualified)).payload.copyMemory(from: address, byteCount: size)
        case .reference:
            guard let target = address.loadUnaligned(as: UnsafeMutableRawPointer?.self) else {
                throw FFIError("NULL reference of type '\(types[Int(id)].cName)'")
            }
            try push(L, info.target, from: target, anchor: anchor)
        case .void, .function, .other:
            throw FFIError("cannot convert '\(types[Int(id)].cName)' to a Lua value")
        }
    }

    /// Pushes a boxed `uint64_t` cdata. `[-0, +1, m]`
    func pushBoxed(_ L: OpaquePointer, uint64 value: UInt64) {
        pushNewCData(L, uint64Type).payload.storeBytes(of: value, as: UInt64.self)
    }

    /// Pushes a boxed `int64_t` cdata. `[-0, +1, m]`
    func pushBoxed(_ L: OpaquePointer, int64 value: Int64) {
        pushNewCData(L, int64Type).payload.storeBytes(of: value, as: Int64.self)
    }
}

/// Reads a C `long double` as a Double (x87 80-bit format on x86-64).
func loadLongDouble(_ address: UnsafeRawPointer) -> Double {
    #if arch(x86_64)
    return Double(address.loadUnaligned(as: Float80.self))
    #else
    return address.loadUnaligned(as: Double.self)
    #endif
}

/// Writes a Double as a C `long double`.
func storeLongDouble(_ value: Double, to address: UnsafeMutableRawPointer) {
    #if arch(x86_64)
    address.storeBytes(of: Float80(value), as: Float80.self)
    #else
    address.storeBytes(of: value, as: Double.self)
    #endif
}
