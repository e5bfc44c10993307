// Prepared calls: per function type, how each argument is converted and passed,
// and whether the direct (register) path or libffi is used.
import CFFIFast
import CLibFFI
import CLua
import CTypes

/// How one argument is converted and where it goes on the direct path.
struct ParameterPlan {
    var typeID: Int32
    var kind: ValueKind
    /// Register slot on the direct path (`SysVCalls.registerSlots`), -1 off it.
    var slot: Int
}

/// A prepared call for one C function type. Built once per type, owned by the
/// FFIState (its plans live as long as the state).
final class CallPlan {
    let typeID: Int32
    let resultType: Int32
    let resultKind: ValueKind
    let parameters: UnsafeMutableBufferPointer<ParameterPlan>
    let isVariadic: Bool
    /// Every argument travels in a register (each parameter has its `slot`).
    let isDirectArguments: Bool
    /// The direct path: every argument in a register, a scalar result.
    let isDirect: Bool
    /// libffi's description of the fixed part (nil on the direct path or when the
    /// function is variadic: prepared per call then).
    let cif: UnsafeMutablePointer<ffi_cif>?
    /// A variadic function's cifs for the C libffi path, prepared per sequence of
    /// variadic argument classes (nil: not variadic, or libffi cannot pass a fixed
    /// parameter or the result: the Swift path says why).
    let varargCifs: UnsafeMutablePointer<lf_VarargCifs>?
    private let argumentTypes: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>?

    init(typeID: Int32, function: CFunctionType, in ffi: FFIState) throws(FFIError) {
        self.typeID = typeID
        resultType = ffi.intern(function.result)
        resultKind = ffi.info(resultType).kind
        isVariadic = function.isVariadic
        parameters = .allocate(capacity: function.parameters.count)
        var classes: [SysVCalls.RegisterClass?] = []
        for (i, parameter) in function.parameters.enumerated() {
            let id = ffi.intern(parameter.type.decayed)
            let kind = ffi.info(id).kind
            classes.append(Self.registerClass(kind))
            parameters[i] = ParameterPlan(typeID: id, kind: kind, slot: -1)
        }
        // The direct path passes arguments in registers as x86-64 System V does;
        // elsewhere libffi makes every call (CTypes/ABI/CallingRules.swift).
        let slots = TargetLayout.host.implementsCalls && !function.isVariadic ? SysVCalls.registerSlots(classes) : nil
        isDirectArguments = slots != nil
        isDirect = isDirectArguments && Self.isDirectResult(resultKind)
        for (i, slot) in (slots ?? []).enumerated() { parameters[i].slot = slot }
        if isDirect || isVariadic {
            cif = nil
            argumentTypes = nil
            varargCifs = isVariadic ? Self.makeVarargCifs(result: resultType, parameters: parameters, in: ffi) : nil
            return
        }
        varargCifs = nil
        let prepared: (UnsafeMutablePointer<ffi_cif>, UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>)
        do throws(FFIError) {
            prepared = try Self.prepare(result: resultType, parameters: parameters.map(\.typeID),
                                        fixed: -1, in: ffi, name: function)
        } catch {
            parameters.deallocate()  // a failed init runs no deinit
            throw error
        }
        let (cif, types) = prepared
        self.cif = cif
        argumentTypes = types
    }

    deinit {
        parameters.deallocate()
        cif?.deallocate()
        argumentTypes?.deallocate()
        lf_freevarargcifs(varargCifs)
    }

    /// The C cache of a variadic function's cifs: its fixed parameters and result
    /// are scalars, pointers or (the result) a record libffi can return.
    private static func makeVarargCifs(
        result: Int32, parameters: UnsafeMutableBufferPointer<ParameterPlan>, in ffi: FFIState
    ) -> UnsafeMutablePointer<lf_VarargCifs>? {
        guard TargetLayout.host.implementsCalls, parameters.allSatisfy({ $0.kind != .record }),
              ffi.info(result).kind != .record || (ffi.info(result).size ?? Int.max) <= maximumByValueSize,
              let resultType = ffi.libffiTypes.type(result, in: ffi) else { return nil }
        var fixed: [UnsafeMutableRawPointer?] = []
        for parameter in parameters {
            guard parameter.kind != .void, let type = ffi.libffiTypes.type(parameter.typeID, in: ffi) else { return nil }
            fixed.append(UnsafeMutableRawPointer(type))
        }
        return fixed.withUnsafeBufferPointer {
            lf_newvarargcifs(UnsafeMutableRawPointer(resultType), Int32(parameters.count), $0.baseAddress)
        }
    }

    /// The register a scalar argument of this kind travels in, nil for the others.
    static func registerClass(_ kind: ValueKind) -> SysVCalls.RegisterClass? {
        if kind.isInteger || kind == .bool || kind == .pointer { return .integer }
        return kind == .float || kind == .double ? .floating : nil
    }

    /// The arguments as the C direct paths read them (lf_Callable, lf_CCallback): the
    /// LF_K_* class and the register slot of each.
    func describeRegisters(kinds: UnsafeMutableRawBufferPointer, slots: UnsafeMutableRawBufferPointer) {
        for (i, parameter) in parameters.enumerated() {
            kinds[i] = UInt8(FFIState.directCode(parameter.kind))
            slots[i] = UInt8(parameter.slot)
        }
    }

    /// Whether the direct path can return this kind (in RAX or XMM0).
    static func isDirectResult(_ kind: ValueKind) -> Bool {
        kind == .void || kind.isInteger || kind == .bool || kind == .pointer || kind == .float || kind == .double
    }

    /// A prepared libffi cif for these types; `fixed` >= 0 prepares a variadic call.
    static func prepare(
        result: Int32, parameters: [Int32], fixed: Int, in ffi: FFIState, name: CFunctionType
    ) throws(FFIError) -> (UnsafeMutablePointer<ffi_cif>, UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>) {
        if !TargetLayout.host.implementsCalls {
            for id in parameters + [result] {
                if let reason = TargetLayout.host.byValueRefusal(ffi.types[Int(id)]) { throw FFIError(reason) }
            }
        }
        // libffi copies a by-value aggregate onto the C stack (and describes each
        // array element): a huge one would overflow the stack.
        for id in parameters + [result] where ffi.info(id).kind == .record {
            if let size = ffi.info(id).size, size > maximumByValueSize {
                throw FFIError("cannot pass '\(ffi.types[Int(id)].cName)' by value: \(size) bytes, at most \(maximumByValueSize) (pass a pointer)")
            }
        }
        let types = UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>.allocate(capacity: max(parameters.count, 1))
        for (i, id) in parameters.enumerated() {
            guard let type = ffi.libffiTypes.type(id, in: ffi), ffi.info(id).kind != .void else {
                types.deallocate()
                throw FFIError("cannot pass '\(ffi.types[Int(id)].cName)' to a C function")
            }
            types[i] = type
        }
        guard let resultType = ffi.libffiTypes.type(result, in: ffi) else {
            types.deallocate()
            throw FFIError("cannot return '\(ffi.types[Int(result)].cName)' from a C function")
        }
        let cif = UnsafeMutablePointer<ffi_cif>.allocate(capacity: 1)
        let status = fixed >= 0
            ? ffi_prep_cif_var(cif, lf_ffi_default_abi(), UInt32(fixed), UInt32(parameters.count), resultType, types)
            : ffi_prep_cif(cif, lf_ffi_default_abi(), UInt32(parameters.count), resultType, types)
        guard status == FFI_OK else {
            cif.deallocate()
            types.deallocate()
            throw FFIError("cannot prepare a call to '\(ffi.types[Int(ffi.intern(CType(.function(name))))].cName)'")
        }
        return (cif, types)
    }
}

/// The largest struct or union passed to or returned from C by value, in bytes.
let maximumByValueSize = 1 << 16

extension FFIState {
    /// The call plan of function type `id` (a function or a pointer to one).
    func callPlan(_ id: Int32) throws(FFIError) -> CallPlan {
        if let plan = callPlans[id] { return plan }
        var type = types[Int(id)]
        if case .pointer(let pointee) = type.kind { type = pointee }
        guard case .function(let function) = type.kind else {
            throw FFIError("'\(types[Int(id)].cName)' is not a function type")
        }
        let plan = try CallPlan(typeID: id, function: function, in: self)
        callPlans[id] = plan
        return plan
    }
}
