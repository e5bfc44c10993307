// The per-Lua-state data of the ffi module: declarations and interned C types.
import CLua
import CLuaCore
import CFFIFast
import CTypes
import Glibc

/// Everything the ffi module keeps for one Lua state. Owned by a userdata (its
/// `__gc` releases it) that is upvalue 2 of every ffi function.
final class FFIState {
    /// The declarations `ffi.cdef` made.
    let declarations = CDeclarations()
    /// Interned types: a ctype object stores an index into this array.
    private(set) var types: [CType] = []
    private var typeIDs: [CType: Int32] = [:]
    /// Type strings already parsed (without `$` parameters or inline definitions).
    var parsedTypes: [String: Int32] = [:]
    /// Registry references: the ctype metatable, and the table id+1 -> ctype object.
    var ctypeMetatableRef: Int32 = LUA_NOREF
    var ctypeCacheRef: Int32 = LUA_NOREF
    var ctypeMetatable: UnsafeRawPointer?
    /// Registry reference: the table that keeps the type strings of the C fast
    /// paths' cache alive (`rememberTypeString`).
    var typeStringsRef: Int32 = LUA_NOREF
    /// Per record type, its fields in declaration order for positional initializers
    /// (unnamed bitfields left out).
    var positionalFieldInfos: [FieldInfo] = []

    /// Hot-path facts, parallel to `types`.
    var infos: [TypeInfo] = []
    /// Field lookup tables (registry references) by record type id, and their facts.
    var fieldTables: [Int32: Int32] = [:]
    var fieldInfos: [FieldInfo] = []
    /// Metatables of cdata (registry references and addresses): plain cdata carry no
    /// `__gc`; the gc variant is used once a finalizer is attached.
    var plainMetatableRef: Int32 = LUA_NOREF
    var gcMetatableRef: Int32 = LUA_NOREF
    /// The `ffi.gc` finalizers: a registry reference to a table with weak keys
    /// (cdata -> finalizer), its entry count and the count's peak since it was made.
    var finalizersRef: Int32 = LUA_NOREF
    var finalizerCount = 0
    var finalizerPeak = 0
    /// `ffi.metatype` tables (registry references) by record type id.
    var metatypes: [Int32: Int32] = [:]
    /// Record types whose metatype has `__gc`: their cdata get the gc metatable.
    var metatypesWithGC: Set<Int32> = []
    /// The `__index` values of metatypes (registry references) by the metatype's
    /// reference, for the C fast path of `cdata.method` (lf_TypeFast.metatype_index).
    var metatypeIndexRefs: [Int32: Int32] = [:]
    /// The metatypes (registry references) with `__new`, which the ctype's
    /// constructor calls (so its C fast path leaves them to Swift).
    var metatypesWithNew: Set<Int32> = []
    /// Record types with a metatype: their own metatable (registry reference,
    /// address, whether it has `__gc`), which their new cdata get (`createOwnMetatable`).
    var ownMetatables: [Int32: (ref: Int32, pointer: UnsafeRawPointer, gc: Bool)] = [:]
    /// The addresses of those metatables (recognizing cdata, `cdata(_:at:)`).
    var ownMetatablePointers: Set<UnsafeRawPointer> = []
    /// Library namespaces' metatable.
    var namespaceMetatableRef: Int32 = LUA_NOREF
    var namespaceMetatable: UnsafeRawPointer?
    /// Prepared calls by function type, and libffi's type descriptions.
    var callPlans: [Int32: CallPlan] = [:]
    /// What each function or constant cached in a namespace was declared as, for the
    /// warning of a `cdef` override that redeclares it (`warnCachedSymbols`).
    var cachedSymbols: [String: String] = [:]
    let libffiTypes = LibFFITypes()
    /// Callbacks by entry point, freed ones still bound (oldest first, at most
    /// `callbackQuarantine`), freed ones C called (bound until the state closes),
    /// and this call's temporaries.
    var liveCallbacks: [UInt: Callback] = [:]
    var freedCallbacks: [Callback] = []
    var calledAfterFreeCallbacks: [Callback] = []
    /// Callbacks made so far (each one's `binding`).
    var callbackBindings = 0
    var temporaryCallbacks: [Callback] = []
    /// The C call paths' shared state (lf_callback.h): the Lua thread making the
    /// current C call, the main thread, the owner thread and the foreign-callback
    /// protocol, errno after the last call, "callbacks alive", "a callback failed".
    let context = UnsafeMutablePointer<lf_CallContext>.allocate(capacity: 1)
    /// The Lua thread making the current C call (callbacks run on it).
    var callingState: OpaquePointer? {
        get { context.pointee.calling }
        set { context.pointee.calling = newValue }
    }
    var mainState: OpaquePointer? {
        get { context.pointee.main }
        set { context.pointee.main = newValue }
    }
    /// The message of a callback error, raised when the outer C call returns.
    var pendingCallbackError: String?
    /// `errno` right after the last C call (`ffi.errno`).
    var savedErrno: Int32 {
        get { context.pointee.saved_errno }
        set { context.pointee.saved_errno = newValue }
    }
    /// Nonzero once any type has a metatype (the C fast paths of metamethods step aside).
    let metatypesSlot = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    /// The two cdata metatables (plain, gc), as the C fast paths compare them.
    let metatableSlots = UnsafeMutablePointer<UnsafeRawPointer?>.allocate(capacity: 2)
    /// The C fast paths' view of the types (lf_cdata.h), and its capacity.
    let fastTypes = UnsafeMutablePointer<lf_FastTypes>.allocate(capacity: 1)
    var fastCapacity = 0
    /// Per record, the types its metatype would govern (`refreshFastMetatypes(of:)`).
    var metatypeDependents: [ObjectIdentifier: [Int32]] = [:]
    /// Ids of types the conversions produce, interned on first use (most scripts
    /// need few of them; setting up a state stays cheap).
    var int64Type: Int32 { interned(&conversionTypes.0, .int64) }
    var uint64Type: Int32 { interned(&conversionTypes.1, .uint64) }
    var voidPointerType: Int32 { interned(&conversionTypes.2, .pointer(to: .void)) }
    var floatType: Int32 { interned(&conversionTypes.3, .float) }
    var int32Type: Int32 { interned(&conversionTypes.4, .int32) }
    var constCharPointerType: Int32 { interned(&conversionTypes.5, .pointer(to: CType.char.adding(.const))) }
    var doubleType: Int32 { interned(&conversionTypes.6, .double) }
    private var conversionTypes: (Int32, Int32, Int32, Int32, Int32, Int32, Int32) =
        (-1, -1, -1, -1, -1, -1, -1)

    /// The id of `type` if it is interned (nothing is added).
    func internedID(_ type: CType) -> Int32? { typeIDs[type] }

    /// `id`, interning `type` first if it is unset. The access to `conversionTypes`
    /// spans `intern`, which runs no Lua (so no finalizer can re-enter meanwhile).
    @inline(__always)
    private func interned(_ id: inout Int32, _ type: @autoclosure () -> CType) -> Int32 {
        if id < 0 { id = intern(type()) }
        return id
    }
    /// Python cffi's objects, made on first use: the table of live handles (weak
    /// values, by address), the reserved region handle addresses come from and the
    /// next one (Handles.swift); `init_once` results; the buffer metatable
    /// (Buffers.swift).
    var handlesRef: Int32 = LUA_NOREF
    var handleRegion: UnsafeMutableRawPointer?
    var nextHandle = 0
    var initOnceRef: Int32 = LUA_NOREF
    var bufferMetatableRef: Int32 = LUA_NOREF
    var bufferMetatable: UnsafeRawPointer?
    /// Registry reference to the owner userdata (for closures made later).
    var ownerReference: Int32?

    init() {
        var fast = lf_FastTypes()
        fast.metatables = UnsafePointer(metatableSlots)
        fast.metatable_ref = LUA_NOREF
        fast.metatypes = UnsafePointer(metatypesSlot)
        fast.ctype_cache_ref = LUA_NOREF
        fast.int64_type = -1
        fast.uint64_type = -1
        fastTypes.initialize(to: fast)
        context.initialize(to: lf_CallContext(state: 0, live: 0, pending: 0, saved_errno: 0, calling: nil,
                                              main: nil, owner: lf_threadid(), info: nil))
        fastTypes.pointee.saved_errno = (UnsafeMutableRawPointer(context) + MemoryLayout<lf_CallContext>
            .offset(of: \lf_CallContext.saved_errno)!).assumingMemoryBound(to: Int32.self)
        metatypesSlot.initialize(to: 0)
        metatableSlots.initialize(repeating: nil, count: 2)
        // Room for the types a small script uses, without regrowing from empty.
        types.reserveCapacity(32)
        infos.reserveCapacity(32)
        typeIDs.reserveCapacity(32)
    }

    deinit {
        context.deallocate()
        metatypesSlot.deallocate()
        metatableSlots.deallocate()
        releaseFastTypes()
        fastTypes.deallocate()
        if let handleRegion { munmap(handleRegion, handleRegionSize) }
    }

    /// Whether cdata of type `id` need the gc metatable from birth.
    @inline(__always)
    func hasMetatypeGC(_ id: Int32) -> Bool {
        !metatypesWithGC.isEmpty && metatypesWithGC.contains(id)
    }

    /// The id of `type`, interning it on first use. The types it refers to are
    /// interned first (makeInfo), so ids are appended in order to every table.
    /// Structural types cannot contain themselves, so this terminates.
    func intern(_ type: CType) -> Int32 {
        if let id = typeIDs[type] { return id }
        let info = makeInfo(type)
        let id = Int32(types.count)
        types.append(type)
        typeIDs[type] = id
        infos.append(info)
        appendFastType(id)
        declarations.budget?.charge(Self.keptBytesPerType)
        return id
    }

    /// LuaJIT's `CTID_MAX`: once this many types are interned, a new type named by
    /// Lua code (`ffi.typeof`, `ffi.new`, `ffi.cast`... of a type string) is `table
    /// overflow`, as in LuaJIT. Types interned on the way (pointees, call plans,
    /// members) and `cdef` declarations are not refused, so a state can hold a few
    /// more: the bound is on what Lua code can make a host keep, not exact.
    static let maximumTypes = 65536

    /// Refuses a new type once `maximumTypes` are interned. Corresponds to LuaJIT's
    /// `lj_ctype_new` raising `LJ_ERR_TABOV`.
    func checkRoom(for type: CType) throws(FFIError) {
        if types.count >= Self.maximumTypes, typeIDs[type] == nil { throw FFIError("table overflow") }
    }

    /// What an interned type keeps outside Lua, about (its `CType`, `TypeInfo`, the
    /// id table's entry and its C fast-path entry): charged to the state's memory
    /// (`StateBudget`) for as long as the state lives, as types do. Measured: 100,000
    /// array types grew the process by 606 bytes each, 144 of them Lua's ctype objects.
    static let keptBytesPerType = 384

    /// The registry name of the metatable of the state-owning userdata.
    static let ownerMetatable: StaticString = "luaffi.state"

    /// Pushes a new userdata that owns a new FFIState. `[-0, +1, m]`
    static func pushNew(_ L: OpaquePointer) {
        let state = FFIState()
        if let info = lf_stateinfo(L) { state.declarations.budget = StateBudget(info) }
        let slot = lf_newuserdata(L, MemoryLayout<UnsafeMutableRawPointer>.size, 0)!
        slot.storeBytes(of: Unmanaged.passRetained(state).toOpaque(), as: UnsafeMutableRawPointer.self)
        if luaL_newmetatable(L, ownerMetatable.cString) != 0 {
            lf_pushswiftfunction(L, releaseFFIState, 0)
            lua_setfield(L, -2, "__gc")
        }
        lua_setmetatable(L, -2)
    }

    /// The FFIState in upvalue 2 of the running function (kept alive by that
    /// userdata).
    @inline(__always)
    static func fromUpvalue(_ L: OpaquePointer) -> Unmanaged<FFIState>? {
        guard let slot = lua_touserdata(L, lf_upvalueindex(2)),
              let raw = slot.load(as: UnsafeMutableRawPointer?.self) else { return nil }
        return Unmanaged<FFIState>.fromOpaque(raw)
    }
}

/// `__gc` of the owner userdata: releases the FFIState.
private func releaseFFIState(_ L: OpaquePointer?) -> Int32 {
    guard let L, let slot = lua_touserdata(L, 1) else { return 0 }
    if let raw = slot.load(as: UnsafeMutableRawPointer?.self) {
        slot.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
        Unmanaged<FFIState>.fromOpaque(raw).release()
    }
    return 0
}
