// ffi.new, cast, string, copy, fill, isnull, addressof, tonumber: the data API.
import CLua
import CLuaCore
import CTypes
import Glibc

extension FFIState {
    /// Creates a cdata of type `id` from the arguments starting at `first`
    /// (`[nelem,] init...`) and pushes it. Corresponds to `ffi.new`.
    func newCData(_ L: OpaquePointer, _ id: Int32, arguments first: Int32, function: String) throws(FFIError) {
        var first = first, count = -1, size: Int
        if info(id).isVariable, let layout = types[Int(id)].variableLayout {
            let type = types[Int(id)]
            var isInteger: Int32 = 0
            let countIndex = first
            var n = countArgument(L, first) ?? 0
            isInteger = countArgument(L, first) == nil ? 0 : 1
            if isInteger != 0 {
                first += 1
            } else if layout.countIsOptional {
                (n, isInteger) = (impliedCount(L, id, first), 1)
            }
            guard isInteger != 0, n >= 0 else {
                throw FFIError.argument(countIndex, function, "size of '\(type.cName)' expected (a number of elements)")
            }
            guard let total = layout.size(count: Int(n)) else {
                throw FFIError.argument(countIndex, function, "size of C type is unknown or too large")
            }
            (count, size) = (Int(n), total)
        } else {
            guard let known = info(id).size, info(id).kind != .function else {
                throw FFIError("cannot create a cdata of type '\(types[Int(id)].cName)' (size unknown)")
            }
            size = known
        }
        let last = lua_gettop(L)
        if info(id).kind == .reference {
            guard last <= first else { throw tooMany(id) }
            return try pushBoundReference(L, id, first, cast: false)
        }
        let cdata = try pushNewCDataOfAnySize(L, id, size: size, alignment: info(id).alignment, count: count)
        do throws(FFIError) { try initialize(L, id, at: cdata.payload, count: count, first: first, last: last) } catch {
            cdata.flags.insert(.finalizerSet)  // no metatype __gc for an object never made (LuaJIT)
            throw error
        }
    }

    /// The element count of a `[]` array that `ffi.new` was given no count for: the
    /// length of a table initializer (from [0] or [1]), else 0 (a struct ending in
    /// one gets no elements: C's `sizeof`).
    private func impliedCount(_ L: OpaquePointer, _ id: Int32, _ index: Int32) -> lua_Integer {
        guard info(id).kind == .array, lua_type(L, index) == LUA_TTABLE, lua_gettop(L) == index else { return 0 }
        let zero: lua_Integer = lua_rawgeti(L, index, 0) != LUA_TNIL ? 1 : 0
        lf_pop(L, 1)
        return lua_Integer(lua_rawlen(L, index)) + zero
    }

    /// Converts the value at `index` to `id` with cast rules: any pointer or integer
    /// to a pointer, a pointer to an integer. Pushes the new cdata.
    func cast(_ L: OpaquePointer, _ id: Int32, _ index: Int32) throws(FFIError) {
        let info = info(id)
        if info.kind == .reference { return try pushBoundReference(L, id, index, cast: true) }
        if lua_type(L, index) == LUA_TFUNCTION, info.kind == .pointer, cFunctionAddress(L, index) == nil {
            return try pushCallback(L, id, function: index, errorValue: 0)
        }
        // Casts make scalars: LuaJIT refuses structs, unions, arrays and complex types.
        guard !info.kind.isAggregate else { throw FFIError.argument(1, "cast", "invalid C type") }
        guard info.size != nil else { throw conversionError(L, index, to: id) }
        // A cdata of this very type is the result itself (LuaJIT makes no copy).
        if let cdata = cdata(L, at: index), cdata.typeID == id {
            lua_pushvalue(L, index)
            return
        }
        // A floating or complex cdata is no address (LuaJIT: `cannot convert 'double' to 'int *'`).
        if info.kind == .pointer, let cdata = cdata(L, at: index), try floatingValue(of: cdata) != nil {
            throw conversionError(L, index, to: id)
        }
        if info.kind == .pointer, let bits = try castBits(L, index) {
            return pushDerivedPointer(L, id, UnsafeMutableRawPointer(bitPattern: Int(bits)), from: index)
        }
        if info.kind.isInteger, let bits = try castBits(L, index, to: info.kind, forInteger: true) {
            storeInteger(bits, kind: info.kind, to: pushNewCData(L, id).payload)
            return
        }
        let cdata = pushNewCData(L, id)
        try store(L, index, as: id, to: cdata.payload)
    }

    /// The bits a cast to an integer of `kind` (or an address) takes from numbers,
    /// pointers and addresses; nil for others (`forInteger`: structs and unions
    /// too). Floats convert as `integerBits`.
    func castBits(
        _ L: OpaquePointer, _ index: Int32, to kind: ValueKind = .uint64, forInteger: Bool = false
    ) throws(FFIError) -> Int64? {
        switch lua_type(L, index) {
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return Int64(lf_tointeger(L, index, nil)) }
            return integerBits(lf_tonumber(L, index, nil), to: kind)
        case LUA_TNIL: return 0
        case LUA_TLIGHTUSERDATA: return Int64(Int(bitPattern: lua_touserdata(L, index)))
        case LUA_TSTRING: return Int64(Int(bitPattern: lua_tolstring(L, index, nil)))
        case LUA_TUSERDATA:
            guard let cdata = cdata(L, at: index) else {
                return isInternal(L, index) ? nil : Int64(Int(bitPattern: try userdataAddress(L, index)))
            }
            // A complex converts as its real part (before `address`, which gives an
            // aggregate's address); a struct or union is no integer (LuaJIT).
            if let value = try floatingValue(of: cdata) { return integerBits(value, to: kind) }
            if forInteger, info(value(of: cdata).type).kind == .record { return nil }
            if let (address, _) = try address(of: cdata) { return Int64(Int(bitPattern: address)) }
            return try scalarBits(of: cdata)
        default: return nil
        }
    }

    /// Any pointer-like value as an address (cast rules), for `string`, `copy`, `fill`,
    /// `memmove` (a buffer: its bytes).
    /// A destination (`writable`) must be a cdata or a light userdata: not a Lua
    /// string (immutable and shared) nor another full userdata (a file, a ctype
    /// object: memory that belongs to Lua or to another module).
    func anyAddress(
        _ L: OpaquePointer, _ index: Int32, _ function: String, writable: Bool = false
    ) throws(FFIError) -> UnsafeMutableRawPointer? {
        switch lua_type(L, index) {
        case LUA_TNIL: return nil
        case LUA_TLIGHTUSERDATA: return lua_touserdata(L, index)
        case LUA_TSTRING where !writable: return UnsafeMutableRawPointer(mutating: lua_tolstring(L, index, nil))
        case LUA_TUSERDATA:
            if buffer(L, at: index) != nil {
                let buffer = try usableBuffer(L, index, function)
                guard !writable || !buffer.isReadOnly else { throw FFIError("attempt to write to a read-only buffer") }
                return buffer.address
            } else if let cdata = cdata(L, at: index) {
                try checkOwnerUsable(L, index)
                if let (address, pointee) = try address(of: cdata),
                   !writable || !types[Int(pointee)].qualifiers.contains(.const) { return address }
            } else if !writable {
                return lua_touserdata(L, index)
            }
        default: break
        }
        throw FFIError.argument(index, function, "cannot convert '\(typeName(L, index))' to 'void *'")
    }

    /// Refuses to touch more than `count` bytes of an object whose size is known: a
    /// cdata array, struct or scalar (not a pointer: its target's extent is unknown,
    /// as in C) or a Lua string (its bytes and the terminating zero).
    func checkExtent(_ L: OpaquePointer, _ index: Int32, _ count: Int, _ function: String) throws(FFIError) {
        guard let available = extent(L, index), count > available else { return }
        throw FFIError.argument(index, function,
            "\(count) bytes exceed the \(available) bytes of '\(typeName(L, index))'")
    }

    /// The bytes known to be at the value at `index`: a cdata array, struct or
    /// scalar, a Lua string with its terminating zero, a buffer, another full userdata's block;
    /// nil for pointers and light userdata (unknown, as in C).
    func extent(_ L: OpaquePointer, _ index: Int32) -> Int? {
        if lua_type(L, index) == LUA_TSTRING { return Int(lua_rawlen(L, index)) + 1 }
        if let buffer = buffer(L, at: index) { return buffer.pointee.size }
        guard let cdata = cdata(L, at: index) else {
            // Other full userdata: their block (ctype objects, files, other modules').
            return lua_type(L, index) == LUA_TUSERDATA ? Int(lua_rawlen(L, index)) : nil
        }
        let (_, id) = value(of: cdata)
        let info = info(id)
        guard info.kind != .pointer else { return nil }
        if cdata.count >= 0, let layout = types[Int(id)].variableLayout { return layout.size(count: cdata.count) }
        return info.size
    }

    /// A byte count argument (a float is truncated, `countArgument`).
    func length(_ L: OpaquePointer, _ index: Int32, _ function: String) throws(FFIError) -> Int {
        if countArgument(L, index) == nil, let cdata = cdata(L, at: index), let bits = try scalarBits(of: cdata) {
            return Int(bits)
        }
        guard let n = countArgument(L, index) else { throw FFIError.type(index, function, expected: "number", in: L) }
        guard n >= 0 else { throw FFIError.argument(index, function, "length must not be negative") }
        return Int(n)
    }
}

/// A count, length or offset argument as LuaJIT reads one: an integer (or a
/// numeric string), or a float truncated as to a C `int` (LuaJIT's `ffi_checkint`:
/// 2.5 is 2, beyond int32 negative); nil for other values.
func countArgument(_ L: OpaquePointer, _ index: Int32) -> lua_Integer? {
    var isInteger: Int32 = 0
    let n = lf_tointeger(L, index, &isInteger)
    if isInteger != 0 { return n }
    guard lua_type(L, index) == LUA_TNUMBER else { return nil }
    return lua_Integer(integerBits(lf_tonumber(L, index, nil), to: .int32))
}

/// `ffi.new(ct [, nelem] [, init...])`.
func ffiNew(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let id = try ffi.checkType(L, 1, "new")
        try ffi.newCData(L, id, arguments: 2, function: "new")
        return 1
    }
}

/// `ffi.cast(ct, value)`.
func ffiCast(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let id = try ffi.checkType(L, 1, "cast")
        guard lua_gettop(L) >= 2 else { throw FFIError.argument(2, "cast", "value expected") }
        try ffi.cast(L, id, 2)
        return 1
    }
}

/// `ffi.string(ptr [, len])`: the bytes at `ptr` up to the first zero, or `len` bytes.
func ffiString(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let address = try ffi.anyAddress(L, 1, "string") else {
            throw FFIError("attempt to read a string from a NULL pointer")
        }
        let extent = ffi.extent(L, 1)
        let count = lua_type(L, 2) <= LUA_TNIL
            ? (extent.map { strnlen(address, $0) } ?? strlen(address)) : try ffi.length(L, 2, "string")
        try ffi.checkExtent(L, 1, count, "string")
        lua_pushlstring(L, address.assumingMemoryBound(to: CChar.self), count)
        return 1
    }
}

/// `ffi.copy(dst, src, len)` or `ffi.copy(dst, str)` (copies `#str + 1` bytes).
func ffiCopy(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        try ffi.copyBytes(L, "copy") { L throws(FFIError) in
            if lua_type(L, 3) > LUA_TNIL { return try ffi.length(L, 3, "copy") }
            guard lua_type(L, 2) == LUA_TSTRING else { throw FFIError.argument(3, "copy", "number expected, got no value") }
            return Int(lua_rawlen(L, 2)) + 1
        }
        return 0
    }
}

extension FFIState {
    /// Copies bytes from the address argument 2 gives to the one argument 1 gives
    /// (the areas may overlap), as many as `count` says, within the extents known.
    /// For `copy` and `memmove`.
    func copyBytes(
        _ L: OpaquePointer, _ function: String, count: (OpaquePointer) throws(FFIError) -> Int
    ) throws(FFIError) {
        let destination = try anyAddress(L, 1, function, writable: true)
        let source = try anyAddress(L, 2, function)
        let count = try count(L)
        guard count == 0 || (destination != nil && source != nil) else {
            throw FFIError("attempt to \(function) \(destination == nil ? "to" : "from") a NULL pointer")
        }
        try checkExtent(L, 1, count, function)
        try checkExtent(L, 2, count, function)
        if count > 0, let destination, let source {
            try inBudgetedChunks(L, count) { offset, length in memmove(destination + offset, source + offset, length) }
        }
    }
}

/// `ffi.fill(dst, len [, byte])`.
func ffiFill(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let destination = try ffi.anyAddress(L, 1, "fill", writable: true)
        let count = try ffi.length(L, 2, "fill")
        // The byte converts as to a C int (LuaJIT): true is 1, 65.5 is 65, a string an error.
        var byte: Int32 = 0
        if lua_type(L, 3) > LUA_TNIL {
            do throws(FFIError) { byte = Int32(truncatingIfNeeded: try ffi.integer(L, 3, ffi.int32Type)) } catch {
                throw FFIError.argument(3, "fill", error.message)
            }
        }
        guard count == 0 || destination != nil else { throw FFIError("attempt to fill a NULL pointer") }
        try ffi.checkExtent(L, 1, count, "fill")
        if count > 0, let destination {
            try inBudgetedChunks(L, count) { offset, length in memset(destination + offset, byte, length) }
        }
        return 0
    }
}

/// Bytes that `ffi.copy`, `ffi.memmove` and `ffi.fill` move between two looks at the state's
/// limits (about 2 ms of memory bandwidth); the C fast paths leave bigger counts here.
let budgetedChunk = Int(LF_BUDGETED_CHUNK)

/// Runs `work(offset, length)` over `count` bytes in `budgetedChunk` pieces, and
/// stops with the state's limit error between two pieces when a time limit passes
/// or the host interrupts (`lf_budgetcheck`). A state without limits runs it at once.
private func inBudgetedChunks(
    _ L: OpaquePointer, _ count: Int, _ work: (_ offset: Int, _ length: Int) -> Void
) throws(FFIError) {
    guard count > budgetedChunk, let info = lf_stateinfo(L) else { return work(0, count) }
    var offset = 0
    while offset < count {
        if let reason = lf_budgetcheck(info) { throw FFIError(String(cString: reason)) }
        let length = min(budgetedChunk, count - offset)
        work(offset, length)
        offset += length
    }
}

/// `ffi.isnull(p)`: true for nil, NULL pointers and NULL light userdata.
func ffiIsnull(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        var isNull = false
        switch lua_type(L, 1) {
        case LUA_TNIL, LUA_TNONE: isNull = true
        case LUA_TLIGHTUSERDATA: isNull = lua_touserdata(L, 1) == nil
        case LUA_TUSERDATA:
            if let cdata = ffi.cdata(L, at: 1), let (address, _) = try ffi.address(of: cdata) { isNull = address == nil }
        default: break
        }
        lua_pushboolean(L, isNull ? 1 : 0)
        return 1
    }
}

/// `ffi.addressof(cdata [, key...])`: a pointer to the cdata, or to the element or
/// field the keys name (Python cffi's spelling). The pointer keeps the cdata's
/// owner alive (Lifetimes).
func ffiAddressof(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard var current = ffi.cdata(L, at: 1) else { throw FFIError.type(1, "addressof", expected: "cdata", in: L) }
        var (address, id) = ffi.value(of: current)
        let top = lua_gettop(L)
        if top >= 2 {
            for key in 2...top {
                guard let location = try ffi.locate(L, current, at: key == 2 ? 1 : key - 1, key: key) else {
                    throw ffi.missingMember(L, current, key: key)
                }
                guard case .value(let a, let t, _) = location else {
                    throw FFIError.argument(key, "addressof", "cannot take the address of a bitfield")
                }
                (address, id) = (a, t)
                ffi.pushReference(L, to: t, at: a, anchor: 1)
                lf_replace(L, key)
                current = ffi.cdata(L, at: key)!
            }
        }
        if top < 2, ffi.info(current.typeID).kind != .reference {
            // The cdata's own storage (a pointer's too, not what it points to).
            ffi.pushPointer(L, ffi.pointerType(to: id), address, into: 1)
        } else {
            ffi.pushDerivedPointer(L, ffi.pointerType(to: id), address, from: 1)
        }
        return 1
    }
}

/// `ffi.tonumber(v)`: numeric cdata as Lua numbers; numbers and numeric strings as
/// `tonumber`; nil otherwise.
func ffiTonumber(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        if let cdata = ffi.cdata(L, at: 1) {
            try ffi.pushNumber(L, cdata)
        } else if lua_type(L, 1) == LUA_TNUMBER {
            lua_pushvalue(L, 1)
        } else if lua_type(L, 1) == LUA_TSTRING, let text = lua_tolstring(L, 1, nil), lua_stringtonumber(L, text) != 0 {
        } else {
            lua_pushnil(L)
        }
        return 1
    }
}

extension FFIState {
    /// Pushes a numeric cdata as a Lua number (integers as integers when they fit;
    /// complex: the real part); nil for other cdata.
    func pushNumber(_ L: OpaquePointer, _ cdata: CDataRef) throws(FFIError) {
        try checkUsable(cdata)
        let (address, id) = value(of: cdata)
        let kind = info(id).kind
        if kind.isInteger || kind == .bool {
            let bits = loadInteger(address, kind: kind == .bool ? .uint8 : kind)
            if kind == .uint64, bits < 0 { lua_pushnumber(L, Double(UInt64(bitPattern: bits))) } else {
                lua_pushinteger(L, lua_Integer(bits))
            }
        } else if kind.isFloating || kind == .complexFloat || kind == .complexDouble {
            lua_pushnumber(L, kind == .complexFloat ? Double(address.load(as: Float.self))
                : kind == .complexDouble ? address.load(as: Double.self) : loadFloating(address, kind: kind))
        } else {
            lua_pushnil(L)
        }
    }
}
