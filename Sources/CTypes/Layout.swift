// Sizes and alignments of types, and GCC-compatible struct/union layout for a target.

extension CType {
    /// The largest object size, 2^31-1 bytes: LuaJIT's limit (`CTSize` is 32 bits and
    /// sizes stay below 2^31). The parser refuses larger arrays and records; larger
    /// variable-length objects have no size.
    public static let maximumSize = Int(Int32.max)

    /// The largest member of a record, 2^29-1 bytes, and the largest record: LuaJIT
    /// lays records out in bits counted in 32 bits (`cp_struct_layout`).
    static let maximumRecordSize = (1 << 29) - 1

    /// The size in bytes on the host target; nil for void, functions, incomplete types
    /// and `[?]`/`[]` arrays.
    public var size: Int? { size(on: .host) }

    /// The alignment in bytes on the host target (1 for void and incomplete records).
    public var alignment: Int { alignment(on: .host) }

    /// The size in bytes on `target`, or nil when the type has no size.
    public func size(on target: TargetLayout) -> Int? {
        switch kind {
        case .void, .function: return nil
        case .array(let element, .fixed(let n)):
            guard let elementSize = element.size(on: target) else { return nil }
            let (total, overflow) = elementSize.multipliedReportingOverflow(by: n)
            return overflow || total > CType.maximumSize ? nil : total
        case .array: return nil
        case .record(let record): return record.size
        case .enumeration(let enumeration):
            return enumeration.isComplete ? enumeration.underlying.size(on: target) : nil
        case .vector(_, let size): return size
        default: return primitive(on: target).size
        }
    }

    /// The alignment in bytes on `target`.
    public func alignment(on target: TargetLayout) -> Int {
        if let aligned = alignAttribute { return aligned }
        switch kind {
        case .void, .function: return 1
        case .array(let element, _): return element.alignment(on: target)
        case .record(let record): return record.alignment
        case .enumeration(let enumeration): return enumeration.underlying.alignment(on: target)
        case .vector(_, let size): return max(1, size)
        default: return primitive(on: target).alignment
        }
    }

    /// Size and alignment of scalar kinds.
    private func primitive(on target: TargetLayout) -> SizeAlign {
        switch kind {
        case .bool, .char: return SizeAlign(1, 1)
        case .integer(let size, _): return Self.integer(size, on: target)
        case .float: return target.float
        case .double: return target.double
        case .longDouble: return target.longDouble
        case .float128: return target.float128
        case .float16: return SizeAlign(2, 2)
        case .complexFloat: return SizeAlign(2 * target.float.size, target.float.alignment)
        case .complexDouble: return SizeAlign(2 * target.double.size, target.double.alignment)
        case .complexLongDouble: return SizeAlign(2 * target.longDouble.size, target.longDouble.alignment)
        case .pointer, .reference: return target.pointer
        default: return SizeAlign(0, 1)
        }
    }

    private static func integer(_ size: Int, on target: TargetLayout) -> SizeAlign {
        switch size {
        case 2: return target.short
        case 4: return target.int
        case 8: return target.longLong
        case 16: return target.int128
        default: return SizeAlign(size, size)
        }
    }
}

/// One member as declared, before layout.
struct MemberSpec {
    var name: String?
    var type: CType
    /// The bitfield width, nil for an ordinary member.
    var bitWidth: Int?
    /// `__attribute__((packed))` on the member.
    var isPacked = false
    /// `__attribute__((aligned(n)))` on the member.
    var alignAttribute: Int?
    /// Where the member's name is (for error messages).
    var nameToken: Token?
}

/// Attributes of the record as a whole.
struct RecordAttributes {
    var isPacked = false
    var alignAttribute: Int?
    /// The `#pragma pack(n)` in effect, nil for none.
    var pack: Int?
}

/// GCC's record layout (stor-layout.c `place_field`) for one target.
struct RecordLayout {
    let attributes: RecordAttributes
    private(set) var bit = 0
    private(set) var maxBits = 0
    private(set) var alignment = 1
    /// A member or the record reaches 2^29 bytes (`CType.maximumRecordSize`).
    private(set) var isTooLarge = false
    var fields: [CField] = []

    init(attributes: RecordAttributes) {
        self.attributes = attributes
    }

    /// Lays out `members` and completes `record`; returns the first member name seen
    /// twice, if any. Throws, as LuaJIT refuses it, a record too large for LuaJIT.
    static func complete(
        _ record: CRecord, members: UnsafeBufferPointer<MemberSpec>, attributes: RecordAttributes,
        target: TargetLayout
    ) throws(RecordTooLarge) -> String? {
        var layout = RecordLayout(attributes: attributes)
        layout.fields.reserveCapacity(members.count)
        for index in members.indices {
            layout.place(members[index], isUnion: record.isUnion, target: target)
        }
        if let aligned = attributes.alignAttribute {
            layout.alignment = max(layout.alignment, aligned)
        }
        if layout.isTooLarge { throw RecordTooLarge() }
        let bytes = (max(layout.bit, layout.maxBits) + 7) / 8
        let size = roundUp(bytes, layout.alignment)
        return record.complete(
            fields: layout.fields, size: size, alignment: layout.alignment,
            packed: attributes.isPacked)
    }

    /// Places one member at the current position (or at 0 in a union).
    private mutating func place(
        _ member: borrowing MemberSpec, isUnion: Bool, target: TargetLayout
    ) {
        if isUnion { bit = 0 }
        if let width = member.bitWidth {
            placeBitfield(member, width: width, target: target)
        } else {
            placeOrdinary(member, target: target)
        }
        maxBits = max(maxBits, bit)
    }

    private mutating func placeOrdinary(_ member: borrowing MemberSpec, target: TargetLayout) {
        let typeSize = member.type.size(on: target) ?? 0
        if typeSize > CType.maximumRecordSize || bit / 8 + typeSize > CType.maximumRecordSize {
            isTooLarge = true
        }
        var fieldAlign = isPacked(member) ? 1 : member.type.alignment(on: target)
        if let aligned = member.alignAttribute { fieldAlign = max(fieldAlign, aligned) }
        if let pack = attributes.pack { fieldAlign = min(fieldAlign, pack) }
        bit = roundUp(bit, fieldAlign * 8)
        fields.append(CField(name: member.name, type: member.type, offset: bit / 8))
        bit &+= typeSize &* 8
        alignment = max(alignment, fieldAlign)
    }

    private mutating func placeBitfield(
        _ member: borrowing MemberSpec, width: Int, target: TargetLayout
    ) {
        let typeSize = member.type.size(on: target) ?? 1
        let typeAlign = member.type.alignment(on: target)
        if bit / 8 + typeSize > CType.maximumRecordSize { isTooLarge = true }
        if width == 0 {
            bit = roundUp(bit, typeAlign * 8)
            return
        }
        if var aligned = member.alignAttribute {
            if let pack = attributes.pack { aligned = min(aligned, pack) }
            bit = roundUp(bit, aligned * 8)
            alignment = max(alignment, aligned)
        }
        let packed = isPacked(member)
        if attributes.pack == nil && !packed
            && Self.excessUnitSpan(bit, width, typeAlign * 8, typeSize * 8)
        {
            bit = roundUp(bit, typeAlign * 8)
        }
        let bits = CBitfield(bitOffset: bit, width: width)
        fields.append(CField(name: member.name, type: member.type, offset: bit / 8, bitfield: bits))
        bit += width
        if member.name != nil || target.unnamedBitfieldsAlignRecord {
            var recordAlign = packed ? 1 : typeAlign
            if let pack = attributes.pack { recordAlign = min(typeAlign, pack) }
            alignment = max(alignment, recordAlign)
        }
    }

    private func isPacked(_ member: MemberSpec) -> Bool {
        attributes.isPacked || member.isPacked
    }

    /// GCC `excess_unit_span`: whether the bitfield spans more alignment units than its
    /// type has.
    private static func excessUnitSpan(
        _ offset: Int, _ width: Int, _ alignBits: Int, _ sizeBits: Int
    ) -> Bool {
        let inUnit = offset % alignBits
        return (inUnit + width + alignBits - 1) / alignBits > sizeBits / alignBits
    }
}

/// A record LuaJIT refuses: a member or the whole of 2^29 bytes or more.
struct RecordTooLarge: Error {}

/// Rounds `value` up to a multiple of `alignment` (a positive number).
func roundUp(_ value: Int, _ alignment: Int) -> Int {
    guard alignment > 1 else { return value }
    return (value &+ alignment &- 1) / alignment &* alignment
}
