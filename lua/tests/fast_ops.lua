-- The C fast paths of ffi.sizeof, istype, copy, fill, tonumber, typeof, offsetof,
-- ffi.cast of integers, VLA construction and metatype dispatch (ops.c, metatype.c):
-- the cases they take and the edges they leave to Swift, which must give the same
-- answers and errors. The suite also runs with LUAFFI_API_STACK=1 (fast paths off).
local ffi = require("ffi")

local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. pattern)
  assert(tostring(err):find(pattern, 1, true), "error was: " .. tostring(err) .. "\nwanted: " .. pattern)
end

ffi.cdef [[
typedef struct fo_point { double x, y; } fo_point;
typedef struct fo_bits { int a : 3; int b; } fo_bits;
typedef struct fo_var { int n; double d[?]; } fo_var;
typedef struct fo_consts { int x; static const int K = 7; } fo_consts;
typedef struct fo_vec { double x, y; } fo_vec;
typedef struct fo_gcvec { double x; } fo_gcvec;
]]

-- sizeof: type objects, strings (twice: the second from the C string cache), cdata,
-- VLA cdata (their own length), and what stays with Swift.
local point_t = ffi.typeof("fo_point")
for _ = 1, 2 do
  assert(ffi.sizeof(point_t) == 16 and ffi.sizeof("fo_point") == 16 and ffi.sizeof(point_t()) == 16)
  assert(ffi.sizeof("int") == 4 and ffi.sizeof("char &") == 1 and ffi.sizeof("uint8_t *") == 8)
  assert(ffi.sizeof(ffi.new("double[?]", 10)) == 80 and ffi.sizeof(ffi.new("int[3]")) == 12)
  assert(ffi.sizeof("double[?]", 3) == 24 and ffi.sizeof(ffi.new("fo_var", 2)) == 24)
  fails("undeclared or implicit tag 'fo_undeclared'", ffi.sizeof, "struct fo_undeclared")
  fails("bad argument #1 to 'sizeof'", ffi.sizeof, 5)
  fails("bad argument #2 to 'sizeof'", ffi.sizeof, "double[?]")
end

-- istype: the very same type in C; everything else by LuaJIT's rule in Swift.
local p = point_t()
for _ = 1, 2 do
  assert(ffi.istype(point_t, p) and ffi.istype("fo_point", p) and ffi.istype(point_t, point_t))
  assert(not ffi.istype(point_t, 1) and not ffi.istype(point_t, "fo_point") and not ffi.istype(point_t, io.stdout))
  assert(ffi.istype(point_t, ffi.new("fo_point *")) and ffi.istype("const fo_point", p))
  assert(ffi.istype("int", ffi.new("const int")) and not ffi.istype("int", ffi.new("long")))
  fails("bad argument #1 to 'istype'", ffi.istype, 1, p)
end
local released = ffi.new("int[2]")
ffi.release(released)
assert(ffi.istype("int[2]", released)) -- a released cdata keeps its type

-- copy and fill: pointers, arrays, VLAs, strings; extents, const and NULL refused.
local dst, src = ffi.new("uint8_t[8]"), ffi.new("uint8_t[8]", 1, 2, 3, 4, 5, 6, 7, 8)
ffi.copy(dst, src, 8)
assert(dst[0] == 1 and dst[7] == 8)
ffi.copy(ffi.cast("uint8_t *", dst) + 1, "ab")
assert(dst[0] == 1 and dst[1] == 97 and dst[2] == 98 and dst[3] == 0 and dst[4] == 5)
ffi.copy(dst, "xyz", 2.0)
assert(dst[0] == 120 and dst[1] == 121 and dst[2] == 98)
local vla = ffi.new("uint8_t[?]", 4)
ffi.fill(vla, 4, 0x1ff) -- the low byte, as memset
assert(vla[0] == 255 and vla[3] == 255)
ffi.fill(vla, 2)
assert(vla[0] == 0 and vla[1] == 0 and vla[2] == 255)
ffi.fill(ffi.cast("void *", vla), 1, 3)
assert(vla[0] == 3)
ffi.copy(dst, vla, 0)
fails("5 bytes exceed the 4 bytes", ffi.fill, vla, 5)
fails("9 bytes exceed the 8 bytes", ffi.copy, dst, src, 9)
fails("4 bytes exceed the 3 bytes", ffi.copy, dst, "ab", 4)
fails("length must not be negative", ffi.copy, dst, src, -1)
fails("cannot convert 'const unsigned char *' to 'void *'", ffi.copy, ffi.cast("const uint8_t *", dst), src, 1)
fails("attempt to fill a NULL pointer", ffi.fill, ffi.cast("uint8_t *", nil), 1)
fails("number expected", ffi.copy, dst, src)
ffi.copy(dst, src, "3") -- a numeric string: Swift converts it
assert(dst[2] == 3)
ffi.fill(dst, 2, 2.0)
assert(dst[1] == 2)

-- tonumber: boxed integers, floats, bools, numbers; ffi.tonumber and, in luaffi, the
-- global tonumber.
local tn = tonumber(ffi.new("int64_t", 1)) and tonumber or ffi.tonumber
for _, f in ipairs({ ffi.tonumber, tn }) do
  assert(f(ffi.new("int64_t", -42)) == -42 and math.type(f(ffi.new("int64_t", -42))) == "integer")
  assert(f(ffi.new("uint64_t", -1)) == 2^64 and math.type(f(ffi.new("uint64_t", -1))) == "float")
  assert(f(ffi.new("uint64_t", 7)) == 7 and f(ffi.new("bool", true)) == 1 and f(ffi.new("float", 0.5)) == 0.5)
  assert(f(ffi.new("uint8_t", 255)) == 255 and f(ffi.new("int16_t", -2)) == -2 and f(3) == 3 and f(2.5) == 2.5)
  assert(f(ffi.new("int[2]")) == nil and f(ffi.new("fo_point *")) == nil and f("0x10") == 16 and f({}) == nil)
  assert(f(ffi.new("double _Complex", 1, 2)) == 1)
end
assert(tonumber("10", 2) == 2 and tn(ffi.new("int64_t", 5), nil) == 5)

-- typeof: the same ctype object from strings, objects and cdata.
assert(ffi.typeof("fo_point") == point_t and ffi.typeof(point_t) == point_t and ffi.typeof(p) == point_t)
assert(ffi.typeof("fo_point") == ffi.typeof("fo_point"))
fails("wrong number of type parameters", ffi.typeof, point_t, 1)

-- offsetof: fields in C, bitfields and missing names as Swift says.
for _ = 1, 2 do
  assert(ffi.offsetof("fo_point", "y") == 8 and ffi.offsetof(point_t, "x") == 0)
  assert(ffi.offsetof("fo_bits", "b") == 4 and select("#", ffi.offsetof("fo_bits", "a")) == 3)
  assert(ffi.offsetof("fo_point", "z") == nil and select("#", ffi.offsetof("fo_point", "z")) == 0)
end

-- ffi.cast of integers: the low bits, for strings and ctype objects; floats and
-- other values in Swift.
for _ = 1, 2 do
  local n = ffi.tonumber
  assert(n(ffi.cast("uint16_t", 70000)) == 70000 - 65536 and n(ffi.cast("int8_t", 255)) == -1)
  assert(n(ffi.cast(ffi.typeof("uint32_t"), -1)) == 2^32 - 1 and ffi.cast("int64_t", -5) == ffi.new("int64_t", -5))
  assert(ffi.cast("uint64_t", -1) == ffi.new("uint64_t", -1))
  assert(ffi.cast("void *", 16) == ffi.cast("void *", 16.0) and tostring(ffi.cast("int *", 0)):find("NULL"))
  assert(n(ffi.cast("int", 2.75)) == 2 and ffi.cast("intptr_t", "x") ~= nil)
  assert(ffi.istype("uint16_t", ffi.cast("uint16_t", 1)))
end

-- ffi.cast of pointers and arrays to integers: the address's low bits; ffi.new
-- with no initializer of structs, fixed arrays, scalars and pointers: zeroed.
for _ = 1, 2 do
  local bytes = ffi.new("uint8_t[16]")
  local p = ffi.cast("uint8_t *", bytes) + 3
  assert(ffi.cast("intptr_t", p) == ffi.cast("intptr_t", bytes) + 3)
  assert(ffi.tonumber(ffi.cast("uint8_t", ffi.cast("void *", 0x1ff))) == 255)
  assert(ffi.tonumber(ffi.cast("int16_t", ffi.cast("void *", 0x18000))) == -32768)
  assert(ffi.cast("uint64_t", ffi.cast("void *", -1)) == ffi.new("uint64_t", -1))
  assert(ffi.sizeof(ffi.new("int[10]")) == 40 and ffi.new("int[10]")[9] == 0 and ffi.tonumber(ffi.new("double")) == 0)
  assert(ffi.new("int *") == ffi.NULL and ffi.new("struct { int a[3]; double d; }").a[2] == 0)
  assert(ffi.istype("int[10]", ffi.new("int[10]")) and ffi.new("bool") == ffi.new("bool", false))
  fails("cannot create an unbound reference of type 'int &'", ffi.new, "int &")
  ffi.cdef "struct fo_incomplete;"
  fails("size unknown", ffi.new, "struct fo_incomplete")
end

-- ffi.new with initializers in C: one number into a scalar, numbers or a table into
-- a fixed array of scalars (one value fills it; fewer are followed by zeros); every
-- other value and count is Swift's, with its errors.
for _ = 1, 2 do
  local n = ffi.tonumber
  local a, b, c = ffi.new("int[4]", 1, 2), ffi.new("int[4]", 7), ffi.new("int[4]", { 1, 2, 3 })
  assert(a[1] == 2 and a[3] == 0 and b[0] == 7 and b[3] == 7 and c[2] == 3 and c[3] == 0)
  local d, e, f = ffi.new("int[4]", { [0] = 5, 6 }), ffi.new("double[3]", { 2.5 }), ffi.new("uint8_t[3]", 300, -1, 2.0)
  assert(d[0] == 5 and d[1] == 6 and d[2] == 0 and e[2] == 2.5 and f[0] == 44 and f[1] == 255 and f[2] == 2)
  assert(n(ffi.new("int64_t", 5)) == 5 and n(ffi.new("double", 1.5)) == 1.5 and n(ffi.new("bool", 5)) == 1)
  assert(n(ffi.new("uint16_t", -1)) == 65535 and n(ffi.new("int", 2 ^ 31)) == -2 ^ 31 and n(ffi.new("int8_t", 200)) == -56)
  fails("too many initializers for 'int [2]'", ffi.new, "int[2]", 1, 2, 3)
  fails("too many initializers for 'int [2]'", ffi.new, "int[2]", { 1, 2, 3 })
  fails("too many initializers for 'int'", ffi.new, "int", 1, 2)
  fails("cannot convert 'string' to 'int'", ffi.new, "int[2]", { 1, "x" })
  assert(ffi.new("int[2]", 1.5, 2)[0] == 1 and ffi.new("char[4]", "ab")[1] == 98 and ffi.new("bool[2]", true)[1])
  assert(ffi.new("int[2]", ffi.new("int[2]", 9, 8))[1] == 8 and ffi.new("int[3]", {})[0] == 0)
end

-- A string into a byte VLA: as many bytes as fit, with the terminating zero if it
-- fits (LuaJIT overflows the heap for a VLA of 0 here).
for _ = 1, 2 do
  local a, b, c = ffi.new("char[?]", 12, "hello"), ffi.new("char[?]", 3, "hello"), ffi.new("uint8_t[?]", 6, "hello")
  assert(ffi.string(a) == "hello" and a[5] == 0 and ffi.string(b, 3) == "hel" and c[4] == 111 and c[5] == 0)
  assert(ffi.sizeof(ffi.new("char[?]", 0, "x")) == 0 and ffi.new("int8_t[?]", 2, "ab")[1] == 98)
  fails("cannot convert 'string' to 'int'", ffi.new, "int[?]", 3, "x")
end

-- ffi.cast to the very type of a cdata gives that cdata (LuaJIT makes no copy); any
-- other type, qualifiers included, a new one.
ffi.cdef [[ typedef struct fo_castgc { int x; } fo_castgc; ]]
local castgc = ffi.metatype("fo_castgc", { __gc = function() end })
for _ = 1, 2 do
  local bytes = ffi.new("uint8_t[4]")
  local q = ffi.cast("uint8_t *", bytes)
  assert(rawequal(ffi.cast("uint8_t *", q), q) and rawequal(ffi.cast(ffi.typeof(q), q), q))
  assert(not rawequal(ffi.cast("const uint8_t *", q), q) and ffi.cast("const uint8_t *", q) == q)
  local big = ffi.new("int64_t", 7)
  assert(rawequal(ffi.cast("int64_t", big), big) and not rawequal(ffi.cast("uint64_t", big), big))
  local gp = ffi.cast("fo_castgc *", castgc())
  assert(rawequal(ffi.cast("fo_castgc *", gp), gp))
  fails("invalid C type", ffi.cast, "fo_castgc", castgc())
end

-- VLA construction: ctype(n) and ffi.new(ct, n), zero-filled, with their length.
local u8v = ffi.typeof("uint8_t[?]")
for _, make in ipairs({ u8v, function(n, ...) return ffi.new(u8v, n, ...) end }) do
  local v = make(32)
  assert(ffi.sizeof(v) == 32 and v[0] == 0 and v[31] == 0)
  fails("out of range", function() return v[32] end)
  local w = make(0)
  assert(ffi.sizeof(w) == 0)
  assert(make(3, 9)[2] == 9) -- with an initializer: Swift
  fails("size of 'unsigned char [?]' expected", make, -1)
  assert(ffi.sizeof(make(1.5)) == 1) -- a count is truncated, as in LuaJIT (Swift's rule)
end
assert(ffi.sizeof(ffi.typeof("double[?]")(3)) == 24 and ffi.typeof("int[]")(2)[1] == 0)

-- ffi.new with a type string: the same fast paths once the string was parsed.
for _ = 1, 2 do
  local v, q = ffi.new("uint8_t[?]", 5), ffi.new("fo_point", 1, 2)
  assert(ffi.sizeof(v) == 5 and v[4] == 0 and q.y == 2 and ffi.new(q, 3).x == 3)
end

-- addressof: a pointer that keeps its cdata alive; keys and other values in Swift.
for _ = 1, 2 do
  local q = ffi.new("fo_point", 1, 2)
  local pq = ffi.addressof(q)
  assert(ffi.istype("fo_point *", pq) and pq.y == 2 and pq == ffi.cast("fo_point *", q))
  local arr = ffi.new("int[4]", 1, 2, 3, 4)
  assert(ffi.addressof(arr)[0][3] == 4 and ffi.addressof(arr, 2)[0] == 3 and ffi.addressof(ffi.new("int", 9))[0] == 9)
  fails("bad argument #1 to 'addressof'", ffi.addressof, 1)
end
do
  local pq = ffi.addressof(ffi.new("fo_point", 5, 6))
  collectgarbage(); collectgarbage()
  assert(pq.x == 5 and pq.y == 6) -- the pointer kept its struct
end

-- errno: read and set in C (integers), other values in Swift.
ffi.errno(7)
assert(ffi.errno() == 7 and ffi.errno(3.0) == 7 and ffi.errno() == 3 and ffi.errno("4") == 3 and ffi.errno() == 4)

-- The collector may run inside every allocation of the fast paths and move the
-- stack: results must be the values asked for.
local function deep(k) if k > 0 then return deep(k - 1) + 1 end return 0 end
collectgarbage("incremental", 0, 100)
for round = 1, 10 do
  deep(20000)
  for i = 1, 300 do
    local v = u8v(i % 7 + 1)
    if ffi.sizeof(v) ~= i % 7 + 1 or v[0] ~= 0 then error("VLA while the stack moves") end
    if ffi.tonumber(ffi.cast("uint16_t", i + round)) ~= i + round then error("cast while the stack moves") end
  end
end
collectgarbage("incremental", 200, 100)

-- Metatypes: methods through an __index table or function, fields first, record
-- constants before methods, missing members, and the other events.
local calls = 0
local vec = ffi.metatype("fo_vec", {
  __index = { dot = function(a, b) return a.x * b.x + a.y * b.y end, x = "not used" },
  __eq = function(a, b) return a.x == b.x end, __len = function() return 42 end,
  __concat = function(a, b) return "cat" end, __tostring = function() return "vec" end,
  __call = function(self, ...) calls = calls + 1 return select("#", ...), ... end,
  __lt = function(a, b) return a.x < b.x end, __unm = function(a) return "neg" end,
})
local a, b = vec(1, 2), vec(3, 4)
for _ = 1, 2 do
  assert(a:dot(b) == 11 and a.x == 1 and a == vec(1, 9) and not (a == b))
  assert(#a == 42 and a .. b == "cat" and a .. "s" == "cat" and tostring(a) == "vec" and a < b and -a == "neg")
  local n, x, y = a(5, 6)
  assert(n == 2 and x == 5 and y == 6)
  assert(select("#", a()) == 1)
  local pa = ffi.cast("fo_vec *", a)
  assert(pa:dot(b) == 11 and pa.y == 2)
  assert(ffi.cast("const fo_vec *", a):dot(b) == 11)
  fails("'struct fo_vec' has no member named 'nosuch'", function() return a.nosuch end)
  fails("has no member named", function() return a[1] end)
  fails("attempt to dereference a NULL pointer", function() return ffi.cast("fo_vec *", nil):dot(b) end)
end
assert(calls == 4)
local ops = ffi.metatype("fo_consts", { __index = function(self, k) return "fn:" .. k end })
local c = ops()
assert(c.K == 7 and c.x == 0 and c.other == "fn:other" and c.K == 7)
local errs = ffi.metatype("fo_point", { __index = function(_, k) error("no " .. k) end,
  __len = function() error("len failed") end })
fails("no foo", function() return p.foo end)
fails("len failed", function() return #p end)
-- An __index table with its own metatable is read with metamethods.
ffi.cdef "typedef struct fo_inherit { int x; } fo_inherit;"
local base = { hello = function() return "hi" end }
local inherit = ffi.metatype("fo_inherit", { __index = setmetatable({}, { __index = base }) })
assert(inherit():hello() == "hi")
fails("has no member named 'nothing'", function() return inherit().nothing end)
-- A released cdata goes to Swift (which raises when the handler touches it).
local r = vec(1, 1)
ffi.release(r)
fails("released", function() return r:dot(b) end)

-- With a __gc metatype, methods still come from the metatype.
local gcv = ffi.metatype("fo_gcvec", { __gc = function() end, __index = { get = function(s) return s.x end } })
assert(gcv(5):get() == 5 and u8v(2)[1] == 0 and ffi.tonumber(ffi.cast("uint8_t", 300)) == 44)
-- tostring of pointers, structs and arrays: the prefix Swift made, the address in C.
for _ = 1, 2 do
  assert(tostring(ffi.cast("void *", 0x1234)) == "cdata<void *>: 0x1234")
  assert(tostring(ffi.cast("int *", nil)) == "cdata<int *>: NULL")
  assert(tostring(ffi.cast("void *", -1)) == "cdata<void *>: 0xffffffffffffffff")
  assert(tostring(ffi.cast("void *", 1)) == "cdata<void *>: 0x1" and tostring(ffi.cast("void *", 16)) == "cdata<void *>: 0x10")
  assert(tostring(ffi.cast("char *", math.mininteger)) == "cdata<char *>: 0x8000000000000000")
  local q, arr = ffi.new("fo_point"), ffi.new("int[3]")
  local address = tostring(ffi.cast("void *", q)):match("0x%x+$")
  assert(tostring(q) == "cdata<struct fo_point>: " .. address)
  assert(tostring(arr) == "cdata<int [3]>: " .. tostring(ffi.cast("void *", arr)):match("0x%x+$"))
  assert(tostring(ffi.new("int64_t", -3)) == "-3LL" and tostring(ffi.new("int", 3)):find("^cdata<int>: 0x"))
  assert(tostring(a) == "vec" and tostring(ffi.cast("fo_vec *", a)) == "vec") -- the metatype's
end

-- Cdata of a __gc metatype are made by the slow path (with the gc metatable) however
-- they are asked for; other types keep their fast paths.
ffi.cdef "typedef struct fo_fin { int x; } fo_fin;"
local collected = 0
local fin = ffi.metatype("fo_fin", { __gc = function() collected = collected + 1 end })
for i = 1, 10 do
  local x, y, z = ffi.new("fo_fin", i), fin(i), ffi.new(fin, i)
  assert(x.x == i and y.x == i and z.x == i)
end
collectgarbage(); collectgarbage()
assert(collected == 30 and ffi.sizeof(u8v(3)) == 3 and ffi.addressof(fin(1)).x == 1)
-- Order of pointers: one type in C, other pairs by LuaJIT's compatibility rule.
do
  local arr = ffi.new("int[4]")
  local p0, p2 = ffi.cast("int *", arr), ffi.cast("int *", arr) + 2
  assert(p0 < p2 and p0 <= p2 and not (p2 < p0) and not (p2 <= p0) and p0 <= p0 and not (p0 < p0))
  local low, high = ffi.cast("int *", 1), ffi.cast("int *", -1) -- unsigned addresses
  assert(low < high and ffi.cast("int *", nil) < low)
  assert(ffi.cast("const int *", arr) < p2 and arr < p2) -- qualifiers aside, arrays decay
  fails("attempt to compare 'int *' with 'double *'", function() return p0 < ffi.cast("double *", arr) end)
  local gone = ffi.cast("int *", 8)
  ffi.release(gone)
  fails("released", function() return gone < p2 end)
end
print("ok")
