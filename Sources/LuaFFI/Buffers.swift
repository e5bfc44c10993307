// ffi.buffer: a byte view of C memory (Python cffi's buffer), and ffi.from_buffer.
//
// A buffer is a userdata holding an address, a size and whether it may be written;
// its user value is the cdata it was made from (kept alive, and checked on each use:
// a released cdata's memory may be gone). Indexes are 0-based, as for cdata arrays.
import CLua
import CLuaCore
import CTypes
import Glibc

/// The block of a buffer userdata.
struct BufferHeader {
    var address: UnsafeMutableRawPointer
    var size: Int
    var isReadOnly: Bool
}

/// The metamethods of buffers.
private let bufferMetamethods: [SwiftFunctionEntry] = [
    ("__index", bufferIndex), ("__newindex", bufferNewIndex), ("__len", bufferLength),
    ("__tostring", bufferToString),
]

/// The methods of buffers, by name (`b:tostring()`).
private let bufferMethods: [SwiftFunctionEntry] = [
    ("tostring", bufferString), ("sub", bufferSub), ("set", bufferSet),
]

extension FFIState {
    /// Pushes a buffer over `size` bytes at `address`, keeping the value at `source`
    /// alive. `[-0, +1, m]`
    func pushBuffer(_ L: OpaquePointer, _ address: UnsafeMutableRawPointer, size: Int, readOnly: Bool, source: Int32) {
        let source = lua_absindex(L, source)
        let block = lf_newuserdata(L, MemoryLayout<BufferHeader>.stride, 1)!
        block.initializeMemory(as: BufferHeader.self, repeating: BufferHeader(address: address, size: size, isReadOnly: readOnly), count: 1)
        lua_pushvalue(L, source)
        lua_setiuservalue(L, -2, 1)
        pushBufferMetatable(L)
        lua_setmetatable(L, -2)
    }

    /// Pushes the buffer metatable, made on first use (with the methods table as the
    /// upvalue of `__index`). `[-0, +1, m]`
    private func pushBufferMetatable(_ L: OpaquePointer) {
        if bufferMetatableRef != LUA_NOREF {
            lua_rawgeti(L, lf_registryindex(), lua_Integer(bufferMetatableRef))
            return
        }
        lua_rawgeti(L, lf_registryindex(), lua_Integer(ownerReference ?? LUA_NOREF))
        let owner = lua_gettop(L)
        lua_createtable(L, 0, Int32(bufferMetamethods.count + 3))
        lua_createtable(L, 0, Int32(bufferMethods.count))
        setFunctions(L, bufferMethods, upvalue: owner)
        lua_setfield(L, -2, "__methods")
        setFunctions(L, bufferMetamethods, upvalue: owner)
        lf_remove(L, owner)
        lua_pushstring(L, "ffi.buffer")
        lua_setfield(L, -2, "__name")
        lua_pushstring(L, "ffi")
        lua_setfield(L, -2, "__metatable")
        bufferMetatable = lua_topointer(L, -1)
        lua_pushvalue(L, -1)
        bufferMetatableRef = luaL_ref(L, lf_registryindex())
    }

    /// The buffer at `index`, or nil if the value is not one. `[-0, +0, -]`
    func buffer(_ L: OpaquePointer, at index: Int32) -> UnsafeMutablePointer<BufferHeader>? {
        guard bufferMetatable != nil, lua_type(L, index) == LUA_TUSERDATA, lua_getmetatable(L, index) != 0 else {
            return nil
        }
        let isBuffer = lua_topointer(L, -1) == bufferMetatable
        lf_pop(L, 1)
        return isBuffer ? lua_touserdata(L, index)?.assumingMemoryBound(to: BufferHeader.self) : nil
    }

    /// The buffer at `index` of `function`, once its memory is known to be usable (its
    /// cdata, or the owner of the memory a pointer points into, not released).
    func usableBuffer(_ L: OpaquePointer, _ index: Int32, _ function: String) throws(FFIError) -> BufferHeader {
        guard let header = buffer(L, at: index) else { throw FFIError.type(index, function, expected: "buffer", in: L) }
        lua_getiuservalue(L, index, 1)
        defer { lf_pop(L, 1) }
        if let source = cdata(L, at: -1) {
            try checkUsable(source)
            try checkOwnerUsable(L, lua_gettop(L))
        }
        return header.pointee
    }

    /// The 0-based byte index at `index`, within `size`; nil when not an integer.
    func byteIndex(_ L: OpaquePointer, _ index: Int32, size: Int) throws(FFIError) -> Int? {
        var isInteger: Int32 = 0
        let i = lf_tointeger(L, index, &isInteger)
        guard isInteger != 0 else { return nil }
        guard i >= 0, i < size else {
            throw FFIError("buffer index \(i) out of range (\(size == 0 ? "empty buffer" : "\(size) bytes: 0 to \(size - 1)"))")
        }
        return Int(i)
    }
}

/// `ffi.buffer(cdata [, size])`: a byte view of what a pointer points to, of an array
/// or of a struct; `size` bytes, by default the size of the pointed-to type (or of
/// the whole array or struct).
func ffiBuffer(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let cdata = ffi.cdata(L, at: 1), let (address, target) = try ffi.address(of: cdata),
              ffi.info(cdata.typeID).kind != .function else {
            throw FFIError.type(1, "buffer", expected: "pointer, array or struct cdata", in: L)
        }
        try ffi.checkOwnerUsable(L, 1)
        let pointee = ffi.info(ffi.value(of: cdata).type).kind == .pointer
        let size = lua_type(L, 2) <= LUA_TNIL
            ? (pointee ? ffi.info(target).size : ffi.extent(L, 1)) : try ffi.length(L, 2, "buffer")
        guard let size else {
            throw FFIError.argument(2, "buffer", "size of '\(ffi.types[Int(target)].cName)' unknown: give a size")
        }
        try ffi.checkExtent(L, 1, size, "buffer")
        guard let address else { throw FFIError("attempt to make a buffer of a NULL pointer") }
        ffi.pushBuffer(L, address, size: size, readOnly: ffi.types[Int(target)].qualifiers.contains(.const), source: 1)
        return 1
    }
}

/// `ffi.from_buffer(source)`: a `const char *` to the bytes of a Lua string or a
/// buffer (`char *` for a writable buffer), keeping the source alive.
func ffiFromBuffer(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        if lua_type(L, 1) == LUA_TSTRING {
            let address = UnsafeMutableRawPointer(mutating: lua_tolstring(L, 1, nil))
            ffi.pushDerivedPointer(L, ffi.constCharPointerType, address, from: 1)
            return 1
        }
        guard ffi.buffer(L, at: 1) != nil else {
            throw FFIError.type(1, "from_buffer", expected: "string or buffer", in: L)
        }
        let buffer = try ffi.usableBuffer(L, 1, "from_buffer")
        let type = buffer.isReadOnly ? ffi.constCharPointerType : ffi.pointerType(to: ffi.intern(.char))
        ffi.pushDerivedPointer(L, type, buffer.address, from: 1)
        return 1
    }
}

/// `b[i]`: the byte at 0-based `i` as an integer; `b.name`: a method.
private func bufferIndex(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let buffer = try ffi.usableBuffer(L, 1, "index")
        if let i = try ffi.byteIndex(L, 2, size: buffer.size) {
            lua_pushinteger(L, lua_Integer(buffer.address.load(fromByteOffset: i, as: UInt8.self)))
            return 1
        }
        lua_getmetatable(L, 1)
        rawField(L, -1, "__methods")
        lua_pushvalue(L, 2)
        lua_rawget(L, -2)
        guard lua_type(L, -1) == LUA_TFUNCTION else {
            throw FFIError("buffer has no member '\(stringArgument(L, 2) ?? ffi.typeName(L, 2))'")
        }
        return 1
    }
}

/// `b[i] = byte`: a byte 0...255, or a string of one character.
private func bufferNewIndex(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let buffer = try ffi.usableBuffer(L, 1, "newindex")
        guard let i = try ffi.byteIndex(L, 2, size: buffer.size) else {
            throw FFIError("cannot set '\(stringArgument(L, 2) ?? ffi.typeName(L, 2))' of a buffer (0-based integer index expected)")
        }
        guard !buffer.isReadOnly else { throw FFIError("attempt to write to a read-only buffer") }
        var isInteger: Int32 = 0
        var byte = lf_tointeger(L, 3, &isInteger)
        var length = 0
        if lua_type(L, 3) == LUA_TSTRING, let chars = lua_tolstring(L, 3, &length), length == 1 {
            (byte, isInteger) = (lua_Integer(UInt8(bitPattern: chars[0])), 1)
        }
        guard isInteger != 0, lua_type(L, 3) != LUA_TSTRING || length == 1, (0...255).contains(byte) else {
            throw FFIError("cannot store '\(ffi.typeName(L, 3))' in a buffer (a byte 0-255 or a one-character string expected)")
        }
        buffer.address.storeBytes(of: UInt8(byte), toByteOffset: i, as: UInt8.self)
        return 0
    }
}

/// `#b`: the size in bytes.
private func bufferLength(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        lua_pushinteger(L, lua_Integer(try ffi.usableBuffer(L, 1, "len").size))
        return 1
    }
}

/// `tostring(b)`: `buffer: 0x... (16 bytes)` (the bytes are `b:tostring()`).
private func bufferToString(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let header = ffi.buffer(L, at: 1) else { throw FFIError.type(1, "tostring", expected: "buffer", in: L) }
        pushString(L, "buffer: \(header.pointee.address) (\(header.pointee.size) bytes)")
        return 1
    }
}

/// `b:tostring()`: the bytes as a Lua string (Python's `buf[:]`).
private func bufferString(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let buffer = try ffi.usableBuffer(L, 1, "tostring")
        lua_pushlstring(L, buffer.address.assumingMemoryBound(to: CChar.self), buffer.size)
        return 1
    }
}

/// `b:sub(i [, j])`: bytes `i` to `j` as a Lua string, with `string.sub`'s rules
/// (1-based, inclusive, negative counts from the end): `b:sub(i, j) ==
/// b:tostring():sub(i, j)` without the copy.
private func bufferSub(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let buffer = try ffi.usableBuffer(L, 1, "sub")
        var isInteger: Int32 = 0
        var i = Int(lf_tointeger(L, 2, &isInteger))
        guard isInteger != 0 else { throw FFIError.type(2, "sub", expected: "number", in: L) }
        var j = -1
        if lua_type(L, 3) > LUA_TNIL {
            j = Int(lf_tointeger(L, 3, &isInteger))
            guard isInteger != 0 else { throw FFIError.type(3, "sub", expected: "number", in: L) }
        }
        let size = buffer.size
        // As string.sub (lstrlib.c's posrelatI): `i < -size`, which cannot overflow.
        i = i > 0 ? i : i == 0 || i < -size ? 1 : size + i + 1
        j = j > size ? size : j >= 0 ? j : j < -size ? 0 : size + j + 1
        let count = i <= j ? j - i + 1 : 0
        lua_pushlstring(L, (buffer.address + (count > 0 ? i - 1 : 0)).assumingMemoryBound(to: CChar.self), count)
        return 1
    }
}

/// `b:set(bytes [, offset])`: copies a Lua string into the buffer at 0-based `offset`.
private func bufferSet(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let buffer = try ffi.usableBuffer(L, 1, "set")
        var length = 0
        guard lua_type(L, 2) == LUA_TSTRING, let chars = lua_tolstring(L, 2, &length) else {
            throw FFIError.type(2, "set", expected: "string", in: L)
        }
        let offset = lua_type(L, 3) <= LUA_TNIL ? 0 : try ffi.length(L, 3, "set")
        guard offset <= buffer.size, length <= buffer.size - offset else {
            throw FFIError.argument(2, "set", "\(length) bytes at offset \(offset) exceed the \(buffer.size) bytes of the buffer")
        }
        guard !buffer.isReadOnly else { throw FFIError("attempt to write to a read-only buffer") }
        memmove(buffer.address + offset, chars, length)
        return 0
    }
}
