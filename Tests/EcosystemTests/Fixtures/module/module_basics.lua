-- The ffi module loaded into stock lua5.4: require, cdef, calls, callbacks, gc.
local ffi = require("ffi")
assert(package.loaded.ffi == ffi)
ffi.cdef [[
  size_t strlen(const char *s);
  int snprintf(char *s, size_t n, const char *format, ...);
  void qsort(void *base, size_t n, size_t size, int (*compare)(const void *, const void *));
  typedef struct { int x, y; } point;
]]
assert(ffi.C.strlen("stock lua") == 9)
local buffer = ffi.new("char[16]")
ffi.C.snprintf(buffer, 16, "%d-%s", ffi.new("int", 7), "x")
assert(ffi.string(buffer) == "7-x")
local values = ffi.new("int[4]", { 4, 1, 3, 2 })
ffi.C.qsort(values, 4, 4, function(a, b)
  return ffi.cast("const int *", a)[0] - ffi.cast("const int *", b)[0]
end)
assert(values[0] == 1 and values[3] == 4)
local p = ffi.new("point", 1, 2)
assert(p.x + p.y == 3 and ffi.sizeof(p) == 8)
local collected = 0
do ffi.gc(ffi.new("int"), function() collected = collected + 1 end) end
collectgarbage(); collectgarbage()
assert(collected == 1)
assert(not pcall(function() return values[4] end))
local ok, err = pcall(ffi.cdef, "int broken(")
assert(not ok and err:find("broken") or err:find("expected"), err)
assert(_VERSION == "Lua 5.4")
print("module ok")
