// Lua values held from Swift through registry references, released when dropped.
import CLua
import CLuaCore
import CLuaEmbedding
import Synchronization

/// What references share with their state: its handle (nil once closed), its
/// Swift owner, and the registry slots of dropped references.
///
/// A reference's `deinit` may run on any thread at any time, when the state may be
/// running Lua code: it only queues its slot here. The state releases queued slots
/// (`luaL_unref`) at the start of its next operation, on the thread that owns it.
/// `handle` and `owner` are read and written on the owner's thread only.
/// A pending foreign mark (lf_StateInfo's `foreign` and `foreign_thread`), saved
/// around an operation that pushes and checks its own values.
@usableFromInline
struct ForeignMark {
    @usableFromInline var index: Int32
    @usableFromInline var thread: UnsafeMutableRawPointer?

    @inlinable init(index: Int32, thread: UnsafeMutableRawPointer?) {
        self.index = index
        self.thread = thread
    }
}

@usableFromInline
final class LuaStateCore: @unchecked Sendable {
    /// The `lua_State *` while the state is open.
    @usableFromInline var handle: OpaquePointer?
    /// The state (unretained: valid while `handle` is not nil).
    @usableFromInline var owner: Unmanaged<LuaState>?
    /// The instruction and time budget (nil: no limits, no hook).
    @usableFromInline var limits: UnsafeMutablePointer<lf_Limits>?
    /// How many calls from Swift into Lua are running (a budget starts at depth 0).
    @usableFromInline var callDepth = 0
    /// `close()` was called while Lua ran: the next operation at depth 0 closes
    /// (counted in `count`, so that only `drain`, the slow path, looks).
    @usableFromInline var closeRequested = false
    /// The state's `lf_StateInfo`, to recognise its threads (`lf_owninfo`); its
    /// `foreign` flag says that a reference of another state was pushed here.
    @usableFromInline var info: UnsafeMutablePointer<lf_StateInfo>?
    private let slots = Mutex<[Int32]>([])
    private let count = Atomic<Int>(0)

    init() {}

    /// The open state, or nil.
    @inlinable var state: LuaState? { handle == nil ? nil : owner?.takeUnretainedValue() }

    /// The open handle, or a `.state` error after `close()`. Releases the registry
    /// slots of references dropped since the last operation.
    @inlinable
    func checkedHandle() throws -> OpaquePointer {
        guard let handle else { throw LuaState.closedError() }
        if hasPending { try drain(handle) }
        return handle
    }

    /// Runs `body` as a call from Swift into Lua: the outermost one starts a new
    /// instruction and time budget (see `LuaSandbox`).
    @inlinable
    func withBudget<T>(_ body: () throws -> T) rethrows -> T {
        if callDepth == 0, let limits { lf_resetlimits(limits) }
        callDepth += 1
        defer { callDepth -= 1 }
        return try body()
    }

    /// Defers a `close()` called while Lua runs (see `LuaState.close`).
    func requestClose() {
        guard !closeRequested else { return }
        closeRequested = true
        count.add(1, ordering: .relaxed)
    }

    /// Turns a status of the C API into a thrown error, popping the error value.
    /// `[-(0|1), +0, -]`
    @inlinable
    func check(_ status: Int32) throws {
        if status != LUA_OK, let owner { try owner.takeUnretainedValue().failed(status) }
    }

    /// Calls the function below the `arguments` on top of `L`, above the message
    /// handler (`lf_pushapimsghandler`), and returns its first result as `R`; pops
    /// them all. The handler's index is relative to the top, so callers need no
    /// `lua_gettop`. `[-(arguments + 2), +0, e]` as a thrown error
    @inlinable
    func finishCall<R: LuaConvertible>(
        _ L: OpaquePointer, arguments: Int32, as type: R.Type, name: String
    ) throws -> R {
        do { try checkForeignPush(on: L) } catch { lua_settop(L, -(arguments + 3)); throw error }
        let status = withBudget { lf_pcallown(L, arguments, 1, -(arguments + 2)) }
        guard status == LUA_OK else {
            lf_remove(L, -2)  // the handler, under the error value
            try check(status)  // pops the error value and throws
            throw LuaError(message: "call failed")
        }
        defer { lf_pop(L, 2) }  // the result and the handler
        return try LuaConversion.check(R.self, L, -1, what: "result #1 from '\(name)'")
    }

    /// Throws if the nil that stands for a reference of another state (see
    /// `LuaReference.push(to:)`) is still on the stack of `L`, and clears the mark.
    /// The mark is that nil's stack index: one popped since is forgotten.
    @inlinable
    func checkForeignPush(on L: OpaquePointer) throws {
        guard let info, info.pointee.foreign != 0 else { return }
        let onStack = info.pointee.foreign_thread == UnsafeMutableRawPointer(L) && info.pointee.foreign <= lua_gettop(L)
        info.pointee.foreign = 0
        if onStack { throw LuaError(.state, message: LF_FOREIGN_MESSAGE) }
    }

    /// Saves and clears the foreign mark for an operation that pushes and checks its
    /// own values; `restoreForeignMark` puts it back when the operation ends. A mark
    /// pending for a later `call` (a value of another state pushed by the host) thus
    /// survives nested operations, and one left by a value pushed and popped inside an
    /// operation does not outlive it. A mark on a coroutine's stack is kept as it is:
    /// only the operation that consumes it, on that stack (the closure trampoline),
    /// can tell whether it was popped.
    @inlinable
    func saveForeignMark() -> ForeignMark {
        guard let info else { return ForeignMark(index: 0, thread: nil) }
        defer { info.pointee.foreign = 0 }
        let mark = ForeignMark(index: info.pointee.foreign, thread: info.pointee.foreign_thread)
        guard let handle, mark.thread == UnsafeMutableRawPointer(handle), mark.index > lua_gettop(handle) else {
            return mark
        }
        return ForeignMark(index: 0, thread: nil)  // popped from the main stack: forgotten
    }

    /// Puts back the mark `saveForeignMark` returned.
    @inlinable
    func restoreForeignMark(_ saved: ForeignMark) {
        info?.pointee.foreign = saved.index
        info?.pointee.foreign_thread = saved.thread
    }

    /// Queues a slot; safe from any thread.
    func add(_ slot: Int32) {
        slots.withLock { $0.append(slot) }
        count.add(1, ordering: .releasing)
    }

    /// Whether slots are waiting (a cheap test for every operation).
    @usableFromInline var hasPending: Bool { count.load(ordering: .relaxed) != 0 }

    /// Releases the queued slots. Owner thread only. `[-0, +0, -]` (luaL_unref does
    /// raw accesses to existing registry slots: it cannot raise.)
    /// Throws a `.state` error after carrying out a deferred `close()` (at depth 0).
    @usableFromInline func drain(_ L: OpaquePointer) throws {
        if closeRequested, callDepth == 0 {
            closeRequested = false
            count.subtract(1, ordering: .relaxed)
            owner?.takeUnretainedValue().close()
            throw LuaState.closedError()
        }
        let taken = slots.withLock { slots -> [Int32] in
            defer { slots.removeAll(keepingCapacity: true) }
            return slots
        }
        count.subtract(taken.count, ordering: .relaxed)
        for slot in taken { luaL_unref(L, lf_registryindex(), slot) }
    }
}

/// A Lua value (table, function, userdata, coroutine...) held by Swift.
///
/// The value stays alive in Lua as long as the reference exists (it sits in a
/// registry slot, as `luaL_ref`). Dropping the reference, on any thread, queues the
/// slot; the state frees it on its next operation. A reference does not keep the
/// state open: after the state is closed, operations throw a `.state` error.
/// Use it on the state's thread only, as the state itself.
public class LuaReference: CustomStringConvertible {
    /// The state the value lives in (nil once it is closed).
    public var state: LuaState? { core.state }
    /// The registry slot.
    @usableFromInline let slot: Int32
    /// The state's handle and release queue.
    @usableFromInline let core: LuaStateCore

    /// Pops the value on top of `L` into a new registry slot. `[-1, +0, m]`
    required init(popping L: OpaquePointer, state: LuaState) {
        self.core = state.core
        self.slot = luaL_ref(L, lf_registryindex())
    }

    deinit { core.add(slot) }

    /// The state and its handle, or a `.state` error after it was closed.
    @inlinable
    func checked() throws -> (LuaState, OpaquePointer) {
        guard let state = core.state else { throw LuaState.closedError() }
        return (state, try state.checkedHandle())
    }

    /// Pushes the referenced value. Corresponds to `lua_rawgeti` on the registry.
    /// `[-0, +1, -]`
    public func push() throws {
        let (_, L) = try checked()
        lua_rawgeti(L, lf_registryindex(), lua_Integer(slot))
    }

    /// Pushes the value on `L` (the state or one of its coroutines). `[-0, +1, -]`
    /// On a thread of another state, or once this reference's state is closed, it
    /// pushes nil instead (the slot means nothing there) and the operation that
    /// pushed it (a typed call, `LuaTable.get`/`set`, a typed Swift function's
    /// result) throws.
    @inlinable
    public func push(to L: OpaquePointer) {
        guard lf_owninfo(L) == core.info, core.handle != nil else { return pushForeign(L) }
        lua_rawgeti(L, lf_registryindex(), lua_Integer(slot))
    }

    /// The foreign case of `push(to:)`: nil, and the mark of `L`'s state: the stack
    /// index of the lowest such nil still on the stack. `[-0, +1, -]`
    @usableFromInline
    func pushForeign(_ L: OpaquePointer) {
        lua_pushnil(L)
        guard let info = lf_stateinfo(L) else { return }
        let top = lua_gettop(L), mark = info.pointee.foreign
        if mark == 0 || mark >= top || info.pointee.foreign_thread != UnsafeMutableRawPointer(L) {
            info.pointee.foreign = top
            info.pointee.foreign_thread = UnsafeMutableRawPointer(L)
        }
    }

    /// The Lua type name of the referenced value (`"table"`, `"function"`...).
    public var typeName: String {
        guard let (_, L) = try? checked() else { return "no value" }
        push(to: L)
        defer { lf_pop(L, 1) }
        return String(cString: lf_typename(L, -1))
    }

    /// The value as `tostring` shows it (`table: 0x...`), without metamethods.
    public var description: String {
        guard let (_, L) = try? checked() else { return "(closed)" }
        push(to: L)
        defer { lf_pop(L, 1) }
        let address = lua_topointer(L, -1).map { String(describing: $0) } ?? "nil"
        return "\(String(cString: lf_typename(L, -1))): \(address)"
    }

    /// Whether two references name the same Lua object (`rawequal`).
    public func isSame(as other: LuaReference) -> Bool {
        // A reference of another state names none of this one's objects (and pushing
        // it would mark this state's stack as holding a foreign value).
        guard other.core === core, let (_, L) = try? checked() else { return false }
        push(to: L)
        other.push(to: L)
        defer { lf_pop(L, 2) }
        return lua_rawequal(L, -1, -2) != 0
    }
}

/// A Lua table held by Swift.
public final class LuaTable: LuaReference {
    /// `t[key]`, with metamethods (`__index`) run protected. `[-0, +0, e]` as a thrown error
    public func get<K: LuaConvertible, V: LuaConvertible>(_ key: K, as type: V.Type = V.self) throws -> V {
        let (state, L) = try checked()
        let mark = state.core.saveForeignMark(); defer { state.core.restoreForeignMark(mark) }
        push(to: L)
        key.push(to: L)
        do { try state.core.checkForeignPush(on: L) } catch { lf_pop(L, 2); throw error }
        do { try state.withBudget { try state.check(lf_pgettable(L, -2)) } } catch { lf_pop(L, 1); throw error }
        defer { lf_pop(L, 2) }
        return try LuaConversion.check(V.self, L, -1, what: "value")
    }

    /// `t[key] = value`, with metamethods (`__newindex`) run protected.
    public func set<K: LuaConvertible, V: LuaConvertible>(_ key: K, _ value: V) throws {
        let (state, L) = try checked()
        let mark = state.core.saveForeignMark(); defer { state.core.restoreForeignMark(mark) }
        push(to: L)
        key.push(to: L)
        value.push(to: L)
        do { try state.core.checkForeignPush(on: L) } catch { lf_pop(L, 3); throw error }
        defer { lf_pop(L, 1) }
        try state.withBudget { try state.check(lf_psettable(L, -3)) }
    }

    /// `t[key]` as a `LuaValue`, without metamethods (`rawget`).
    public subscript(raw key: LuaValue) -> LuaValue {
        get {
            guard let (_, L) = try? checked() else { return .nil }
            push(to: L)
            LuaState.push(key, to: L)
            lua_rawget(L, -2)
            defer { lf_pop(L, 2) }
            return LuaState.value(at: -1, in: L)
        }
        set {
            guard let (_, L) = try? checked() else { return }
            push(to: L)
            LuaState.push(key, to: L)
            guard LuaState.isTableKey(at: -1, in: L) else { return lf_pop(L, 2) }  // nil, NaN
            LuaState.push(newValue, to: L)
            lua_rawset(L, -3)
            lf_pop(L, 1)
        }
    }

    /// The border of the sequence part (`#t` without `__len`: `rawlen`).
    public var count: Int {
        guard let (_, L) = try? checked() else { return 0 }
        push(to: L)
        defer { lf_pop(L, 1) }
        return Int(lua_rawlen(L, -1))
    }

    /// The table converted to a Swift value (an array, a dictionary...).
    public func decode<T: LuaConvertible>(as type: T.Type = T.self) throws -> T {
        let (_, L) = try checked()
        push(to: L)
        defer { lf_pop(L, 1) }
        return try LuaConversion.check(T.self, L, -1, what: "table")
    }

    /// Every key and value, as `pairs` without `__pairs` (`lua_next`). The pairs
    /// are read first, then `body` runs for each: it may change the table.
    public func forEach(_ body: (LuaValue, LuaValue) throws -> Void) throws {
        for (key, value) in try pairs() { try body(key, value) }
    }

    /// Every key and value (raw, in `next` order), as plain values.
    public func pairs() throws -> [(key: LuaValue, value: LuaValue)] {
        let (_, L) = try checked()
        guard lua_checkstack(L, 3) != 0 else { throw LuaError(.memory, message: "stack overflow") }
        push(to: L)
        let table = lua_gettop(L)
        defer { lua_settop(L, table - 1) }
        var pairs: [(key: LuaValue, value: LuaValue)] = []
        lua_pushnil(L)
        while lua_next(L, table) != 0 {  // nothing runs between two calls: cannot raise
            pairs.append((LuaState.value(at: -2, in: L), LuaState.value(at: -1, in: L)))
            lf_pop(L, 1)
        }
        return pairs
    }
}

/// A Lua function held by Swift.
public final class LuaFunction: LuaReference {
    /// Calls the function with `arguments`; returns all results. Errors are thrown
    /// as by `LuaState.call`.
    @discardableResult
    public func call(_ arguments: LuaValue...) throws -> [LuaValue] {
        let (state, L) = try checked()
        let mark = state.core.saveForeignMark(); defer { state.core.restoreForeignMark(mark) }
        let base = lua_gettop(L)
        push(to: L)
        for argument in arguments { LuaState.push(argument, to: L) }
        try state.call(arguments: Int32(arguments.count))
        return state.popResults(above: base)
    }

    /// Calls the function with typed arguments and converts its first result.
    /// A result of the wrong type throws `bad result #1 ...`.
    @inlinable
    public func call<each A: LuaConvertible, R: LuaConvertible>(
        _ arguments: repeat each A, as type: R.Type
    ) throws -> R {
        let (state, L) = try checked()
        let mark = state.core.saveForeignMark(); defer { state.core.restoreForeignMark(mark) }
        push(to: L)
        return try state.callTyped(L, repeat each arguments, as: R.self, name: "?")
    }
}

/// A full userdata held by Swift (for instance an object of a `LuaClass`).
public final class LuaUserdata: LuaReference {
    /// The Swift object inside, if the userdata is an object of a registered class
    /// of type `T`.
    public func object<T: AnyObject>(as type: T.Type = T.self) -> T? {
        guard let (state, L) = try? checked() else { return nil }
        push(to: L)
        defer { lf_pop(L, 1) }
        return state.object(at: -1, in: L, as: T.self)
    }
}
