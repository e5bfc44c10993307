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
import CLuaShims
import CTypes
import Glibc

private typealias DirectInteger = @convention(c) (
    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
    Double, Double, Double, Double, Double, Double, Double, Double) -> UInt64
private typealias DirectFloating = @convention(c) (
    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
    Double, Double, Double, Double, Double, Double, Double, Double) -> Double

/// The argument registers of a direct call: integer slots 0...5, floating 6...13.
private struct Registers {
    var a0: UInt64 = 0, a1: UInt64 = 0, a2: UInt64 = 0, a3: UInt64 = 0, a4: UInt64 = 0, a5: UInt64 = 0
    var d0: UInt64 = 0, d1: UInt64 = 0, d2: UInt64 = 0, d3: UInt64 = 0
    var d4: UInt64 = 0, d5: UInt64 = 0, d6: UInt64 = 0, d7: UInt64 = 0

    @inline(__always)
    mutating func set(_ slot: Int, _ value: UInt64) {
        switch slot {
        case 0: a0 = value
        case 1: a1 = value
        case 2: a2 = value
        case 3: a3 = value
        case 4: a4 = value
        case 5: a5 = value
        case 6: d0 = value
        case 7: d1 = value
        case 8: d2 = value
        case 9: d3 = value
        case 10: d4 = value
        case 11: d5 = value
        case 12: d6 = value
        default: d7 = value
        }
    }

    @inline(__always)
    func call(_ function: DirectInteger) -> UInt64 {
        function(a0, a1, a2, a3, a4, a5, Double(bitPattern: d0), Double(bitPattern: d1), Double(bitPattern: d2),
                 Double(bitPattern: d3), Double(bitPattern: d4), Double(bitPattern: d5),
                 Double(bitPattern: d6), Double(bitPattern: d7))
    }

    @inline(__always)
    func call(_ function: DirectFloating) -> Double {
        function(a0, a1, a2, a3, a4, a5, Double(bitPattern: d0), Double(bitPattern: d1), Double(bitPattern: d2),
                 Double(bitPattern: d3), Double(bitPattern: d4), Double(bitPattern: d5),
                 Double(bitPattern: d6), Double(bitPattern: d7))
    }
}

extension FFIState {
    /// Pushes a callable for the C function of type `type` at `address`: a Lua C
    /// closure (faster to call than a userdata with `__call`). It keeps the object at
    /// `anchor` (its library) alive. `[-0, +1, m]`
    func pushFunction(_ L: OpaquePointer, type: Int32, address: UnsafeMutableRawPointer, name: String, anchor: Int32) throws(FFIError) {
        let anchor = lua_absindex(L, anchor)
        let plan = try callPlan(type)
        let target = lf_newuserdata(L, MemoryLayout<CallTarget>.stride, 0)!
        target.initializeMemory(as: CallTarget.self, repeating: CallTarget(
            ffi: Unmanaged.passUnretained(self), plan: Unmanaged.passUnretained(plan), address: address), count: 1)
        lua_pushstring(L, name)
        lua_pushvalue(L, anchor)
        lf_pushswiftfunction(L, callFunction, 3)
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
        enterC(L)
        if plan.resultKind == .float || plan.resultKind == .double {
            let result = registers.call(unsafeBitCast(address, to: DirectFloating.self))
            try leaveC(L)
            lua_pushnumber(L, plan.resultKind == .float
                ? Double(Float(bitPattern: UInt32(truncatingIfNeeded: result.bitPattern))) : result)
            return 1
        }
        let result = registers.call(unsafeBitCast(address, to: DirectInteger.self))
        try leaveC(L)
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
            var isInteger: Int32 = 0
            let value = lua_type(L, index) == LUA_TNUMBER ? Int64(lf_tointeger(L, index, &isInteger)) : 0
            let bits = isInteger != 0 ? value : try integer(L, index, parameter.typeID)
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
        let slotSize = typeIDs.reduce(16) { max($0, (info($1).size ?? 8 + 15) / 16 * 16) }
        let storage = UnsafeMutableRawPointer.allocate(byteCount: slotSize * (count + 1), alignment: 16)
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
        enterC(L)
        ffi_call(cif, unsafeBitCast(address, to: (@convention(c) () -> Void).self), result, values)
        try leaveC(L)
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
    /// userdata as `void *`, cdata as their own type after C's promotions.
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
            default: return id
            }
        default:
            throw FFIError.argument(argument, name(), "cannot pass a \(typeName(L, index)) as a variadic argument")
        }
    }
}

/// Sign- or zero-extends the low bits of `value` as an integer of `kind`.
@inline(__always)
func extend(_ value: Int64, _ kind: ValueKind) -> Int64 {
    switch kind {
    case .int8: Int64(Int8(truncatingIfNeeded: value))
    case .uint8: Int64(UInt8(truncatingIfNeeded: value))
    case .int16: Int64(Int16(truncatingIfNeeded: value))
    case .uint16: Int64(UInt16(truncatingIfNeeded: value))
    case .int32: Int64(Int32(truncatingIfNeeded: value))
    case .uint32: Int64(UInt32(truncatingIfNeeded: value))
    default: value
    }
}

/// `callFunction` as the pointer stored in its closures (to recognise them).
let callFunctionEntry: lf_SwiftFunction = callFunction

/// What a C-function callable calls: its upvalue 2. The FFIState and the plan are
/// owned elsewhere (the state's owner userdata, the state's plan cache), so no
/// reference counting happens per call.
struct CallTarget {
    var ffi: Unmanaged<FFIState>
    var plan: Unmanaged<CallPlan>
    var address: UnsafeMutableRawPointer
}

/// The callable of a C function: upvalues 2 CallTarget, 3 name, 4 library.
private func callFunction(_ L: OpaquePointer?) -> Int32 {
    guard let L, let block = lua_touserdata(L, lf_upvalueindex(2)) else { return 0 }
    let target = block.load(as: CallTarget.self)
    return target.ffi._withUnsafeGuaranteedRef { ffi in
        target.plan._withUnsafeGuaranteedRef { plan in
            do throws(FFIError) {
                return try ffi.call(L, plan, target.address, first: 1) {
                    stringArgument(L, lf_upvalueindex(3)) ?? "?"
                }
            } catch {
                return error.raise(L)
            }
        }
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
        return try call(L, plan, function, first: 2) { types[Int(id)].cName }
    }

    /// Before a C call: callbacks run on this Lua thread; with callbacks alive,
    /// foreign threads may now run them (callState 1).
    @inline(__always)
    func enterC(_ L: OpaquePointer) {
        callingState = L
        if !liveCallbacks.isEmpty { callState.store(1, ordering: .releasing) }
    }

    /// After a C call: saves errno, waits for a foreign callback still running,
    /// frees this call's temporary callbacks and raises a callback's error.
    @inline(__always)
    func leaveC(_ L: OpaquePointer) throws(FFIError) {
        savedErrno = errno
        if callState.load(ordering: .relaxed) != 0 {
            while !callState.compareExchange(expected: 1, desired: 0, ordering: .acquiring).exchanged { sched_yield() }
        }
        freeTemporaryCallbacks(L)
        guard let message = pendingCallbackError else { return }
        pendingCallbackError = nil
        throw FFIError(message, positioned: false)
    }
}
