// The Swift owner of one Lua state: creation, libraries, closing.
import CLua
import CLuaCore
import Synchronization

/// One Lua 5.4 state, owned by Swift.
///
/// A state is used by one thread at a time; it is not `Sendable` (create it on the
/// thread that uses it, or hand it over whole). Independent states run concurrently
/// on different threads: states share nothing mutable but the mutex-guarded pool of
/// static callback entry points (`docs/architecture.md`). Every operation
/// that can raise a Lua error runs protected and throws a `LuaError` instead: no Lua
/// error ever unwinds through a Swift frame (see `docs/architecture.md`).
public final class LuaState {
    /// The underlying `lua_State *`, for calls into the C API. Valid until `close()`.
    public var handle: OpaquePointer? { core.handle }
    /// The handle and the release queue, shared with references (which must not
    /// keep the state alive).
    @usableFromInline let core = LuaStateCore()
    /// Allocator bookkeeping; lives as long as the state.
    let info: UnsafeMutablePointer<lf_StateInfo>
    /// The last error a Swift function raised, kept so that the same Swift error
    /// is thrown again if it reaches Swift unchanged.
    var pendingSwiftError: (message: String, error: any Error)?
    /// The instruction and time budget (nil: no limits, no hook).
    var limits: UnsafeMutablePointer<lf_Limits>? {
        get { core.limits }
        set { core.limits = newValue }
    }
    /// The interrupter handed out by `interrupter()` (its flag is in `limits`).
    var interrupterObject: LuaInterrupter?
    /// The userdata classes registered in this state, by Swift type.
    var classes: [ObjectIdentifier: LuaClassInfo] = [:]

    /// Creates a state and opens `libraries`. Corresponds to `luaL_newstate` and
    /// `luaL_openlibs`; memory is limited to `memoryLimit` bytes when it is not nil.
    public init(libraries: LuaLibraries = .all, memoryLimit: Int? = nil) throws {
        info = .allocate(capacity: 1)
        info.initialize(to: lf_StateInfo())
        info.pointee.limit = memoryLimit.map { size_t(max($0, 1)) } ?? 0
        guard let L = lf_newstate(info) else {
            info.deallocate()
            throw LuaError(.state, message: "cannot create state: not enough memory")
        }
        core.handle = L
        core.owner = Unmanaged.passUnretained(self)
        core.info = info
        info.pointee.owner = UnsafeMutableRawPointer(Unmanaged.passUnretained(self).toOpaque())
        try open(libraries)
        if memoryLimit != nil, libraries.contains(.base) { try check(lf_plimitfinalizers(L)) }
    }

    deinit {
        close()
        info.deallocate()
        limits?.deallocate()
        limits = nil
    }

    /// Closes the state: runs pending finalizers and frees all its memory.
    /// Corresponds to `lua_close`. Later operations throw; closing twice is harmless.
    /// Finalizers of a limited state run under a fresh budget (see `LuaSandbox`).
    /// Called while Lua code of this state runs (from a Swift function it called),
    /// the close is deferred: the running calls finish, and the next operation
    /// after the outermost one returned closes the state and throws (as does the
    /// state's release).
    public func close() {
        guard let L = handle else { return }
        if core.callDepth > 0 { return core.requestClose() }
        core.handle = nil
        if let limits { lf_resetlimits(limits) }
        lf_close(L, info)
    }

    /// Opens standard libraries (as `luaL_requiref` with a global), in
    /// `luaL_openlibs` order. `[-0, +0, -]`
    public func open(_ libraries: LuaLibraries) throws {
        let L = try checkedHandle()
        // Libraries are all reachable: no collection steps while opening them (as
        // lua.c does around luaL_openlibs).
        let collecting = lf_gc(L, LUA_GCISRUNNING, 0, 0) != 0
        if collecting { _ = lf_gc(L, LUA_GCSTOP, 0, 0) }
        defer { if collecting { _ = lf_gc(L, LUA_GCRESTART, 0, 0) } }
        for (library, name, opener) in LuaLibraries.openers where libraries.contains(library) {
            try check(lf_prequiref(L, name, opener, 1))
        }
    }

    /// Bytes currently allocated by the state.
    public var memoryInUse: Int { Int(info.pointee.used) }
    /// The most bytes the state has had allocated at once.
    public var peakMemory: Int { Int(info.pointee.peak) }
    /// The memory limit in bytes (nil: none). Lua code that allocates past it gets
    /// a "not enough memory" error; the host is unaffected.
    public var memoryLimit: Int? {
        get { info.pointee.limit == 0 ? nil : Int(info.pointee.limit) }
        set {
            info.pointee.limit = newValue.map { size_t(max($0, 1)) } ?? 0
            // Finalizers set up from now on run under the limit, as with a limit given
            // to `init` (a failure, out of memory, leaves `setmetatable` as it was).
            if newValue != nil, let L = core.handle, lf_plimitfinalizers(L) != LUA_OK { lua_settop(L, -2) }
        }
    }

    /// Runs a full garbage collection (`collectgarbage()`), finalizers included,
    /// under the state's limits. After a host push took the state past its memory
    /// limit, dropping the data and collecting brings it back under.
    public func collectGarbage() throws {
        let L = try checkedHandle()
        try withBudget { try check(lf_pcollect(L)) }
    }

    /// The Swift owner of a state made by `LuaState`, or nil for a foreign state.
    static func owner(of L: OpaquePointer) -> LuaState? {
        guard let raw = lf_stateinfo(L)?.pointee.owner else { return nil }
        return Unmanaged<LuaState>.fromOpaque(raw).takeUnretainedValue()
    }

    /// The open handle, or a `.state` error after `close()`. Releases the registry
    /// slots of references dropped since the last operation.
    @inlinable
    func checkedHandle() throws -> OpaquePointer {
        guard let handle = core.handle else { throw LuaState.closedError() }
        if core.hasPending { try core.drain(handle) }
        return handle
    }

    /// The error of an operation on a closed state.
    @usableFromInline
    static func closedError() -> LuaError { LuaError(.state, message: "the Lua state is closed") }

    /// Turns a status of the C API into a thrown error, popping the error value.
    /// `[-(0|1), +0, -]`
    @inlinable
    func check(_ status: Int32) throws {
        if status != LUA_OK { try failed(status) }
    }

    /// Throws the error of a failed operation (see `check`). `[-1, +0, -]`
    @usableFromInline
    func failed(_ status: Int32) throws {
        guard let L = handle else { return }
        throw popError(L, status: status)
    }
}
