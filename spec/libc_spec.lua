-- libc through ffi, as a busted suite: strings, memory, qsort with a Lua comparator,
-- snprintf varargs, errno.
--   luaffi /usr/bin/busted spec        (or: busted --lua=luaffi spec)
local ffi = require("ffi")

ffi.cdef [[
  size_t strlen(const char *s);
  int strcmp(const char *a, const char *b);
  char *strstr(const char *haystack, const char *needle);
  void *memset(void *s, int c, size_t n);
  int snprintf(char *s, size_t n, const char *format, ...);
  void qsort(void *base, size_t n, size_t size, int (*compare)(const void *, const void *));
  long strtol(const char *s, char **end, int base);
  int close(int fd);
]]
local C = ffi.C

describe("libc strings", function()
  it("measures with strlen", function()
    assert.are.equal(5, C.strlen("hello"))
    assert.are.equal(0, C.strlen(""))
  end)

  it("compares with strcmp", function()
    assert.is_true(C.strcmp("a", "b") < 0)
    assert.are.equal(0, C.strcmp("same", "same"))
  end)

  it("finds with strstr, NULL when absent", function()
    local text = "find the needle here"
    local found = C.strstr(text, "needle")
    assert.are.equal("needle here", ffi.string(found))
    assert.are.equal(ffi.NULL, C.strstr(text, "missing"))
    assert.is_true(ffi.isnull(C.strstr(text, "missing")))
  end)

  it("formats with snprintf varargs", function()
    local buffer = ffi.new("char[32]")
    local n = C.snprintf(buffer, 32, "%s=%d %.2f", "x", ffi.new("int", 42), 1.5)
    assert.are.equal("x=42 1.50", ffi.string(buffer))
    assert.are.equal(9, n)
  end)

  it("parses with strtol and an out-pointer", function()
    local rest = ffi.new("char *[1]")
    assert.are.equal(255, C.strtol("ff tail", rest, 16))
    assert.are.equal(" tail", ffi.string(rest[0]))
  end)
end)

describe("libc memory", function()
  it("fills with memset", function()
    local bytes = ffi.new("uint8_t[8]")
    C.memset(bytes, 0xAB, 8)
    for i = 0, 7 do assert.are.equal(0xAB, bytes[i]) end
  end)

  it("sorts with qsort and a Lua comparator", function()
    local values = ffi.new("double[5]", { 3.5, -1, 2, 10, 0 })
    C.qsort(values, 5, ffi.sizeof("double"), function(a, b)
      local x, y = ffi.cast("const double *", a)[0], ffi.cast("const double *", b)[0]
      return x < y and -1 or (x > y and 1 or 0)
    end)
    local sorted = {}
    for i = 0, 4 do sorted[#sorted + 1] = values[i] end
    assert.are.same({ -1, 0, 2, 3.5, 10 }, sorted)
  end)

  it("raises on an index out of range", function()
    local values = ffi.new("int[3]")
    assert.has_error(function() return values[3] end, nil)
    assert.has_error(function() values[-1] = 1 end)
  end)
end)

describe("libc errors", function()
  it("keeps errno of the last call", function()
    assert.are.equal(-1, C.close(-1))
    assert.are.equal(9, ffi.errno()) -- EBADF
  end)

  it("rejects a wrong argument type with a Lua error", function()
    assert.has_error(function() C.strlen(42) end, "bad argument #1 to 'strlen' (cannot convert 'number' to 'const char *')")
  end)
end)
