// Callbacks: Lua functions as C function pointers (libffi closures). Always called
// in protected mode: an error never unwinds through C frames; C gets a defined
// value and the error is raised in Lua when the outer C call returns. A callback
// arriving on another thread runs only while the owner thread is inside a C call
// (serialized with it); otherwise it fails with a message and a defined value.
import CLibFFI
import CLua
import CLuaShims
import CTypes
import Glibc
import Synchronization

/// One Lua function bound to a C entry point.
final class Callback {
    unowned let ffi: FFIState
    let plan: CallPlan
    /// libffi's description of the C signature (closures always need one).
    let cif: UnsafeMutablePointer<ffi_cif>
    private let argumentTypes: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>
    let closure: UnsafeMutablePointer<ffi_closure>
    /// The C entry point.
    let code: UnsafeMutableRawPointer
    /// Registry reference to the Lua function (LUA_NOREF once freed).
    var function: Int32
    /// The value C receives when the Lua function fails (zero unless declared).
    var errorValue: [UInt8]

    init(ffi: FFIState, plan: CallPlan) throws(FFIError) {
        self.ffi = ffi
        self.plan = plan
        var code: UnsafeMutableRawPointer?
        guard let raw = ffi_closure_alloc(MemoryLayout<ffi_closure>.stride, &code), let code else {
            throw FFIError("cannot allocate a callback")
        }
        let fn = CFunctionType(result: ffi.types[Int(plan.resultType)], parameters: [], isVariadic: false)
        let (cif, types) = try CallPlan.prepare(result: plan.resultType, parameters: plan.parameters.map(\.typeID),
                                                fixed: -1, in: ffi, name: fn)
        self.cif = cif
        argumentTypes = types
        closure = raw.assumingMemoryBound(to: ffi_closure.self)
        self.code = code
        function = LUA_NOREF
        errorValue = [UInt8](repeating: 0, count: max(ffi.info(plan.resultType).size ?? 8, 8))
        let status = ffi_prep_closure_loc(closure, cif, callbackEntry, Unmanaged.passUnretained(self).toOpaque(), code)
        guard status == FFI_OK else { throw FFIError("cannot prepare a callback") }
    }

    deinit {
        ffi_closure_free(closure)
        cif.deallocate()
        argumentTypes.deallocate()
    }
}

extension FFIState {
    /// Binds the Lua function at `index` to a new or recycled callback of function
    /// pointer type `id` and returns it. `[-0, +0, m]`
    func makeCallback(_ L: OpaquePointer, _ index: Int32, type id: Int32) throws(FFIError) -> Callback {
        let plan = try callPlan(id)
        guard !plan.isVariadic else { throw FFIError("cannot create a callback of variadic type '\(types[Int(id)].cName)'") }
        let callback: Callback
        if let reused = freeCallbacks[id]?.popLast() { callback = reused } else {
            callback = try Callback(ffi: self, plan: plan)
        }
        lua_pushvalue(L, index)
        callback.function = luaL_ref(L, lf_registryindex())
        callback.errorValue = callback.errorValue.map { _ in 0 }
        liveCallbacks[UInt(bitPattern: callback.code)] = callback
        busySlot.pointee = 1
        return callback
    }

    /// Frees a callback: later calls from C get the error value and an error.
    func free(_ L: OpaquePointer, _ callback: Callback) {
        guard callback.function != LUA_NOREF else { return }
        luaL_unref(L, lf_registryindex(), callback.function)
        callback.function = LUA_NOREF
        liveCallbacks[UInt(bitPattern: callback.code)] = nil
        busySlot.pointee = liveCallbacks.isEmpty ? 0 : 1
        freeCallbacks[callback.plan.typeID, default: []].append(callback)
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
    /// while the owner waits inside a C call.
    func invoke(_ callback: Callback, result: UnsafeMutableRawPointer, arguments: UnsafeMutablePointer<UnsafeMutableRawPointer?>) {
        guard pthread_equal(pthread_self(), ownerThread) == 0 else {
            // The owner's own C code calls back: take the state from foreign
            // threads (waiting for one that runs) unless none may use it.
            var took = false
            while true {
                let (exchanged, seen) = callState.compareExchange(expected: 1, desired: 2, ordering: .acquiring)
                if exchanged { took = true }
                if exchanged || seen == 0 { break }
                sched_yield()
            }
            run(callback, result: result, arguments: arguments)
            if took { callState.store(1, ordering: .releasing) }
            return
        }
        while true {
            let (exchanged, seen) = callState.compareExchange(expected: 1, desired: 2, ordering: .acquiring)
            if exchanged { break }
            if seen == 0 {
                writeDefault(callback, to: result)
                lf_writeerr("luaffi: a callback arrived on another thread while the Lua state was busy; it returned 0\n")
                return
            }
            sched_yield()
        }
        run(callback, result: result, arguments: arguments)
        callState.store(1, ordering: .releasing)
    }

    /// Calls the Lua function in protected mode and converts its result.
    private func run(_ callback: Callback, result: UnsafeMutableRawPointer, arguments: UnsafeMutablePointer<UnsafeMutableRawPointer?>) {
        guard let L = callingState ?? mainState else { return writeDefault(callback, to: result) }
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        guard callback.function != LUA_NOREF else {
            writeDefault(callback, to: result)
            return recordCallbackError("attempt to call a freed callback of type '\(types[Int(callback.plan.typeID)].cName)'")
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
        guard wantsResult else { return }
        do {
            try storeResult(L, -1, as: callback.plan.resultType, kind: callback.plan.resultKind, to: result)
        } catch {
            writeDefault(callback, to: result)
            recordCallbackError("bad callback result (\(error.message))")
        }
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
    private func recordCallbackError(_ message: String) {
        if pendingCallbackError == nil { pendingCallbackError = message }
        pendingSlot.pointee = 1  // the C direct path raises it after its call
    }
}

/// libffi's entry for every callback.
private func callbackEntry(
    _ cif: UnsafeMutablePointer<ffi_cif>?, _ result: UnsafeMutableRawPointer?,
    _ arguments: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ data: UnsafeMutableRawPointer?
) {
    guard let result, let arguments, let data else { return }
    let callback = Unmanaged<Callback>.fromOpaque(data).takeUnretainedValue()
    callback.ffi.invoke(callback, result: result, arguments: arguments)
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
