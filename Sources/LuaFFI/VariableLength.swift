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

    /// The size of an object with `count` elements; nil on overflow.
    func size(count: Int) -> Int? {
        let (bytes, overflow) = elementSize.multipliedReportingOverflow(by: count)
        guard !overflow, bytes <= Int.max - offset - alignment else { return nil }
        let end = offset + bytes
        return (end + alignment - 1) / alignment * alignment
    }
}

extension CType {
    /// The variable part of a `[?]` array or of a struct whose last member is one;
    /// nil for every other type.
    var variableLayout: VariableLayout? {
        switch kind {
        case .array(let element, .variable):
            guard let size = element.size else { return nil }
            return VariableLayout(offset: 0, elementSize: size, alignment: element.alignment)
        case .record(let record) where record.isVariableLength:
            guard let last = record.fields.last, case .array(let element, .variable) = last.type.kind,
                  let size = element.size else { return nil }
            return VariableLayout(offset: last.offset, elementSize: size, alignment: record.alignment)
        default:
            return nil
        }
    }
}
