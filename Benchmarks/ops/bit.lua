-- LuaJIT's bit module on Lua numbers, timed in a loop; runs under luaffi and `luajit -joff`:
--   luaffi Benchmarks/ops/bit.lua; luajit -joff Benchmarks/ops/bit.lua (ns per call, best of 5)
local bit = require("bit")
local band, rshift, bor, bxor, lshift, tobit = bit.band, bit.rshift, bit.bor, bit.bxor, bit.lshift, bit.tobit
local N = 2000000
local cases = {
  {"band", function() local s = 0 for i = 1, N do s = band(i, 0xff) end return s end},
  {"rshift", function() local s = 0 for i = 1, N do s = rshift(i, 3) end return s end},
  {"bor3", function() local s = 0 for i = 1, N do s = bor(i, 1, 2) end return s end},
  {"tobit", function() local s = 0 for i = 1, N do s = tobit(i * 3) end return s end},
  {"bit.bxor", function() local s = 0 for i = 1, N do s = bit.bxor(s, i) end return s end},
}
for _, c in ipairs(cases) do
  local best = math.huge
  for r = 1, 5 do local t = os.clock(); c[2](); t = os.clock() - t; if t < best then best = t end end
  print(string.format("%-8s %6.1f", c[1], best / N * 1e9))
end
