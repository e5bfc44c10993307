-- Every ffi function, metamethod and namespace access with every kind of wrong
-- argument: each is an error or a value, never a crash (run it under ASan too).
local ffi = require("ffi")
local values = { nil, true, 0, -1, 3.5, 2^63, "x", "int", "struct nope *", {}, print,
  ffi.NULL, ffi.new("int[2]"), ffi.typeof("int"), ffi.C, io.stdout, coroutine.create(print) }
local calls = 0
local names = {}
for name, f in pairs(ffi) do if type(f) == "function" then names[#names + 1] = name end end
table.sort(names) -- a fixed order: the state each call leaves behind is reproducible
for _, name in ipairs(names) do
  for i = 1, #values + 1 do
    for j = 1, #values + 1 do
      pcall(ffi[name], values[i], values[j])
      calls = calls + 1
    end
  end
end
local cd = ffi.new("int[2]")
local p = ffi.cast("int *", cd)
for _, v in ipairs(values) do
  pcall(function() return cd[v] end)
  pcall(function() cd[v] = v end)
  pcall(function() return p + v end)
  pcall(function() return p == v, p < v end)
  pcall(function() return #p end)
  pcall(function() return p .. v end)
  pcall(function() return p(v) end)
  pcall(function() return ffi.C[v] end)
  pcall(function() ffi.C[v] = v end)
end
-- The interpreter's own objects survived: io still works, ctypes still name types.
assert(io.stdout:write("") == io.stdout)
assert(tostring(ffi.typeof("int")) == "ctype<int>")
assert(not pcall(ffi.copy, io.stdout, "overwrite"), "a Lua file is not writable memory")
assert(not pcall(ffi.fill, "a string", 1), "a Lua string is not writable memory")
assert(not pcall(ffi.copy, ffi.new("char[4]"), "too long"), "the destination's size is checked")
assert(calls > 1000)

-- Numeric extremes for every size, count, index, offset and value: errors or
-- wrapped results, never a trap (an overflowing pointer offset once crashed).
-- Pointer indexing of unknown length is left out: it is unchecked, as in C.
ffi.cdef "typedef struct { int a; int b[4]; } Extreme; typedef struct { int n; int v[?]; } ExtremeV;"
local extremes = { 1 << 62, math.maxinteger, math.mininteger, -1, 1 << 40, -(1 << 31) - 1,
                   2^53, 2^63, -2^63, 1e308, -1e308, 0/0 }
local arr, ptr, rec = ffi.new("int[4]"), ffi.cast("int *", 0), ffi.new("Extreme")
local tried = 0
local function survive(f, ...) tried = tried + 1; pcall(f, ...) end
for i, x in ipairs(extremes) do
  survive(ffi.new, "int[?]", x)
  survive(ffi.new, "ExtremeV", x)
  survive(ffi.new, "int[4]", x)
  survive(ffi.sizeof, "int[?]", x)
  survive(ffi.sizeof, "ExtremeV", x)
  survive(ffi.string, arr, x)
  survive(ffi.copy, arr, arr, x)
  survive(ffi.fill, arr, x)
  survive(ffi.fill, arr, 4, x)
  survive(function() return arr[x] end)
  survive(function() return ptr + x, ptr - x, x + ptr end)
  survive(ffi.addressof, arr, x)
  for _, t in ipairs { "int", "int8_t", "uint64_t", "double", "int *" } do survive(ffi.cast, t, x) end
  survive(function() local c = ffi.cast("int64_t", x) return c + c, c * c, c // -1, c % -1, -c, c ^ 2 end)
  survive(function() local c = ffi.cast("uint64_t", x) return c + c, c * c, c // 0, c % 0, c << 63, c >> 64 end)
  survive(function() rec.a = x; rec.b[0] = x end)
  survive(ffi.typeof, "int[$]", x)
  survive(ffi.cdef, "typedef int ExtremeT" .. i .. "[$];", x)
  survive(ffi.alignof, "int[$]", x)
  survive(ffi.offsetof, "Extreme", x)
  survive(function() return tostring(ffi.cast("int64_t", x)) end)
end
local minimum = ffi.cast("int64_t", math.mininteger)
survive(function() return minimum // ffi.cast("int64_t", -1), minimum % ffi.cast("int64_t", -1) end)
assert(tried > 300)

-- A block of 2^31 bytes or more is refused before any allocation, as LuaJIT does;
-- a smaller one that memory cannot hold is Lua's memory error, raised outside Swift
-- frames (a protected allocation): no leak, no longjmp through Swift (ASan checks).
for _, n in ipairs{2^31, 2^40, 2^62, 1 << 61} do
  local ok, err = pcall(ffi.new, "char[?]", n)
  assert(not ok and err:find("size of C type is unknown or too large", 1, true), err)
end
assert(ffi.sizeof(ffi.new("char[?]", 1 << 20)) == 1 << 20)

-- Floats just below -2^63 convert as x86-64 does (0x8000000000000000), never trap.
assert(ffi.new("uint64_t", -9.25e18) == ffi.new("uint64_t", 0x8000000000000000))
assert(tostring(ffi.new("uint64_t", 1) + (-9.25e18)) == "9223372036854775809ULL")
assert(ffi.new("uint64_t", 1) < -9.25e18)
assert(ffi.cast("int *", 0) + (-9.25e18) ~= nil)

-- A struct too big for the C stack is refused by value, not passed (it crashed).
ffi.cdef "struct bad_big { char a[0x4000000]; }; int puts(const char *s);"
local bigerr = select(2, pcall(function()
  return ffi.cast("void (*)(struct bad_big)", ffi.C.puts)(ffi.new("struct bad_big"))
end))
assert(tostring(bigerr):find("cannot pass 'struct bad_big' by value", 1, true), bigerr)
assert(not pcall(function() return ffi.cast("struct bad_big (*)(void)", ffi.C.puts)() end))
assert(not pcall(ffi.cast, "void (*)(struct bad_big)", function() end))
