-- Structs by value as arguments and results, checked against what C computes:
-- for each shape, C's checksum of what it received (by value and by pointer) and
-- of what it returned, directly, through libffi with stack arguments, and through
-- Lua callbacks (struct argument and struct result).
local ffi = require("ffi")
local path = TESTLIB or os.getenv("LUAFFI_TESTLIB")
if not path then print("skipped: set LUAFFI_TESTLIB to the path of libffitest.so") return end
local lib = ffi.load(path)

ffi.cdef [[
typedef struct { int a, b; } IntPair;
typedef struct { float x, y; } FloatPair;
typedef struct { double x, y; } DoublePair;
typedef struct { int i; double d; } IntDouble;
typedef struct { int64_t a, b, c; } Big3;
typedef struct { IntPair p; DoublePair d; } Nested;
typedef struct { IntPair p; float f; } NestedSmall;
typedef struct { char tag; short arr[3]; } WithArray;
typedef struct { float f[3]; } Float3;
typedef struct { unsigned a : 3, b : 5; int c : 12; } Bits;
typedef struct { unsigned char x; uint64_t y : 40; unsigned z : 7; } Bits64;
typedef struct __attribute__((packed)) { char c; int i; short s; } Packed;
typedef struct __attribute__((packed)) { char c; double d; } PackedD;
typedef struct { char a, b, c; } Chars3;
typedef struct { char c; } OneChar;
typedef struct { float x; int y; } FloatInt;
typedef struct { double d; float f; } DoubleFloat;
typedef struct { long double ld; } LDStruct;
typedef struct { int a[5]; } IntArray5;
typedef struct { double a; double b; double c; double d; } Double4;
typedef struct { uint8_t a; uint64_t b; uint8_t c; } Padded;
IntPair swap_pair(IntPair p);
DoublePair scale_dpair(DoublePair p, double k);
double dot_fpair(FloatPair a, FloatPair b);
]]

local shapes = {
  "IntPair", "FloatPair", "DoublePair", "IntDouble", "Big3", "Nested", "NestedSmall",
  "WithArray", "Float3", "Bits", "Bits64", "Packed", "PackedD", "Chars3", "OneChar",
  "FloatInt", "DoubleFloat", "LDStruct", "IntArray5", "Double4", "Padded",
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

-- checks every by-value path of one shape; returns a list of failures
local function check(T)
  ffi.cdef((template:gsub("T", T)))
  local failures = {}
  local function expect(what, got, want)
    if got ~= want then failures[#failures + 1] = string.format("%s %s: got %s, want %s", T, what, tostring(got), tostring(want)) end
  end
  local make, sum, sumPtr, echo = lib["make_" .. T], lib["sum_" .. T], lib["sum_" .. T .. "_ptr"], lib["echo_" .. T]
  for _, seed in ipairs({1, 7, 100}) do
    local want = lib["expect_" .. T](seed)
    local v = make(seed) -- result by value
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

-- Field-level results.
local p = lib.swap_pair(ffi.new("IntPair", 1, 2))
assert(p.a == 2 and p.b == 1)
local p2 = lib.swap_pair({3, 4}) -- table initializer for a struct argument
assert(p2.a == 4 and p2.b == 3)
local d = lib.scale_dpair(ffi.new("DoublePair", 1.5, -2), 2)
assert(d.x == 3 and d.y == -4)
assert(lib.dot_fpair(ffi.new("FloatPair", 1, 2), ffi.new("FloatPair", 3, 4)) == 11)
assert(ffi.istype("IntPair", p))
-- A result is a copy: changing it does not touch C.
p.a = 99
assert(lib.swap_pair(p).b == 99)
print("ok")
