// Record layouts given by the C compiler (API mode): they replace the computed ones.

/// The layout the C compiler gave a struct or union: its size, alignment and the byte
/// offsets of its named, non-bitfield members in declaration order (what `offsetof`
/// can measure). Members it does not list (anonymous members, bitfields) keep their
/// computed offsets.
public struct CCompilerLayout: Hashable, Sendable {
    public var size: Int
    public var alignment: Int
    public var offsets: [Int]
    /// Creates a layout.
    public init(size: Int, alignment: Int, offsets: [Int]) {
        self.size = size
        self.alignment = alignment
        self.offsets = offsets
    }
}

extension CRecord {
    /// The members whose offsets a `CCompilerLayout` lists, in order.
    public var measurableFields: [CField] { fields.filter { $0.name != nil && $0.bitfield == nil } }

    /// Replaces the computed layout with the compiler's.
    func apply(_ layout: CCompilerLayout) {
        var next = 0
        for index in fields.indices where fields[index].name != nil && fields[index].bitfield == nil {
            guard next < layout.offsets.count else { break }
            fields[index].offset = layout.offsets[next]
            next += 1
        }
        size = layout.size
        alignment = layout.alignment
        resetLookup()
    }
}

extension CDeclarations {
    /// The records completed so far, in the order their bodies closed (API mode
    /// matches them with the compiler's layouts by this order).
    public var completedRecordsInOrder: [CRecord] { completedRecords }

    /// Parses `source` as `cdef` does, with the compiler's layouts given to the record
    /// bodies it reads, one per body in the order their bodies close (nil: keep the
    /// computed layout). Used by API-mode modules, whose layouts the compiler measured.
    public func cdef(
        _ source: String, chunkName: String, parameters: [CParameter], layouts: [CCompilerLayout?]
    ) throws(CDeclarationError) {
        compilerLayouts = layouts
        nextCompilerLayout = 0
        defer { compilerLayouts = nil }
        try cdef(source, chunkName: chunkName, parameters: parameters)
    }

    /// The next compiler layout applied to `record`, if any (see `cdef(_:layouts:)`).
    func applyCompilerLayout(to record: CRecord) {
        guard let layouts = compilerLayouts, nextCompilerLayout < layouts.count else { return }
        defer { nextCompilerLayout += 1 }
        if let layout = layouts[nextCompilerLayout] { record.apply(layout) }
    }
}
