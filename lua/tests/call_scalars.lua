-- Calling C with every scalar type: integers of each width (wrapping, sign and zero
-- extension as C sees them), bool, float, double, long double, size_t, char, enums,
-- pointers and strings; results converted back to Lua values.
local ffi = require("ffi")
local path = TESTLIB or os.getenv("LUAFFI_TESTLIB")
if not path then print("skipped: set LUAFFI_TESTLIB to the path of libffitest.so") return end
local lib = ffi.load(path)

ffi.cdef [[
int8_t neg_i8(int8_t a);
uint8_t add_u8(uint8_t a, uint8_t b);
int16_t add_i16(int16_t a, int16_t b);
uint16_t add_u16(uint16_t a, uint16_t b);
int add_int(int a, int b);
uint32_t add_u32(uint32_t a, uint32_t b);
int64_t add_i64(int64_t a, int64_t b);
uint64_t add_u64(uint64_t a, uint64_t b);
bool not_bool(bool b);
float add_float(float a, float b);
double add_double(double a, double b);
long double add_ldouble(long double a, long double b);
double ldouble_to_double(long double a);
long double mul_ldouble_int(long double a, int b);
size_t str_len(const char *s);
char upper_char(char c);
unsigned char uchar_id(unsigned char c);
long long_id(long v);
unsigned long ulong_id(unsigned long v);
int32_t i8_seen(int8_t a);
uint32_t u8_seen(uint8_t a);
int32_t i16_seen(int16_t a);
int64_t i32_seen(int32_t a);
int64_t u32_seen(uint32_t a);
int bool_seen(bool b);
int8_t trunc_i8(int v);
uint16_t trunc_u16(int v);
float double_to_float(double d);
double float_to_double(float f);
enum ft_color { FT_RED, FT_GREEN = 5, FT_BLUE };
enum ft_color next_color(enum ft_color c);
enum ft_big { FT_BIG_MIN = -1, FT_BIG_MAX = 0x7fffffff };
int big_enum_id(enum ft_big e);
]]

-- integers: results are Lua integers, wrapped to the C type
assert(lib.neg_i8(5) == -5 and lib.neg_i8(-128) == -128)
assert(lib.add_u8(200, 100) == 44)
assert(lib.add_i16(32767, 1) == -32768)
assert(lib.add_u16(65535, 2) == 1)
assert(lib.add_int(2, 3) == 5 and math.type(lib.add_int(2, 3)) == "integer")
assert(lib.add_int(0x7fffffff, 1) == -0x80000000)
assert(lib.add_u32(0xffffffff, 1) == 0 and lib.add_u32(0x80000000, 0) == 0x80000000)
assert(lib.add_i64(math.maxinteger, 0) == math.maxinteger)
assert(lib.add_i64(-5, 2) == -3)
assert(lib.add_u64(1, 2) == 3)
-- uint64_t above 2^63-1 comes back boxed (a uint64_t cdata)
local big = lib.add_u64(math.maxinteger, 1)
assert(ffi.istype("uint64_t", big) and tostring(big) == "9223372036854775808ULL")
-- numbers with an integral value convert; floats are truncated as C would
assert(lib.add_int(2.0, 3.0) == 5)
-- arguments are converted to the parameter type: C sees them narrowed and extended
assert(lib.i8_seen(-1) == -1 and lib.i8_seen(255) == -1 and lib.i8_seen(128) == -128)
assert(lib.u8_seen(-1) == 255 and lib.u8_seen(256) == 0)
assert(lib.i16_seen(0x18000) == -32768)
assert(lib.i32_seen(0xffffffff) == -1 and lib.i32_seen(-2) == -2)
assert(lib.u32_seen(-1) == 0xffffffff)
assert(lib.trunc_i8(0x1ff) == -1 and lib.trunc_u16(-1) == 65535)
-- 64-bit cdata as arguments
assert(lib.add_i64(ffi.new("int64_t", 40), 2) == 42)
assert(lib.add_u64(ffi.new("uint64_t", 1), 1) == 2)
-- bool: Lua truthiness in, booleans out
assert(lib.not_bool(true) == false and lib.not_bool(false) == true)
assert(lib.bool_seen(true) == 1 and lib.bool_seen(false) == 0)
assert(lib.not_bool(0) == true and lib.bool_seen(0) == 0 and lib.bool_seen(2) == 1) -- numbers: 0 is false (LuaJIT)
-- floating point
assert(lib.add_double(0.5, 0.25) == 0.75 and math.type(lib.add_double(1, 2)) == "float")
assert(lib.add_float(0.5, 0.25) == 0.75)
assert(lib.add_float(0.1, 0) ~= 0.1) -- float precision
assert(lib.double_to_float(1 / 3) == lib.float_to_double(1 / 3))
assert(lib.add_double(1, 2) == 3)
-- long double (libffi path): Lua numbers in, numbers (or cdata) out
assert(lib.ldouble_to_double(2.5) == 2.5)
local ld = lib.add_ldouble(1.25, 2)
assert(tonumber(ld) == 3.25 or (ffi.tonumber and ffi.tonumber(ld) == 3.25), "long double result: " .. tostring(ld))
local ld2 = lib.mul_ldouble_int(1.5, 4)
assert(tonumber(ld2) == 6 or (ffi.tonumber and ffi.tonumber(ld2) == 6))
-- size_t, char, long
assert(lib.str_len("hello") == 5 and math.type(lib.str_len("")) == "integer")
assert(lib.upper_char(string.byte("a")) == string.byte("A"))
assert(lib.uchar_id(255) == 255 and lib.uchar_id(-1) == 255)
assert(lib.long_id(-1) == -1 and lib.long_id(math.mininteger) == math.mininteger)
assert(lib.ulong_id(5) == 5)
-- enums: numbers or enumerator names in, integers out
assert(lib.next_color(0) == 5 and lib.next_color(5) == 6 and lib.next_color(6) == 0)
assert(lib.next_color("FT_GREEN") == 6)
assert(lib.big_enum_id(-1) == -1 and lib.big_enum_id(0x7fffffff) == 0x7fffffff)
assert(ffi.C ~= nil)
print("ok")
