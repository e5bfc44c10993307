// The embedding API: Swift classes as userdata, coroutines driven from Swift.
import Lua
import Testing

/// A Swift class exposed to Lua in the tests.
final class Counter: LuaBridged {
    var count = 0
    let step: Int
    let tracker: Tracker
    init(step: Int = 1, tag: String) {
        self.step = step
        tracker = Tracker(tag)
    }

    /// The Lua type of counters.
    static func luaClass() -> LuaClass<Counter> {
        let type = LuaClass(Counter.self, name: "Counter")
        type.property("count", get: { $0.count }, set: { $0.count = $1 })
        type.property("step", get: { $0.step })
        type.method("increment") { (c: Counter, times: Int?) in
            c.count += c.step * (times ?? 1)
            return c.count
        }
        type.method("fail") { (_: Counter, code: Int) throws -> Void in
            throw TrackedError(tracker: Tracker(c_tag(code)), code: code)
        }
        type.metamethod("__tostring") { (c: Counter) in "Counter(\(c.count))" }
        type.metamethod("__len") { (c: Counter) in c.count }
        type.metamethod("__add") { (c: Counter, other: Counter) in c.count + other.count }
        return type
    }
}

/// The tag of trackers made by `Counter.fail`.
private func c_tag(_ code: Int) -> String { "counter-fail" }

@Suite struct EmbeddingObjectTests {
    @Test func classesHaveMethodsPropertiesAndMetamethods() throws {
        let tag = "counter-basic"
        do {
            let state = try LuaState()
            try state.register(Counter.luaClass())
            let counter = Counter(step: 2, tag: tag)
            state.push(object: counter)
            try state.setGlobal("c")
            try state.register("newCounter") { (step: Int) in Counter(step: step, tag: tag) }
            let results = try state.run("""
                c:increment(); c:increment(3)
                c.count = c.count + 1
                local d = newCounter(10)
                d:increment()
                return c.count, c.step, tostring(c), #c, c + d, d.count, c.missing
                """)
            #expect(results == [.integer(9), .integer(2), .string("Counter(9)"), .integer(9), .integer(19), .integer(10), .nil])
            #expect(counter.count == 9)
            let errors = try state.run("""
                local r = {}
                r[1] = select(2, pcall(function() c.step = 3 end))
                r[2] = select(2, pcall(function() c.nothing = 3 end))
                r[3] = select(2, pcall(function() c.count = 'many' end))
                r[4] = select(2, pcall(function() return c:increment('x') end))
                r[5] = select(2, pcall(function() return c.increment(42) end))
                r[6] = getmetatable(c)
                return table.unpack(r, 1, 6)
                """, name: "=obj")
            #expect(errors == [
                .string("obj:2: cannot assign 'step': 'Counter' has read-only property 'step'"),
                .string("obj:3: cannot assign 'nothing': 'Counter' has no field 'nothing'"),
                .string("obj:4: bad value for property 'count' of 'Counter' (number expected, got string)"),
                .string("obj:5: bad argument #1 to 'increment' (number expected, got string)"),
                .string("obj:6: bad argument #1 to 'increment' (Counter expected, got number)"),
                .boolean(false),
            ])
            // The same object is the same userdata; Lua hands it back to Swift.
            #expect(try state.evaluate("return c", as: Counter.self) === counter)
            try state.register("same") { (a: Counter, b: Counter) in a === b }
            #expect(try state.evaluate("return rawequal(c, c) and same(c, c)", as: Bool.self))
            #expect(Tracker.count(tag) == 2)
        }
        #expect(Tracker.count(tag) == 0)
    }

    @Test func objectsLiveAsLongAsLuaHoldsThem() throws {
        let tag = "counter-lifetime"
        let state = try LuaState()
        try state.register(Counter.luaClass())
        do {
            state.push(object: Counter(tag: tag))
            try state.setGlobal("held")
        }
        try state.run("collectgarbage(); collectgarbage()")
        #expect(Tracker.count(tag) == 1)  // only Lua holds it
        #expect(try state.evaluate("held:increment(); return held.count", as: Int.self) == 1)
        try state.run("held = nil; collectgarbage(); collectgarbage()")
        #expect(Tracker.count(tag) == 0)  // released by __gc
        state.push(object: Counter(tag: tag))
        try state.setGlobal("kept")
        #expect(Tracker.count(tag) == 1)
        state.close()
        #expect(Tracker.count(tag) == 0)  // released when the state closes
    }

    @Test func userdataReferenceGivesTheObjectBack() throws {
        let state = try LuaState()
        try state.register(Counter.luaClass())
        let counter = Counter(tag: "counter-ref")
        state.push(object: counter)
        try state.setGlobal("c")
        let userdata = try state.evaluate("return c", as: LuaUserdata.self)
        #expect(userdata.object(as: Counter.self) === counter)
        #expect(try state.evaluate("return {}", as: LuaTable.self).count == 0)
    }

    @Test func coroutinesResumeAndYieldFromSwift() throws {
        let state = try LuaState()
        let co = try state.coroutine("""
            function(a, b)
              local c = coroutine.yield(a + b)
              local d, e = coroutine.yield(c * 2)
              return d .. e
            end
            """)
        #expect(co.status == .suspended)
        #expect(try co.resume(.integer(1), .integer(2)) == .yielded([.integer(3)]))
        #expect(try co.resume(.integer(10)) == .yielded([.integer(20)]))
        #expect(try co.resume(.string("x"), .string("y")) == .returned([.string("xy")]))
        #expect(co.status == .dead)
        #expect(throws: LuaError.self) { try co.resume() }
        #expect(state.top == 0)
    }

    @Test func swiftFunctionsYieldThroughTheCHelper() throws {
        let state = try LuaState()
        var log: [LuaValue] = []
        try state.registerYielding("waitFor") { arguments in
            log.append(contentsOf: arguments)
            return .yield([.string("waiting"), arguments.first ?? .nil])
        }
        let co = try state.coroutine("""
            function()
              local got = waitFor('event')
              local again = waitFor('second')
              return got + again
            end
            """)
        #expect(try co.resume() == .yielded([.string("waiting"), .string("event")]))
        #expect(try co.resume(.integer(40)) == .yielded([.string("waiting"), .string("second")]))
        #expect(try co.resume(.integer(2)) == .returned([.integer(42)]))
        #expect(log == [.string("event"), .string("second")])
        // Lua's coroutine library drives the same function.
        let fromLua = try state.run("""
            local co = coroutine.wrap(function() return waitFor('lua') + 1 end)
            local _, arg = co()
            return arg, co(1)
            """)
        #expect(fromLua == [.string("lua"), .integer(2)])
        // Outside a coroutine the yield is an error raised from C.
        #expect(throws: LuaError.self) { try state.run("waitFor('main')") }
        #expect(state.top == 0)
    }

    @Test func errorInsideCoroutineIsThrownWithTraceback() throws {
        let state = try LuaState()
        let co = try state.coroutine("function() coroutine.yield(1); error('inside') end")
        #expect(try co.resume() == .yielded([.integer(1)]))
        do {
            _ = try co.resume()
            Issue.record("expected an error")
        } catch let error as LuaError {
            #expect(error.message.hasSuffix("inside"))
            #expect(error.traceback?.hasPrefix("stack traceback:") == true)
        }
        #expect(co.status == .dead)
        #expect(state.top == 0)
    }
}
