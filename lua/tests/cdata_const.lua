-- luajit: compatible
-- Writes LuaJIT refuses: const fields and elements, arrays of const elements as a
-- whole, structs with a const member as a whole, members of a const anonymous struct.
local ffi = require("ffi")
ffi.cdef [[
typedef struct const_pcs_t { int v; const int w; } const_pcs_t;
typedef struct const_foo_t {
  int a[3];
  const int ca[3];
  const char cac[4];
  const_pcs_t pcs1, pcs2;
  const struct { int ni; };
} const_foo_t;
]]

local function refused(f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok and err:find("constant location", 1, true), err)
end

local x = ffi.new("const_foo_t", { a = { 1 }, ca = { 4, 5, 6 }, pcs1 = { 1, 2 }, ni = 9 })
assert(x.ca[2] == 6 and x.pcs1.w == 2 and x.ni == 9)  -- initializers may set them
refused(function() x.ca[0] = 1 end)
refused(function() x.ca = x.a end)
refused(function() x.ca = {} end)
refused(function() x.cac = "abc" end)
x.pcs1.v = 3                                          -- a non-const member: fine
assert(x.pcs1.v == 3)
refused(function() x.pcs1.w = 1 end)
refused(function() x.pcs1 = x.pcs2 end)
refused(function() x.pcs1 = {} end)
refused(function() x.ni = 1 end)
assert(x.ni == 9)
-- Writable aggregates stay writable.
x.a = { 7, 8, 9 }
assert(x.a[2] == 9)
local s = ffi.new("struct { int a[2]; struct { int b; } inner; }")
s.inner = { 5 }
s.a = ffi.new("int[2]", 1, 2)
assert(s.inner.b == 5 and s.a[1] == 2)

-- Assigning a whole aggregate takes a table or a cdata (a char array a string too),
-- never a boolean or a number (complex numbers take numbers).
local y = ffi.new("struct { int ai[2]; struct { int a; } s; char ac[4]; }")
for _, bad in ipairs { true, 1 } do
  assert(not pcall(function() y.ai = bad end))
  assert(not pcall(function() y.s = bad end))
end
y.ai, y.s, y.ac = { 1, 2 }, { 3 }, "ab"
assert(y.ai[1] == 2 and y.s.a == 3 and y.ac[1] == 98)
