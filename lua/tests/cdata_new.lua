-- luajit: compatible
-- ffi.new and ctype constructors: every initializer rule.
local ffi = require("ffi")
local num = ffi.tonumber or tonumber

ffi.cdef [[
typedef struct { int x, y; } cn_point;
typedef struct { cn_point a; int arr[3]; double d; } cn_nested;
typedef union { int i; float f; unsigned char b[4]; } cn_union;
typedef struct { int n; double v[?]; } cn_vls;
]]

-- Scalars: zero by default, else converted.
assert(num(ffi.new("int")) == 0)
assert(num(ffi.new("int", 5)) == 5)
assert(num(ffi.new("int", 3.9)) == 3 and num(ffi.new("int", -3.9)) == -3)
assert(num(ffi.new("uint8_t", 300)) == 44)
assert(num(ffi.new("double", 2.5)) == 2.5)
assert(num(ffi.new("int", true)) == 1 and num(ffi.new("double", false)) == 0)
assert(num(ffi.new("float", 0.1)) ~= 0.1) -- rounded to float precision

-- Arrays: one value per element, one value for all, a table (1- or 0-based).
local a = ffi.new("int[4]", 1, 2)
assert(a[0] == 1 and a[1] == 2 and a[2] == 0 and a[3] == 0)
a = ffi.new("int[4]", 7)
assert(a[0] == 7 and a[3] == 7)
a = ffi.new("int[4]", { 1, 2, 3 })
assert(a[0] == 1 and a[2] == 3 and a[3] == 0)
a = ffi.new("int[4]", { [0] = 9, 8, 7 })
assert(a[0] == 9 and a[1] == 8 and a[2] == 7)
-- Byte arrays from strings: the terminator is dropped when it does not fit.
local c = ffi.new("char[6]", "abc")
assert(ffi.string(c) == "abc" and c[3] == 0)
assert(ffi.string(ffi.new("char[3]", "abc"), 3) == "abc")
assert(ffi.string(ffi.new("char[2]", "abc"), 2) == "ab")
-- Copy from a cdata of the same type.
local b = ffi.new("int[4]", a)
b[0] = 100
assert(a[0] == 9 and b[1] == 8)

-- Variable-length arrays and structs: the count comes first.
local va = ffi.new("int[?]", 5, 3)
assert(va[0] == 3 and va[4] == 3)
local v = ffi.new("cn_vls", 3, { 5, { 1, 2, 3 } })
assert(v.n == 5 and v.v[0] == 1 and v.v[2] == 3)

-- Structs: by position, from a table by position or by name, nested tables.
local s = ffi.new("cn_point", 1, 2)
assert(s.x == 1 and s.y == 2)
s = ffi.new("cn_point", { 3, 4 })
assert(s.x == 3 and s.y == 4)
s = ffi.new("cn_point", { y = 5 })
assert(s.x == 0 and s.y == 5)
s = ffi.new("cn_point", { y = 5, unrelated = true }) -- other keys are ignored
assert(s.y == 5)
local n = ffi.new("cn_nested", { { 1, 2 }, { 3, 4, 5 }, 6.5 })
assert(n.a.x == 1 and n.a.y == 2 and n.arr[2] == 5 and n.d == 6.5)
n = ffi.new("cn_nested", { a = { x = 9 }, d = 1 })
assert(n.a.x == 9 and n.arr[0] == 0 and n.d == 1)
-- A struct from a struct copies it.
local s2 = ffi.new("cn_point", s)
s2.x = 100
assert(s.x == 0 and s2.x == 100)

-- Unions: the first field, or a named one.
local u = ffi.new("cn_union", 0x41424344)
assert(u.i == 0x41424344 and u.b[0] == 0x44)
u = ffi.new("cn_union", { f = 1.5 })
assert(u.f == 1.5)

-- ctype objects are constructors.
local Point = ffi.typeof("cn_point")
local p = Point(7, 8)
assert(p.x == 7 and p.y == 8)
assert(ffi.istype(Point, p) and ffi.istype("cn_point", p))
local IntArray = ffi.typeof("int[?]")
assert(IntArray(3, { 4, 5, 6 })[2] == 6)

-- Pointers: nil is NULL, a cdata gives its address.
local ptr = ffi.new("int *", a)
assert(ptr[1] == 8)
assert(tostring(ffi.new("int *")) == "cdata<int *>: NULL")

-- Too many initializers and bad values are errors naming the type.
local function fails(pattern, ...)
  local ok, err = pcall(ffi.new, ...)
  assert(not ok, "expected an error")
  assert(tostring(err):find(pattern, 1, true), tostring(err))
end
fails("too many initializers for 'int [2]'", "int[2]", 1, 2, 3)
fails("too many initializers for 'int [2]'", "int[2]", { 1, 2, 3 })
fails("too many initializers for 'struct", "cn_point", 1, 2, 3)
fails("cannot convert 'string' to 'int'", "int", "x")
fails("cannot convert 'table' to 'int'", "int", {})
fails("cannot convert 'number' to 'int *'", "int *", 5)
fails("cannot convert 'string' to 'bool'", "bool", "x")
