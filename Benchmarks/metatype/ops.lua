-- Metatype handlers and methods, one operation per loop iteration, for any Lua with
-- LuaJIT's ffi: `luaffi ops.lua [op] [n]` prints ns per operation (best of 5) of one
-- op, or of all; ops.sh turns it into instructions per operation under callgrind.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { double x, y; } mv;
typedef struct { double x, y; } mg;
]]
local handlers = {
  __eq = function(a, b) return a.x == b.x end,
  __len = function(a) return 2 end,
  __call = function(a, k) return k end,
  __concat = function(a, b) return 1 end,
  __index = { dot = function(a, b) return a.x * b.x + a.y * b.y end },
}
local mv = ffi.metatype("mv", handlers)
local gc = {}
for k, v in pairs(handlers) do gc[k] = v end
gc.__gc = function() end
local mg = ffi.metatype("mg", gc)
local a, b = mv(1, 2), mv(1, 3)
local g, h = mg(1, 2), mg(3, 4)

local ops = {
  eq = function(n) local r for _ = 1, n do r = a == b end return r end,
  len = function(n) local r for _ = 1, n do r = #a end return r end,
  call = function(n) local r for _ = 1, n do r = a(1) end return r end,
  concat = function(n) local r for _ = 1, n do r = a .. b end return r end,
  method = function(n) local r for _ = 1, n do r = a:dot(b) end return r end,
  method_gc = function(n) local r for _ = 1, n do r = g:dot(h) end return r end,
  empty = function(n) local r for _ = 1, n do r = a end return r end,
}
local order = { "empty", "eq", "len", "call", "concat", "method", "method_gc" }

local which, n = arg[1], tonumber(arg[2]) or 200000
for _, name in ipairs(order) do
  if which == nil or which == name then
    local best = math.huge
    for _ = 1, (which and tonumber(arg[2])) and 1 or 5 do
      local t = os.clock()
      ops[name](n)
      best = math.min(best, os.clock() - t)
    end
    print(string.format("%-10s %7.1f ns", name, best / n * 1e9))
  end
end
