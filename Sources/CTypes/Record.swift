// Structs and unions: nominal, created incomplete and completed once by the layout engine.

/// The bit position and width of a bitfield.
public struct CBitfield: Hashable, Sendable {
    /// The offset of the first bit from the start of the enclosing record, in bits
    /// (little-endian bit numbering: bit `n` is bit `n % 8` of byte `n / 8`).
    public var bitOffset: Int
    /// The width in bits (1...64; zero-width bitfields are not listed as fields).
    public var width: Int
    /// Creates bitfield facts.
    public init(bitOffset: Int, width: Int) {
        self.bitOffset = bitOffset
        self.width = width
    }
}

/// One member of a record.
public struct CField: Hashable {
    // Stored in 48 bytes rather than 64 (every record keeps an array of these): the
    // bitfield's width (`Int32.min` for none) fills the padding after `type` instead of
    // a `CBitfield?` of its own after `offset`.
    /// The declared type (for a bitfield, its declared integer type).
    public var type: CType
    private var bitWidth: Int32
    /// The name, or nil for an anonymous (transparent) struct/union member or an unnamed
    /// bitfield.
    public var name: String?
    /// The byte offset of the member (for a bitfield, the byte holding its first bit).
    public var offset: Int
    private var bitOffset: Int
    /// Bit position and width when the member is a bitfield (a width fits in 32 bits).
    public var bitfield: CBitfield? {
        get { bitWidth == .min ? nil : CBitfield(bitOffset: bitOffset, width: Int(bitWidth)) }
        set {
            bitWidth = newValue.map { Int32($0.width) } ?? .min
            bitOffset = newValue?.bitOffset ?? 0
        }
    }
    /// Creates a field.
    public init(name: String?, type: CType, offset: Int, bitfield: CBitfield? = nil) {
        self.type = type
        self.name = name
        self.offset = offset
        bitWidth = bitfield.map { Int32($0.width) } ?? .min
        bitOffset = bitfield?.bitOffset ?? 0
    }
}

/// A field found by name, possibly through anonymous members: offsets are from the start
/// of the record that was searched.
public struct CFieldReference: Hashable {
    /// The byte offset of the member.
    public var offset: Int
    /// The member type.
    public var type: CType
    /// Bitfield facts, with `bitOffset` relative to the searched record.
    public var bitfield: CBitfield?
}

/// A struct or union. Compared by identity; created incomplete and completed later.
///
/// Corresponds to LuaJIT's `CT_STRUCT`.
public final class CRecord: Hashable, CustomStringConvertible {
    // (Stored properties in this order so that the flags share the padding after `size`:
    // one instance per struct, 104 bytes. Exclusivity unchecked, measured and safe:
    // see `CDeclarations.table`; LuaFFI only reads them, each read a copy.)
    /// The tag (`struct tag`), nil when anonymous.
    public let tag: String?
    /// The members, in declaration order (empty while incomplete).
    @exclusivity(unchecked) public internal(set) var fields: [CField] = []
    /// The size in bytes (nil while incomplete). For a record ending in a `[?]` or `[]`
    /// array, the size without that array.
    @exclusivity(unchecked) public internal(set) var size: Int?
    /// Whether the body has been declared.
    public var isComplete: Bool { size != nil }
    /// `true` for a union.
    public let isUnion: Bool
    /// Whether `__attribute__((packed))` applies to the whole record.
    @exclusivity(unchecked) public internal(set) var isPacked = false
    /// Whether the last member is a `[?]` array (a variable-length struct, LuaJIT's VLS).
    @exclusivity(unchecked) public internal(set) var isVariableLength = false
    /// Whether the last member is a flexible array member `[]` (or `[0]`).
    @exclusivity(unchecked) public internal(set) var hasFlexibleArray = false
    /// How deeply records nest inside this one by value (1 for scalars only; see
    /// `CType.nestingDepth`), set on completion.
    @exclusivity(unchecked) public internal(set) var nesting: UInt16 = 1
    /// Whether a member is `const` (or has a `const` part): as in LuaJIT, such a
    /// "pseudo-const" record cannot be assigned as a whole (`CType.hasConstPart`).
    @exclusivity(unchecked) public internal(set) var hasConstMember = false
    /// The alignment in bytes (1 while incomplete).
    @exclusivity(unchecked) public internal(set) var alignment: Int = 1
    /// Name lookup through anonymous members, built on first use after completion.
    @exclusivity(unchecked) private var lookupTable: [String: CFieldReference]?
    /// Where the body was defined (nil while incomplete).
    @exclusivity(unchecked) public internal(set) var location: CSourceLocation?
    /// The constants scoped to the record, as in LuaJIT: `static const int K = 1;` and
    /// the enumerators of an anonymous `enum { ... };` member (those are global too).
    @exclusivity(unchecked) public internal(set) var constants: [CConstant] = []

    /// Creates an incomplete record.
    public init(isUnion: Bool, tag: String?) {
        self.isUnion = isUnion
        self.tag = tag
    }

    /// `struct` or `union`.
    public var keyword: String { isUnion ? "union" : "struct" }

    /// `struct tag`, or `struct <anonymous>`.
    public var description: String { "\(keyword) \(tag ?? "<anonymous>")" }

    /// Finds a member by name, looking through anonymous struct/union members.
    public func field(named name: String) -> CFieldReference? { lookup[name] }

    /// A record-scoped constant (see `constants`), also of anonymous members.
    public func constant(named name: String) -> CConstant? {
        if let constant = constants.first(where: { $0.name == name }) { return constant }
        for field in fields where field.name == nil {
            if case .record(let inner) = field.type.kind, let constant = inner.constant(named: name) {
                return constant
            }
        }
        return nil
    }

    /// All names `field(named:)` answers for, in no particular order.
    public var fieldNames: Dictionary<String, CFieldReference>.Keys { lookup.keys }

    /// The lookup table, built once (records are completed once; a rollback resets it).
    private var lookup: [String: CFieldReference] {
        if let lookupTable { return lookupTable }
        var table = [String: CFieldReference](minimumCapacity: fields.count)
        _ = Self.addLookup(of: self, offset: 0, into: &table)
        lookupTable = table
        return table
    }

    /// Completes the record with laid-out fields; rebuilds the lookup table. Returns the
    /// first member name seen twice, if any (the parser reports it; not stored, as
    /// every record would carry it).
    func complete(fields: [CField], size: Int, alignment: Int, packed: Bool) -> String? {
        self.fields = fields
        self.size = size
        self.alignment = alignment
        self.isPacked = packed
        hasConstMember = fields.contains { $0.type.hasConstPart }
        if case .array(_, let count)? = fields.last?.type.kind {
            isVariableLength = count == .variable
            hasFlexibleArray = count == .unspecified || count == .fixed(0)
        }
        lookupTable = nil
        var deepest = 0
        for field in fields where deepest <= CNesting.maximum { deepest = max(deepest, field.type.nestingDepth) }
        nesting = UInt16(min(deepest + 1, CNesting.maximum + 1))
        return Self.findDuplicate(in: fields)
    }

    /// The first member name seen twice (also through anonymous members): pairwise for a
    /// few plain members, with the lookup table otherwise.
    private static func findDuplicate(in fields: [CField]) -> String? {
        if fields.count <= 16 {
            var plain = true
            for field in fields where field.name == nil {
                if case .record = field.type.kind, field.bitfield == nil { plain = false }
            }
            if plain {
                // A cheap key per name (length and first byte) on the stack; names are
                // compared only when their keys match.
                return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: fields.count) { keys in
                    for i in fields.indices {
                        guard let name = fields[i].name else {
                            keys[i] = .max
                            continue
                        }
                        let key = UInt32(truncatingIfNeeded: name.utf8.count) << 8 | UInt32(name.utf8.first ?? 0)
                        keys[i] = key
                        for j in 0..<i where keys[j] == key && fields[j].name == name { return name }
                    }
                    return nil
                }
            }
        }
        var table = [String: CFieldReference](minimumCapacity: fields.count)
        return addLookupOf(fields, offset: 0, into: &table)
    }

    /// Drops the name lookup (rebuilt on next use) after the offsets changed.
    func resetLookup() { lookupTable = nil }

    /// Returns the record to the incomplete state (used to roll back a failed `cdef`).
    func resetToIncomplete() {
        fields = []
        size = nil
        alignment = 1
        nesting = 1
        isPacked = false
        isVariableLength = false
        hasFlexibleArray = false
        hasConstMember = false
        lookupTable = nil
        location = nil
        constants = []
    }

    /// Adds the members of `record` (at `offset` bytes) to `table`; returns the first
    /// name seen twice, if any.
    /// `qualifiers`: those of the anonymous member the fields are reached through
    /// (`const struct { int ni; };` makes `ni` const).
    private static func addLookup(
        of record: CRecord, offset: Int, qualifiers: CQualifiers = [],
        into table: inout [String: CFieldReference]
    ) -> String? {
        addLookupOf(record.fields, offset: offset, qualifiers: qualifiers, into: &table)
    }

    private static func addLookupOf(
        _ fields: [CField], offset: Int, qualifiers: CQualifiers = [],
        into table: inout [String: CFieldReference]
    ) -> String? {
        var duplicate: String?
        for field in fields {
            if let name = field.name {
                var bits = field.bitfield
                bits?.bitOffset += offset * 8
                let reference = CFieldReference(
                    offset: offset + field.offset, type: field.type.adding(qualifiers), bitfield: bits)
                if table.updateValue(reference, forKey: name) != nil {
                    duplicate = duplicate ?? name
                }
            } else if case .record(let inner) = field.type.kind, field.bitfield == nil {
                let found = addLookup(
                    of: inner, offset: offset + field.offset,
                    qualifiers: qualifiers.union(field.type.qualifiers), into: &table)
                duplicate = duplicate ?? found
            }
        }
        return duplicate
    }

    public static func == (a: CRecord, b: CRecord) -> Bool { a === b }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
