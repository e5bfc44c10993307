// The embedding API: a million errors each way through the typed API, many states
// on many threads.
import Lua
import Synchronization
import Testing

@Suite struct EmbeddingLeakTests {
    /// Typed functions, methods and references: errors raised a million times in
    /// each direction leave no Swift object alive.
    @Test func millionTypedErrorsBothWaysLeakNothing() throws {
        let tag = "embed-million"
        do {
            let state = try LuaState()
            try state.register(Counter.luaClass())
            try state.register("fail") { (code: Int, holder: Counter?) throws -> Int in
                let held = Tracker(tag)
                throw TrackedError(tracker: held, code: code)
            }
            // Lua -> Swift: Swift throws (and bad arguments), Lua catches.
            let caught = try state.run("""
                local caught, c = 0, ...
                for i = 1, 500000 do
                  if not pcall(fail, i, c) then caught = caught + 1 end
                  if not pcall(fail, 'not a number') then caught = caught + 1 end
                end
                return caught
                """)
            #expect(caught == [.integer(1_000_000)])
            // Swift -> Lua: Lua raises through a typed call of a referenced function.
            let boom = try state.evaluate("return function(i, c) error({code = i, obj = c}) end", as: LuaFunction.self)
            var thrown = 0
            for i in 0..<1_000_000 {
                do {
                    _ = try boom.call(i, Counter(tag: tag), as: Int.self)
                } catch is LuaError {
                    thrown += 1
                }
            }
            #expect(thrown == 1_000_000)
            #expect(state.top == 0)
            try state.run("collectgarbage(); collectgarbage()")
            #expect(Tracker.count(tag) <= 1)  // at most the last error, kept for identity
        }
        #expect(Tracker.count(tag) == 0)
        #expect(Tracker.count("counter-fail") == 0)
    }

    /// Independent states on different threads run at the same time.
    @Test func manyStatesOnManyThreads() async throws {
        let sums = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    do {
                        let state = try LuaState(sandbox: LuaSandbox(memoryLimit: 8 << 20, timeLimit: .seconds(10)))
                        try state.register(Counter.luaClass())
                        try state.register("scale") { (x: Int) in x * (worker + 1) }
                        try state.register("counter") { () in Counter(tag: "threads") }
                        let f = try state.evaluate("""
                            return function(n)
                              local total, c = 0, counter()
                              for i = 1, n do total = total + scale(i); c:increment() end
                              local t = {}
                              for i = 1, 1000 do t[i] = tostring(i) end
                              return total + c.count - n
                            end
                            """, as: LuaFunction.self)
                        var total = 0
                        for _ in 0..<50 { total = try f.call(1000, as: Int.self) }
                        _ = try? state.run("for i = 1, 3e5 do end")
                        return total / (worker + 1)
                    } catch {
                        Issue.record("worker \(worker): \(error)")
                        return 0
                    }
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(sums == Array(repeating: 500500, count: 8))
        #expect(Tracker.count("threads") == 0)
    }

    /// Many states on many threads, with references dropped on other threads and
    /// limits tripping, counted with atomics only (a ThreadSanitizer run of this
    /// test sees nothing but the library: `swift test --sanitize=thread`).
    @Test func concurrentStatesWithCrossThreadReleases() async throws {
        let live = LiveCount()
        try await withThrowingTaskGroup(of: Carrier.self) { group in
            for worker in 0..<6 {
                group.addTask {
                    let state = try LuaState(sandbox: LuaSandbox(instructionLimit: 200_000, timeLimit: nil))
                    try state.register(LuaClass(Probe.self))
                    try state.register("probe") { () in Probe(live) }
                    let carrier = Carrier()
                    for i in 0..<200 {
                        let t = try state.evaluate("return {probe(), \(i), \(worker)}", as: LuaTable.self)
                        carrier.references.append(t)
                        _ = try? state.run("while true do end")
                    }
                    return carrier  // its references are dropped on another thread
                }
            }
            for try await carrier in group { carrier.references.removeAll() }
        }
        #expect(live.count.load(ordering: .relaxed) == 0)
    }
}

/// Live `Probe`s, counted with an atomic.
private final class LiveCount: Sendable {
    let count = Atomic<Int>(0)
}

/// An object counted by a `LiveCount`.
private final class Probe: LuaBridged {
    let live: LiveCount
    init(_ live: LiveCount) {
        self.live = live
        live.count.add(1, ordering: .relaxed)
    }
    deinit { live.count.add(-1, ordering: .relaxed) }
}

/// Carries references from the thread of their state to another one.
private final class Carrier: @unchecked Sendable {
    var references: [LuaReference] = []
}
