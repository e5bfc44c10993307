// Struct and union fields: a per-record lookup from interned Lua name to field facts,
// built once, and bitfield reads and writes.
import CLua
import CLuaCore
import CTypes

/// The facts about one field, relative to the start of its record.
struct FieldInfo {
    var offset: Int
    var typeID: Int32
    /// Bit offset from the start of the record and width, for bitfields; width 0 otherwise.
    var bitOffset: Int
    var bitWidth: Int
    var isSigned: Bool
}

extension FFIState {
    /// Pushes the field table of record type `id` (Lua name -> index into
    /// `fieldInfos`), building it on first use. `[-0, +1, m]`
    func pushFieldTable(_ L: OpaquePointer, record id: Int32) {
        if let ref = fieldTables[id] {
            lua_rawgeti(L, lf_registryindex(), lua_Integer(ref))
            return
        }
        guard case .record(let record) = types[Int(id)].kind else { preconditionFailure("not a record") }
        let names = record.fieldNames
        lua_createtable(L, 0, Int32(names.count))
        var entered: [(String, FieldInfo)] = []
        for name in names {
            guard let field = record.field(named: name) else { continue }
            lua_pushinteger(L, lua_Integer(fieldInfos.count))
            lua_setfield(L, -2, name)
            let info = FieldInfo(
                offset: field.offset, typeID: intern(field.type),
                bitOffset: field.bitfield?.bitOffset ?? 0, bitWidth: field.bitfield?.width ?? 0,
                isSigned: TypeInfo.kind(of: field.type).isSigned)
            fieldInfos.append(info)
            entered.append((name, info))
        }
        lua_pushvalue(L, -1)
        fieldTables[id] = luaL_ref(L, lf_registryindex())
        fillFastFields(L, record: id, names: entered)
    }

    /// The field of record `id` named by the string at `key`, or nil. `[-0, +0, m]`
    func field(_ L: OpaquePointer, record id: Int32, key: Int32) -> FieldInfo? {
        guard info(id).isComplete else { return nil }
        let key = lua_absindex(L, key)
        pushFieldTable(L, record: id)
        lua_pushvalue(L, key)
        lua_rawget(L, -2)
        defer { lf_pop(L, 2) }
        guard lua_type(L, -1) == LUA_TNUMBER else { return nil }
        return fieldInfos[Int(lf_tointeger(L, -1, nil))]
    }
}

extension ValueKind {
    /// Whether an integer kind is signed.
    var isSigned: Bool {
        switch self {
        case .int8, .int16, .int32, .int64: true
        default: false
        }
    }
}

/// Reads a bitfield of a record at `base`, sign-extending signed fields.
func loadBitfield(_ base: UnsafeRawPointer, _ field: FieldInfo) -> Int64 {
    let first = field.bitOffset / 8, shift = field.bitOffset % 8
    let byteCount = (shift + field.bitWidth + 7) / 8
    var raw: UInt128 = 0
    for i in 0..<byteCount { raw |= UInt128(base.load(fromByteOffset: first + i, as: UInt8.self)) << (8 * i) }
    let mask: UInt128 = (1 << field.bitWidth) - 1
    let bits = UInt64(truncatingIfNeeded: (raw >> shift) & mask)
    guard field.isSigned, field.bitWidth < 64 else { return Int64(bitPattern: bits) }
    let unused = 64 - field.bitWidth
    return Int64(bitPattern: bits << unused) >> unused
}

/// Writes the low bits of `value` into a bitfield of a record at `base`.
func storeBitfield(_ value: Int64, _ base: UnsafeMutableRawPointer, _ field: FieldInfo) {
    let first = field.bitOffset / 8, shift = field.bitOffset % 8
    let byteCount = (shift + field.bitWidth + 7) / 8
    var raw: UInt128 = 0
    for i in 0..<byteCount { raw |= UInt128(base.load(fromByteOffset: first + i, as: UInt8.self)) << (8 * i) }
    let mask: UInt128 = ((1 << field.bitWidth) - 1) << shift
    raw = (raw & ~mask) | ((UInt128(UInt64(bitPattern: value)) << shift) & mask)
    for i in 0..<byteCount {
        base.storeBytes(of: UInt8(truncatingIfNeeded: raw >> (8 * i)), toByteOffset: first + i, as: UInt8.self)
    }
}

extension FFIState {
    /// The record-scoped constant named by the string at `key` (`x.K` for
    /// `struct { static const int K = 1; }`, LuaJIT's struct constants) of the record
    /// type `id`, or of the record it points to or references. Only for a missing
    /// field: not on the field paths.
    func recordConstant(_ L: OpaquePointer, type id: Int32, key: Int32) -> CConstant? {
        var id = id
        if info(id).kind == .pointer || info(id).kind == .reference { id = info(id).target }
        guard case .record(let record) = types[Int(id)].kind, let name = stringArgument(L, key) else { return nil }
        return record.constant(named: name)
    }

    /// Pushes `recordConstant`, if there is one. `[-0, +(0|1), m]`
    func pushRecordConstant(_ L: OpaquePointer, type id: Int32, key: Int32) -> Bool {
        guard let constant = recordConstant(L, type: id, key: key) else { return false }
        pushConstant(L, constant)
        return true
    }
}
