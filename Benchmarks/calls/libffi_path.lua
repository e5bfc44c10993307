-- Calls that the register path cannot make, timed in a loop: seven integer and nine
-- floating arguments (some on the C stack), a struct by value and back, a variadic
-- call. Runs under luaffi and `luajit -joff` alike (Lua 5.1 syntax), against the C
-- test library:
--   LIB=.build/debug/libffitest.so luaffi Benchmarks/calls/libffi_path.lua [case]
--   LIB=.build/debug/libffitest.so luajit -joff Benchmarks/calls/libffi_path.lua
-- Prints `case ns_per_call`, best of 5 rounds of N calls (N from the environment,
-- default 1,000,000).
local ffi = require("ffi")
local lib = ffi.load(assert(os.getenv("LIB"), "set LIB to the path of libffitest.so"))
ffi.cdef [[
int sum7(int a, int b, int c, int d, int e, int f, int g);
double sum9_d(double a, double b, double c, double d, double e, double f, double g, double h, double i);
typedef struct { int a, b; } IntPair;
IntPair swap_pair(IntPair p);
int64_t sum_ints_va(int n, ...);
]]
local N = tonumber(os.getenv("N")) or 1000000
local which = arg[1]
local pair = ffi.new("IntPair", 1, 2)
local sum7, sum9, swap, va = lib.sum7, lib.sum9_d, lib.swap_pair, lib.sum_ints_va
local cases = {
  { "sum7", function() local s = 0 for i = 1, N do s = s + sum7(i, 2, 3, 4, 5, 6, 7) end return s end },
  { "sum9_d", function() local s = 0 for i = 1, N do s = s + sum9(i, 2, 3, 4, 5, 6, 7, 8, 9) end return s end },
  { "swap_pair", function() local r for _ = 1, N do r = swap(pair) end return r end },
  { "sum_ints_va", function() local s for i = 1, N do s = va(2, i, 3) end return s end },
}
for _, case in ipairs(cases) do
  if not which or which == case[1] then
    local best = math.huge
    for _ = 1, 5 do
      local t = os.clock()
      case[2]()
      t = os.clock() - t
      if t < best then best = t end
    end
    print(string.format("%-12s %7.1f", case[1], best / N * 1e9))
  end
end
