-- luajit: compatible
-- Bitfields: widths, signedness, neighbours untouched, initializers.
local ffi = require("ffi")

ffi.cdef [[
struct cb_flags { unsigned a:3; int b:5; unsigned c:24; bool f:1; };
struct cb_packed { uint8_t lo:4, hi:4; };
]]

local b = ffi.new("struct cb_flags", { a = 9, b = -3, c = 0xffffff, f = true })
assert(b.a == 1)          -- 9 wraps to 3 bits
assert(b.b == -3)         -- signed: sign-extended
assert(b.c == 0xffffff)
assert(b.f == true)
b.b = 15
assert(b.b == 15)
b.b = 16                  -- the sign bit of a 5-bit field
assert(b.b == -16)
b.a = 7
assert(b.a == 7 and b.b == -16 and b.c == 0xffffff and b.f == true)
b.f = false
assert(b.f == false and b.c == 0xffffff)

-- Fields sharing one byte.
local p = ffi.new("struct cb_packed")
p.lo = 0xa
p.hi = 0x5
assert(ffi.sizeof(p) == 1)
assert(ffi.cast("uint8_t *", p)[0] == 0x5a)
p.lo = 0x1f
assert(p.lo == 0xf and p.hi == 0x5)

-- Positional initializers fill bitfields in order.
local q = ffi.new("struct cb_packed", 1, 2)
assert(q.lo == 1 and q.hi == 2)

-- A bitfield converts like its integer type.
local ok, err = pcall(function() b.c = "x" end)
assert(not ok and err:find("cannot convert 'string' to", 1, true), err)
