-- luajit: compatible
-- Complex numbers: parts by name and by index, conversions between the two precisions,
-- tostring as LuaJIT spells it.
local ffi = require("ffi")

local c = ffi.new("complex", 1, 2)
assert(c.re == 1 and c.im == 2)
-- c[0] is the real part, c[1] the imaginary one; the index is taken modulo 2.
assert(c[0] == 1 and c[1] == 2 and c[2] == 1 and c[-1] == 2 and c[1e7 + 1] == 2)
assert(not pcall(function() c[0] = 5 end))
assert(ffi.new("complex float", 3, 4)[1] == 4)

-- complex float <-> complex double, in fields, elements and initializers.
local cf = ffi.new("complex float", 1.5, 2.5)
local d = ffi.new("complex", cf)
assert(d.re == 1.5 and d.im == 2.5)
local s = ffi.new("struct { complex float f; complex d; }")
s.d = cf
s.f = ffi.new("complex", 0.25, -8)
assert(s.d.re == 1.5 and s.d.im == 2.5 and s.f.re == 0.25 and s.f.im == -8)
local a = ffi.new("complex[2]")
a[1] = cf
assert(a[1].im == 2.5)

-- tostring: the sign of -0 kept, I after inf and nan.
assert(tostring(ffi.new("complex", 1, -0.0)) == "1-0i")
assert(tostring(ffi.new("complex", 0, 1/0)) == "0+infI")
assert(tostring(ffi.new("complex", 0, -1/0)) == "0-infI")
assert(tostring(ffi.new("complex", 2, 12.5)) == "2+12.5i")
assert(tostring(ffi.new("complex float", 0.5, -1)) == "0.5-1i")

-- Complex <-> real conversions: a real converts to (re, 0), a complex to its real part.
local t = ffi.new("struct { complex cd; int i32; float f; double d; }")
t.cd = ffi.new("int32_t", -138)
assert(t.cd.re == -138 and t.cd.im == 0)
t.cd = 2.5
assert(t.cd.re == 2.5 and t.cd.im == 0)
t.i32 = ffi.new("complex", 9.125, -78.5)
t.f = ffi.new("complex float", 9.125, -78.5)
t.d = ffi.new("complex", -0.5, 3)
assert(t.i32 == 9 and t.f == 9.125 and t.d == -0.5)
assert(not pcall(function() t.cd = true end))
