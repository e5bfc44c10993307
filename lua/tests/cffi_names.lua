-- Python cffi's names: new_handle/from_handle, buffer, from_buffer, unpack, memmove,
-- getctype, list_types, init_once, cdef options. Against libc where C takes part.
local ffi = require("ffi")
ffi.cdef [[
  void qsort_r(void *base, size_t n, size_t size, int (*compar)(const void *, const void *, void *), void *arg);
  int snprintf(char *s, size_t n, const char *format, ...);
  size_t strlen(const char *s);
  int memcmp(const void *a, const void *b, size_t n);
]]

local function fails(expected, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. expected)
  assert(tostring(err):find(expected, 1, true), err)
end

local function churn()
  collectgarbage(); collectgarbage()
  local keep = {}
  for i = 1, 2000 do keep[i] = ffi.new("int[16]", -1) end
end

-- new_handle / from_handle: a Lua table through C's qsort_r and back.
do
  local state = { calls = 0, descending = true }
  local handle = ffi.new_handle(state)
  assert(ffi.istype("void *", handle) and not ffi.isnull(handle))
  assert(ffi.from_handle(handle) == state)
  local compare = ffi.cast("int (*)(const void *, const void *, void *)", function(a, b, arg)
    local s = ffi.from_handle(arg)  -- the void * C hands back
    s.calls = s.calls + 1
    local x, y = ffi.cast("const int *", a)[0], ffi.cast("const int *", b)[0]
    if s.descending then x, y = y, x end
    return x < y and -1 or x > y and 1 or 0
  end)
  local values = ffi.new("int[6]", {3, 1, 4, 1, 5, 9})
  ffi.C.qsort_r(values, 6, ffi.sizeof("int"), compare, handle)
  compare:free()
  assert(state.calls > 0)
  assert(values[0] == 9 and values[5] == 1)
  -- Two handles of one value are distinct pointers.
  local other = ffi.new_handle(state)
  assert(ffi.cast("uintptr_t", other) ~= ffi.cast("uintptr_t", handle))
  assert(ffi.from_handle(ffi.cast("char *", other)) == state)
  -- The handle keeps its value alive; a dead handle's address is an error, not a crash.
  local weak = setmetatable({}, { __mode = "v" })
  local h = ffi.new_handle({ "payload" })
  weak[1] = ffi.from_handle(h)
  churn()
  assert(weak[1] and weak[1][1] == "payload", "the handle keeps its value")
  local address = ffi.cast("uintptr_t", h)
  h = nil
  churn()
  assert(weak[1] == nil, "a dead handle lets its value go")
  fails("no live handle", ffi.from_handle, ffi.cast("void *", address))
  fails("no live handle", ffi.from_handle, ffi.new("int[2]") + 0)  -- a foreign pointer
  fails("no live handle", ffi.from_handle, ffi.NULL)
  fails("pointer expected", ffi.from_handle, 42)
  fails("value expected", ffi.new_handle)
  assert(ffi.from_handle(ffi.new_handle(nil)) == nil)
  -- ffi.release of a handle ends it at once (Python cffi's rule) and lets its value go.
  local released = ffi.new_handle({ "gone" })
  weak[2] = ffi.from_handle(released)
  local copy = ffi.cast("void *", released)
  ffi.release(released)
  churn()
  assert(weak[2] == nil, "a released handle lets its value go")
  fails("no live handle", ffi.from_handle, copy)
end

-- buffer: a byte view of C memory, 0-based; bounds-checked; keeps its cdata alive.
do
  local chars = ffi.new("char[16]")
  ffi.C.snprintf(chars, 16, "n=%d", 42)
  local b = ffi.buffer(chars)
  assert(#b == 16 and b[0] == ("n"):byte() and b[15] == 0)
  assert(b:tostring() == "n=42" .. ("\0"):rep(12))
  assert(b:sub(1, 4) == "n=42" and b:sub(-12, -12) == "\0" and b:sub(3) == b:tostring():sub(3))
  assert(b:sub(5, 2) == "" and b:sub(-100, 2) == "n=")
  assert(tostring(b):match("^buffer: 0x%x+ %(16 bytes%)$"))
  b[0] = ("N"):byte()
  b[1] = ":"
  b:set("!!", 4)
  assert(ffi.string(chars) == "N:42!!")
  fails("out of range", function() return b[16] end)
  fails("out of range", function() return b[-1] end)
  fails("out of range", function() b[16] = 1 end)
  fails("a byte 0-255", function() b[0] = 256 end)
  fails("a byte 0-255", function() b[0] = "ab" end)
  fails("exceed the 16 bytes", b.set, b, ("x"):rep(10), 8)
  fails("has no member 'nope'", function() return b.nope end)
  -- A pointer's buffer: the pointed-to type's size by default, or the size given.
  local n = ffi.new("int[4]", {1, 2, 3, 4})
  assert(#ffi.buffer(n + 1) == ffi.sizeof("int"))
  assert(#ffi.buffer(n + 1, 8) == 8)
  local point = ffi.new("struct { short x, y; }", 1, 2)
  assert(#ffi.buffer(point) == 4)
  fails("exceed", ffi.buffer, n, 17)
  fails("size of 'void' unknown", ffi.buffer, ffi.cast("void *", n))
  fails("NULL", ffi.buffer, ffi.cast("int *", nil))
  fails("expected", ffi.buffer, "a string")
  fails("expected", ffi.buffer, 1)
  -- const memory gives a read-only buffer.
  local ro = ffi.buffer(ffi.cast("const char *", chars), 4)
  assert(ro:tostring() == "N:42")
  fails("read-only", function() ro[0] = 1 end)
  fails("read-only", ro.set, ro, "x")
  -- The buffer keeps the array alive; a released owner is refused.
  local kept = ffi.buffer(ffi.new("char[64]", "kept alive"))
  churn()
  assert(kept:sub(1, 10) == "kept alive")
  local owned = ffi.gc(ffi.new("char[8]", "x"), function() end)
  local view = ffi.buffer(owned)
  ffi.release(owned)
  fails("released", function() return view[0] end)
end

-- from_buffer: a char pointer into a string or buffer, keeping it alive.
do
  local p = ffi.from_buffer("hello" .. ("!"):rep(3))
  assert(ffi.istype("const char *", p))
  churn()
  assert(ffi.C.strlen(p) == 8 and ffi.string(p) == "hello!!!")
  local chars = ffi.new("char[4]", "abc")
  local q = ffi.from_buffer(ffi.buffer(chars))
  assert(ffi.istype("char *", q) and ffi.string(q) == "abc")
  q[0] = 65
  assert(ffi.string(chars) == "Abc")
  assert(ffi.istype("const char *", ffi.from_buffer(ffi.buffer(ffi.cast("const char *", chars), 3))))
  fails("string or buffer expected", ffi.from_buffer, chars)
  fails("string or buffer expected", ffi.from_buffer, {})
end

-- unpack: a string for char, a table otherwise.
do
  local chars = ffi.new("char[6]", "ab\0cd")
  assert(ffi.unpack(chars, 5) == "ab\0cd")
  assert(ffi.unpack(ffi.cast("const char *", chars), 2) == "ab")
  local t = ffi.unpack(ffi.new("int[3]", {7, 8, 9}), 3)
  assert(#t == 3 and t[1] == 7 and t[3] == 9)
  local d = ffi.unpack(ffi.new("double[2]", {0.5, 1.5}) + 1, 1)
  assert(d[1] == 1.5)
  local s = ffi.unpack(ffi.new("struct { int a; }[2]", {{1}, {2}}), 2)
  assert(s[2].a == 2)
  assert(ffi.unpack(ffi.cast("int *", nil), 0)[1] == nil)
  fails("exceed", ffi.unpack, ffi.new("int[3]"), 4)
  fails("NULL", ffi.unpack, ffi.cast("int *", nil), 1)
  fails("size of 'void' unknown", ffi.unpack, ffi.cast("void *", chars), 1)
  fails("pointer or array cdata expected", ffi.unpack, ffi.new("int", 1), 1)
  fails("number expected", ffi.unpack, chars)
end

-- memmove: overlapping copies; strings and buffers as sources.
do
  local a = ffi.new("char[12]", "abcdef")
  ffi.memmove(a + 2, a, 6)
  assert(ffi.string(a) == "ababcdef")
  ffi.memmove(a, "xyz", 3)
  assert(ffi.string(a) == "xyzbcdef")
  ffi.memmove(ffi.buffer(a), ffi.buffer(ffi.new("char[2]", "Q")), 1)
  assert(ffi.string(a) == "Qyzbcdef")
  fails("exceed", ffi.memmove, a, "abc", 5)
  fails("exceed", ffi.memmove, a, ffi.new("char[20]"), 13)
  fails("cannot convert 'string'", ffi.memmove, "dest", a, 1)
  fails("read-only buffer", ffi.memmove, ffi.buffer(ffi.cast("const char *", a), 2), "x", 1)
  fails("read-only buffer", ffi.fill, ffi.buffer(ffi.cast("const char *", a), 2), 1)
  fails("number expected", ffi.memmove, a, "x")
  fails("attempt to memmove to a NULL pointer", ffi.memmove, nil, "x", 1)
  fails("attempt to memmove from a NULL pointer", ffi.memmove, a, ffi.NULL, 1)
  fails("(empty buffer)", function() return ffi.buffer(a, 0)[0] end)
end

-- getctype: the C spelling, with a declarator put in its place.
do
  assert(ffi.getctype("int") == "int")
  assert(ffi.getctype("int", "x") == "int x")
  assert(ffi.getctype("int", " * ") == "int *")
  assert(ffi.getctype(ffi.typeof("int *"), "*") == "int **")
  assert(ffi.getctype("int[5]", "*") == "int (*)[5]")
  assert(ffi.getctype("int[5]", "[6]") == "int [6][5]")
  assert(ffi.getctype("int(*)[3]", "x") == "int (*x)[3]")
  assert(ffi.getctype("int(int)", "*fp") == "int (*fp)(int)")
  assert(ffi.getctype(ffi.new("char[2]")) == "char [2]")
  fails("string expected", ffi.getctype, "int", 5)
  fails("C type expected", ffi.getctype, nil)
end

-- list_types: typedefs, structs, unions declared so far (predefined ones left out).
do
  ffi.cdef [[
    typedef int cn_int_t;
    struct cn_point { int x, y; };
    union cn_value { int i; float f; };
    typedef struct cn_point cn_point_t;
    enum cn_enum { CN_A };
  ]]
  local typedefs, structs, unions = ffi.list_types()
  local function has(list, name) for _, v in ipairs(list) do if v == name then return true end end end
  assert(has(typedefs, "cn_int_t") and has(typedefs, "cn_point_t") and not has(typedefs, "int32_t"))
  assert(has(structs, "cn_point") and not has(structs, "cn_value") and not has(structs, "cn_enum"))
  assert(has(unions, "cn_value"))
  for i = 2, #typedefs do assert(typedefs[i - 1] < typedefs[i]) end
end

-- init_once: once per tag; errors are not remembered.
do
  local runs = 0
  local function init() runs = runs + 1; return { runs = runs } end
  local first = ffi.init_once(init, "config")
  assert(ffi.init_once(init, "config") == first and runs == 1)
  assert(ffi.init_once(init, "other") ~= first and runs == 2)
  assert(ffi.init_once(function() return nil end, "nil") == nil)
  assert(ffi.init_once(function() error("not cached") end, "nil") == nil)
  local attempts = 0
  local function flaky() attempts = attempts + 1; if attempts == 1 then error("try again") end; return "ready" end
  fails("try again", ffi.init_once, flaky, "flaky")
  assert(ffi.init_once(flaky, "flaky") == "ready" and attempts == 2)
  fails("already running", ffi.init_once, function() return ffi.init_once(function() end, "self") end, "self")
  assert(ffi.init_once(function() return 1 end, "self") == 1, "the failed tag can run again")
  fails("function expected", ffi.init_once, 1, "x")
  fails("tag expected", ffi.init_once, init)
end

-- cdef options: packed, pack, override (Python cffi's keywords).
do
  ffi.cdef("struct cn_packed { char c; int i; double d; };", { packed = true })
  assert(ffi.sizeof("struct cn_packed") == 13 and ffi.offsetof("struct cn_packed", "d") == 5)
  ffi.cdef("struct cn_pack2 { char c; double d; };", { pack = 2 })
  assert(ffi.sizeof("struct cn_pack2") == 10 and ffi.alignof("struct cn_pack2") == 2)
  ffi.cdef("struct cn_natural { char c; double d; };")
  assert(ffi.sizeof("struct cn_natural") == 16, "options last one cdef only")
  fails("'pack' must be", ffi.cdef, "struct cn_bad { int a; };", { pack = 3 })
  fails("given together", ffi.cdef, "struct cn_bad { int a; };", { pack = 2, packed = true })
  -- override replaces typedefs, functions, constants and struct bodies.
  ffi.cdef [[
    typedef int cn_over_t;
    struct cn_over { int a; };
    static const int CN_LIMIT = 1;
  ]]
  local old = ffi.new("struct cn_over", 5)
  fails("redefinition", ffi.cdef, "struct cn_over { double a, b; };")
  ffi.cdef([[
    typedef double cn_over_t;
    struct cn_over { double a, b; };
    static const int CN_LIMIT = 2;
  ]], { override = true })
  assert(ffi.sizeof("cn_over_t") == 8 and ffi.sizeof("struct cn_over") == 16)
  assert(ffi.C.CN_LIMIT == 2)
  assert(old.a == 5 and ffi.sizeof(old) == 4, "old cdata keep their type")
  -- A function or constant looked up before an override keeps what it was, as Python
  -- cffi's lib keeps what it looked up; the override says so through warn (-W).
  ffi.cdef "int atoi(const char *); static const int CN_KEPT = 1;"
  local atoi, kept = ffi.C.atoi, ffi.C.CN_KEPT
  ffi.cdef("long atoi(const char *); static const int CN_KEPT = 2;", { override = true })
  assert(ffi.C.atoi == atoi and ffi.C.atoi("42") == 42 and ffi.C.CN_KEPT == kept)
  if arg and arg[-1] then  -- run by the interpreter (not by an embedding test): its -W
    local program = [[local ffi = require "ffi"
      ffi.cdef "int atoi(const char *);" local _ = ffi.C.atoi
      ffi.cdef("long atoi(const char *);", { override = true })
      ffi.cdef("long atol(const char *);", { override = true })]]
    local pipe = assert(io.popen(string.format("%q -W -e %q 2>&1", arg[-1], program)))
    local said = pipe:read("a")
    pipe:close()
    local warning = "cdef: 'atoi' was looked up before this override and keeps 'int (const char *)' (now 'int64_t (const char *)')"
    assert(said:find(warning, 1, true) and not said:find("atoi", said:find(warning, 1, true) + #warning, true), said)
  end
  -- $ parameters and options together.
  ffi.cdef("typedef $ cn_param_t;", ffi.typeof("short"), { override = true })
  assert(ffi.sizeof("cn_param_t") == 2)
end
