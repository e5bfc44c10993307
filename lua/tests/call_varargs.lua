-- Variadic functions: Lua integers pass as int64_t, floats as double, booleans as
-- int, strings as const char *, nil as NULL, cdata as their (promoted) type.
local ffi = require("ffi")
local path = TESTLIB or os.getenv("LUAFFI_TESTLIB")
if not path then print("skipped: set LUAFFI_TESTLIB to the path of libffitest.so") return end
local lib = ffi.load(path)

ffi.cdef [[
typedef struct { int a, b; } IntPair;
int64_t sum_ints_va(int n, ...);
double sum_doubles_va(int n, ...);
const char *format_va(const char *fmt, ...);
uint64_t sum_IntPair_va(int n, ...);
uint64_t sum_IntPair_ptr(const IntPair *p);
]]
local function fmt(...) return ffi.string(lib.format_va(...)) end

assert(lib.sum_ints_va(0) == 0)
assert(lib.sum_ints_va(3, 1, 2, 3) == 6)
assert(lib.sum_ints_va(10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) == 55) -- past the registers
assert(lib.sum_ints_va(2, math.maxinteger, math.mininteger) == -1)
assert(lib.sum_doubles_va(3, 0.5, 1.5, 2.5) == 4.5)
assert(lib.sum_doubles_va(10, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5) == 5)
-- C's promotions of cdata: float -> double, small integers -> int
assert(lib.sum_doubles_va(2, ffi.new("float", 1.5), 2.5) == 4)
assert(fmt("%d %d %d", ffi.new("int8_t", -3), ffi.new("uint16_t", 65535), ffi.new("bool", true)) == "-3 65535 1")
assert(fmt("%lld", ffi.new("int64_t", -7)) == "-7")
assert(fmt("%d", ffi.new("int", 42)) == "42")
-- formats
assert(fmt("plain") == "plain")
assert(fmt("%lld|%.3f|%s", 42, 3.14159, "str") == "42|3.142|str")
assert(fmt("%d %d", true, false) == "1 0")
assert(fmt("%p", nil) == "(nil)")
assert(fmt("%s=%lld, %s=%g", "a", -1, "b", 1e100) == "a=-1, b=1e+100")
-- past the floating registers (Lua floats pass as double)
assert(fmt("%.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.5)
  == "1.0 2.0 3.0 4.0 5.0 6.0 7.0 8.0 9.0 10.5")
-- structs and unions in the variadic part pass a pointer to them, as in LuaJIT
local p1, p2 = ffi.new("IntPair", 1, 2), ffi.new("IntPair", 3, 4)
local h = 0
for _, p in ipairs({p1, p2}) do h = h * 31 + p.a; h = h * 31 + p.b end
assert(lib.sum_IntPair_va(2, p1, p2) == h)
assert(fmt("%p", p1) == fmt("%p", ffi.cast("void *", p1)))
local big = ffi.new("struct { double d[32]; }")
assert(fmt("%p", big) == fmt("%p", ffi.cast("void *", big)))
local u = ffi.new("union { int i; double d; }")
assert(fmt("%p", u) == fmt("%p", ffi.cast("void *", u)))
-- a function (or table) cannot be a variadic argument
local ok, err = pcall(lib.sum_ints_va, 1, {})
assert(not ok and err:find("bad argument #2 to 'sum_ints_va' (cannot pass a table as a variadic argument)", 1, true), err)
-- the fixed part is still checked
ok, err = pcall(lib.sum_ints_va)
assert(not ok and err:find("wrong number of arguments to 'sum_ints_va' (1 or more expected, got 0)", 1, true), err)
print("ok")
