// The hash map behind the symbol tables.

/// A map from C names to symbol table entries, laid out for what makes `cdef` slow
/// once a scope holds tens of thousands of names: cache misses. A `Dictionary` keeps
/// a bitmap, the keys and the values in three arrays and hashes every key with
/// SipHash; a lookup in a big table touches a cache line in each. Here a lookup
/// reads 8-byte slots (the name's FNV-1a hash and an entry index) that settle almost
/// every mismatch, and touches the entry itself only when the hash matches. Entries
/// are kept densely in insertion order, so recent names (the ones C declarations
/// refer to) share warm cache lines.
struct SymbolMap<Value> {
    /// Open addressing with linear probing: 0 is empty, else the key's hash in the
    /// high 32 bits and its entry index + 1 in the low 32.
    private var slots: [UInt64]
    private(set) var entries: ContiguousArray<(key: SymbolName, value: Value)> = []

    init() { slots = Array(repeating: 0, count: 16) }

    var count: Int { entries.count }
    var keys: [SymbolName] { entries.map(\.key) }

    /// The slot where a search for a key with hash `fnv` starts (Fibonacci hashing: the
    /// high bits of a multiple mix all bits of the hash).
    @inline(__always) private func home(_ fnv: UInt32) -> Int {
        let shift = UInt64(64 - slots.count.trailingZeroBitCount)
        return Int(truncatingIfNeeded: (UInt64(fnv) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The slot holding `key`, or the empty slot where it would go.
    @inline(__always) private func find(_ key: SymbolName) -> (slot: Int, found: Bool) {
        let mask = slots.count - 1
        let tag = UInt64(key.fnv) << 32
        var i = home(key.fnv)
        while true {
            let slot = slots[i]
            if slot == 0 { return (i, false) }
            if slot & 0xFFFF_FFFF_0000_0000 == tag, entries[Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1].key.string == key.string {
                return (i, true)
            }
            i = (i + 1) & mask
        }
    }

    @inline(__always) private func entryIndex(_ slot: Int) -> Int { Int(truncatingIfNeeded: slots[slot] & 0xFFFF_FFFF) - 1 }

    subscript(key: SymbolName) -> Value? {
        let (slot, found) = find(key)
        return found ? entries[entryIndex(slot)].value : nil
    }

    /// The stored key and value for `key`.
    func entry(forKey key: SymbolName) -> (key: SymbolName, value: Value)? {
        let (slot, found) = find(key)
        return found ? entries[entryIndex(slot)] : nil
    }

    /// Adds `value` unless `key` is there; returns the existing value (one search).
    @inline(__always) mutating func insertIfAbsent(_ key: SymbolName, _ value: Value) -> Value? {
        let (slot, found) = find(key)
        if found { return entries[entryIndex(slot)].value }
        insert(key, value, at: slot)
        return nil
    }

    /// The value for `key`; when absent, first adds the one `make` builds (one search).
    @inline(__always) mutating func valueOrInsert(_ key: SymbolName, _ make: () -> Value) -> (Value, added: Bool) {
        let (slot, found) = find(key)
        if found { return (entries[entryIndex(slot)].value, false) }
        let value = make()
        insert(key, value, at: slot)
        return (value, true)
    }

    /// Sets the value for `key`; returns the one it replaced.
    @discardableResult
    mutating func updateValue(_ value: Value, forKey key: SymbolName) -> Value? {
        let (slot, found) = find(key)
        if found {
            let index = entryIndex(slot)
            let old = entries[index].value
            entries[index].value = value
            return old
        }
        insert(key, value, at: slot)
        return nil
    }

    /// Changes the value for `key` in place, if it is there.
    mutating func modifyValue(forKey key: SymbolName, _ change: (inout Value) -> Void) {
        let (slot, found) = find(key)
        if found { change(&entries[entryIndex(slot)].value) }
    }

    private mutating func insert(_ key: SymbolName, _ value: Value, at slot: Int) {
        precondition(entries.count < Int(UInt32.max - 1), "symbol table full")
        entries.append((key, value))
        slots[slot] = UInt64(key.fnv) << 32 | UInt64(entries.count)
        if entries.count * 4 > slots.count * 3 { rehash(slots.count * 2) } // load <= 3/4
    }

    private mutating func rehash(_ capacity: Int) {
        slots = Array(repeating: 0, count: capacity)
        let mask = capacity - 1
        for index in entries.indices {
            let fnv = entries[index].key.fnv
            var i = home(fnv)
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = UInt64(fnv) << 32 | UInt64(index + 1)
        }
    }

    /// Removes `key` and its value, if there.
    mutating func removeValue(forKey key: SymbolName) {
        let (slot, found) = find(key)
        guard found else { return }
        let index = entryIndex(slot)
        deleteSlot(slot)
        // Keep the entries dense: the last one moves into the hole.
        let last = entries.count - 1
        if index != last {
            let (moved, _) = find(entries[last].key)
            slots[moved] = slots[moved] & 0xFFFF_FFFF_0000_0000 | UInt64(index + 1)
            entries.swapAt(index, last)
        }
        entries.removeLast()
    }

    /// Empties `slot` and shifts back the entries after it that probed past it, so
    /// every search still finds its key before an empty slot (no tombstones).
    private mutating func deleteSlot(_ slot: Int) {
        let mask = slots.count - 1
        var hole = slot
        var i = (slot + 1) & mask
        while slots[i] != 0 {
            let want = home(UInt32(truncatingIfNeeded: slots[i] >> 32))
            // Move it when its home is not cyclically within (hole, i].
            if (i - want) & mask >= (i - hole) & mask {
                slots[hole] = slots[i]
                hole = i
            }
            i = (i + 1) & mask
        }
        slots[hole] = 0
    }
}
