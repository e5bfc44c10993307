// The embedding API: values, conversions, references, typed calls both ways.
import Lua
import Testing

@Suite struct EmbeddingTests {
    @Test func convertibleValuesRoundTrip() throws {
        let state = try LuaState()
        try state.run("function id(...) return ... end")
        #expect(try state.call("id", 42, as: Int.self) == 42)
        #expect(try state.call("id", 2.5, as: Double.self) == 2.5)
        #expect(try state.call("id", "héllo", as: String.self) == "héllo")
        #expect(try state.call("id", true, as: Bool.self) == true)
        #expect(try state.call("id", [1, 2, 3], as: [Int].self) == [1, 2, 3])
        #expect(try state.call("id", ["a": 1, "b": 2], as: [String: Int].self) == ["a": 1, "b": 2])
        #expect(try state.call("id", Int?.none, as: Int?.self) == nil)
        #expect(try state.call("id", Int?.some(5), as: Int?.self) == 5)
        #expect(try state.call("id", [[1], [2, 3]], as: [[Int]].self) == [[1], [2, 3]])
    }

    @Test func conversionsFollowLauxlib() throws {
        let state = try LuaState()
        // Number strings are numbers, integral floats integers, numbers strings.
        #expect(try state.evaluate("return '10'", as: Int.self) == 10)
        #expect(try state.evaluate("return 3.0", as: Int.self) == 3)
        #expect(try state.evaluate("return 7", as: String.self) == "7")
        #expect(try state.evaluate("return 1.5", as: String.self) == "1.5")
        #expect(throws: LuaError.self) { try state.evaluate("return 3.5", as: Int.self) }
        do {
            _ = try state.evaluate("return {}", name: "=t", as: Int.self)
            Issue.record("expected a conversion error")
        } catch let error as LuaError {
            #expect(error.message == "bad result #1 from 't' (number expected, got table)")
        }
    }

    @Test func typedFunctionsCheckArgumentsInLauxlibWords() throws {
        let state = try LuaState()
        try state.register("add") { (a: Int, b: Int) in a + b }
        try state.register("greet") { (name: String, punctuation: String?) in "hi " + name + (punctuation ?? ".") }
        let results = try state.run("""
            local r = { add(1, 2), greet('bob'), greet('amy', '!') }
            r[#r + 1] = select(2, pcall(add, 1))
            r[#r + 1] = select(2, pcall(function() return add(nil, 1) end))
            r[#r + 1] = select(2, pcall(function() return add(1, {}) end))
            r[#r + 1] = select(2, pcall(function() local t = {f = add}; return t.f('x') end))
            r[#r + 1] = select(2, pcall(function() return greet('x', 5) end))
            return table.unpack(r)
            """, name: "=args")
        #expect(results == [
            .integer(3), .string("hi bob."), .string("hi amy!"),
            .string("bad argument #2 to 'add' (number expected, got no value)"),
            .string("args:3: bad argument #1 to 'add' (number expected, got nil)"),
            .string("args:4: bad argument #2 to 'add' (number expected, got table)"),
            .string("args:5: bad argument #1 to 'f' (number expected, got string)"),
            .string("hi x5"),
        ])
    }

    @Test func argumentErrorReachesSwiftAsItself() throws {
        let state = try LuaState()
        try state.register("square") { (x: Double) in x * x }
        try state.run("function f() return square('no') end")
        do {
            try state.call("f")
            Issue.record("expected an error")
        } catch let error as LuaArgumentError {
            #expect(error.position == 1)
            #expect(error.function == "square")
            #expect(error.description == "bad argument #1 to 'square' (number expected, got string)")
        }
    }

    @Test func swiftErrorFromTypedFunctionComesBackAsItself() throws {
        struct Refused: Error, Equatable { let why: String }
        let state = try LuaState()
        try state.register("refuse") { (why: String) throws -> Int in throw Refused(why: why) }
        try state.run("function outer() return refuse('because') end")
        #expect(throws: Refused(why: "because")) { try state.call("outer", as: Int.self) }
        let caught = try state.run("return select(2, pcall(refuse, 'x'))")
        #expect(caught == [.string("Refused(why: \"x\")")])
    }

    @Test func luaErrorHasMessageChunkLineAndTraceback() throws {
        let state = try LuaState()
        let f = try state.evaluate("""
            return function(x)
              if x > 1 then
                error('too big: ' .. x)
              end
              return x
            end
            """, name: "@plugin.lua", as: LuaFunction.self)
        #expect(try f.call(1, as: Int.self) == 1)
        do {
            _ = try f.call(5, as: Int.self)
            Issue.record("expected an error")
        } catch let error as LuaError {
            #expect(error.kind == .runtime)
            #expect(error.message == "plugin.lua:3: too big: 5")
            #expect(error.chunk == "plugin.lua")
            #expect(error.line == 3)
            #expect(error.traceback?.contains("plugin.lua:3: in function") == true)
        }
        #expect(state.top == 0)
    }

    @Test func errorPositionIsParsedFromTheMessage() {
        #expect(LuaError(message: "[string \"a:b\"]:12: oops: 3").chunk == "[string \"a:b\"]")
        #expect(LuaError(message: "[string \"a:b\"]:12: oops: 3").line == 12)
        #expect(LuaError(message: "no position").line == nil)
        #expect(LuaError(message: "x:y: z").chunk == nil)
    }

    @Test func tablesThroughReferences() throws {
        let state = try LuaState()
        let t = try state.evaluate("return setmetatable({1, 2, x = 'y'}, {__index = function(_, k) return 'dflt' end})", as: LuaTable.self)
        #expect(t.count == 2)
        #expect(try t.get("x", as: String.self) == "y")
        #expect(try t.get("missing", as: String.self) == "dflt")  // __index runs
        #expect(t[raw: .string("missing")] == .nil)  // raw access does not
        try t.set("z", 26)
        t[raw: .integer(3)] = .integer(3)
        #expect(try t.decode(as: [Int].self) == [1, 2, 3])
        var keys: [String] = []
        try t.forEach { key, _ in keys.append(key.description) }
        #expect(Set(keys) == ["1", "2", "3", "x", "z"])
        try state.setGlobal("shared", .nil)
        try state.pushGlobal("print")
        state.pop()
        #expect(t.typeName == "table")
    }

    @Test func referencesReleaseTheirSlotWhenDropped() throws {
        let state = try LuaState()
        try state.run("weak = setmetatable({}, {__mode = 'v'})")
        var table: LuaTable? = try state.evaluate("local t = {}; weak[1] = t; return t", as: LuaTable.self)
        try state.run("collectgarbage(); collectgarbage()")
        #expect(try state.evaluate("return weak[1] ~= nil", as: Bool.self))
        #expect(table?.count == 0)
        table = nil
        try state.run("collectgarbage(); collectgarbage()")
        #expect(try state.evaluate("return weak[1] == nil", as: Bool.self))
    }

    @Test func referencesDroppedOnAnotherThreadAreReleasedByTheOwner() async throws {
        final class Carrier: @unchecked Sendable { var reference: LuaReference? }
        let state = try LuaState()
        try state.run("weak = setmetatable({}, {__mode = 'v'})")
        let carrier = Carrier()
        carrier.reference = try state.evaluate("local f = function() end; weak[1] = f; return f", as: LuaFunction.self)
        await Task.detached { carrier.reference = nil }.value
        try state.run("collectgarbage(); collectgarbage()")
        #expect(try state.evaluate("return weak[1] == nil", as: Bool.self))
    }

    @Test func referenceOutlivingItsStateThrows() throws {
        var state: LuaState? = try LuaState()
        let f = try state!.evaluate("return function() return 1 end", as: LuaFunction.self)
        state = nil
        #expect(throws: LuaError.self) { try f.call() }
        #expect(f.state == nil)
    }

    @Test func codableValuesToAndFromTables() throws {
        struct Point: Codable, Equatable { var x: Double; var y: Double }
        struct Shape: Codable, Equatable {
            var name: String
            var points: [Point]
            var tags: [String: Int]
            var note: String?
            var closed: Bool
        }
        let state = try LuaState()
        let shape = Shape(name: "tri", points: [.init(x: 0, y: 0), .init(x: 1, y: 0), .init(x: 0, y: 1)],
                          tags: ["a": 1], note: nil, closed: true)
        try state.setGlobal("shape", encoding: shape)
        let summary = try state.run("return shape.name, #shape.points, shape.points[2].x, shape.tags.a, shape.note, shape.closed")
        #expect(summary == [.string("tri"), .integer(3), .number(1), .integer(1), .nil, .boolean(true)])
        try state.run("shape.points[4] = {x = 5, y = 5}; shape.note = 'four'")
        var expected = shape
        expected.points.append(.init(x: 5, y: 5))
        expected.note = "four"
        #expect(try state.global("shape", decoding: Shape.self) == expected)
        try state.run("bad = {x = 'no', y = 1}")
        #expect(throws: DecodingError.self) { try state.global("bad", decoding: Point.self) }
        #expect(state.top == 0)
    }
}
