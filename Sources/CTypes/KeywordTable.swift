// Keyword recognition without building a String: FNV-1a over the bytes, open addressing.

/// A fixed hash table from keyword spellings to keywords.
struct KeywordTable: Sendable {
    private struct Entry: Sendable {
        var hash: UInt32
        var spelling: [UInt8]
        var keyword: Keyword
    }

    private static let size = 512
    private var slots: [Entry?]

    /// The table of all `Keyword.table` spellings.
    static let shared = KeywordTable(Keyword.table)

    private init(_ spellings: [String: Keyword]) {
        slots = Array(repeating: nil, count: Self.size)
        for (spelling, keyword) in spellings {
            let bytes = Array(spelling.utf8)
            let hash = Self.hash(bytes[...])
            var slot = Int(hash) & (Self.size - 1)
            while slots[slot] != nil { slot = (slot + 1) & (Self.size - 1) }
            slots[slot] = Entry(hash: hash, spelling: bytes, keyword: keyword)
        }
    }

    /// FNV-1a of the bytes.
    @inline(__always) static func hash(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hash
    }

    /// The keyword spelled by `bytes`, if any.
    func keyword(_ bytes: ArraySlice<UInt8>) -> Keyword? {
        let hash = Self.hash(bytes)
        var slot = Int(hash) & (Self.size - 1)
        while let entry = slots[slot] {
            if entry.hash == hash && entry.spelling.elementsEqual(bytes) { return entry.keyword }
            slot = (slot + 1) & (Self.size - 1)
        }
        return nil
    }
}
