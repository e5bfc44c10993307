// Calling C: callables, argument conversion, the direct register path and libffi.
//
// The direct path calls the C function through one universal prototype: six
// integer registers and eight floating registers, integer or floating result. On
// x86-64 SysV and AArch64 the two register files are assigned independently and
// unused argument registers are ignored by the callee, so any non-variadic function
// whose arguments all travel in registers can be called this way without libffi
// (docs/architecture.md). Everything else goes through libffi.
import CLibFFI
import CLua
import CLuaCore
import CFFIFast
import CTypes
import Glibc

private typealias DirectInteger = @convention(c) (
    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
    Double, Double, Double, Double, Double, Double, Double, Double) -> UInt64
private typealias DirectFloating = @convention(c) (
    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
    Double, Double, Double, Double, Double, Double, Double, Double) -> Double

/// The argument registers of a direct call: integer slots 0...5, then the bits of
/// floating slots 6...13.
private struct Registers {
    var slots: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    /// Sets slot `slot` (0...13, as `CallPlan` assigns them).
    @inline(__always)
    mutating func set(_ slot: Int, _ value: UInt64) {
        withUnsafeMutableBytes(of: &slots) { $0.storeBytes(of: value, toByteOffset: slot * 8, as: UInt64.self) }
    }

    @inline(__always)
    func call(_ function: DirectInteger) -> UInt64 {
        let s = slots, d = floating
        return function(s.0, s.1, s.2, s.3, s.4, s.5, d.0, d.1, d.2, d.3, d.4, d.5, d.6, d.7)
    }

    @inline(__always)
    func call(_ function: DirectFloating) -> Double {
        let s = slots, d = floating
        return function(s.0, s.1, s.2, s.3, s.4, s.5, d.0, d.1, d.2, d.3, d.4, d.5, d.6, d.7)
    }

    /// Slots 6...13 as the doubles they hold.
    private var floating: (Double, Double, Double, Double, Double, Double, Double, Double) {
        let s = slots
        return (Double(bitPattern: s.6), Double(bitPattern: s.7), Double(bitPattern: s.8), Double(bitPattern: s.9),
                Double(bitPattern: s.10), Double(bitPattern: s.11), Double(bitPattern: s.12), Double(bitPattern: s.13))
    }
}

extension FFIState {
    /// Pushes a callable for the C function of type `type` at `address`: a Lua C
    /// closure (faster to call than a userdata with `__call`). It keeps the object at
    /// `anchor` (its library) alive. `[-0, +1, m]`
    func pushFunction(_ L: OpaquePointer, type: Int32, address: UnsafeMutableRawPointer, name: String, anchor: Int32) throws(FFIError) {
        let anchor = lua_absindex(L, anchor)
        let plan = try callPlan(type)
        lua_pushstring(L, name)
        lua_pushvalue(L, anchor)
        let callable = lf_pushcallable(L, 2)!
        callable.pointee.function = address
        callable.pointee.ctx = context
        callable.pointee.raise = raisePendingError
        callable.pointee.ft = UnsafePointer(fastTypes)
        callable.pointee.slow = callFunction
        callable.pointee.swift.0 = Unmanaged.passUnretained(self).toOpaque()
        callable.pointee.swift.1 = Unmanaged.passUnretained(plan).toOpaque()
        if !describeDirectPath(plan, into: callable) { describeLibFFIPath(plan, into: callable) }
    }

    /// Fills in the C direct path of a callable when its signature allows it:
    /// register arguments of scalar or pointer type; a scalar, pointer or small
    /// struct result (the C path makes pointer and struct results into cdata unless
    /// a metatype has `__gc`). False when it does not.
    private func describeDirectPath(_ plan: CallPlan, into callable: UnsafeMutablePointer<lf_Callable>) -> Bool {
        guard plan.isDirectArguments, plan.parameters.count <= Int(LF_MAX_DIRECT) else { return false }
        let floats = plan.parameters.filter { CallPlan.registerClass($0.kind) == .floating }.count
        let record = recordReturnClass(plan.resultType)
        let resultCode = Self.directCode(plan.resultKind)
        if record == LF_R_NONE {
            guard resultCode != LF_K_NONE else { return false }
        } else {
            callable.pointee.record = Int32(record)
            callable.pointee.record_size = Int32(info(plan.resultType).size ?? 0)
        }
        callable.pointee.result_type = plan.resultType
        callable.pointee.boxed_type = uint64Type // as pushBoxed(_:uint64:)
        callable.pointee.result = Int32(resultCode)
        callable.pointee.nparams = Int32(plan.parameters.count)
        callable.pointee.floats = Int32(floats)
        withUnsafeMutableBytes(of: &callable.pointee.kinds) { kinds in
            withUnsafeMutableBytes(of: &callable.pointee.slots) { plan.describeRegisters(kinds: kinds, slots: $0) }
        }
        describePointerParameters(plan, into: callable)
        let integersOnly = record == LF_R_NONE && plan.parameters.count <= 6
            && plan.parameters.allSatisfy { $0.kind.isInteger }
            && (plan.resultKind.isInteger || plan.resultKind == .void)
        callable.pointee.fast = integersOnly ? 2 : 1
        return true
    }

    /// Fills in the C libffi path of a callable (with a prepared cif, or a variadic
    /// one's cifs): up to LF_MAX_PARAMS arguments converted as on the direct path, or
    /// structs and unions by value from cdata of their type; a scalar, pointer or struct result
    /// (up to LF_MAX_FFI_RECORD bytes, aligned to at most 8). Leaves the callable to
    /// Swift otherwise.
    private func describeLibFFIPath(_ plan: CallPlan, into callable: UnsafeMutablePointer<lf_Callable>) {
        guard plan.cif != nil || plan.varargCifs != nil, plan.parameters.count <= Int(LF_MAX_PARAMS) else { return }
        var resultCode = Self.directCode(plan.resultKind)
        if plan.resultKind == .record {
            // The new cdata's payload follows its 8-byte header: aligned to 8 at most.
            guard let size = info(plan.resultType).size, size <= Int(LF_MAX_FFI_RECORD),
                  info(plan.resultType).alignment <= 8 else { return }
            resultCode = Int(LF_K_RECORD)
            callable.pointee.record_size = Int32(size)
        }
        guard resultCode != LF_K_NONE else { return }
        var codes: [Int] = []
        for parameter in plan.parameters {
            let code = parameter.kind == .record ? Int(LF_K_RECORD) : Self.directCode(parameter.kind)
            guard code != LF_K_NONE, code != LF_K_VOID else { return }
            codes.append(code)
        }
        withUnsafeMutableBytes(of: &callable.pointee.kinds) { kinds in
            withUnsafeMutableBytes(of: &callable.pointee.slots) { slots in
                withUnsafeMutableBytes(of: &callable.pointee.pointee) { records in
                    for (i, parameter) in plan.parameters.enumerated() {
                        kinds[i] = UInt8(codes[i])
                        // Each argument has its own cell: the C path's `convert` puts a
                        // floating one at slot - 6, an integer one at slot.
                        slots[i] = UInt8(CallPlan.registerClass(parameter.kind) == .floating ? i + 6 : i)
                        if parameter.kind == .record {
                            records.storeBytes(of: parameter.typeID, toByteOffset: i * 4, as: Int32.self)
                        }
                    }
                }
            }
        }
        describePointerParameters(plan, into: callable)
        callable.pointee.result_type = plan.resultType
        callable.pointee.boxed_type = uint64Type // as pushBoxed(_:uint64:)
        callable.pointee.result = Int32(resultCode)
        callable.pointee.nparams = Int32(plan.parameters.count)
        callable.pointee.cif = UnsafeMutableRawPointer(plan.cif)
        callable.pointee.varargs = plan.varargCifs
        callable.pointee.fast = 3
    }

    /// The C paths' facts about pointer parameters: which cdata pass their address or
    /// their value, and whether Lua strings convert.
    private func describePointerParameters(_ plan: CallPlan, into callable: UnsafeMutablePointer<lf_Callable>) {
        for (i, parameter) in plan.parameters.enumerated() where parameter.kind == .pointer {
            let declaredTarget = info(parameter.typeID).target
            let target = types[Int(declaredTarget)].unqualified
            let valueType = intern(target)
            withUnsafeMutableBytes(of: &callable.pointee.pointee) {
                $0.storeBytes(of: info(valueType).kind == .void ? -1 : valueType, toByteOffset: i * 4, as: Int32.self)
            }
            withUnsafeMutableBytes(of: &callable.pointee.pointer) {
                $0.storeBytes(of: intern(.pointer(to: target)), toByteOffset: i * 4, as: Int32.self)
            }
            withUnsafeMutableBytes(of: &callable.pointee.declared) {
                $0.storeBytes(of: parameter.typeID, toByteOffset: i * 4, as: Int32.self)
            }
            // Lua strings convert where the slow path lets them (FFIState.pointer).
            let isConst = types[Int(declaredTarget)].qualifiers.contains(.const)
            let takesStrings = isByteOrVoid(declaredTarget) && isConst
            withUnsafeMutableBytes(of: &callable.pointee.strings) { $0[i] = takesStrings ? 1 : 0 }
            withUnsafeMutableBytes(of: &callable.pointee.consts) { $0[i] = isConst ? 1 : 0 }
        }
    }

    /// How a struct result of type `id` comes back in registers: LF_R_* by the
    /// class of each eightbyte (`SysVCalls.returnRegisters`), LF_R_NONE when it
    /// comes back in memory.
    private func recordReturnClass(_ id: Int32) -> Int {
        guard let classes = SysVCalls.returnRegisters(types[Int(id)]) else { return LF_R_NONE }
        switch (classes[0], classes.count > 1 ? classes[1] : nil) {
        case (false, nil): return LF_R_I
        case (true, nil): return LF_R_S
        case (false, false): return LF_R_II
        case (true, true): return LF_R_SS
        case (false, true): return LF_R_IS
        case (true, false): return LF_R_SI
        }
    }

    /// The LF_K_* code of a value kind (LF_K_NONE when the direct path cannot take it).
    static func directCode(_ kind: ValueKind) -> Int {
        switch kind {
        case .pointer: LF_K_POINTER
        case .void: LF_K_VOID
        default: scalarCode(kind)
        }
    }

    /// Calls `address` with the Lua arguments `first...top` according to `plan` and
    /// pushes the result. `name` names the function in errors.
    func call(
        _ L: OpaquePointer, _ plan: CallPlan, _ address: UnsafeMutableRawPointer, first: Int32,
        name: () -> String
    ) throws(FFIError) -> Int32 {
        let given = Int(lua_gettop(L) - first + 1)
        let fixed = plan.parameters.count
        guard plan.isVariadic ? given >= fixed : given == fixed else {
            throw FFIError("wrong number of arguments to '\(name())' (\(fixed)\(plan.isVariadic ? " or more" : "") expected, got \(given))")
        }
        // Implicit callbacks made for this call's arguments live until it returns
        // (also when converting a later argument fails); nested calls free their own.
        let mark = temporaryCallbacks.count
        defer { if temporaryCallbacks.count > mark { freeTemporaryCallbacks(L, downTo: mark) } }
        if plan.isDirect { return try callDirect(L, plan, address, first: first, name: name) }
        return try callLibFFI(L, plan, address, first: first, count: given, name: name)
    }

    private func callDirect(
        _ L: OpaquePointer, _ plan: CallPlan, _ address: UnsafeMutableRawPointer, first: Int32,
        name: () -> String
    ) throws(FFIError) -> Int32 {
        var registers = Registers()
        let parameters = plan.parameters
        for i in 0..<parameters.count {
            let parameter = parameters[i]
            do {
                registers.set(parameter.slot, try registerValue(L, first + Int32(i), parameter))
            } catch {
                throw FFIError.argument(Int32(i + 1), name(), error.message)
            }
        }
        let entry = enterC(L)
        if plan.resultKind == .float || plan.resultKind == .double {
            let result = registers.call(unsafeBitCast(address, to: DirectFloating.self))
            try leaveC(L, entry)
            lua_pushnumber(L, plan.resultKind == .float
                ? Double(Float(bitPattern: UInt32(truncatingIfNeeded: result.bitPattern))) : result)
            return 1
        }
        let result = registers.call(unsafeBitCast(address, to: DirectInteger.self))
        try leaveC(L, entry)
        switch plan.resultKind {
        case .void: return 0
        case .bool: lua_pushboolean(L, result & 0xff != 0 ? 1 : 0)
        case .pointer: pushPointer(L, plan.resultType, UnsafeMutableRawPointer(bitPattern: UInt(result)))
        case .uint64 where result > UInt64(Int64.max): pushBoxed(L, uint64: result)
        default: lua_pushinteger(L, lua_Integer(extend(Int64(bitPattern: result), plan.resultKind)))
        }
        return 1
    }

    /// One argument as a register value: integers sign- or zero-extended from their
    /// C type, floats in the low half of the floating register.
    @inline(__always)
    private func registerValue(_ L: OpaquePointer, _ index: Int32, _ parameter: ParameterPlan) throws(FFIError) -> UInt64 {
        switch parameter.kind {
        case .double:
            return try number(L, index, parameter.typeID).bitPattern
        case .float:
            return UInt64(Float(try number(L, index, parameter.typeID)).bitPattern)
        case .pointer:
            return UInt64(UInt(bitPattern: try pointer(L, index, to: parameter.typeID)))
        case .bool:
            return try truth(L, index, parameter.typeID) ? 1 : 0
        default:
            // Lua integers by their low bits; floats as `integer` converts them (x86-64).
            let isInteger = lua_isinteger(L, index) != 0
            let bits = isInteger ? Int64(lf_tointeger(L, index, nil)) : try integer(L, index, parameter.typeID)
            return UInt64(bitPattern: extend(bits, parameter.kind))
        }
    }

    private func callLibFFI(
        _ L: OpaquePointer, _ plan: CallPlan, _ address: UnsafeMutableRawPointer, first: Int32, count: Int,
        name: () -> String
    ) throws(FFIError) -> Int32 {
        var typeIDs = plan.parameters.map(\.typeID)
        for index in (first + Int32(plan.parameters.count)) ..< (first + Int32(count)) {
            typeIDs.append(try variadicType(L, index, argument: Int32(index - first + 1), name: name))
        }
        // One slot per argument, each big and aligned enough for any of them.
        let alignment = typeIDs.reduce(16) { max($0, info($1).alignment) }
        let slotSize = typeIDs.reduce(alignment) { max($0, ((info($1).size ?? 8) + alignment - 1) / alignment * alignment) }
        let storage = UnsafeMutableRawPointer.allocate(byteCount: slotSize * (count + 1), alignment: alignment)
        let values = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: max(count, 1))
        defer {
            storage.deallocate()
            values.deallocate()
        }
        for (i, id) in typeIDs.enumerated() {
            let slot = storage + slotSize * (i + 1)
            slot.initializeMemory(as: UInt8.self, repeating: 0, count: slotSize)
            values[i] = slot
            do {
                try store(L, first + Int32(i), as: id, to: slot)
            } catch {
                throw FFIError.argument(Int32(i + 1), name(), error.message)
            }
        }
        var cif = plan.cif
        var variadic: (UnsafeMutablePointer<ffi_cif>, UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>)?
        if plan.isVariadic {
            let fn = CFunctionType(result: types[Int(plan.resultType)], parameters: [], isVariadic: true)
            variadic = try CallPlan.prepare(result: plan.resultType, parameters: typeIDs,
                                            fixed: plan.parameters.count, in: self, name: fn)
            cif = variadic?.0
        }
        defer {
            variadic?.0.deallocate()
            variadic?.1.deallocate()
        }
        let resultSize = max(info(plan.resultType).size ?? 8, 8)
        let result = UnsafeMutableRawPointer.allocate(byteCount: resultSize + 16, alignment: 16)
        defer { result.deallocate() }
        result.initializeMemory(as: UInt8.self, repeating: 0, count: resultSize + 16)
        let entry = enterC(L)
        ffi_call(cif, unsafeBitCast(address, to: (@convention(c) () -> Void).self), result, values)
        try leaveC(L, entry)
        return try pushResult(L, plan.resultType, from: result)
    }

    /// Pushes a call result: scalars as on reads, aggregates as new cdata (copies).
    private func pushResult(_ L: OpaquePointer, _ id: Int32, from result: UnsafeMutableRawPointer) throws(FFIError) -> Int32 {
        let info = info(id)
        switch info.kind {
        case .void: return 0
        case .record, .complexFloat, .complexDouble, .array:
            let cdata = pushNewCData(L, id)
            cdata.payload.copyMemory(from: result, byteCount: info.size ?? 0)
        default:
            try push(L, id, from: result, anchor: 0)
        }
        return 1
    }

    /// The C type a variadic argument is passed as: Lua integers as `int64_t`,
    /// floats as `double`, booleans as `int`, strings as `const char *`, nil and
    /// userdata as `void *`, cdata as their own type after C's promotions, except
    /// arrays, structs and unions, passed as a pointer to them (LuaJIT's
    /// `ccall_ctid_vararg`: C code reading a `%p` or a `struct stat *` relies on it).
    private func variadicType(_ L: OpaquePointer, _ index: Int32, argument: Int32, name: () -> String) throws(FFIError) -> Int32 {
        switch lua_type(L, index) {
        case LUA_TNUMBER: return lua_isinteger(L, index) != 0 ? int64Type : doubleType
        case LUA_TBOOLEAN: return int32Type
        case LUA_TSTRING: return constCharPointerType
        case LUA_TNIL, LUA_TLIGHTUSERDATA: return voidPointerType
        case LUA_TUSERDATA:
            guard let cdata = cdata(L, at: index) else { return voidPointerType }
            let (_, id) = value(of: cdata)
            let info = info(id)
            switch info.kind {
            case .float: return doubleType
            case .bool, .int8, .uint8, .int16, .uint16: return int32Type
            case .array: return pointerType(to: info.target)
            case .record: return pointerType(to: id)
            default: return id
            }
        default:
            throw FFIError.argument(argument, name(), "cannot pass a \(typeName(L, index)) as a variadic argument")
        }
    }
}

/// Sign- or zero-extends the low bits of `value` as an integer of `kind`: C's
/// `lf_extend`, the rule the C fast paths apply (other kinds are left as they are).
@inline(__always)
func extend(_ value: Int64, _ kind: ValueKind) -> Int64 {
    Int64(bitPattern: lf_extend(Int32(scalarCode(kind)), UInt64(bitPattern: value)))
}

/// The Swift path of a callable (see lf_call.h): upvalue 1 its lf_Callable, 2 the
/// name, 3 the library. The FFIState and the plan are owned elsewhere (the owner
/// userdata, the plan cache); this frame holds its own references for the call.
private func callFunction(_ L: OpaquePointer?) -> Int32 {
    guard let L, let block = lua_touserdata(L, lf_upvalueindex(1)) else { return 0 }
    let callable = block.load(as: lf_Callable.self)
    let ffi = Unmanaged<FFIState>.fromOpaque(callable.swift.0!).takeUnretainedValue()
    let plan = Unmanaged<CallPlan>.fromOpaque(callable.swift.1!).takeUnretainedValue()
    do throws(FFIError) {
        return try ffi.call(L, plan, callable.function, first: 1) {
            stringArgument(L, lf_upvalueindex(2)) ?? "?"
        }
    } catch {
        return error.raise(L)
    }
}

extension FFIState {
    /// `f(...)` on a function pointer cdata (at 1): calls it; nil if it is not one.
    func callFunctionPointer(_ L: OpaquePointer) throws(FFIError) -> Int32? {
        guard let cdata = cdata(L, at: 1) else { return nil }
        let (address, id) = value(of: cdata)
        let info = info(id)
        guard info.kind == .pointer, info.target >= 0, self.info(info.target).kind == .function else { return nil }
        try checkUsable(cdata)
        guard let function = address.load(as: UnsafeMutableRawPointer?.self) else {
            throw FFIError("attempt to call a NULL function pointer of type '\(types[Int(id)].cName)'")
        }
        let plan = try callPlan(id)
        if cdata.typeID == id { describeFunctionPointer(id, plan) }
        return try call(L, plan, function, first: 2) { types[Int(id)].cName }
    }

    /// Describes calls through function pointers of type `id` to the C call paths
    /// (lf_TypeFast.call, read by lf_cdatacall), once: the next calls of any pointer
    /// of the type take them. The block lives as long as the fast types.
    private func describeFunctionPointer(_ id: Int32, _ plan: CallPlan) {
        guard id < fastTypes.pointee.count, fastTypes.pointee.types![Int(id)].call == nil else { return }
        let callable = UnsafeMutablePointer<lf_Callable>.allocate(capacity: 1)
        callable.initialize(to: lf_Callable())
        callable.pointee.ctx = context
        callable.pointee.raise = raisePendingPointerCallError
        callable.pointee.ft = UnsafePointer(fastTypes)
        if !describeDirectPath(plan, into: callable) { describeLibFFIPath(plan, into: callable) }
        fastTypes.pointee.types![Int(id)].call = UnsafePointer(callable)
    }

    /// Before a C call: callbacks run on this Lua thread; with callbacks alive,
    /// foreign threads may now run them. Returns what `leaveC` restores (calls
    /// nest: C -> Lua callback -> C).
    @inline(__always)
    func enterC(_ L: OpaquePointer) -> lf_CallEntry {
        lf_enterc(context, L)
    }

    /// After a C call: waits until the callbacks that arrived during it (from any
    /// thread, however nested) have left, saves errno, restores the outer call's
    /// state and raises a callback's error. (The call's
    /// temporary callbacks are freed by `call`.)
    @inline(__always)
    func leaveC(_ L: OpaquePointer, _ entry: lf_CallEntry) throws(FFIError) {
        lf_leavec(context, L, entry, errno)
        if let error = takePendingCallbackError() { throw error }
    }

    /// The error a callback left during the last C call, now cleared.
    func takePendingCallbackError() -> FFIError? {
        guard let message = pendingCallbackError else { return nil }
        pendingCallbackError = nil
        context.pointee.pending = 0
        return FFIError(message, positioned: false)
    }
}

/// Raises the error a callback left during a call through a function pointer on
/// the C paths (lf_cdatacall, a cdata metamethod: the FFIState is its upvalue).
private func raisePendingPointerCallError(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, _ throws(FFIError) in
        throw ffi.takePendingCallbackError() ?? FFIError("callback failed", positioned: false)
    }
}

/// Raises the error a callback left during a call on the C direct path (which
/// calls this after the C function returned): upvalue 1 is the callable.
private func raisePendingError(_ L: OpaquePointer?) -> Int32 {
    guard let L, let block = lua_touserdata(L, lf_upvalueindex(1)) else { return 0 }
    let ffi = Unmanaged<FFIState>.fromOpaque(block.load(as: lf_Callable.self).swift.0!).takeUnretainedValue()
    return (ffi.takePendingCallbackError() ?? FFIError("callback failed", positioned: false)).raise(L)
}
