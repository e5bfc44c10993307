// The facts the C fast paths of cdata access read (lf_cdata.h), kept in step with
// the interned types: one lf_TypeFast per type id, and per record a table from
// interned field name to offset and scalar class.
import CLua
import CLuaCore
import CFFIFast
import CTypes

extension FFIState {
    /// Appends the fast-path facts of the newly interned type `id`.
    func appendFastType(_ id: Int32) {
        let table = fastTypes
        precondition(id == table.pointee.count, "fast types are appended in id order")
        if Int(table.pointee.count) == fastCapacity {
            fastCapacity = max(64, fastCapacity * 2)
            let grown = UnsafeMutablePointer<lf_TypeFast>.allocate(capacity: fastCapacity)
            if let old = table.pointee.types {
                grown.moveInitialize(from: old, count: Int(table.pointee.count))
                old.deallocate()
            }
            table.pointee.types = grown
        }
        (table.pointee.types! + Int(id)).initialize(to: fastType(id))
        table.pointee.count = id + 1
        if let record = governedRecord(id) { metatypeDependents[ObjectIdentifier(record), default: []].append(id) }
        if types[Int(id)] == CType.int64 { table.pointee.int64_type = id }  // boxed results (arith.c)
        if types[Int(id)] == CType.uint64 { table.pointee.uint64_type = id }
        let info = infos[Int(id)]
        if info.kind == .pointer, table.pointee.types![Int(info.target)].pointer < 0,
           types[Int(id)] == CType.pointer(to: types[Int(info.target)]) {
            table.pointee.types![Int(info.target)].pointer = id  // ffi.addressof's result type
        }
        if info.kind == .reference, table.pointee.types![Int(info.target)].reference < 0,
           types[Int(id)] == CType(.reference(types[Int(info.target)])) {
            table.pointee.types![Int(info.target)].reference = id  // aggregate reads (pushReference)
        }
    }

    /// The fast-path facts of type `id` (records get their field table later).
    private func fastType(_ id: Int32) -> lf_TypeFast {
        let info = infos[Int(id)]
        var fast = lf_TypeFast()
        fast.target = -1
        fast.count = -1
        fast.pointer = -1
        fast.reference = -1
        (fast.size, fast.alignment) = fastSize(info)
        fast.assignable = isFastAssignable(id) ? 1 : 0
        fast.metatype = governingMetatype(id) ?? 0
        fast.metatype_index = governingMetatype(id).flatMap { metatypeIndexRefs[$0] } ?? 0
        fast.metatype_new = governingMetatype(id).map(metatypesWithNew.contains) == true ? 1 : 0
        fast.gc = hasMetatypeGC(id) ? 1 : 0
        fast.metatable = ownMetatablePointer(id)
        switch info.kind {
        case .record: fast.shape = UInt8(LF_T_RECORD); fast.readonly = info.isConst ? 1 : 0
        case .reference: fast.shape = UInt8(LF_T_REFERENCE); fast.target = info.target
        case .pointer, .array:
            fast.shape = UInt8(info.kind == .pointer ? LF_T_POINTER : LF_T_ARRAY)
            fast.target = info.target
            fast.count = Int64(info.count ?? -1)
            let element = infos[Int(info.target)]
            fast.element = UInt8(element.kind == .pointer ? LF_K_POINTER : scalarCode(element.kind))
            fast.readonly = element.isConst ? 1 : 0
            fast.element_size = Int32(element.size ?? 0)
        default:
            fast.shape = UInt8(scalarCode(info.kind) == LF_K_NONE ? LF_T_OTHER : scalarCode(info.kind))
        }
        return fast
    }

    /// The size and alignment the fast paths use: -1 for variable-length and
    /// unknown sizes.
    private func fastSize(_ info: TypeInfo) -> (Int64, Int32) {
        (info.isVariable || info.kind == .function ? -1 : Int64(info.size ?? -1), Int32(info.alignment))
    }

    /// Whether C may store a whole value of type `id` by copying it: a complete
    /// struct, union or fixed-size array with no const part (checkAggregateWrite).
    private func isFastAssignable(_ id: Int32) -> Bool {
        let info = infos[Int(id)]
        guard info.kind == .record || info.kind == .array, !info.isVariable, info.size != nil else { return false }
        return !types[Int(id)].hasConstPart
    }

    /// Updates the size of type `id` once it is complete.
    func refreshFastSize(_ id: Int32) {
        guard id < fastTypes.pointee.count else { return }
        (fastTypes.pointee.types![Int(id)].size, fastTypes.pointee.types![Int(id)].alignment) = fastSize(infos[Int(id)])
        fastTypes.pointee.types![Int(id)].assignable = isFastAssignable(id) ? 1 : 0
    }

    /// Fills the field lookup of record `id` from its field table (on top of the
    /// stack). Only short names are entered: Lua interns them, so the key string
    /// an access passes is the very object the field table keeps alive.
    func fillFastFields(_ L: OpaquePointer, record id: Int32, names: [(String, FieldInfo)]) {
        let short = names.filter { $0.0.utf8.count <= 40 }
        guard !short.isEmpty, id < fastTypes.pointee.count else { return }
        var size = 4
        while size < short.count * 2 { size *= 2 }
        let slots = UnsafeMutablePointer<lf_FieldSlot>.allocate(capacity: size)
        slots.initialize(repeating: lf_FieldSlot(), count: size)
        let recordConst = infos[Int(id)].isConst
        for (name, field) in short {
            lua_pushstring(L, name)
            guard let key = lua_tolstring(L, -1, nil) else { lf_pop(L, 1); continue }
            lf_pop(L, 1)  // the field table keeps the interned string alive
            let type = infos[Int(field.typeID)]
            var index = Int((UInt(bitPattern: key) >> 4) & UInt(size - 1))
            while slots[index].key != nil { index = (index + 1) & (size - 1) }
            let kind = field.bitWidth > 0 ? LF_K_NONE : type.kind == .pointer ? LF_K_POINTER : scalarCode(type.kind)
            slots[index] = lf_FieldSlot(
                key: key, offset: Int32(field.offset), type: field.typeID, kind: UInt8(kind),
                readonly: recordConst || type.isConst ? 1 : 0, bitfield: field.bitWidth > 0 ? 1 : 0)
        }
        let entry = fastTypes.pointee.types! + Int(id)
        entry.pointee.fields?.deallocate()
        entry.pointee.fields = slots
        entry.pointee.mask = UInt32(size - 1)
        if case .record(let record) = types[Int(id)].kind {
            entry.pointee.members_known = short.count == names.count && !hasScopedConstants(record) ? 1 : 0
        }
    }

    /// Whether `record` or an anonymous member of it has record-scoped constants
    /// (they answer `x.K` before a metatype's `__index`).
    private func hasScopedConstants(_ record: CRecord) -> Bool {
        !record.constants.isEmpty || record.fields.contains { field in
            guard field.name == nil, case .record(let inner) = field.type.kind else { return false }
            return hasScopedConstants(inner)
        }
    }

    /// The registry reference of the metatype that governs cdata of type `id` (see
    /// `metatypeOwner`), without interning anything; nil when there is none.
    func governingMetatype(_ id: Int32) -> Int32? {
        guard !metatypes.isEmpty else { return nil }
        var id = id
        if infos[Int(id)].kind == .pointer || infos[Int(id)].kind == .reference { id = infos[Int(id)].target }
        let type = types[Int(id)]
        guard let key = type.qualifiers.isEmpty ? id : internedID(type.unqualified) else { return nil }
        return metatypes[key]
    }

    /// The record whose metatype would govern type `id`: its own, or a pointer's or
    /// reference's target's (any qualifiers); nil for other types.
    private func governedRecord(_ id: Int32) -> CRecord? {
        let info = infos[Int(id)]
        let owner = info.kind == .pointer || info.kind == .reference ? info.target : id
        guard case .record(let record) = types[Int(owner)].kind else { return nil }
        return record
    }

    /// Refreshes the metatype facts of the types `record`'s metatype governs, after
    /// `ffi.metatype` (only those: a state may hold thousands of types and metatypes).
    func refreshFastMetatypes(of record: CRecord) {
        for id in metatypeDependents[ObjectIdentifier(record)] ?? [] {
            fastTypes.pointee.types![Int(id)].metatype = governingMetatype(id) ?? 0
            fastTypes.pointee.types![Int(id)].metatype_index = governingMetatype(id).flatMap { metatypeIndexRefs[$0] } ?? 0
            fastTypes.pointee.types![Int(id)].metatype_new = governingMetatype(id).map(metatypesWithNew.contains) == true ? 1 : 0
            fastTypes.pointee.types![Int(id)].gc = hasMetatypeGC(id) ? 1 : 0
            fastTypes.pointee.types![Int(id)].metatable = ownMetatablePointer(id)
        }
    }

    /// Enters the type string at `index` (a short Lua string, interned) as naming
    /// type `id`, for the C fast paths; the anchor table keeps the string alive.
    /// `[-0, +0, m]`
    func rememberTypeString(_ L: OpaquePointer, _ index: Int32, _ id: Int32) {
        let index = lua_absindex(L, index)
        var length = 0
        guard lua_type(L, index) == LUA_TSTRING, let key = lua_tolstring(L, index, &length), length <= 40 else { return }
        let table = fastTypes
        if table.pointee.strings_count * 2 >= table.pointee.strings_mask {
            let capacity = max(64, Int(table.pointee.strings_mask + 1) * 2)
            let grown = UnsafeMutablePointer<lf_TypeString>.allocate(capacity: capacity)
            grown.initialize(repeating: lf_TypeString(), count: capacity)
            let old = table.pointee.strings
            let oldCapacity = old == nil ? 0 : Int(table.pointee.strings_mask) + 1
            table.pointee.strings = grown
            table.pointee.strings_mask = UInt32(capacity - 1)
            for i in 0..<oldCapacity where old![i].key != nil { insertTypeString(old![i].key, old![i].id) }
            old?.deallocate()
        }
        if !insertTypeString(key, id) { return }
        lua_rawgeti(L, lf_registryindex(), lua_Integer(typeStringsRef))
        lua_pushvalue(L, index)
        lua_pushboolean(L, 1)
        lua_rawset(L, -3)
        lf_pop(L, 1)
    }

    /// Forgets every type string parsed so far, in Swift's table and the C fast
    /// paths' (`ffi.cdef` with `override` can give a name a new type). The anchor
    /// table keeps its strings. `[-0, +0, -]`
    func forgetTypeStrings() {
        parsedTypes = [:]
        if let strings = fastTypes.pointee.strings {
            strings.update(repeating: lf_TypeString(), count: Int(fastTypes.pointee.strings_mask) + 1)
        }
        fastTypes.pointee.strings_count = 0
    }

    /// Adds `key` -> `id` to the C type-string table; false if it is there.
    @discardableResult
    private func insertTypeString(_ key: UnsafePointer<CChar>, _ id: Int32) -> Bool {
        let table = fastTypes.pointee
        var index = Int((UInt(bitPattern: key) >> 4) & UInt(table.strings_mask))
        while let present = table.strings[index].key {
            if present == key { return false }
            index = (index + 1) & Int(table.strings_mask)
        }
        table.strings[index] = lf_TypeString(key: key, id: id)
        fastTypes.pointee.strings_count += 1
        return true
    }

    /// Gives ffi.new's C fast path the positional fields of record `id`, when they
    /// are all plain scalars (no bitfields) of a struct aligned to at most 8.
    func describePositional(_ id: Int32, _ fields: [FieldInfo]) {
        let info = infos[Int(id)]
        guard id < fastTypes.pointee.count, let size = info.size, info.alignment <= 8, !info.isVariable,
              !fields.isEmpty,
              fields.allSatisfy({ $0.bitWidth == 0 && scalarCode(infos[Int($0.typeID)].kind) != LF_K_NONE })
        else { return }
        let slots = UnsafeMutablePointer<lf_FieldSlot>.allocate(capacity: fields.count)
        for (i, field) in fields.enumerated() {
            slots[i] = lf_FieldSlot(key: nil, offset: Int32(field.offset), type: field.typeID,
                                    kind: UInt8(scalarCode(infos[Int(field.typeID)].kind)), readonly: 0, bitfield: 0)
        }
        let entry = fastTypes.pointee.types! + Int(id)
        entry.pointee.positional?.deallocate()
        entry.pointee.positional = slots
        entry.pointee.npositional = Int32(fields.count)
        entry.pointee.size = Int64(size)
        if case .record(let record) = types[Int(id)].kind, !record.isUnion, fields.count == record.fields.count,
           record.fields.allSatisfy({ $0.name != nil }) {
            entry.pointee.table_init = 1  // a table's positional walk is then these fields
        }
    }

    /// Frees the fast-path tables.
    func releaseFastTypes() {
        guard let types = fastTypes.pointee.types else { return }
        for i in 0..<Int(fastTypes.pointee.count) {
            types[i].fields?.deallocate()
            types[i].positional?.deallocate()
            types[i].call.map { UnsafeMutablePointer(mutating: $0).deallocate() }
        }
        types.deallocate()
        fastTypes.pointee.types = nil
        fastTypes.pointee.strings?.deallocate()
        fastTypes.pointee.strings = nil
    }
}

/// The LF_K_* code of a scalar kind; LF_K_NONE for everything else.
func scalarCode(_ kind: ValueKind) -> Int {
    switch kind {
    case .int8: LF_K_I8
    case .uint8: LF_K_U8
    case .int16: LF_K_I16
    case .uint16: LF_K_U16
    case .int32: LF_K_I32
    case .uint32: LF_K_U32
    case .int64: LF_K_I64
    case .uint64: LF_K_U64
    case .bool: LF_K_BOOL
    case .float: LF_K_FLOAT
    case .double: LF_K_DOUBLE
    default: LF_K_NONE
    }
}
