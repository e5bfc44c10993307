-- libc through ffi: qsort with a Lua comparator, time formatting, the environment,
-- and errno turned into Lua errors.
--   luaffi examples/libc.lua
local ffi = require("ffi")

ffi.cdef [[
  typedef long time_t;
  struct tm { int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday, tm_yday, tm_isdst;
              long tm_gmtoff; const char *tm_zone; };
  time_t mktime(struct tm *tm);
  struct tm *gmtime_r(const time_t *t, struct tm *result);
  size_t strftime(char *s, size_t max, const char *format, const struct tm *tm);
  void qsort(void *base, size_t n, size_t size, int (*compare)(const void *, const void *));
  char *getenv(const char *name);
  int setenv(const char *name, const char *value, int overwrite);
  int unsetenv(const char *name);
  char *strerror(int errnum);
  int chdir(const char *path);
]]
local C = ffi.C

-- A failed C call: errno (saved right after the call) and strerror make the message.
local function check(result, what)
  if result == -1 then
    local code = ffi.errno()
    error(string.format("%s: %s (errno %d)", what, ffi.string(C.strerror(code)), code), 2)
  end
  return result
end

-- qsort: C calls the Lua comparator through a callback; free it when done.
local words = { "pear", "apple", "fig", "banana", "cherry" }
local array = ffi.new("const char *[?]", #words, words)
local compare = ffi.cast("int (*)(const void *, const void *)", function(a, b)
  local x = ffi.string(ffi.cast("const char **", a)[0])
  local y = ffi.string(ffi.cast("const char **", b)[0])
  return x < y and -1 or (x > y and 1 or 0)
end)
C.qsort(array, #words, ffi.sizeof("const char *"), compare)
compare:free()
local sorted = {}
for i = 0, #words - 1 do sorted[#sorted + 1] = ffi.string(array[i]) end
print("qsort: " .. table.concat(sorted, " "))

-- Time: a fixed instant formatted by strftime (the buffer size is checked).
local when = ffi.new("time_t[1]", 1700000000)
local tm = ffi.new("struct tm")
assert(C.gmtime_r(when, tm) ~= ffi.NULL, "gmtime_r failed")
local buffer = ffi.new("char[64]")
local length = C.strftime(buffer, ffi.sizeof(buffer), "%Y-%m-%d %H:%M:%S", tm)
if length == 0 then error("strftime: buffer too small") end
print("strftime: " .. ffi.string(buffer, length) .. " UTC, weekday " .. tm.tm_wday)

-- The environment: set, read back (NULL when unset), remove.
check(C.setenv("LUAFFI_EXAMPLE", "from libc", 1), "setenv")
print("getenv: " .. ffi.string(C.getenv("LUAFFI_EXAMPLE")))
assert(os.getenv("LUAFFI_EXAMPLE") == "from libc") -- the same process environment
check(C.unsetenv("LUAFFI_EXAMPLE"), "unsetenv")
print("after unsetenv, NULL: " .. tostring(C.getenv("LUAFFI_EXAMPLE") == ffi.NULL))
local ok, err = pcall(check, C.setenv("", "x", 1), "setenv ''")
print("error: " .. err)

-- errno from a failing call, as a Lua error.
ok, err = pcall(check, C.chdir("/nonexistent/luaffi"), "chdir")
print("error: " .. err)
