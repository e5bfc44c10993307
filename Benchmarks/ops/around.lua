-- The ffi operations around the op_* cases of ../shared/bench, each timed in a
-- small loop: runs under luaffi and under `luajit -joff` alike (Lua 5.1 syntax).
--   luaffi Benchmarks/ops/around.lua [rounds] [pattern]
--   luajit -joff Benchmarks/ops/around.lua [rounds] [pattern]
-- Prints `name ns_per_op` (best of `rounds`, default 7). LUAFFI_OPS_N sets the
-- loop count (default 200000); with it and rounds 1, under callgrind, the
-- difference of two counts gives instructions per operation.
local ffi = require("ffi")
local rounds = tonumber(arg and arg[1]) or 7
local pattern = arg and arg[2]
local N = tonumber(os.getenv("LUAFFI_OPS_N")) or 200000

ffi.cdef([[
typedef struct av { int x, y; } av;
typedef struct mv { double x, y; } mv;
]])
local av = ffi.new("av")
local buf = ffi.new("uint8_t[64]")
local p = ffi.cast("uint8_t *", buf)
local q = p + 8
local i64 = ffi.new("int64_t", 12345)
local j64 = ffi.new("int64_t", 67)
local u64 = ffi.new("uint64_t", 99)
local u8p = ffi.typeof("uint8_t *")
local sink

local ops = {
  { "ffi.sizeof('int')", function(n) for _ = 1, n do sink = ffi.sizeof("int") end end },
  { "ffi.new('uint8_t[?]', 32)", function(n) for _ = 1, n do sink = ffi.new("uint8_t[?]", 32) end end },
  { "ffi.cast('uint8_t *', buf)", function(n) for _ = 1, n do sink = ffi.cast("uint8_t *", buf) end end },
  { "ffi.cast(u8p, p)", function(n) for _ = 1, n do sink = ffi.cast(u8p, p) end end },
  { "ffi.typeof('int *')", function(n) for _ = 1, n do sink = ffi.typeof("int *") end end },
  { "ffi.offsetof('av', 'y')", function(n) for _ = 1, n do sink = ffi.offsetof("av", "y") end end },
  { "ffi.errno()", function(n) for _ = 1, n do sink = ffi.errno() end end },
  { "ffi.istype('av', a)", function(n) for _ = 1, n do sink = ffi.istype("av", av) end end },
  { "tostring(pointer)", function(n) for _ = 1, n do sink = tostring(p) end end },
  { "p + 1", function(n) for _ = 1, n do sink = p + 1 end end },
  { "q - p", function(n) for _ = 1, n do sink = q - p end end },
  { "p == q", function(n) for _ = 1, n do sink = p == q end end },
  { "p < q", function(n) for _ = 1, n do sink = p < q end end },
  { "i64 + 1", function(n) for _ = 1, n do sink = i64 + 1 end end },
  { "i64 * j64", function(n) for _ = 1, n do sink = i64 * j64 end end },
  { "i64 < j64", function(n) for _ = 1, n do sink = i64 < j64 end end },
  { "i64 == j64", function(n) for _ = 1, n do sink = i64 == j64 end end },
  { "-i64", function(n) for _ = 1, n do sink = -i64 end end },
  { "i64 / 7", function(n) for _ = 1, n do sink = i64 / 7 end end },
  { "i64 % 7", function(n) for _ = 1, n do sink = i64 % 7 end end },
  { "i64 ^ 2", function(n) for _ = 1, n do sink = i64 ^ 2 end end },
  { "u64 + 1", function(n) for _ = 1, n do sink = u64 + 1 end end },
  { "tonumber(i64)", function(n) for _ = 1, n do sink = tonumber(i64) end end },
  { "empty loop", function(n) for _ = 1, n do sink = n end end },
  -- The floor: a call of a C function that does next to nothing.
  { "local errno; errno()", function(n) local errno = ffi.errno; for _ = 1, n do sink = errno() end end },
  { "local rawequal; rawequal(a, a)", function(n) local req = rawequal; for _ = 1, n do sink = req(av, av) end end },
}
-- Lua 5.4's operators (a syntax error for LuaJIT: compiled only here).
if not jit then
  local extra = load([[
    local i64, u64, ops = ...
    local sink
    ops[#ops + 1] = { "i64 // 7", function(n) for _ = 1, n do sink = i64 // 7 end end }
    ops[#ops + 1] = { "u64 & 7", function(n) for _ = 1, n do sink = u64 & 7 end end }
    ops[#ops + 1] = { "i64 << 3", function(n) for _ = 1, n do sink = i64 << 3 end end }
  ]])
  extra(i64, u64, ops)
end

for _, op in ipairs(ops) do
  local name, f = op[1], op[2]
  if not pattern or name:find(pattern, 1, true) then
    f(1000)
    local best = math.huge
    for _ = 1, rounds do
      local t0 = os.clock()
      f(N)
      best = math.min(best, os.clock() - t0)
    end
    print(string.format("%-30s %8.1f", name, best / N * 1e9))
  end
end
