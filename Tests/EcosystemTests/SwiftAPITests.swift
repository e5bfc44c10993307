// The Swift side of what users meet: LuaJIT compatibility on request, and the
// README's embedding example.
import Lua
import Testing

@Suite struct SwiftAPITests {
    @Test func luajitCompatibilityOnRequest() throws {
        let lua = try LuaState()
        try lua.preloadFFI()
        #expect(try lua.run("return bit, tonumber(require('ffi').new('int', 4))") == [.nil, .nil])
        try lua.installLuaJITCompatibility()
        let code = "local ffi = require('ffi'); return bit.band(6, 3), tonumber(ffi.new('int', 4)), tonumber('z', 36)"
        #expect(try lua.run(code) == [.integer(2), .integer(4), .integer(35)])
    }

    @Test func bitWithoutGlobals() throws {
        let lua = try LuaState()
        try lua.preloadBit()
        #expect(try lua.run("return bit == nil, require('bit').tohex(-1)") == [.boolean(true), .string("ffffffff")])
    }

    @Test func readmeEmbeddingExample() throws {
        let lua = try LuaState(libraries: LuaLibraries.safe.union(.package), memoryLimit: 16 << 20)
        try lua.preloadFFI()
        try lua.register("log") { args in print(args); return [] }
        let results = try lua.run("local ffi = require 'ffi'; return ffi.sizeof('double')")
        #expect(results == [.integer(8)])
    }
}
