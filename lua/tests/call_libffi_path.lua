-- The C libffi path (call.c, libffi_call): functions with more arguments than the
-- registers hold, structs and unions by value, results in memory. Each case gives
-- what the Swift path gives (the suite also runs with LUAFFI_API_STACK=1, which
-- turns the C paths off), and every value the C path cannot take goes to Swift.
local ffi = require("ffi")
local path = TESTLIB or os.getenv("LUAFFI_TESTLIB")
if not path then print("skipped: set LUAFFI_TESTLIB to the path of libffitest.so") return end
local lib = ffi.load(path)

local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. pattern)
  assert(tostring(err):find(pattern, 1, true), "error was: " .. tostring(err) .. "\nwanted: " .. pattern)
end

ffi.cdef [[
int sum7(int a, int b, int c, int d, int e, int f, int g);
float sum9_f(float a, float b, float c, float d, float e, float f, float g, float h, float i);
int64_t narrow_many(int8_t a, uint8_t b, int16_t c, uint16_t d, int32_t e, uint32_t f, int8_t g, uint8_t h);
typedef struct { int a, b; } IntPair;
typedef struct { int64_t a, b, c; } Big3;
typedef struct { long double ld; } LDStruct;
IntPair swap_pair(IntPair p);
Big3 make_Big3(int seed);
uint64_t sum_Big3(Big3 v);
uint64_t expect_Big3(int seed);
LDStruct make_LDStruct(int seed);
uint64_t sum_LDStruct_ptr(const LDStruct *p);
uint64_t expect_LDStruct(int seed);
int set_errno7(int e, int a, int b, int c, int d, int f, int g);
int64_t call_cb7(int64_t (*f)(int64_t), int64_t a, int b, int c, int d, int e, int g);
int64_t sum_ints_va(int n, ...);
const char *format_va(const char *fmt, ...);
]]

for _ = 1, 3 do -- the first call may resolve; the later ones take the cached path
  -- Scalars: each argument converted as on the direct path, narrow ones extended.
  assert(lib.sum7(1, 2, 3, 4, 5, 6, 7) == 28 and lib.sum7(0x80000001, 0, 0, 0, 0, 0, 0) == -0x7fffffff)
  assert(lib.sum9_f(0.1, 0, 0, 0, 0, 0, 0, 0, 0) == ffi.tonumber(ffi.new("float", 0.1)))
  assert(lib.narrow_many(-1, 255, -1, 65535, -1, 4294967295, 127, 0) == lib.narrow_many(-1, -1, -1, -1, -1, -1, 127, 256))
  assert(lib.sum7(1.0, 2, 3, 4, 5, 6, true and 7) == 28)
  -- Structs by value: a cdata of the type (copied), or anything Swift converts.
  local pair = ffi.new("IntPair", 1, 2)
  local swapped = lib.swap_pair(pair)
  assert(swapped.a == 2 and swapped.b == 1 and pair.a == 1 and ffi.istype("IntPair", swapped))
  assert(lib.swap_pair({ 3, 4 }).a == 4 and lib.swap_pair(ffi.new("IntPair *", pair)[0]).b == 1)
  local big = lib.make_Big3(5) -- 24 bytes: returned in memory
  assert(lib.sum_Big3(big) == lib.expect_Big3(5) and lib.sum_Big3(lib.make_Big3(9)) == lib.expect_Big3(9))
  -- Aligned to 16: Swift makes the result (the C path's payload is aligned to 8).
  assert(lib.sum_LDStruct_ptr(lib.make_LDStruct(3)) == lib.expect_LDStruct(3))
  -- errno is saved right after the call.
  assert(lib.set_errno7(7, 0, 0, 0, 0, 0, 0) == -1 and ffi.errno() == 7)
end

-- A metatype's own metatable on struct results; a __gc metatype's results from Swift.
local Pair = ffi.metatype("IntPair", { __index = { sum = function(p) return p.a + p.b end } })
assert(lib.swap_pair(Pair(5, 6)):sum() == 11)
local collected = 0
ffi.metatype("Big3", { __gc = function() collected = collected + 1 end })
do local b = lib.make_Big3(1); assert(b.a ~= nil) end
collectgarbage()
collectgarbage()
assert(collected >= 1, "the result of a __gc metatype got no finalizer")

-- Errors: counts, conversions, released and wrong-type structs, as Swift says them.
fails("wrong number of arguments to 'sum7' (7 expected, got 6)", lib.sum7, 1, 2, 3, 4, 5, 6)
fails("bad argument #3 to 'sum7'", lib.sum7, 1, 2, "x", 4, 5, 6, 7)
fails("bad argument #7 to 'sum7'", lib.sum7, 1, 2, 3, 4, 5, 6, {})
assert(lib.sum7(1, 2, 3, 4, 5, 6, 7.5) == 28) -- truncated, as LuaJIT converts
fails("bad argument #1 to 'swap_pair'", lib.swap_pair, ffi.new("Big3"))
fails("bad argument #1 to 'swap_pair'", lib.swap_pair, nil)
local released = ffi.new("IntPair", 1, 2)
ffi.release(released)
fails("bad argument #1 to 'swap_pair'", lib.swap_pair, released)

-- Variadic calls: a cif per sequence of variadic argument classes (integer, float,
-- boolean, pointer), prepared once; past the cache's eight, and past 16 arguments,
-- Swift prepares one per call. Every answer is the same.
local function fmt(...) return ffi.string(lib.format_va(...)) end
local buf = ffi.new("char[8]", "abc")
local shapes = { -- format, want, arguments
  { "%lld", "5", 5 }, { "%.1f", "2.5", 2.5 }, { "%d", "1", true }, { "%s", "str", "str" },
  { "%p", "(nil)", nil }, { "%s", "abc", ffi.cast("const char *", buf) }, { "%s", "bc", buf + 1 },
  { "%lld %.1f", "1 0.5", 1, 0.5 }, { "%.1f %lld", "0.5 1", 0.5, 1 }, { "%d %s", "0 x", false, "x" },
  { "%s %s %s", "a b c", "a", "b", "c" },
}
for round = 1, 3 do
  for _, shape in ipairs(shapes) do
    local got = fmt(shape[1], table.unpack(shape, 3, shape[1] == "%p" and 3 or #shape))
    assert(got == shape[2], string.format("round %d, %s: got %q, want %q", round, shape[1], got, shape[2]))
  end
end
assert(lib.sum_ints_va(15, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1) == 15) -- 16 arguments
assert(lib.sum_ints_va(16, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1) == 16) -- 17: Swift
assert(lib.sum_ints_va(2, ffi.new("int64_t", 5), 6) == 11) -- a boxed integer: Swift
local owner = ffi.new("char[4]", "xy")
local inside = ffi.cast("const char *", owner)
ffi.release(owner)
fails("bad argument #2 to 'format_va'", lib.format_va, "%s", inside)
fails("bad argument #2 to 'sum_ints_va' (cannot pass a table as a variadic argument)", lib.sum_ints_va, 1, {})

-- A callback through the libffi path: its result, and its error raised after the call.
local twice = ffi.cast("int64_t (*)(int64_t)", function(x) return x * 2 end)
assert(lib.call_cb7(twice, 10, 1, 1, 1, 1, 1) == 25)
local boom = ffi.cast("int64_t (*)(int64_t)", function(x) error("boom " .. x) end)
fails("boom 3", lib.call_cb7, boom, 3, 0, 0, 0, 0, 0)
assert(lib.call_cb7(twice, 1, 0, 0, 0, 0, 0) == 2) -- the state is usable after it
twice:free()
boom:free()
print("call_libffi_path ok")
