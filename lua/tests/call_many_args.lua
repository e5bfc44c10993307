-- Many arguments: more than 6 integer or 8 floating registers (libffi, stack
-- arguments), mixed integer/floating and narrow types in every position.
local ffi = require("ffi")
local path = TESTLIB or os.getenv("LUAFFI_TESTLIB")
if not path then print("skipped: set LUAFFI_TESTLIB to the path of libffitest.so") return end
local lib = ffi.load(path)

ffi.cdef [[
int sum7(int a, int b, int c, int d, int e, int f, int g);
int64_t sum8_i64(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f, int64_t g, int64_t h);
double sum9_d(double a, double b, double c, double d, double e, double f, double g, double h, double i);
float sum9_f(float a, float b, float c, float d, float e, float f, float g, float h, float i);
double mixed6(int a, double b, int8_t c, float d, int64_t e, uint16_t f);
double mixed_many(int a, double b, int c, double d, int e, double f, int g, double h, int i, double j,
                  int k, double l, int m, double n, int o, double p, int q, double r);
int64_t narrow_many(int8_t a, uint8_t b, int16_t c, uint16_t d, int32_t e, uint32_t f, int8_t g, uint8_t h);
]]

assert(lib.sum7(1, 2, 3, 4, 5, 6, 7) == 28)
assert(lib.sum7(-1, -2, -3, -4, -5, -6, -7) == -28)
assert(lib.sum8_i64(1, 1, 1, 1, 1, 1, 1, 1) == 36)
assert(lib.sum8_i64(0, 0, 0, 0, 0, 0, 0, math.maxinteger // 8) == (math.maxinteger // 8) * 8)
assert(lib.sum9_d(1, 1, 1, 1, 1, 1, 1, 1, 1) == 45)
assert(lib.sum9_d(0, 0, 0, 0, 0, 0, 0, 0, 0.5) == 4.5)
assert(lib.sum9_f(1, 1, 1, 1, 1, 1, 1, 1, 1) == 45)
assert(lib.sum9_f(0, 0, 0, 0, 0, 0, 0, 0, 0.5) == 4.5)
-- mixed, direct path: each argument lands in its own register file
assert(lib.mixed6(1, 2, 3, 4, 5, 6) == 1 + 20 + 300 + 4000 + 50000 + 600000)
assert(lib.mixed6(0, 0, -1, 0, 0, 65535) == -100 + 65535e5)
-- mixed, 9 integers and 9 doubles: some on the stack
local want = 0
local args = {}
for i = 1, 18 do
  args[i] = (i % 2 == 1) and i or i + 0.5
  want = want + args[i] * i
end
assert(lib.mixed_many(table.unpack(args)) == want)
-- narrow types beyond the registers: C sees them sign/zero-extended
assert(lib.narrow_many(-1, 255, -2, 65535, -3, 0xffffffff, -128, 200)
  == -1 + 255 * 1000 + -2 * 1000000 + 65535 * 10 + -3 + 0xffffffff + -128 * 3 + 200 * 7)
assert(lib.narrow_many(255, 256, 0x18000, -1, 0, 0, 128, 0) == -1 + 0 + -32768 * 1000000 + 65535 * 10 + -128 * 3)
print("ok")
