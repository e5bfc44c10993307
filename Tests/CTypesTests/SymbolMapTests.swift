// The symbol tables' hash map against a Dictionary, with colliding hashes forced so
// that probe runs, backward-shift deletion and the dense entry array all get used.

@testable import CTypes
import Testing

@Suite struct SymbolMapTests {
    /// A name whose hash is one of `buckets` values (many names share each).
    private func name(_ n: Int, buckets: UInt32) -> SymbolName {
        SymbolName("n\(n)", fnv: UInt32(truncatingIfNeeded: n) % buckets &* 2_654_435_761)
    }

    @Test(arguments: [1, 3, 64, 1 << 20])
    func agreesWithDictionary(buckets: Int) {
        var map = SymbolMap<Int>()
        var model: [String: Int] = [:]
        var random = SplitMix64(state: UInt64(buckets))
        for step in 0..<20_000 {
            let n = Int(random.next() % 600)
            let key = name(n, buckets: UInt32(buckets))
            switch random.next() % 5 {
            case 0, 1:
                #expect(map.updateValue(step, forKey: key) == model.updateValue(step, forKey: key.string))
            case 2:
                let old = map.insertIfAbsent(key, step)
                #expect(old == model[key.string])
                if old == nil { model[key.string] = step }
            case 3:
                map.removeValue(forKey: key)
                model[key.string] = nil
            default:
                #expect(map[key] == model[key.string])
            }
            if step % 997 == 0 { check(map, model, buckets: buckets) }
        }
        check(map, model, buckets: buckets)
        for n in 0..<600 { map.removeValue(forKey: name(n, buckets: UInt32(buckets))) }
        #expect(map.count == 0 && map[name(1, buckets: UInt32(buckets))] == nil)
    }

    private func check(_ map: SymbolMap<Int>, _ model: [String: Int], buckets: Int) {
        #expect(map.count == model.count)
        #expect(Set(map.keys.map(\.string)) == Set(model.keys))
        for n in 0..<600 {
            let key = name(n, buckets: UInt32(buckets))
            #expect(map[key] == model[key.string])
            #expect(map.entry(forKey: key)?.key.string == model[key.string].map { _ in key.string })
        }
    }

    @Test func valueOrInsertBuildsOnlyWhenAbsent() {
        var map = SymbolMap<String>()
        var built = 0
        let key = SymbolName("x")
        let (first, added) = map.valueOrInsert(key) { built += 1; return "one" }
        let (second, addedAgain) = map.valueOrInsert(key) { built += 1; return "two" }
        #expect(first == "one" && added && second == "one" && !addedAgain && built == 1)
        map.modifyValue(forKey: key) { $0 += "!" }
        #expect(map[key] == "one!")
    }
}
