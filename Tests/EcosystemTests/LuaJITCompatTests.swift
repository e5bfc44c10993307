// LuaJIT code under luaffi: the `bit` module, the cdata-aware `tonumber` and
// `tostring` give LuaJIT's results (compared with the installed luajit), and
// LUAFFI_NO_COMPAT=1 turns them off.
import Foundation
import Testing

@Suite struct LuaJITCompatTests {
    /// The C fast paths (Lua numbers) and Swift (LUAFFI_API_STACK=1: everything) alike.
    @Test(arguments: [false, true])
    func bitResultsMatchLuaJIT(apiStack: Bool) throws {
        try expectSameOutput("bit_compare.lua", apiStack: apiStack, lines: 200)
    }

    /// `tostring` as LuaJIT's: `__tostring` results unchecked, and cdata described
    /// by the C fast path and (LUAFFI_API_STACK=1) by Swift alike.
    @Test(arguments: [false, true])
    func tostringMatchesLuaJIT(apiStack: Bool) throws {
        try expectSameOutput("tostring_compare.lua", apiStack: apiStack, lines: 15)
    }

    /// Runs a fixture under luaffi (fast paths on, or off with `apiStack`) and under
    /// luajit; the outputs (more than `lines` lines) must be equal, line by line.
    private func expectSameOutput(_ fixture: String, apiStack: Bool, lines: Int) throws {
        guard let luaffi = Paths.luaffi else { return skip("luaffi is not built") }
        guard let luajit = Paths.program("luajit") else { return skip("luajit is not installed: not compared") }
        let ours = try run(luaffi, [fixture], in: Paths.fixtures,
                           environment: apiStack ? ["LUAFFI_API_STACK": "1"] : [:])
        let theirs = try run(luajit, [fixture], in: Paths.fixtures)
        #expect(ours.status == 0 && theirs.status == 0, "luaffi:\n\(ours)\nluajit:\n\(theirs)")
        let ourLines = ours.stdout.split(separator: "\n"), theirLines = theirs.stdout.split(separator: "\n")
        #expect(ourLines.count == theirLines.count && ourLines.count > lines)
        for (mine, reference) in zip(ourLines, theirLines) where mine != reference {
            Issue.record("luaffi: \(mine)\nluajit: \(reference)")
        }
    }

    /// The differential test (scripts/luajit/diff.lua) with a small fixed budget:
    /// 300 generated programs, seed 1; every statement must give what luajit gives
    /// (up to the documented differences the script normalises).
    @Test func generatedProgramsMatchLuaJIT() throws {
        guard let luaffi = Paths.luaffi else { return skip("luaffi is not built") }
        guard let luajit = Paths.program("luajit") else { return skip("luajit is not installed: not compared") }
        let outcome = try run(luaffi, ["scripts/luajit/diff.lua", "300", "1", luajit])
        let summary = outcome.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let differ = summary.split(separator: ";").first?.split(separator: " ").dropLast().last.flatMap { Int($0) }
        #expect(summary.hasPrefix("300 programs") && summary.contains("luajit crashed on 0"), "\(outcome)")
        #expect(differ == 0 && outcome.status == 0, "statements differ from luajit:\n\(outcome.stdout)")
    }

    @Test func compatibilityIsOnByDefault() throws {
        guard let luaffi = Paths.luaffi else { return skip("luaffi is not built") }
        let code = """
            local ffi = require("ffi")
            assert(bit == require("bit") and bit.tobit(0xffffffff) == -1)
            assert(tonumber(ffi.new("int", 7)) == 7 and tonumber("ff", 16) == 255)
            -- Lua 5.1 reads a number given with a base as the string it prints as.
            assert(tonumber(777, 8) == 511 and tonumber(-17, 8) == -15 and tonumber(3.0, 10) == 3)
            assert(tonumber(10.5, 16) == nil and tonumber(1e20, 16) == nil)
            assert(select(2, pcall(tonumber, true, 8)):find("string expected, got boolean", 1, true))
            assert(unpack == table.unpack and loadstring == load)
            assert(type(ffi.new("int")) == "cdata" and type(ffi.typeof("int")) == "cdata")
            assert(type(io.stdout) == "userdata" and type(ffi.C) == "userdata" and type(nil) == "nil")
            assert(tostring(setmetatable({}, {__tostring = function() end})) == nil and tostring(7) == "7")
            assert(select(2, pcall(tostring)):find("bad argument #1 to 'tostring' (value expected)", 1, true))
            local released = ffi.metatype("struct { int n; }", {__tostring = function() return "m" end})()
            ffi.release(released) -- described by Swift, as the C path leaves it
            assert(tostring(released) == "m")
            assert(select(2, pcall(type)):find("bad argument #1 to 'type' (value expected)", 1, true))
            local seq = ffi.metatype("struct { int n; }", {__ipairs = function(s)
              return function(_, i) if i < s.n then return i + 1, (i + 1) * 10 end end, s, 0
            end})
            local got = {}
            for i, v in ipairs(seq(3)) do got[#got + 1] = v end
            assert(#got == 3 and got[3] == 30)
            assert(select(2, pcall(ipairs, ffi.new("int[2]"))):find("'int [2]' has no '__ipairs' metamethod", 1, true))
            local t = {}
            for i, v in ipairs({7, 8}) do t[i] = v end
            assert(t[1] == 7 and t[2] == 8)
            """
        let outcome = try run(luaffi, ["-e", code])
        #expect(outcome.status == 0, "\(outcome)")
    }

    @Test(arguments: ["1", "yes"])
    func environmentTurnsItOff(_ value: String) throws {
        guard let luaffi = Paths.luaffi else { return skip("luaffi is not built") }
        let code = """
            local ffi = require("ffi")
            assert(bit == nil and not pcall(require, "bit"))
            assert(tonumber(ffi.new("int", 7)) == nil and ffi.tonumber(ffi.new("int", 7)) == 7)
            assert(type(ffi.new("int")) == "userdata")
            assert(select(2, pcall(tostring, setmetatable({}, {__tostring = function() end}))):find("must return a string"))
            """
        let outcome = try run(luaffi, ["-e", code], environment: ["LUAFFI_NO_COMPAT": value])
        #expect(outcome.status == 0, "\(outcome)")
    }
}
