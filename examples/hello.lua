-- A first luaffi script: declare C functions, call them, get C data back.
--   luaffi examples/hello.lua
local ffi = require("ffi")

ffi.cdef [[
  int printf(const char *format, ...);
  size_t strlen(const char *s);
  double cos(double x);
  typedef long time_t;
  struct tm { int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday, tm_yday, tm_isdst;
              long tm_gmtoff; const char *tm_zone; };
  time_t time(time_t *t);
  struct tm *gmtime_r(const time_t *t, struct tm *result);
  size_t strftime(char *s, size_t max, const char *format, const struct tm *tm);
  void qsort(void *base, size_t n, size_t size, int (*compare)(const void *, const void *));
]]
local C = ffi.C

C.printf("hello from C's printf: %s has %d bytes, cos(0) = %.1f\n",
         "luaffi", ffi.new("int", C.strlen("luaffi")), C.cos(0))

-- Structs: let C fill one, read its fields.
local now = ffi.new("time_t[1]", C.time(nil))
local tm = ffi.new("struct tm")
assert(C.gmtime_r(now, tm) ~= ffi.NULL, "gmtime_r failed")
local text = ffi.new("char[64]")
local length = C.strftime(text, ffi.sizeof(text), "%Y-%m-%d %H:%M:%S UTC", tm)
print("the time is " .. ffi.string(text, length))

-- Callbacks: C's qsort calls a Lua comparator.
local numbers = ffi.new("int[6]", { 42, 7, 19, 3, 88, 1 })
C.qsort(numbers, 6, ffi.sizeof("int"), function(a, b)
  local x, y = ffi.cast("const int *", a)[0], ffi.cast("const int *", b)[0]
  return x < y and -1 or (x > y and 1 or 0)
end)
local sorted = {}
for i = 0, 5 do sorted[#sorted + 1] = numbers[i] end
print("sorted by qsort: " .. table.concat(sorted, " "))

-- Errors are Lua errors, never crashes.
local ok, err = pcall(function() return numbers[6] end)
print("out of range: " .. err)
