// Sizes of LuaJIT's variable-length arrays (`int[?]`) and structs ending in one.
import CTypes

/// Where the variable part of a type starts and how big each element is.
struct VariableLayout {
    /// Byte offset of element 0 of the variable array.
    var offset: Int
    /// Size of one element.
    var elementSize: Int
    /// Alignment of the whole object (the total size is rounded up to it).
    var alignment: Int
    /// Whether `ffi.new` may leave out the count: a `[]` array (a flexible array
    /// member, as in C99) has as many elements as a table initializer gives, or 0.
    var countIsOptional = false
    /// For a struct ending in `[?]`: its size without the elements. LuaJIT's VLS is
    /// that size plus the elements, unrounded (`struct { int64_t a; char b;
    /// uint16_t g[?]; }` is 18 bytes for 1 element, 22 for 3).
    var base: Int?

    /// The size of an object with `count` elements; nil from 2^31 bytes on, as LuaJIT
    /// (`lj_ctype_vlsize`: `ffi.sizeof` gives nil, `ffi.new` refuses).
    func size(count: Int) -> Int? {
        let (bytes, overflow) = elementSize.multipliedReportingOverflow(by: count)
        guard !overflow, bytes <= Int.max - max(offset, base ?? 0) - alignment else { return nil }
        let end = offset + bytes
        let size = base.map { $0 + bytes } ?? (end + alignment - 1) / alignment * alignment
        return size <= CType.maximumSize ? size : nil
    }
}

extension CType {
    /// The variable part of a `[?]` or `[]` array or of a struct whose last member
    /// is one (LuaJIT's VLS, C99's flexible array member); nil for every other type.
    var variableLayout: VariableLayout? {
        switch kind {
        case .array(let element, let count) where count == .variable || count == .unspecified:
            guard let size = element.size else { return nil }
            return VariableLayout(offset: 0, elementSize: size, alignment: element.alignment,
                                  countIsOptional: count == .unspecified)
        case .record(let record) where record.isVariableLength || record.hasFlexibleArray:
            guard let last = record.fields.last, case .array(let element, let count) = last.type.kind,
                  count == .variable || count == .unspecified, let size = element.size else { return nil }
            return VariableLayout(offset: last.offset, elementSize: size, alignment: record.alignment,
                                  countIsOptional: count == .unspecified,
                                  base: count == .variable ? record.size : nil)
        default:
            return nil
        }
    }
}
