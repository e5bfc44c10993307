-- `require "bit"` (bit.so links to ffi.so) and `require "ffi.compat"` under stock lua5.4.
local bit = require("bit")
assert(bit.band(0xff, 0x0f) == 15 and bit.tohex(-1) == "ffffffff")
assert(bit.tobit(0xffffffff) == -1)
assert(bit == package.loaded.bit)
local ffi = require("ffi")
assert(tonumber(ffi.new("int", 5)) == nil) -- the builtin, before ffi.compat
assert(require("ffi.compat") == true)
assert(tonumber(ffi.new("int", 5)) == 5 and _G.bit ~= nil)
assert(tostring(bit.lshift(ffi.new("int64_t", 1), 40)) == "1099511627776LL")
print("bit ok")
