-- luajit: compatible
-- ffi.string, ffi.copy, ffi.fill.
local ffi = require("ffi")

assert(ffi.string("hello", 3) == "hel")
assert(ffi.string(ffi.new("char[4]", "hi")) == "hi")
local withZero = ffi.new("char[4]", { 65, 0, 66 })
assert(ffi.string(withZero) == "A" and ffi.string(withZero, 3) == "A\0B")
assert(ffi.string(ffi.cast("const char *", "abc")) == "abc")

local buf = ffi.new("char[8]")
ffi.copy(buf, "abc") -- copies the terminator too
assert(ffi.string(buf) == "abc")
ffi.copy(buf, "xyz", 2)
assert(ffi.string(buf) == "xyc")
ffi.fill(buf, 3, 65)
assert(ffi.string(buf) == "AAA")
ffi.fill(buf, 8) -- zero
assert(buf[0] == 0 and buf[7] == 0)
ffi.fill(buf, 0, 65) -- nothing
assert(buf[0] == 0)

-- Between cdata of any type.
local src = ffi.new("int[3]", { 1, 2, 3 })
local dst = ffi.new("int[3]")
ffi.copy(dst, src, ffi.sizeof("int") * 3)
assert(dst[0] == 1 and dst[2] == 3)
local d = ffi.new("double[1]", 1.5)
local raw = ffi.string(d, 8)
assert(#raw == 8)
local back = ffi.new("double[1]")
ffi.copy(back, raw, 8)
assert(back[0] == 1.5)
-- Overlapping copies are safe.
local o = ffi.new("char[8]", "abcdef")
ffi.copy(o + 1, o, 5)
assert(ffi.string(o) == "aabcde")
