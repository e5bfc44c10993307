// Keyword recognition without building a String: FNV-1a over the bytes, open addressing.

/// A fixed hash table from keyword spellings to keywords, in flat buffers allocated once
/// and never freed (no reference counting on lookups).
struct KeywordTable: @unchecked Sendable {
    private static let size = 512
    /// Per slot: the keyword's raw value, or `empty`.
    private let keywords: UnsafeMutablePointer<UInt8>
    private let hashes: UnsafeMutablePointer<UInt32>
    /// Per slot: where the spelling starts in `text`, and its length.
    private let starts: UnsafeMutablePointer<Int32>
    private let lengths: UnsafeMutablePointer<UInt8>
    private let text: UnsafeMutablePointer<UInt8>
    /// Per byte value: 1 when it can continue an identifier (`isIdentifierPart`).
    let identifierPart: UnsafeMutablePointer<UInt8>
    private static let empty = UInt8.max

    /// The table of all `Keyword.table` spellings.
    static let shared = KeywordTable(Keyword.table)

    private init(_ spellings: [String: Keyword]) {
        keywords = .allocate(capacity: Self.size)
        keywords.initialize(repeating: Self.empty, count: Self.size)
        hashes = .allocate(capacity: Self.size)
        hashes.initialize(repeating: 0, count: Self.size)
        starts = .allocate(capacity: Self.size)
        starts.initialize(repeating: 0, count: Self.size)
        lengths = .allocate(capacity: Self.size)
        lengths.initialize(repeating: 0, count: Self.size)
        var all: [UInt8] = []
        for (spelling, keyword) in spellings {
            precondition(unsafeBitCast(keyword.rawValue, to: Keyword.self) == keyword)
            let bytes = Array(spelling.utf8)
            let hash = bytes.withUnsafeBufferPointer { Self.hash($0.baseAddress!, 0, $0.count) }
            var slot = Int(hash) & (Self.size - 1)
            while keywords[slot] != Self.empty { slot = (slot + 1) & (Self.size - 1) }
            keywords[slot] = keyword.rawValue
            hashes[slot] = hash
            starts[slot] = Int32(all.count)
            lengths[slot] = UInt8(bytes.count)
            all += bytes
        }
        identifierPart = .allocate(capacity: 256)
        for byte in 0..<256 { identifierPart[byte] = isIdentifierPart(UInt8(byte)) ? 1 : 0 }
        text = .allocate(capacity: all.count)
        text.initialize(from: all, count: all.count)
    }

    /// FNV-1a of no bytes (its offset basis).
    static var emptyHash: UInt32 { 2_166_136_261 }

    /// FNV-1a of `count` bytes at `bytes + start`.
    @inline(__always) static func hash(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ count: Int)
        -> UInt32
    {
        var hash: UInt32 = 2_166_136_261
        var index = start
        let end = start &+ count
        while index < end {
            hash = (hash ^ UInt32(bytes[index])) &* 16_777_619
            index &+= 1
        }
        return hash
    }

    /// The keyword spelled by `bytes[range]`, if any.
    func keyword(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Keyword? {
        guard let base = bytes.baseAddress else { return nil }
        return keyword(base, range.lowerBound, range.count)
    }

    /// The keyword spelled by the `count` bytes at `bytes + start`, if any.
    @inline(__always) func keyword(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ count: Int)
        -> Keyword?
    {
        // Every keyword is 2 to 17 bytes long.
        if count < 2 || count > 17 { return nil }
        return keyword(hash: Self.hash(bytes, start, count), bytes, start, count)
    }

    /// The keyword spelled by the `count` bytes at `bytes + start`, whose FNV-1a hash is
    /// `hash` (the lexer computes it while scanning), if any.
    @inline(__always) func keyword(
        hash: UInt32, _ bytes: UnsafePointer<UInt8>, _ start: Int, _ count: Int
    ) -> Keyword? {
        if count < 2 || count > 17 { return nil }
        var slot = Int(hash) & (Self.size - 1)
        while keywords[slot] != Self.empty {
            if hashes[slot] == hash && Int(lengths[slot]) == count
                && matches(slot, bytes, start, count)
            {
                // Raw values are the case indices (0, 1, 2...), checked at startup.
                return unsafeBitCast(keywords[slot], to: Keyword.self)
            }
            slot = (slot + 1) & (Self.size - 1)
        }
        return nil
    }

    private func matches(_ slot: Int, _ bytes: UnsafePointer<UInt8>, _ start: Int, _ count: Int)
        -> Bool
    {
        let at = text + Int(starts[slot])
        for offset in 0..<count where at[offset] != bytes[start + offset] { return false }
        return true
    }
}
