-- The edges of the C fast paths (calls, field and element access, ffi.new,
-- ffi.string, callbacks), which read Lua's stack directly: every value they do not
-- take must reach the slow path and get the same answer or error as there. The
-- suite also runs with LUAFFI_API_STACK=1 (fast paths off): same results.
local ffi = require("ffi")
local path = TESTLIB or os.getenv("LUAFFI_TESTLIB")
if not path then print("skipped: set LUAFFI_TESTLIB to the path of libffitest.so") return end
local lib = ffi.load(path)

ffi.cdef [[
int add_int(int a, int b);
int8_t neg_i8(int8_t a);
uint16_t add_u16(uint16_t a, uint16_t b);
uint64_t add_u64(uint64_t a, uint64_t b);
bool not_bool(bool b);
int bool_seen(bool b);
float add_float(float a, float b);
double add_double(double a, double b);
double mixed6(int a, double b, int8_t c, float d, int64_t e, uint16_t f);
int is_null(const void *p);
int sum_ints(const int *p, int n);
size_t str_len(const char *s);
void upper_in_place(char *s);
const char *hello(void);
double deref_double(const double *p);
void *null_pointer(void);
int *int_ptr_next(int *p);
void *memchr(const void *s, int c, size_t n);
typedef struct { bool b; int8_t c; int i; float f; double d; uint64_t u; } Mixed;
typedef int (*int_cb)(int);
typedef double (*dbl_cb)(double);
typedef bool (*bool_cb)(int);
]]

local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. pattern)
  assert(err:find(pattern, 1, true), "error was: " .. tostring(err) .. "\nwanted: " .. pattern)
end

-- Calls: integers, exact floats, inexact floats (truncated, as LuaJIT), booleans.
assert(lib.add_int(2, 3) == 5)
assert(lib.add_int(2.0, 3) == 5 and math.type(lib.add_int(2.0, 3)) == "integer")
assert(lib.add_int(2.75, 3) == 5) -- the slow path truncates
assert(lib.neg_i8(200) == 56) -- 200 wraps to -56 as int8_t
assert(lib.add_u16(65535, 2) == 1)
assert(lib.add_u64(1, 2) == 3 and math.type(lib.add_u64(1, 2)) == "integer")
local big = lib.add_u64(-1, 0) -- above 2^63-1: a boxed uint64_t, as on the slow path
assert(ffi.istype("uint64_t", big) and tostring(big) == "18446744073709551615ULL")
assert(lib.add_u64(big, 1) == 0)
assert(lib.not_bool(true) == false and lib.not_bool(false) == true)
assert(lib.bool_seen(5) == 1 and lib.bool_seen(0) == 0)
assert(lib.add_float(1, 0.5) == 1.5 and math.type(lib.add_float(1, 2)) == "float")
assert(lib.add_double(2^53, 1) == 2^53) -- integers convert to double
assert(lib.mixed6(1, 2.5, -3, 0.25, 2^20, 65536 + 7) == 1 + 25 - 300 + 250 + 2^20 * 1e4 + 7e5)
assert(lib.is_null(nil) == 1 and lib.is_null(ffi.NULL) == 1)
local ints = ffi.new("int[3]", 1, 2, 3)
assert(lib.sum_ints(ints, 3) == 6 and lib.sum_ints(ffi.cast("int *", ints), 2.0) == 3)
fails("bad argument #2 to 'add_int' (cannot convert 'string' to 'int')", lib.add_int, 1, "2")
assert(lib.add_double(true, 1) == 2 and lib.add_int(true, false) == 1) -- as LuaJIT
fails("wrong number of arguments to 'add_int' (2 expected, got 3)", lib.add_int, 1, 2, 3)
fails("wrong number of arguments to 'add_int' (2 expected, got 1)", lib.add_int, 1)
fails("bad argument #1 to 'sum_ints' (cannot convert 'double [1]' to 'const int *')",
      lib.sum_ints, ffi.new("double[1]"), 1)
-- Pointers: Lua strings for const char pointers (short and long strings), arrays
-- decaying to their first element, pointer cdata of the declared type.
assert(lib.str_len("hello") == 5 and lib.str_len(("x"):rep(100)) == 100 and lib.str_len("") == 0)
assert(lib.str_len(lib.hello()) == #ffi.string(lib.hello()))
assert(ffi.istype("const char *", lib.hello()) and ffi.string(lib.hello()) == "hello, ffi")
assert(lib.str_len(ffi.new("char[8]", "abc")) == 3 and lib.str_len(ffi.new("char[?]", 4, "ab")) == 2)
assert(lib.deref_double(ffi.new("double[1]", 2.5)) == 2.5)
-- void pointers take any pointer, array or struct cdata.
local hay = ffi.new("char[8]", "abcdef")
assert(ffi.C.memchr(hay, 100, 8) == hay + 3 and ffi.C.memchr(hay + 1, 97, 7) == ffi.NULL)
assert(ffi.C.memchr(ffi.cast("const char *", hay), 102, 8) == hay + 5)
assert(lib.is_null(ffi.new("struct { int x; }")) == 0 and lib.is_null(ffi.cast("int *", 0)) == 1)
-- Pointer results: cdata of the declared type; NULL is a NULL pointer, not nil.
local null = lib.null_pointer()
assert(null ~= nil and ffi.istype("void *", null) and null == ffi.NULL and ffi.isnull(null))
local three = ffi.new("int[3]", 1, 2, 3)
local second = lib.int_ptr_next(three)
assert(ffi.istype("int *", second) and second[0] == 2 and lib.int_ptr_next(second)[0] == 3)
assert(lib.sum_ints(ffi.new("const int[2]", 4, 5), 2) == 9) -- const elements: the slow path
fails("bad argument #1 to 'upper_in_place' (cannot convert 'string' to 'char *')", lib.upper_in_place, "abc")
local text = ffi.new("char[4]", "abc")
lib.upper_in_place(text)
assert(ffi.string(text) == "ABC")
local released = ffi.gc(ffi.new("int[1]"), function() end)
ffi.release(released)
fails("released", lib.sum_ints, released, 1)

-- Fields and elements: numbers into bool, exact floats as indexes, long names.
local m = ffi.new("Mixed")
m.b = 1; assert(m.b == true)
m.b = 0; assert(m.b == false)
m.b = true; assert(m.b == true)
m.c = 300; assert(m.c == 44)
m.i = 7.0; assert(m.i == 7 and math.type(m.i) == "integer")
m.i = 7.5; assert(m.i == 7) -- the slow path truncates
m.f = 3; assert(m.f == 3.0 and math.type(m.f) == "float")
m.u = -1; assert(tostring(m.u) == "18446744073709551615ULL") -- boxed: the slow path
fails("cannot convert 'string' to 'int'", function() m.i = "1" end)
fails("has no member named", function() return m[("x"):rep(50)] end)
local a = ffi.new("double[4]")
a[1.0] = 2; assert(a[1] == 2.0)
fails("out of range", function() return a[4] end)
fails("out of range", function() return a[-1] end)
fails("out of range", function() a[2^40] = 1 end)

-- Pointer fields and elements: read as new pointer cdata; written from nil, a
-- pointer of the same type or an array of the target type; the rest (other
-- pointer types, strings, numbers) takes the slow path and its rules.
ffi.cdef "typedef struct pnode { int v; struct pnode *next; const char *name; void *any; } pnode;"
local n1, n2 = ffi.new("pnode", 1), ffi.new("pnode", 2)
assert(n1.next == ffi.NULL and ffi.istype("struct pnode *", n1.next))
n1.next = ffi.cast("struct pnode *", n2)
assert(n1.next.v == 2 and n1.next == ffi.cast("struct pnode *", n2))
local again = n1.next
n1.next = again -- the same pointer type
assert(n1.next.v == 2)
n1.next = nil
assert(n1.next == ffi.NULL)
n1.next = n2 -- a struct of the target type: its address
assert(n1.next.v == 2)
local label = ffi.new("char[6]", "label")
n1.name = label -- an array of the target type decays
assert(ffi.string(n1.name) == "label" and ffi.istype("const char *", n1.name))
n1.any = label -- void *: the slow path
assert(ffi.cast("char *", n1.any)[0] == 108)
fails("cannot convert", function() n1.next = ffi.new("int[1]") end)
fails("cannot convert", function() n1.next = 5 end)
local list = ffi.new("const char *[3]", label, nil, label)
assert(ffi.string(list[0]) == "label" and list[1] == ffi.NULL and ffi.string(list[2]) == "label")
list[1] = list[0]
assert(ffi.string(list[1]) == "label")
fails("out of range", function() return list[3] end)
local constant = ffi.new("struct { int *const p; }")
fails("const", function() constant.p = nil end)

-- Pointer comparison and arithmetic.
local ints = ffi.new("int[4]", 10, 20, 30, 40)
local ip = ffi.cast("int *", ints)
assert(ip == ints and ints == ip and ip + 1 ~= ip and ip == ffi.cast("const char *", ints))
assert((ip + 2)[0] == 30 and (2 + ip)[0] == 30 and (ip + 3 - 1)[0] == 30 and ffi.istype("int *", ip + 1))
assert((ip + 3) - ip == 3 and ip - (ip + 3) == -3 and (ints + 1)[0] == 20 and (ip + 2) - ints == 2)
local vp = ffi.cast("void *", ints)
fails("attempt to perform arithmetic on 'void *' and 'number'", function() return vp + 1 end)
fails("attempt to perform arithmetic on 'void *' and 'void *'", function() return vp - vp end)
assert((ip + 1.5)[0] == 20 and (ip + 2.0)[0] == 30) -- a float offset is truncated (LuaJIT)
fails("attempt to perform arithmetic", function() return ip + ip end)
assert(ffi.cast("int64_t", 5) + 1 == ffi.cast("int64_t", 6)) -- not pointers: the slow path
-- Offsets that overflow the address wrap around (as in LuaJIT), never trap:
-- 4 * 2^62 is 2^64, so the address comes back to where it started.
local null_int = ffi.cast("int *", 0)
assert(null_int + (1 << 62) == ffi.NULL and null_int - (1 << 62) == ffi.NULL)
assert((1 << 62) + null_int == ffi.NULL)
assert(ffi.tonumber(ffi.cast("intptr_t", null_int + ((1 << 62) + 1))) == 4)

-- ffi.new by position: every field kind, then the slow path's cases.
local n = ffi.new("Mixed", 1, -1, 3.0, 0.5, 2.25, 5)
assert(n.b == true and n.c == -1 and n.i == 3 and n.f == 0.5 and n.d == 2.25 and n.u == 5)
fails("too many initializers", ffi.new, "Mixed", 1, 2, 3, 4, 5, 6, 7)
fails("cannot convert 'string' to 'signed char'", ffi.new, "Mixed", true, "A")
assert(ffi.new("Mixed", true, 2.0).c == 2 and ffi.new("Mixed", false, 2.5).c == 2)

-- ffi.string: length as integer, exact float, nil, absent.
local buf = ffi.new("char[8]", "abcdef")
assert(ffi.string(buf) == "abcdef" and ffi.string(buf, 2) == "ab" and ffi.string(buf, 3.0) == "abc")
assert(ffi.string(buf, nil) == "abcdef")
fails("9 bytes exceed the 8 bytes of 'char [8]'", ffi.string, buf, 9)

-- Callbacks: results of every kind through the static entries.
local cb = ffi.cast("int_cb", function(x) return x * 2 end)
local dcb = ffi.cast("dbl_cb", function(x) return x / 2 end)
local bcb = ffi.cast("bool_cb", function(x) return x > 0 end)
assert(cb(21) == 42 and dcb(3) == 1.5 and bcb(1) == true and bcb(-1) == false)
local fcb = ffi.cast("int_cb", function(x) return x + 0.0 end)
assert(fcb(4) == 4) -- an exact float result: the Swift path converts it
cb:free(); dcb:free(); bcb:free(); fcb:free()

-- The collector may move the stack while ffi.new allocates (it shrinks stacks
-- that once grew deep): values must come from where the stack is now. ffi.new is
-- the only allocation in the inner loop, so the shrinking happens inside it.
local function deep(k) if k > 0 then return deep(k - 1) + 1 end return 0 end
local Mixed = ffi.typeof("Mixed") -- a ctype object: ffi.new's fast path
collectgarbage("incremental", 0, 100) -- a collection step at every allocation
for round = 1, 20 do
  deep(20000) -- grows the stack far beyond what the loop below uses
  for i = 1, 1000 do
    local p = ffi.new(Mixed, true, i % 100, i, i / 2, i * 2, i + round)
    if p.i ~= i or p.d ~= i * 2 or p.u ~= i + round then error("ffi.new while the stack moves") end
  end
end
collectgarbage("incremental", 200, 100)

-- Struct and array fields, and elements of arrays of structs, read as references
-- (`T &`, C once Swift has made the type): writes through them reach the owner,
-- which they keep alive; unsized and non-aggregate elements stay Swift's.
ffi.cdef [[
typedef struct fp_in { int a, b; } fp_in;
typedef struct fp_out { int x; fp_in in; double arr[3]; fp_in list[2]; _Complex double z[1]; } fp_out;
]]
for round = 1, 3 do
  local o = ffi.new("fp_out")
  o["in"].a, o.arr[2], o.list[1].b = round, round * 0.5, round + 1
  assert(o["in"].a == round and o.arr[2] == round * 0.5 and o.list[1].b == round + 1)
  assert(ffi.istype("fp_in &", o["in"]) and ffi.istype("double (&)[3]", o.arr) and ffi.istype("fp_in &", o.list[1]))
  local p = ffi.cast("fp_out *", o)
  assert(p[0].list[1].b == round + 1 and p.list[1].b == round + 1 and p["in"].a == round)
  local inner = o.list
  o = nil
  collectgarbage()
  assert(inner[1].b == round + 1) -- the reference keeps the struct alive
  assert(ffi.typeof(ffi.new("fp_out").z[0]) == ffi.typeof("complex double")) -- a value, not a reference
  local ok, err = pcall(function() return ffi.new("fp_out").list[2] end)
  assert(not ok and err:find("out of range", 1, true), err)
  ok, err = pcall(function() return ffi.cast("void *", p)[0] end)
  assert(not ok, "void * elements")
end

-- Whole structs and arrays stored into fields and elements: a cdata of the very
-- type, or a reference to one, is copied (in C); other values, other types and
-- const parts get Swift's conversions and errors.
ffi.cdef [[
typedef struct fp_agg { fp_in in; int arr[3]; fp_in list[2]; } fp_agg;
typedef struct fp_cagg { const fp_in cin; fp_in plain; } fp_cagg;
]]
local agg, src = ffi.new("fp_agg"), ffi.new("fp_in", 1, 2)
for round = 1, 3 do
  agg["in"] = src
  agg.list[1] = agg["in"] -- from a reference
  agg.list[0] = agg.list[0] -- onto itself
  agg.arr = ffi.new("int[3]", round, 2, 3)
  assert(agg["in"].b == 2 and agg.list[1].a == src.a and agg.arr[0] == round)
  src.a = round + 100
  assert(agg["in"].a == agg.list[1].a and agg["in"].a ~= src.a, "a copy, not a reference")
  agg["in"] = { 7, 8 }
  assert(agg["in"].a == 7)
  local ok, err = pcall(function() agg["in"] = ffi.new("struct { int a, b; }") end)
  assert(not ok and err:find("cannot convert", 1, true), err)
  ok, err = pcall(function() agg["in"] = 5 end)
  assert(not ok and err:find("cannot convert 'number'", 1, true), err)
  ok, err = pcall(function() agg.arr = ffi.new("int[2]") end)
  assert(not ok and err:find("cannot convert 'int [2]' to 'int [3]'", 1, true), err)
  local c = ffi.new("fp_cagg")
  ok, err = pcall(function() c.cin = src end)
  assert(not ok and err:find("constant", 1, true), err)
  c.plain = src
  assert(c.plain.a == src.a)
end

-- Table initializers of structs of scalar members (C after the first, which Swift
-- makes): by position from [1] or [0] up to the first nil, else by name (unknown
-- names ignored); conversions C does not make, and other shapes, stay Swift's.
ffi.cdef [[
typedef struct fp_ti { int x; double y; uint8_t z; } fp_ti;
typedef struct fp_tq { int a; struct { int b; }; } fp_tq;
]]
local function fields(v) return v.x, v.y, v.z end
local ti = ffi.typeof("fp_ti")
for _ = 1, 3 do
  assert(select(3, fields(ffi.new("fp_ti", { 1, 2.5, 255 + 45 }))) == 44)
  local x, y, z = fields(ffi.new("fp_ti", { [0] = 4, 5, 6 }))
  assert(x == 4 and y == 5 and z == 6)
  x, y, z = fields(ti({ x = 7, z = 9, unknown = 1 }))
  assert(x == 7 and y == 0 and z == 9)
  x, y, z = fields(ffi.new("fp_ti", { 1, 2, 3, 4, 5 })) -- extra entries ignored
  assert(x == 1 and y == 2 and z == 3)
  x, y, z = fields(ffi.new("fp_ti", { 1, nil, 3 })) -- up to the first nil
  assert(x == 1 and y == 0 and z == 0)
  assert(ffi.new("fp_ti", { 1.5 }).x == 1 and ffi.new("fp_ti", { x = 2 ^ 31 }).x == -2 ^ 31) -- Swift's conversions
  local ok, err = pcall(ffi.new, "fp_ti", { x = "s" })
  assert(not ok and err:find("cannot convert 'string' to 'int'", 1, true), err)
  local q = ffi.new("fp_tq", { 1, 2 }) -- an anonymous member: Swift walks it
  assert(q.a == 1 and q.b == 2)
end

-- Calls through function pointers take the C call paths once the type has been
-- called (Swift describes it then): the direct path, libffi's, variadic ones,
-- callbacks; NULL, bad arguments and callback errors as on the Swift path.
ffi.cdef [[
int sum7(int a, int b, int c, int d, int e, int f, int g);
const char *format_va(const char *fmt, ...);
typedef struct fp_vt { int (*add)(int, int); double (*dbl)(double, double); } fp_vt;
]]
local vt = ffi.new("fp_vt")
vt.add = ffi.cast("int (*)(int, int)", lib.add_int)
vt.dbl = ffi.cast("double (*)(double, double)", lib.add_double)
local sum7p = ffi.cast("int (*)(int, int, int, int, int, int, int)", lib.sum7)
local fmtp = ffi.cast("const char *(*)(const char *, ...)", lib.format_va)
local twice = ffi.cast("int (*)(int)", function(x) return x * 2 end)
local failing = ffi.cast("int (*)(int)", function() error("callback failed") end)
for round = 1, 3 do
  assert(vt.add(round, 2) == round + 2 and vt.dbl(0.5, round) == round + 0.5)
  assert(sum7p(1, 2, 3, 4, 5, 6, round) == 21 + round and ffi.string(fmtp("%d-%s", round, "x")) == round .. "-x")
  assert(twice(round) == 2 * round)
  local ok, err = pcall(vt.add, "x", 1)
  assert(not ok and err:find("cannot convert 'string' to 'int'", 1, true), err)
  ok, err = pcall(failing, 1)
  assert(not ok and err:find("callback failed", 1, true), err)
  ok, err = pcall(ffi.new("fp_vt").add, 1, 2)
  assert(not ok and err:find("attempt to call a NULL function pointer", 1, true), err)
  ok, err = pcall(sum7p, 1, 2)
  assert(not ok and err:find("wrong number of arguments", 1, true), err)
end
twice:free()
failing:free()

-- Const data passes to const void * parameters in C, and is refused for non-const
-- ones on the slow path; a struct of the very type (or a reference to one)
-- initializes a new one as a copy; a metatype without __new constructs in C.
ffi.cdef [[
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
typedef struct fp_cp { double x, y; } fp_cp;
typedef struct fp_cpo { fp_cp in; } fp_cpo;
struct fp_mt { int a; };
struct fp_mn { int a; };
]]
local bytes = ffi.new("char[8]", "abc")
local cbytes, carr = ffi.cast("const char *", bytes), ffi.new("const char[4]", "abz")
local Plain = ffi.metatype("struct fp_mt", { __index = { twice = function(s) return 2 * s.a end } })
local Made = ffi.metatype("struct fp_mn", { __new = function(ct, v) return ffi.new(ct, v * 3) end })
for _ = 1, 3 do
  ffi.C.memcpy(bytes + 4, cbytes, 3)
  assert(ffi.string(bytes + 4, 3) == "abc" and ffi.C.memcmp(cbytes, carr, 2) == 0 and ffi.C.memcmp(carr, "abz", 3) == 0)
  for _, const in ipairs({ cbytes, carr }) do
    local ok, err = pcall(ffi.C.memcpy, const, bytes, 1)
    assert(not ok and err:find("bad argument #1 to 'memcpy' (cannot convert 'const char", 1, true), err)
  end
  local a = ffi.new("fp_cp", 1, 2)
  local b = ffi.new("fp_cp", a)
  a.x = 9
  local o = ffi.new("fp_cpo")
  o["in"].y = 5
  assert(b.x == 1 and b.y == 2 and ffi.new("fp_cp", o["in"]).y == 5 and ffi.new("const fp_cp", a).x == 9)
  local ok, err = pcall(ffi.new, "fp_cp", ffi.new("struct { double x, y; }"))
  assert(not ok and err:find("cannot convert", 1, true), err)
  assert(Plain(4):twice() == 8 and Plain().a == 0 and Made(2).a == 6)
end

-- With a __gc metatype, results of that type are made by Swift (with the gc
-- metatable: the finalizer runs); pointer results, pointers to it included, and
-- results of other types stay on the C paths.
ffi.cdef [[
typedef struct { int x; } GcBox;
typedef struct { int a, b; } IntPair;
IntPair swap_pair(IntPair p);
]]
ffi.metatype("GcBox", { __gc = function() end })
assert(lib.int_ptr_next(three)[0] == 2 and lib.null_pointer() == ffi.NULL)
local finalized = 0
local Pair = ffi.metatype("IntPair", { __gc = function() finalized = finalized + 1 end })
for _ = 1, 3 do
  local swapped = lib.swap_pair(Pair(1, 2)) -- a result by value of the gc type
  assert(swapped.a == 2 and swapped.b == 1)
end
collectgarbage()
collectgarbage()
assert(finalized >= 6, "results of a __gc metatype get its finalizer: " .. finalized)
-- A metatype's __eq and __add come before the built-in pointer rules.
ffi.cdef "typedef struct { int x; } EqBox;"
local EqBox = ffi.metatype("EqBox", { __eq = function() return true end, __add = function() return "added" end })
local b1, b2 = EqBox(1), EqBox(2)
assert(b1 == b2 and b1 + 1 == "added")
assert(ip + 1 ~= ip and (ip + 2)[0] == 30) -- other types keep the built-in rules
print("ok")
