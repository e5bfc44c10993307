// Where libffi meets the type model: the ffi_type of each C type. Structs are
// described field by field; unions (which libffi lacks), packed structs and
// structs with bitfields are described by their x86-64 SysV classification
// (CTypes/ABI/X86_64SysV.swift), one element per eightbyte, which makes libffi pass
// them exactly as C does.
import CLibFFI
import CTypes

/// ffi_type descriptions, owned by one FFIState (freed with it).
final class LibFFITypes {
    private var cache: [Int32: UnsafeMutablePointer<ffi_type>] = [:]
    private var allocations: [UnsafeMutableRawPointer] = []
    /// The element that makes a struct MEMORY class for libffi (see `memoryType`).
    private var memoryMarker: UnsafeMutablePointer<ffi_type>?

    deinit {
        for block in allocations { block.deallocate() }
    }

    /// The ffi_type of type `id`, or nil when libffi cannot pass it (void is
    /// allowed only as a result; incomplete types never).
    func type(_ id: Int32, in ffi: FFIState) -> UnsafeMutablePointer<ffi_type>? {
        if let cached = cache[id] { return cached }
        let info = ffi.info(id)
        let result: UnsafeMutablePointer<ffi_type>?
        switch info.kind {
        case .void: result = lf_ffi_type(Int32(LF_FFI_VOID))
        case .bool, .uint8: result = lf_ffi_type(Int32(LF_FFI_UINT8))
        case .int8: result = lf_ffi_type(Int32(LF_FFI_SINT8))
        case .int16: result = lf_ffi_type(Int32(LF_FFI_SINT16))
        case .uint16: result = lf_ffi_type(Int32(LF_FFI_UINT16))
        case .int32: result = lf_ffi_type(Int32(LF_FFI_SINT32))
        case .uint32: result = lf_ffi_type(Int32(LF_FFI_UINT32))
        case .int64: result = lf_ffi_type(Int32(LF_FFI_SINT64))
        case .uint64: result = lf_ffi_type(Int32(LF_FFI_UINT64))
        case .float: result = lf_ffi_type(Int32(LF_FFI_FLOAT))
        case .double: result = lf_ffi_type(Int32(LF_FFI_DOUBLE))
        case .longDouble: result = lf_ffi_type(Int32(LF_FFI_LONGDOUBLE))
        case .complexFloat: result = lf_ffi_type(Int32(LF_FFI_COMPLEX_FLOAT))
        case .complexDouble: result = lf_ffi_type(Int32(LF_FFI_COMPLEX_DOUBLE))
        case .pointer, .reference: result = lf_ffi_type(Int32(LF_FFI_POINTER))
        case .record: result = recordType(id, in: ffi)
        case .array, .vector, .function, .other: result = nil
        }
        if let result { cache[id] = result }
        return result
    }

    /// A struct described by its fields, or any record by its classification.
    private func recordType(_ id: Int32, in ffi: FFIState) -> UnsafeMutablePointer<ffi_type>? {
        let type = ffi.types[Int(id)]
        guard case .record(let record) = type.kind, let size = record.size, size > 0,
              !record.isVariableLength, !record.hasFlexibleArray else { return nil }
        let classes = SysVCalls.eightbyteClasses(of: type)
        if size <= 16, classes == nil {
            // One long double (possibly nested) is returned in st0 as a long double
            // is, and passed in memory as it is; anything else with a long double or
            // a misaligned field (packed) is MEMORY class (clang and gcc agree).
            if size == 16, SysVCalls.isSingleLongDouble(type) { return lf_ffi_type(Int32(LF_FFI_LONGDOUBLE)) }
            return memoryType(size: size, alignment: record.alignment)
        }
        if !record.isUnion, !record.isPacked, record.fields.allSatisfy({ $0.bitfield == nil }) {
            var elements: [UnsafeMutablePointer<ffi_type>] = []
            for field in record.fields {
                guard appendElements(of: ffi.intern(field.type), to: &elements, in: ffi) else { return nil }
            }
            return makeStruct(elements)
        }
        return classifiedType(size: size, alignment: record.alignment, classes: classes)
    }

    /// A struct of `size` bytes that libffi passes and returns in memory, whatever
    /// its size: its only element is bigger than 32 bytes, which libffi classifies
    /// as MEMORY. The outer size and alignment are preset, so libffi never lays the
    /// element out (`ffi_prep_cif` initializes only types whose size is 0).
    private func memoryType(size: Int, alignment: Int) -> UnsafeMutablePointer<ffi_type> {
        let marker = memoryMarker ?? {
            let marker = makeStruct([lf_ffi_type(Int32(LF_FFI_UINT8))!])
            marker.pointee.size = 40
            marker.pointee.alignment = 1
            memoryMarker = marker
            return marker
        }()
        let type = makeStruct([marker])
        type.pointee.size = size
        type.pointee.alignment = UInt16(alignment)
        return type
    }

    /// Appends the elements a field contributes: arrays become repeated elements.
    private func appendElements(
        of id: Int32, to elements: inout [UnsafeMutablePointer<ffi_type>], in ffi: FFIState
    ) -> Bool {
        let info = ffi.info(id)
        if info.kind == .array {
            guard let count = info.count else { return false }
            for _ in 0..<count where !appendElements(of: info.target, to: &elements, in: ffi) { return false }
            return true
        }
        guard let element = type(id, in: ffi), info.kind != .void else { return false }
        elements.append(element)
        return true
    }

    /// The x86-64 SysV description: per eightbyte, SSE or INTEGER as `classes`
    /// says; in memory (`classes` nil: only size and alignment matter then),
    /// elements that fill the size.
    private func classifiedType(
        size: Int, alignment: Int, classes: [Bool]?
    ) -> UnsafeMutablePointer<ffi_type>? {
        let unit = min(alignment, 8)
        var elements: [UnsafeMutablePointer<ffi_type>] = []
        guard let classes else {
            let longDouble = alignment >= 16
            let element = lf_ffi_type(Int32(longDouble ? LF_FFI_LONGDOUBLE : Self.unsignedCode(unit)))!
            for _ in 0..<(size / (longDouble ? 16 : unit)) { elements.append(element) }
            return makeStruct(elements)
        }
        for (index, sse) in classes.enumerated() {
            let start = index * 8, end = min(start + 8, size)
            var offset = start
            while offset < end {
                let width = sse ? (end - offset >= 8 && unit >= 8 ? 8 : 4) : unit
                let code = sse ? (width == 8 ? LF_FFI_DOUBLE : LF_FFI_FLOAT) : Self.unsignedCode(width)
                elements.append(lf_ffi_type(Int32(code))!)
                offset += width
            }
        }
        return makeStruct(elements)
    }

    private static func unsignedCode(_ width: Int) -> Int {
        switch width {
        case 1: LF_FFI_UINT8
        case 2: LF_FFI_UINT16
        case 4: LF_FFI_UINT32
        default: LF_FFI_UINT64
        }
    }

    /// A libffi struct type with these elements (kept alive by this object).
    private func makeStruct(_ elements: [UnsafeMutablePointer<ffi_type>]) -> UnsafeMutablePointer<ffi_type> {
        let list = UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>.allocate(capacity: elements.count + 1)
        for (i, element) in elements.enumerated() { list[i] = element }
        list[elements.count] = nil
        let type = UnsafeMutablePointer<ffi_type>.allocate(capacity: 1)
        type.initialize(to: ffi_type(size: 0, alignment: 0, type: lf_ffi_type_struct(), elements: list))
        allocations.append(UnsafeMutableRawPointer(list))
        allocations.append(UnsafeMutableRawPointer(type))
        return type
    }
}
