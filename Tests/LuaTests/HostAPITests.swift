// What plugin hosts reach for: error values, byte-exact strings, tables and
// functions made from Swift, preloaded modules, several results, Codable arguments.
import Foundation
import Lua
import LuaFoundation
import Testing

@Suite struct HostAPITests {
    @Test func errorValuesReachSwift() throws {
        let state = try LuaState()
        let error = try #require(try thrownError { try state.run("error({code = 42, why = 'busy'})") } as? LuaError)
        let table = try #require(error.value.table)
        #expect(try table.get("code", as: Int.self) == 42)
        #expect(try table.get("why", as: String.self) == "busy")
        #expect(error.message == "(error object is a table value)")
        let number = try #require(try thrownError { try state.run("error(7)") } as? LuaError)
        #expect(number.value == .integer(7) && number.message == "7")
        let text = try #require(try thrownError { try state.run("error('plain', 0)") } as? LuaError)
        #expect(text.value == .string("plain"))
        // A protected call in Lua sees the table a Swift function raised, unchanged.
        try state.register("refuse") { [unowned state] () throws -> Int in
            let reason = try state.createTable()
            try reason.set("code", 403)
            throw LuaError(value: .table(reason))
        }
        #expect(try state.run("local ok, e = pcall(refuse) return type(e), e.code") == [.string("table"), .integer(403)])
        let raised = try #require(try thrownError { try state.run("refuse()") } as? LuaError)
        #expect(try raised.value.table?.get("code", as: Int.self) == 403)
    }

    @Test func bytesRoundTripUnchanged() throws {
        let state = try LuaState()
        let bytes: [UInt8] = [0, 0xff, 0xfe, 0x41, 0xc3, 0x28, 0x80]
        try state.run("function id(...) return ... end function hex(s) return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end")
        #expect(try state.call("id", bytes, as: [UInt8].self) == bytes)
        #expect(try state.call("hex", bytes, as: String.self) == "00fffe41c32880")
        let data = Data(bytes)
        #expect(try state.call("id", data, as: Data.self) == data)
        #expect(try state.call("hex", data, as: String.self) == "00fffe41c32880")
        // In LuaValue: invalid UTF-8 comes back as .bytes, valid UTF-8 as .string.
        #expect(try state.call("id", .bytes(bytes)) == [.bytes(bytes)])
        #expect(try state.call("id", .string("héllo")) == [.string("héllo")])
        #expect(LuaValue.bytes(Array("ok".utf8)) == .string("ok"))
        // A typed Swift function gets and returns the bytes themselves.
        try state.register("reverse") { (b: [UInt8]) -> [UInt8] in b.reversed() }
        #expect(try state.run("return hex(reverse('\\x01\\xff\\x80'))") == [.string("80ff01")])
        // A number is not a byte string; other arrays are still tables.
        let error = try thrownError { try state.run("return reverse(12)") }
        #expect("\(error)".contains("bad argument #1 to 'reverse' (string expected, got number)"), "\(error)")
        #expect(try state.call("id", [1, 2], as: [Int].self) == [1, 2])
    }

    @Test func valuesCarryTablesAndFunctionsAsReferences() throws {
        let state = try LuaState()
        let values = try state.run("return {1, 2}, print, coroutine.create(print), io.stdout")
        guard case .table(let t) = values[0], case .function = values[1], case .thread = values[2],
              case .userdata = values[3] else {
            Issue.record("\(values)")
            return
        }
        #expect(t.count == 2)
        #expect(values[1] == (try state.run("return print"))[0])
        #expect(values[0] != (try state.run("return {1, 2}"))[0])
        #expect(values.map(\.typeName) == ["table", "function", "thread", "userdata"])
        // Back into Lua they are the same objects.
        try state.setGlobal("t0", values[0])
        #expect(try state.run("return t0[2]") == [.integer(2)])
        #expect(try state.global("t0", as: LuaTable.self).isSame(as: t))
        #expect(try state.global("t0", as: [Int].self) == [1, 2])
        let error = try thrownError { _ = try state.global("t0", as: String.self) }
        #expect("\(error)".contains("bad global 't0' (string expected, got table)"), "\(error)")
        // A reference of another state is refused, also when resuming a coroutine.
        let other = try LuaState()
        let coroutine = try other.coroutine("function(t) return type(t) end")
        let foreign = try thrownError { _ = try coroutine.resume(.table(t)) }
        #expect((foreign as? LuaError)?.kind == .state, "\(foreign)")
        #expect(try coroutine.resume(.integer(1)) == .returned([.string("number")]))
    }

    @Test func hostBuildsANamespaceWithoutGlobals() throws {
        let state = try LuaState(sandbox: LuaSandbox())
        var logged: [String] = []
        try state.preload("host") { [unowned state] in
            let host = try state.createTable()
            let log = try state.createTable()
            try log.set("info", try state.createFunction(name: "info") { (message: String) in logged.append(message) })
            try host.set("log", log)
            try host.set("divmod", try state.createFunction { (a: Int, b: Int) in (a / b, a % b) })
            try host.set("version", "1.0")
            return host
        }
        let results = try state.run("""
            local host = require 'host'
            host.log.info('hello')
            local q, r = host.divmod(17, 5)
            return q, r, host.version, rawequal(host, require 'host'), log
            """)
        #expect(results == [.integer(3), .integer(2), .string("1.0"), .boolean(true), .nil])
        #expect(logged == ["hello"])
        let error = try thrownError { try state.run("require('host').log.info()") }
        #expect("\(error)".contains("bad argument #1 to 'info' (string expected, got no value)"), "\(error)")
    }

    @Test func typedFunctionsReturnSeveralValues() throws {
        let state = try LuaState()
        try state.register("split") { (s: String) in (String(s.prefix(1)), String(s.dropFirst()), s.count) }
        #expect(try state.run("return split('abc')") == [.string("a"), .string("bc"), .integer(3)])
        try state.register("none") { () in () }
        #expect(try state.run("return select('#', none())") == [.integer(0)])
    }

    struct Job: Codable, Equatable {
        var name: String
        var tags: [String]
        var retries: Int
    }

    @Test func codableArguments() throws {
        let state = try LuaState()
        try state.run("""
            function describe(job, n) return job.name .. '/' .. #job.tags .. '/' .. (job.retries + n) end
            function bump(job) job.retries = job.retries + 1 return job end
            """)
        let job = Job(name: "build", tags: ["a", "b"], retries: 2)
        #expect(try state.call("describe", encoding: job, 10, as: String.self) == "build/2/12")
        #expect(try state.call("bump", encoding: job, decoding: Job.self) == Job(name: "build", tags: ["a", "b"], retries: 3))
        let bump = try state.global("bump", as: LuaFunction.self)
        #expect(try bump.call(encoding: job, decoding: Job.self).retries == 3)
        #expect(try bump.call(encoding: job, as: LuaTable.self).get("retries", as: Int.self) == 3)
        let error = try thrownError { _ = try state.call("describe", encoding: job, 1, as: Int.self) }
        #expect("\(error)".contains("bad result #1 from 'describe'"), "\(error)")
        #expect(state.top == 0)
    }

    @Test func everyOperationOnAClosedStateThrowsOrDoesNothing() async {
        await #expect(processExitsWith: .success) {
            let state = try! LuaState()
            let table = try! state.createTable(), function = try! state.createFunction { _ in [] }
            let coroutine = try! state.coroutine("function() end")
            state.close()
            state.push(.integer(1))
            state.push(function: { _ in [] })
            state.push(function: "f", raw: { _ in 0 })
            state.push(yieldingFunction: { _ in .values([]) })
            state.instructionLimit = 5
            state.timeLimit = .seconds(1)
            table[raw: .string("k")] = .integer(1)
            guard state.top == 0, table[raw: .string("k")] == .nil, state.instructionLimit == nil,
                  case let error as LuaError = try? thrownError({ try state.setGlobal("x") }),
                  error.kind == .state else { exit(2) }
            for operation: () throws -> Void in [
                { _ = try state.createTable() }, { _ = try state.createFunction { _ in [] } },
                { try state.preload("m") { 1 } }, { _ = try state.global("x", as: Int.self) },
                { _ = try state.call("f", encoding: 1, as: Int.self) }, { try state.collectGarbage() },
                { try state.withLimits(LuaLimits(instructions: 1)) {} }, { _ = try state.interrupter() },
                { try table.set("k", 1) }, { _ = try table.get("k", as: Int.self) }, { _ = try table.pairs() },
                { try function.call() }, { _ = try function.call(encoding: 1, as: Int.self) },
                { _ = try coroutine.resume() }, { try state.push(encoding: [1]) }, { _ = try state.decode(Int.self) },
            ] {
                guard case let error as LuaError = try? thrownError(operation), error.kind == .state else { exit(3) }
            }
        }
    }
}
