-- Unions by value as arguments and results (classified by us for x86-64 SysV),
-- checked against C: checksums of what C received by value and by pointer, of
-- what it returned, with stack arguments, and through Lua callbacks.
local ffi = require("ffi")
local path = TESTLIB or os.getenv("LUAFFI_TESTLIB")
if not path then print("skipped: set LUAFFI_TESTLIB to the path of libffitest.so") return end
local lib = ffi.load(path)

ffi.cdef [[
typedef struct { int a, b; } IntPair;
typedef struct { float x, y; } FloatPair;
typedef struct { double x, y; } DoublePair;
typedef struct { int i; double d; } IntDouble;
typedef union { int i; float f; } IntFloat;
typedef union { double d; long l; } DoubleLong;
typedef union { float f[2]; double d; } FloatsDouble;
typedef union { IntPair p; FloatPair f; } PairUnion;
typedef union { DoublePair d; IntDouble id; } MixedUnion16;
typedef union { int64_t a[3]; double d; } BigUnion;
typedef union { char c[4]; short s; } CharsShort;
typedef union { float f; struct { uint16_t lo, hi; } h; } FloatHalves;
int union_int(IntFloat u);
float union_float(IntFloat u);
IntFloat union_from_float(float f);
long dl_bits(DoubleLong u);
]]

local shapes = {
  "IntFloat", "DoubleLong", "FloatsDouble", "PairUnion", "MixedUnion16", "BigUnion",
  "CharsShort", "FloatHalves",
}

local template = [[
T make_T(int seed);
uint64_t sum_T_ptr(const T *p);
uint64_t sum_T(T v);
T echo_T(T v);
uint64_t expect_T(int seed);
uint64_t cb_make_T(T (*f)(int), int seed);
uint64_t cb_echo_T(uint64_t (*f)(T), int seed);
T pass10_T(int a, int b, int c, int d, int e, int f, T v, double x, int g, T w);
]]

local function check(T)
  ffi.cdef((template:gsub("T", T)))
  local failures = {}
  local function expect(what, got, want)
    if got ~= want then failures[#failures + 1] = string.format("%s %s: got %s, want %s", T, what, tostring(got), tostring(want)) end
  end
  local make, sum, sumPtr, echo = lib["make_" .. T], lib["sum_" .. T], lib["sum_" .. T .. "_ptr"], lib["echo_" .. T]
  for _, seed in ipairs({1, 7, 100}) do
    local want = lib["expect_" .. T](seed)
    local v = make(seed)
    expect("result", sumPtr(v), want)
    expect("argument", sum(v), want)
    expect("echo", sumPtr(echo(v)), want)
    expect("stack args", sumPtr(lib["pass10_" .. T](1, 2, 3, 4, 5, 6, v, 0.5, 7, v)), want)
    expect("callback result", lib["cb_make_" .. T](function(s) return make(s) end, seed), want)
    expect("callback argument", lib["cb_echo_" .. T](function(x)
      assert(ffi.istype(T, x), "callback argument is not a " .. T)
      return sumPtr(x)
    end, seed), want)
  end
  return failures
end

local all = {}
for _, T in ipairs(shapes) do
  local ok, failures = pcall(check, T)
  if not ok then failures = {T .. ": " .. tostring(failures)} end
  for _, f in ipairs(failures) do all[#all + 1] = f end
end
assert(#all == 0, "by-value mismatches:\n  " .. table.concat(all, "\n  "))

-- Field-level checks: a union made in Lua, read by C, and back.
local u = ffi.new("IntFloat")
u.f = 1.5
assert(lib.union_float(u) == 1.5)
u.i = 12345
assert(lib.union_int(u) == 12345)
local r = lib.union_from_float(-2.25)
assert(r.f == -2.25 and ffi.istype("IntFloat", r))
local dl = ffi.new("DoubleLong")
dl.d = 1.0
assert(lib.dl_bits(dl) == 0x3FF0000000000000)
print("ok")
