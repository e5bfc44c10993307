// Callbacks: Lua functions as C function pointers (static C entry points for
// register signatures, libffi closures for the rest). Always called in protected
// mode: an error never unwinds through C frames; C gets a defined value and the
// error is raised in Lua when the outer C call returns. A callback arriving on
// another thread runs only while the owner thread is inside a C call (serialized
// with it); otherwise it fails with a message and a defined value.
import CLibFFI
import CLua
import CLuaCore
import CFFIFast
import CTypes
import Glibc

/// One Lua function bound to a C entry point: one of the C trampolines
/// (lf_callback.h) when the signature travels in registers and one is free,
/// else a libffi closure.
final class Callback {
    unowned let ffi: FFIState
    let plan: CallPlan
    /// What the C entry reads: the function, the argument classes, the error value.
    let block: UnsafeMutablePointer<lf_CCallback>
    /// The libffi closure (nil with a trampoline): never freed, unbound in deinit.
    private let closure: UnsafeMutablePointer<lf_Closure>?
    /// The C entry point.
    let code: UnsafeMutableRawPointer
    /// Registry reference to the Lua function (LUA_NOREF once freed).
    var function: Int32 {
        get { block.pointee.function }
        set { block.pointee.function = newValue }
    }
    /// Set when C called it after it was freed: C keeps its entry point, which then
    /// never serves another callback.
    var calledAfterFree = false
    /// Binds the Lua function at `index` in place of the current one (`cb:set`,
    /// `ffi.def_extern` of a bound extern). `[-0, +0, m]`
    func rebind(_ L: OpaquePointer, to index: Int32) {
        luaL_unref(L, lf_registryindex(), function)
        lua_pushvalue(L, index)
        lf_callbackbind(block, L)
    }

    /// Which binding of the entry point this is (the state's count of callbacks made
    /// when it was bound): the pointer cdata of `ffi.cast` carry it.
    var binding = 0
    /// The state's budget, charged for this callback while it exists.
    private let budget: StateBudget?
    /// The value C receives when the Lua function fails (zero unless declared).
    var errorValue: [UInt8] {
        didSet { errorValue.withUnsafeBytes { block.pointee.error_bits = $0.loadUnaligned(as: UInt64.self) } }
    }

    init(ffi: FFIState, plan: CallPlan) throws(FFIError) {
        let budget = ffi.declarations.budget as? StateBudget
        guard budget?.reserve(Self.keptBytes) ?? true else { throw FFIError("not enough memory") }
        self.budget = budget
        self.ffi = ffi
        self.plan = plan
        block = .allocate(capacity: 1)
        block.initialize(to: lf_CCallback())
        errorValue = [UInt8](repeating: 0, count: max(ffi.info(plan.resultType).size ?? 8, 8))
        block.pointee.ctx = ffi.context
        block.pointee.function = LUA_NOREF
        block.pointee.general = callbackGeneral
        block.pointee.fail = callbackFailed
        block.pointee.store = callbackStore
        if plan.isDirect, Self.describe(plan, in: ffi, into: block), let entry = lf_claimtrampoline(block) {
            code = entry
            closure = nil
        } else {
            let fn = CFunctionType(result: ffi.types[Int(plan.resultType)], parameters: [], isVariadic: false)
            let prepared: (UnsafeMutablePointer<ffi_cif>, UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>)
            do {
                prepared = try CallPlan.prepare(result: plan.resultType, parameters: plan.parameters.map(\.typeID),
                                                fixed: -1, in: ffi, name: fn)
            } catch {
                block.deallocate()
                budget?.refund(Self.keptBytes)
                throw error
            }
            // The closure copies the signature: ours is needed no longer.
            let claimed = lf_closure_claim(prepared.0, block, callbackEntry)
            prepared.0.deallocate()
            prepared.1.deallocate()
            guard let claimed, let entry = claimed.pointee.code else {
                block.deallocate()
                budget?.refund(Self.keptBytes)
                throw FFIError("cannot allocate a callback")
            }
            closure = claimed
            code = entry
        }
        block.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    /// Unbinds the entry point (C may still call it: it then returns zero and
    /// reports) and returns it to its pool.
    deinit {
        let poison: Int32 = calledAfterFree ? 1 : 0
        if let closure { lf_closure_release(closure, poison) } else { lf_releasetrampoline(code, poison) }
        block.deallocate()
        budget?.refund(Self.keptBytes)
    }

    /// Fills in the argument classes of a register-only signature for the C entry.
    private static func describe(_ plan: CallPlan, in ffi: FFIState, into block: UnsafeMutablePointer<lf_CCallback>) -> Bool {
        guard plan.parameters.count <= Int(LF_MAX_REGISTERS) else { return false }
        block.pointee.nparams = Int32(plan.parameters.count)
        block.pointee.result = Int32(FFIState.directCode(plan.resultKind))
        block.pointee.metatable_ref = ffi.plainMetatableRef
        withUnsafeMutableBytes(of: &block.pointee.kinds) { kinds in
            withUnsafeMutableBytes(of: &block.pointee.slots) { plan.describeRegisters(kinds: kinds, slots: $0) }
        }
        withUnsafeMutableBytes(of: &block.pointee.types) { types in
            for (i, parameter) in plan.parameters.enumerated() {
                types.storeBytes(of: parameter.typeID, toByteOffset: i * 4, as: Int32.self)
            }
        }
        return true
    }
}

extension FFIState {
    /// How many freed callbacks keep their entry points bound (a late call from C
    /// is reported as an error). The oldest then serves a new callback of its type,
    /// or, when the next one is of another type, goes back to its pool unbound.
    static let callbackQuarantine = 64

    /// Binds the Lua function at `index` to a new callback of function pointer type
    /// `id` and returns it: a new entry point, or the one of the callback freed
    /// longest ago once `callbackQuarantine` newer ones were freed (never one that C
    /// called after its free). Recycling in the state keeps its churn of temporary
    /// callbacks cheap and away from the process-wide pools. `[-0, +0, m]`
    func makeCallback(_ L: OpaquePointer, _ index: Int32, type id: Int32) throws(FFIError) -> Callback {
        let plan = try callPlan(id)
        guard !plan.isVariadic else { throw FFIError("cannot create a callback of variadic type '\(types[Int(id)].cName)'") }
        let callback: Callback
        if freedCallbacks.count >= Self.callbackQuarantine, let oldest = freedCallbacks.first,
           oldest.plan.typeID == id, !oldest.calledAfterFree {
            callback = freedCallbacks.removeFirst()
            callback.errorValue = callback.errorValue.map { _ in 0 }
        } else {
            callback = try Callback(ffi: self, plan: plan)
        }
        lua_pushvalue(L, index)
        lf_callbackbind(callback.block, L)
        callbackBindings += 1
        callback.binding = callbackBindings
        liveCallbacks[UInt(bitPattern: callback.code)] = callback
        context.pointee.live = 1
        return callback
    }

    /// Frees a callback: later calls from C get the error value and an error (once
    /// its entry point is unbound: zero and a message on stderr).
    func free(_ L: OpaquePointer, _ callback: Callback) {
        guard callback.function != LUA_NOREF else { return }
        luaL_unref(L, lf_registryindex(), callback.function)
        callback.function = LUA_NOREF
        liveCallbacks[UInt(bitPattern: callback.code)] = nil
        // Inside a callback (state above 0: we run on the top level, nobody else
        // writes it) C calls must go on publishing their level, or a freed
        // callback's entry reached from C would wait for this very thread.
        context.pointee.live = liveCallbacks.isEmpty && lf_callbackstate(context) == 0 ? 0 : 1
        freedCallbacks.append(callback)
        guard freedCallbacks.count > Self.callbackQuarantine else { return }
        // The oldest leaves the quarantine: unbound in deinit, unless C called it
        // after it was freed (then it stays bound and reporting while the state lives).
        let oldest = freedCallbacks.removeFirst()
        if oldest.calledAfterFree { calledAfterFreeCallbacks.append(oldest) }
    }

    /// The callback whose entry point is `address`, if any.
    func callback(at address: UnsafeRawPointer?) -> Callback? {
        liveCallbacks[UInt(bitPattern: address)]
    }

    /// A Lua function as a C function pointer for one call: our own C-function
    /// callables give their address; other functions get a temporary callback,
    /// freed when the call returns.
    func functionPointer(_ L: OpaquePointer, _ index: Int32, to id: Int32) throws(FFIError) -> UnsafeMutableRawPointer? {
        if let address = cFunctionAddress(L, index) { return address }
        guard info(info(id).target).kind == .function else { throw conversionError(L, index, to: id) }
        let callback = try makeCallback(L, index, type: id)
        temporaryCallbacks.append(callback)
        return callback.code
    }

    /// The address behind a callable made by `pushFunction`, or nil.
    func cFunctionAddress(_ L: OpaquePointer, _ index: Int32) -> UnsafeMutableRawPointer? {
        lf_tocallable(L, index)?.pointee.function
    }

    /// Frees the temporary callbacks made since `mark` (by the call that returned).
    func freeTemporaryCallbacks(_ L: OpaquePointer, downTo mark: Int) {
        while temporaryCallbacks.count > mark { free(L, temporaryCallbacks.removeLast()) }
    }

    /// Runs a callback on the calling thread, or on behalf of a foreign thread
    /// while the owner waits inside a C call (lf_callback.h).
    func invoke(_ callback: Callback, result: UnsafeMutableRawPointer, arguments: UnsafeMutablePointer<UnsafeMutableRawPointer?>) {
        let took = lf_callbackenter(context) != 0
        if !took && lf_threadid() != context.pointee.owner {
            writeDefault(callback, to: result)
            lf_writeerr("luaffi: a callback arrived on another thread while the Lua state was busy; it returned 0\n")
            return
        }
        run(callback, result: result, arguments: arguments)
        if took { lf_callbackleave(context) }
    }

    /// Calls the Lua function in protected mode and converts its result.
    private func run(_ callback: Callback, result: UnsafeMutableRawPointer, arguments: UnsafeMutablePointer<UnsafeMutableRawPointer?>) {
        // A freed callback touches no Lua thread (the last calling one may be gone).
        guard callback.function != LUA_NOREF else {
            callback.calledAfterFree = true
            writeDefault(callback, to: result)
            return recordCallbackError("attempt to call a freed callback of type '\(types[Int(callback.plan.typeID)].cName)'")
        }
        guard let L = callingState ?? mainState else { return writeDefault(callback, to: result) }
        let top = lua_gettop(L)
        // Disarmed: a memory error while pushing arguments must not unwind through
        // these frames (lf_pcall arms the allocator for the Lua function).
        let info = context.pointee.info
        let armed = info?.pointee.armed ?? 0
        info?.pointee.armed = 0
        defer {
            lua_settop(L, top)
            info?.pointee.armed = armed
        }
        let count = callback.plan.parameters.count
        guard lua_checkstack(L, Int32(count) + 4) != 0 else { return writeDefault(callback, to: result) }
        lua_rawgeti(L, lf_registryindex(), lua_Integer(callback.function))
        do {
            for i in 0..<count {
                let parameter = callback.plan.parameters[i]
                try pushArgument(L, parameter.typeID, from: arguments[i]!)
            }
        } catch {
            writeDefault(callback, to: result)
            return recordCallbackError("callback argument: \(error.message)")
        }
        let wantsResult = callback.plan.resultKind != .void
        guard lf_pcall(L, Int32(count), wantsResult ? 1 : 0, 0) == LUA_OK else {
            writeDefault(callback, to: result)
            return recordCallbackError(LuaErrorText.message(L, at: -1))
        }
        if wantsResult { storeCallbackResult(callback, L, to: result) }
    }

    /// Converts the callback's result on top of L into `result`; on failure writes
    /// the error value and records the error.
    func storeCallbackResult(_ callback: Callback, _ L: OpaquePointer, to result: UnsafeMutableRawPointer) {
        do {
            try storeResult(L, -1, as: callback.plan.resultType, kind: callback.plan.resultKind, to: result)
        } catch {
            writeDefault(callback, to: result)
            recordCallbackError(functionEnd(L, callback.function) + error.message)
        }
    }

    /// `chunk:line: ` of the end of the Lua function `reference` (where it returned),
    /// as LuaJIT prefixes a callback's result error; empty for a C function.
    /// `[-0, +0, -]`
    private func functionEnd(_ L: OpaquePointer, _ reference: Int32) -> String {
        lua_rawgeti(L, lf_registryindex(), lua_Integer(reference))
        var debug = lua_Debug()
        guard lua_getinfo(L, ">S", &debug) != 0, debug.lastlinedefined > 0 else { return "" }
        let source = withUnsafeBytes(of: &debug.short_src) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return "\(source):\(debug.lastlinedefined): "
    }

    /// Pushes a callback argument: scalars as on reads, aggregates as copies.
    private func pushArgument(_ L: OpaquePointer, _ id: Int32, from address: UnsafeMutableRawPointer) throws(FFIError) {
        let info = info(id)
        if info.kind == .record || info.kind == .complexFloat || info.kind == .complexDouble {
            pushNewCData(L, id).payload.copyMemory(from: address, byteCount: info.size ?? 0)
        } else {
            try push(L, id, from: address, anchor: 0)
        }
    }

    /// Stores the Lua result; small integers fill a whole ffi_arg as libffi wants.
    private func storeResult(_ L: OpaquePointer, _ index: Int32, as id: Int32, kind: ValueKind, to result: UnsafeMutableRawPointer) throws(FFIError) {
        if kind.isInteger || kind == .bool {
            let bits = kind == .bool ? (try truth(L, index, id) ? 1 : 0) : try integer(L, index, id)
            result.storeBytes(of: extend(bits, kind), as: Int64.self)
        } else {
            try store(L, index, as: id, to: result)
        }
    }

    private func writeDefault(_ callback: Callback, to result: UnsafeMutableRawPointer) {
        callback.errorValue.withUnsafeBytes { result.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    /// Keeps the first callback error of the current C call, to raise after it.
    func recordCallbackError(_ message: String) {
        if pendingCallbackError == nil { pendingCallbackError = message }
        context.pointee.pending = 1  // the C direct path raises it after its call
    }
}

/// The closures' entry (callbacks without a C trampoline; lf_Closure's `run`):
/// `bound` is the callback's block. 0 while the callback is still being set up (a
/// stale call meanwhile): the closure then answers zero itself.
private func callbackEntry(
    _ bound: UnsafeMutableRawPointer?, _ result: UnsafeMutableRawPointer?,
    _ arguments: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> Int32 {
    guard let result, let arguments, let bound,
          let data = bound.assumingMemoryBound(to: lf_CCallback.self).pointee.data else { return 0 }
    callbackGeneral(data, result, arguments)
    return 1
}

/// The general entry (any thread, any signature); the C entry's fallback.
private func callbackGeneral(
    _ data: UnsafeMutableRawPointer?, _ result: UnsafeMutableRawPointer?,
    _ arguments: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) {
    guard let data, let result, let arguments else { return }
    let callback = Unmanaged<Callback>.fromOpaque(data).takeUnretainedValue()
    callback.ffi.invoke(callback, result: result, arguments: arguments)
}

/// The C entry's report of a failed Lua function (its error value on top of L).
private func callbackFailed(_ data: UnsafeMutableRawPointer?, _ L: OpaquePointer?) {
    guard let data, let L else { return }
    let callback = Unmanaged<Callback>.fromOpaque(data).takeUnretainedValue()
    callback.ffi.recordCallbackError(LuaErrorText.message(L, at: -1))
}

/// The C entry's conversion of results it does not convert itself.
private func callbackStore(_ data: UnsafeMutableRawPointer?, _ L: OpaquePointer?, _ result: UnsafeMutableRawPointer?) {
    guard let data, let L, let result else { return }
    let callback = Unmanaged<Callback>.fromOpaque(data).takeUnretainedValue()
    callback.ffi.storeCallbackResult(callback, L, to: result)
}

/// Error values as text, for callback errors.
enum LuaErrorText {
    /// The error value at `index` as a message (strings and numbers as they are).
    static func message(_ L: OpaquePointer, at index: Int32) -> String {
        if let text = stringArgument(L, index) { return text }
        if lua_type(L, index) == LUA_TNUMBER, let text = lf_tostring(L, index) { return String(cString: text) }
        return "(error object is a \(String(cString: lf_typename(L, index))) value)"
    }
}
