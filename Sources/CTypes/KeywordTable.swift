// Keyword recognition without building a String: FNV-1a over the bytes, open addressing.

/// A fixed hash table from keyword spellings to keywords, in flat arrays (no per-lookup
/// reference counting).
struct KeywordTable: Sendable {
    private static let size = 512
    /// Per slot: the keyword's raw value, or `empty`.
    private var keywords: [UInt8]
    private var hashes: [UInt32]
    /// Per slot: where the spelling starts in `text`, and its length.
    private var starts: [Int32]
    private var lengths: [UInt8]
    private var text: [UInt8] = []
    private static let empty = UInt8.max

    /// The table of all `Keyword.table` spellings.
    static let shared = KeywordTable(Keyword.table)

    private init(_ spellings: [String: Keyword]) {
        keywords = Array(repeating: Self.empty, count: Self.size)
        hashes = Array(repeating: 0, count: Self.size)
        starts = Array(repeating: 0, count: Self.size)
        lengths = Array(repeating: 0, count: Self.size)
        for (spelling, keyword) in spellings {
            let bytes = Array(spelling.utf8)
            let hash = bytes.withUnsafeBufferPointer { Self.hash($0, $0.indices) }
            var slot = Int(hash) & (Self.size - 1)
            while keywords[slot] != Self.empty { slot = (slot + 1) & (Self.size - 1) }
            keywords[slot] = keyword.rawValue
            hashes[slot] = hash
            starts[slot] = Int32(text.count)
            lengths[slot] = UInt8(bytes.count)
            text += bytes
        }
    }

    /// FNV-1a of the bytes.
    @inline(__always) static func hash(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>)
        -> UInt32
    {
        var hash: UInt32 = 2_166_136_261
        for index in range { hash = (hash ^ UInt32(bytes[index])) &* 16_777_619 }
        return hash
    }

    /// The keyword spelled by `bytes[range]`, if any.
    func keyword(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Keyword? {
        // Every keyword is 2 to 17 bytes long.
        if range.count < 2 || range.count > 17 { return nil }
        let hash = Self.hash(bytes, range)
        var slot = Int(hash) & (Self.size - 1)
        while keywords[slot] != Self.empty {
            if hashes[slot] == hash && Int(lengths[slot]) == range.count
                && matches(slot, bytes, range)
            {
                return Keyword(rawValue: keywords[slot])
            }
            slot = (slot + 1) & (Self.size - 1)
        }
        return nil
    }

    private func matches(_ slot: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>)
        -> Bool
    {
        var at = Int(starts[slot])
        for index in range {
            if text[at] != bytes[index] { return false }
            at += 1
        }
        return true
    }
}
