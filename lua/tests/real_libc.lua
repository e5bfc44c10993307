-- The real C library through ffi.C: qsort with a Lua comparator, strtol and errno
-- (ERANGE), snprintf with varargs, getenv/setenv, time/strftime.
local ffi = require("ffi")
ffi.cdef [[
void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *));
long strtol(const char *nptr, char **endptr, int base);
int snprintf(char *str, size_t size, const char *format, ...);
char *getenv(const char *name);
int setenv(const char *name, const char *value, int overwrite);
int unsetenv(const char *name);
typedef long time_t;
struct tm {
  int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday, tm_yday, tm_isdst;
  long tm_gmtoff;
  const char *tm_zone;
};
time_t time(time_t *t);
struct tm *gmtime_r(const time_t *timep, struct tm *result);
size_t strftime(char *s, size_t max, const char *format, const struct tm *tm);
]]
local C = ffi.C

-- qsort of doubles with a Lua comparator (an implicit callback)
local n = 100
local values = ffi.new("double[?]", n)
local seed = 12345
for i = 0, n - 1 do
  seed = (seed * 1103515245 + 12345) % 2147483648
  values[i] = seed / 1000
end
local dp = ffi.typeof("const double *")
C.qsort(values, n, ffi.sizeof("double"), function(a, b)
  local x, y = ffi.cast(dp, a)[0], ffi.cast(dp, b)[0]
  return x < y and -1 or (x > y and 1 or 0)
end)
for i = 1, n - 1 do assert(values[i - 1] <= values[i]) end
-- the same with an explicit callback, reused
local cmp = ffi.cast("int (*)(const void *, const void *)", function(a, b)
  return ffi.cast("const int *", b)[0] - ffi.cast("const int *", a)[0] -- descending
end)
local ints = ffi.new("int[5]", {3, 1, 4, 1, 5})
C.qsort(ints, 5, ffi.sizeof("int"), cmp)
assert(ints[0] == 5 and ints[4] == 1)
cmp:free()

-- strtol: end pointer and errno
local endp = ffi.new("char *[1]")
local text = "  -1234xyz"
assert(C.strtol(text, endp, 10) == -1234)
assert(ffi.string(endp[0]) == "xyz")
assert(C.strtol("ff", nil, 16) == 255)
ffi.errno(0)
assert(C.strtol("99999999999999999999999", nil, 10) == math.maxinteger)
assert(ffi.errno() == 34, "ERANGE expected, got " .. ffi.errno()) -- ERANGE on Linux
assert(C.strtol("-99999999999999999999999", nil, 10) == math.mininteger)
assert(ffi.errno() == 34)
C.strtol("12", nil, 10)
assert(ffi.errno() == 34 or ffi.errno() == 0) -- strtol does not clear errno on success

-- snprintf: varargs of every Lua type
local buf = ffi.new("char[128]")
local len = C.snprintf(buf, 128, "%d|%lld|%.2f|%s|%c|%5.1e|%x", ffi.new("int", -5), 1234567890123, 3.14159, "text",
  ffi.new("char", 65), 12345.678, ffi.new("unsigned int", 255))
assert(ffi.string(buf) == "-5|1234567890123|3.14|text|A|1.2e+04|ff", ffi.string(buf))
assert(len == #ffi.string(buf))
-- truncation: the return value is the full length
assert(C.snprintf(buf, 4, "%s", "abcdefgh") == 8 and ffi.string(buf) == "abc")
-- many doubles (past the floating registers)
C.snprintf(buf, 128, "%g %g %g %g %g %g %g %g %g %g", 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5)
assert(ffi.string(buf) == "1.5 2.5 3.5 4.5 5.5 6.5 7.5 8.5 9.5 10.5")

-- getenv/setenv
assert(C.setenv("LUAFFI_TEST_VAR", "some value", 1) == 0)
assert(ffi.string(C.getenv("LUAFFI_TEST_VAR")) == "some value")
assert(os.getenv("LUAFFI_TEST_VAR") == "some value")
assert(C.setenv("LUAFFI_TEST_VAR", "other", 0) == 0)
assert(ffi.string(C.getenv("LUAFFI_TEST_VAR")) == "some value") -- no overwrite
C.unsetenv("LUAFFI_TEST_VAR")
assert(C.getenv("LUAFFI_TEST_VAR") == ffi.NULL)
assert(C.setenv("", "x", 1) == -1 and ffi.errno() == 22) -- EINVAL

-- time/strftime
local now = C.time(nil)
assert(math.abs(now - os.time()) <= 2)
local t = ffi.new("time_t[1]", 86400 * 365)
local tm = ffi.new("struct tm")
assert(C.gmtime_r(t, tm) ~= ffi.NULL)
assert(tm.tm_year == 71 and tm.tm_mon == 0 and tm.tm_mday == 1)
local out = ffi.new("char[64]")
local size = C.strftime(out, 64, "%Y-%m-%d %H:%M:%S", tm)
assert(size == 19 and ffi.string(out) == "1971-01-01 00:00:00", ffi.string(out))

-- io file objects convert to FILE * (as in LuaJIT), implicitly and by ffi.cast
ffi.cdef "typedef struct FILE FILE; int fileno(FILE *f); int fflush(FILE *f);"
assert(C.fileno(io.stdout) == 1 and C.fileno(io.stderr) == 2 and C.fflush(io.stdout) == 0, tostring(C.fileno(io.stdout)) .. " " .. tostring(C.fileno(io.stderr)) .. " " .. tostring(C.fflush(io.stdout)))
assert(C.fileno(ffi.cast("FILE *", io.stderr)) == 2)
local tmp = io.tmpfile()
assert(C.fileno(tmp) > 2)
tmp:close()
local ok, err = pcall(C.fileno, tmp)
assert(not ok and err:find("attempt to use a closed file", 1, true), err)

-- unions pass by value here (LuaJIT's FFI says false)
assert(ffi.abi("unionval") and ffi.abi("64bit") and not ffi.abi("nosuch"))
print("ok")
