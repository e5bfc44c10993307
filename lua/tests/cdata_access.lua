-- luajit: compatible
-- Reading and writing fields, elements and pointer targets.
local ffi = require("ffi")
local num = ffi.tonumber or tonumber

ffi.cdef [[
typedef struct { int x, y; } ca_point;
typedef struct { ca_point p; ca_point *next; char name[8]; double v[2]; } ca_node;
typedef union { uint32_t u; uint8_t b[4]; } ca_bytes;
]]

-- Fields of every scalar kind convert to Lua values on reads.
local t = ffi.new("struct { int8_t i8; uint16_t u16; int32_t i32; float f; double d; bool b; }")
t.i8, t.u16, t.i32, t.f, t.d, t.b = -5, 65535, -70000, 0.5, 1e300, true
assert(t.i8 == -5 and t.u16 == 65535 and t.i32 == -70000)
assert(t.f == 0.5 and t.d == 1e300 and t.b == true)
assert(type(t.i32) == "number" and type(t.b) == "boolean")
-- Writes convert and wrap like C.
t.i8 = 200
assert(t.i8 == -56)
t.u16 = -1
assert(t.u16 == 65535)
t.i32 = 2.75
assert(t.i32 == 2)

-- Nested aggregates are references into their parent: writes go through.
local n = ffi.new("ca_node")
n.p.x = 3
assert(n.p.x == 3)
local inner = n.p
inner.y = 4
assert(n.p.y == 4)
n.v[1] = 2.5
assert(n.v[1] == 2.5)
-- Assigning a table or a struct to a struct field.
n.p = { 10, 20 }
assert(n.p.x == 10 and n.p.y == 20)
n.p = ffi.new("ca_point", 1, 2)
assert(n.p.x == 1 and n.p.y == 2)
-- Assigning a string to a char array field.
n.name = "abc"
assert(ffi.string(n.name) == "abc")

-- Pointers: fields through pointers, [0] and [i].
local other = ffi.new("ca_node")
other.p.x = 42
n.next = other.p
assert(n.next.x == 42 and n.next[0].x == 42)
n.next.y = 7
assert(other.p.y == 7)
local arr = ffi.new("ca_point[3]")
arr[2].x = 9
local ptr = ffi.cast("ca_point *", arr)
assert(ptr[2].x == 9)
ptr[1] = { 5, 6 }
assert(arr[1].y == 6)

-- Multi-dimensional arrays.
local m = ffi.new("int[2][3]")
m[1][2] = 12
assert(m[1][2] == 12 and m[0][2] == 0)
assert(ffi.cast("int *", m)[5] == 12)

-- Unions share their storage.
local u = ffi.new("ca_bytes")
u.u = 0x01020304
assert(u.b[0] == 4 and u.b[3] == 1) -- little-endian
u.b[3] = 0xff
assert(u.u == 0xff020304)

-- Enums: names or numbers.
ffi.cdef [[ typedef enum { CA_RED, CA_GREEN = 5, CA_BLUE } ca_color; ]]
local e = ffi.new("struct { ca_color c; }")
e.c = "CA_BLUE"
assert(e.c == 6)
e.c = 5
assert(e.c == 5)
assert(ffi.C.CA_GREEN == 5)

-- 64-bit fields: compare with ffi.tonumber (PUC) or tonumber (LuaJIT).
local w = ffi.new("struct { int64_t i; uint64_t u; }")
w.i = -5
w.u = 2 ^ 40
assert(num(w.i) == -5 and num(w.u) == 2 ^ 40)

-- Errors name the type and the member.
local function fails(pattern, f)
  local ok, err = pcall(f)
  assert(not ok, "expected an error")
  assert(tostring(err):find(pattern, 1, true), tostring(err))
end
fails("has no member named 'z'", function() return n.p.z end)
fails("has no member named 'z'", function() n.p.z = 1 end)
fails("'int [2][3]' has no member named 'x'", function() return m.x end)
fails("cannot convert 'string' to 'int'", function() n.p.x = "a" end)
fails("cannot convert 'table' to 'double'", function() n.v[0] = {} end)

-- ffi.sizeof of a reference measures what it designates (ffi.alignof, as in
-- LuaJIT, the reference itself)
local holder = ffi.new("struct { char c; struct { char x; } inner; int a[1]; }")
assert(ffi.sizeof(holder.a) == 4 and ffi.sizeof(holder.inner) == 1 and ffi.sizeof("char &") == 1)
assert(ffi.alignof(holder.a) == 8 and ffi.alignof("char &") == 8)
