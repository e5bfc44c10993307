// cdata: C values owned by Lua. Layout of the userdata block, creation, recognition.
//
// A cdata is a full userdata without user values (a reference has one: the object it
// points into; `ffi.gc` finalizers live in a side table, FFIState.finalizersRef).
// The block starts with an 8-byte CDataHeader, then for variable-length types
// (`counted`) the element count (Int, 8 bytes); the C value follows, aligned to its
// type (Lua only guarantees LUAI_MAXALIGN, 8 bytes). The C fast paths know this
// layout too (lf_CDataHeader in lf_cdata.h).
import CLua
import CLuaCore
import CFFIFast
import CTypes

/// The start of every cdata block.
struct CDataHeader {
    /// The interned type of the value.
    var typeID: Int32
    /// State bits: CDataFlags.
    var flags: UInt16
    /// Bytes from the start of the block to the value.
    var payloadOffset: UInt16
}

/// The state bits of a cdata.
struct CDataFlags: OptionSet {
    let rawValue: UInt16
    /// `ffi.gc` attached a finalizer (in the finalizer side table).
    static let finalizer = CDataFlags(rawValue: 1 << 0)
    /// `ffi.release` ran: the value may no longer be used.
    static let released = CDataFlags(rawValue: 1 << 1)
    /// `ffi.gc` was called on the cdata (even with nil): its finalizer replaces the
    /// metatype's `__gc`, as in LuaJIT.
    static let finalizerSet = CDataFlags(rawValue: 1 << 2)
    /// The element count of a variable-length type follows the header.
    static let counted = CDataFlags(rawValue: 1 << 3)
    /// A module singleton (`ffi.NULL`): every script shares it, so none may release
    /// it or give it a finalizer.
    static let shared = CDataFlags(rawValue: 1 << 4)
}

/// A cdata seen from Swift: its header and where its C value is.
struct CDataRef {
    let header: UnsafeMutablePointer<CDataHeader>
    var typeID: Int32 { header.pointee.typeID }
    /// The C value itself (for a reference type: the address of the reference).
    var payload: UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(header) + Int(header.pointee.payloadOffset)
    }
    var flags: CDataFlags {
        get { CDataFlags(rawValue: header.pointee.flags) }
        nonmutating set { header.pointee.flags = newValue.rawValue }
    }
    /// Element count of a variable-length array or struct (`int[?]`); -1 otherwise.
    var count: Int {
        flags.contains(.counted) ? UnsafeRawPointer(header).load(fromByteOffset: cdataHeaderSize, as: Int.self) : -1
    }
}

let cdataHeaderSize = MemoryLayout<CDataHeader>.stride

extension FFIState {
    /// Creates a zero-filled cdata of type `id` holding `size` bytes, pushes it and
    /// returns it. `count` is the element count of a VLA/VLS (-1: none). `[-0, +1, m]`
    @discardableResult
    func pushNewCData(
        _ L: OpaquePointer, _ id: Int32, size: Int, alignment: Int, count: Int = -1, userValues: Int32 = 0
    ) -> CDataRef {
        let block = lf_newuserdata(L, Self.blockSize(size, alignment: alignment, count: count), userValues)!
        return initializeCData(L, block, id, size: size, alignment: alignment, count: count)
    }

    /// `pushNewCData` for a size Lua code chose (`ffi.new`): a block that does not
    /// fit in memory (or the state's limit) throws `not enough memory`, as Lua
    /// words it. Big blocks are allocated protected: Lua must not raise its memory
    /// error through this Swift frame. `[-0, +1, -]`
    func pushNewCDataOfAnySize(
        _ L: OpaquePointer, _ id: Int32, size: Int, alignment: Int, count: Int
    ) throws(FFIError) -> CDataRef {
        guard size >= 1 << 16 else { return pushNewCData(L, id, size: size, alignment: alignment, count: count) }
        var block: UnsafeMutableRawPointer?
        guard size < Int.max / 2,
              lf_pnewuserdata(L, Self.blockSize(size, alignment: alignment, count: count), 0, &block) == LUA_OK,
              let block else {
            if size < Int.max / 2 { lf_pop(L, 1) }
            throw FFIError("not enough memory", positioned: false)
        }
        return initializeCData(L, block, id, size: size, alignment: alignment, count: count)
    }

    /// The userdata size of a cdata of `size` payload bytes.
    private static func blockSize(_ size: Int, alignment: Int, count: Int) -> Int {
        let headerSize = count >= 0 ? cdataHeaderSize + MemoryLayout<Int>.size : cdataHeaderSize
        let padding = alignment > 8 ? alignment - 8 : 0  // the block is 8-aligned
        return headerSize + padding + size
    }

    /// Fills in a new userdata `block` (on top) as a zero-filled cdata. `[-0, +0, -]`
    private func initializeCData(
        _ L: OpaquePointer, _ block: UnsafeMutableRawPointer, _ id: Int32, size: Int, alignment: Int, count: Int
    ) -> CDataRef {
        let headerSize = count >= 0 ? cdataHeaderSize + MemoryLayout<Int>.size : cdataHeaderSize
        let start = UInt(bitPattern: block) + UInt(headerSize)
        let aligned = (start + UInt(alignment - 1)) & ~UInt(alignment - 1)
        let offset = UInt16(Int(aligned) - Int(bitPattern: UInt(bitPattern: block)))
        let header = block.bindMemory(to: CDataHeader.self, capacity: 1)
        let flags = count >= 0 ? CDataFlags.counted.rawValue : 0
        header.initialize(to: CDataHeader(typeID: id, flags: flags, payloadOffset: offset))
        if count >= 0 { block.storeBytes(of: count, toByteOffset: cdataHeaderSize, as: Int.self) }
        (block + Int(offset)).initializeMemory(as: UInt8.self, repeating: 0, count: size)
        let metatable = ownMetatableRef(id) ?? (hasMetatypeGC(id) ? gcMetatableRef : plainMetatableRef)
        lua_rawgeti(L, lf_registryindex(), lua_Integer(metatable))
        lua_setmetatable(L, -2)
        return CDataRef(header: header)
    }

    /// Pushes a new cdata of type `id` (a complete, fixed-size type). `[-0, +1, m]`
    @discardableResult
    func pushNewCData(_ L: OpaquePointer, _ id: Int32) -> CDataRef {
        let info = info(id)
        return pushNewCData(L, id, size: info.size ?? 0, alignment: info.alignment)
    }

    /// Pushes a pointer cdata of pointer type `id` holding `address`. `[-0, +1, m]`
    func pushPointer(_ L: OpaquePointer, _ id: Int32, _ address: UnsafeMutableRawPointer?) {
        let cdata = pushNewCData(L, id, size: 8, alignment: 8)
        cdata.payload.storeBytes(of: address, as: UnsafeMutableRawPointer?.self)
    }

    /// Pushes a reference of type `T &` to the value of type `id` at `address`, an
    /// address inside the value at `anchor` (the cdata indexed). Like a derived
    /// pointer it keeps the owner of that memory alive in its user value (the root:
    /// a reference made through another passes the same owner on, and is refused
    /// once that owner is released), none when C owns it (Owners.swift). An array of
    /// no fixed length (`[?]`, `[]`: the tail of a variable-length struct) is bounded
    /// by the end of the object that owns it, when Lua owns it. `[-0, +1, m]`
    func pushReference(_ L: OpaquePointer, to id: Int32, at address: UnsafeMutableRawPointer, anchor: Int32) {
        let anchor = lua_absindex(L, anchor)
        let count = info(id).kind == .array && info(id).count == nil ? elementsLeft(L, in: anchor, from: address, id) : -1
        let owned = pushOwner(L, of: anchor)
        let cdata = pushNewCData(L, referenceType(to: id), size: 8, alignment: 8, count: count, userValues: owned ? 1 : 0)
        cdata.payload.storeBytes(of: address, as: UnsafeMutableRawPointer.self)
        if owned {
            lua_rotate(L, -2, 1)
            lua_setiuservalue(L, -2, 1)
        }
    }

    /// How many elements of array type `id` fit between `address` and the end of the
    /// Lua-owned object that the cdata at `anchor` is or refers into; -1 when no
    /// Lua object owns that memory (a pointer's target). `[-0, +0, -]`
    func elementsLeft(_ L: OpaquePointer, in anchor: Int32, from address: UnsafeMutableRawPointer, _ id: Int32) -> Int {
        guard let elementSize = info(info(id).target).size, elementSize > 0 else { return -1 }
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        var index = anchor
        // A reference keeps its owner in user value 1; follow to the owner itself.
        while let cdata = cdata(L, at: index) {
            let info = info(cdata.typeID)
            if info.kind == .reference {
                guard lua_getiuservalue(L, index, 1) == LUA_TUSERDATA else { return -1 }
                index = lua_gettop(L)
                continue
            }
            guard info.kind != .pointer, let size = extent(L, index) else { return -1 }
            let end = UInt(bitPattern: cdata.payload) + UInt(size), start = UInt(bitPattern: address)
            return start <= end ? Int((end - start) / UInt(elementSize)) : -1
        }
        return -1
    }

    /// The cdata at `index`, or nil if the value is not one. `[-0, +0, -]`
    @inline(__always)
    func cdata(_ L: OpaquePointer, at index: Int32) -> CDataRef? {
        guard lua_type(L, index) == LUA_TUSERDATA, lua_getmetatable(L, index) != 0 else { return nil }
        let metatable = lua_topointer(L, -1)
        lf_pop(L, 1)
        guard metatable == metatableSlots[0] || metatable == metatableSlots[1]
                || (!ownMetatablePointers.isEmpty && metatable.map(ownMetatablePointers.contains) == true),
              let block = lua_touserdata(L, index) else { return nil }
        return CDataRef(header: block.assumingMemoryBound(to: CDataHeader.self))
    }

    /// The C type of the cdata at `index`, or nil if the value is not a cdata.
    func cdataType(_ L: OpaquePointer, at index: Int32) -> CType? {
        cdata(L, at: index).map { types[Int($0.typeID)] }
    }

    /// Where the C value of a cdata lives and its type: references are followed
    /// (a `T &` cdata designates the T it points to).
    @inline(__always)
    func value(of cdata: CDataRef) -> (address: UnsafeMutableRawPointer, type: Int32) {
        let info = info(cdata.typeID)
        if info.kind == .reference {
            return (cdata.payload.load(as: UnsafeMutableRawPointer.self), info.target)
        }
        return (cdata.payload, cdata.typeID)
    }

    /// The type id of `T &`.
    func referenceType(to id: Int32) -> Int32 {
        intern(CType(.reference(types[Int(id)])))
    }

    /// The type id of `T *`.
    func pointerType(to id: Int32) -> Int32 {
        intern(CType.pointer(to: types[Int(id)]))
    }
}
