-- ffi.metatype: the Lua 5.4 metamethods (//, bitwise, __close, __name) and how ffi.gc and
-- ffi.release interact with __gc.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { int v; } cm5_num;
typedef struct { int h; } cm5_res;
typedef struct { int h; } cm5_closer;
]]

local N
N = ffi.metatype("cm5_num", {
  __idiv = function(a, b) return N(a.v // b) end,
  __band = function(a, b) return N(a.v & b) end,
  __bor = function(a, b) return N(a.v | b) end,
  __bxor = function(a, b) return N(a.v ~ b) end,
  __shl = function(a, b) return N(a.v << b) end,
  __shr = function(a, b) return N(a.v >> b) end,
  __bnot = function(a) return N(~a.v) end,
})
local n = N(12)
assert((n // 5).v == 2 and (n & 10).v == 8 and (n | 1).v == 13 and (n ~ 5).v == 9)
assert((n << 2).v == 48 and (n >> 1).v == 6 and (~n).v == -13)

-- __gc: ffi.release runs it now and once; ffi.gc replaces it; ffi.gc(x, nil)
-- removes it.
local freed = {}
local R = ffi.metatype("cm5_res", { __gc = function(r) freed[#freed + 1] = r.h end })
local r1 = R(1)
ffi.release(r1)
assert(#freed == 1 and freed[1] == 1)
ffi.release(r1)
assert(#freed == 1)
local r2 = ffi.gc(R(2), function(r) freed[#freed + 1] = -r.h end)
local r3 = ffi.gc(R(3), nil)
r1, r2, r3 = nil, nil, nil
collectgarbage()
collectgarbage()
table.sort(freed)
assert(#freed == 2 and freed[1] == -2 and freed[2] == 1, table.concat(freed, ","))

-- __close runs for <close> variables, with the error value.
local closed = {}
local C = ffi.metatype("cm5_closer", { __close = function(c, e) closed[#closed + 1] = { c.h, e } end })
do
  local c <close> = C(7)
end
assert(#closed == 1 and closed[1][1] == 7 and closed[1][2] == nil)
local ok = pcall(function()
  local c <close> = C(8)
  error("boom")
end)
assert(not ok and closed[2][1] == 8 and tostring(closed[2][2]):find("boom"))

-- __name names a metatyped cdata in tostring, as Lua 5.4 names userdata (no
-- __tostring); LuaJIT ignores __name.
local Named = ffi.metatype("struct { int a; }", { __name = "Named" })
assert(tostring(Named()):match("^Named: 0x%x+$"), tostring(Named()))
