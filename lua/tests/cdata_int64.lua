-- 64-bit integers under PUC Lua 5.4: Lua integers on reads, boxed values beyond
-- 2^63-1, bitwise operators, //, ffi.tonumber, comparison with numbers.
local ffi = require("ffi")
local i64, u64 = ffi.typeof("int64_t"), ffi.typeof("uint64_t")

-- Reads give Lua integers; uint64_t above 2^63-1 stays boxed.
local t = ffi.new("struct { int64_t i; uint64_t u; uint32_t w; }")
t.i = math.mininteger
assert(t.i == math.mininteger and math.type(t.i) == "integer")
t.u = math.maxinteger
assert(t.u == math.maxinteger and math.type(t.u) == "integer")
t.u = -1
assert((type(t.u) == "userdata" or type(t.u) == "cdata") and tostring(t.u) == "18446744073709551615ULL")
t.w = 0xffffffff
assert(t.w == 4294967295 and math.type(t.w) == "integer")
-- Full 64-bit precision through integers (no double rounding).
t.i = (1 << 62) + 1
assert(t.i == (1 << 62) + 1)

-- ffi.tonumber: integers when they fit, floats above 2^63-1.
assert(ffi.tonumber(i64(5)) == 5 and math.type(ffi.tonumber(i64(5))) == "integer")
assert(math.type(ffi.tonumber(u64(-1))) == "float" and ffi.tonumber(u64(-1)) == 2 ^ 64)
assert(ffi.tonumber(ffi.new("double", 1.5)) == 1.5)
assert(ffi.tonumber("12") == 12 and ffi.tonumber(12) == 12)
assert(ffi.tonumber({}) == nil and ffi.tonumber(nil) == nil)
assert(ffi.tonumber(ffi.new("int *")) == nil)

-- == never holds between a cdata and a number (Lua 5.4 has no mixed __eq);
-- < and <= do work across types.
assert(not (i64(5) == 5) and i64(5) ~= 5)
assert(ffi.new("int", 5) ~= 5)
assert(i64(5) < 6 and 4 < i64(5) and i64(5) <= 5)

-- Lua 5.4 operators on boxed integers.
local a = i64(12)
assert(tostring(a & 10) == "8LL")
assert(tostring(a | 1) == "13LL")
assert(tostring(a ~ 5) == "9LL")
assert(tostring(~a) == "-13LL")
assert(tostring(a << 2) == "48LL")
assert(tostring(a >> 1) == "6LL")
assert(tostring(1 << a) == "4096LL")
assert(tostring(i64(-16) >> 60) == "15LL")      -- logical shift, as Lua 5.4
assert(tostring(u64(-1) >> 60) == "15ULL")
assert(tostring(a // 5) == "2LL")
assert(tostring(-a // 5) == "-3LL")             -- floor division, as Lua 5.4
assert(tostring(i64(-7) % 3) == "-1LL")         -- C remainder, as LuaJIT
assert(tostring(ffi.new("double", 7.5) // 2) == "3LL")     -- floats truncate first, as LuaJIT

-- Errors: division by zero, non-integral bitwise operands.
local function fails(pattern, f)
  local ok, err = pcall(f)
  assert(not ok, "expected an error")
  assert(tostring(err):find(pattern, 1, true), tostring(err))
end
fails("attempt to perform 'n//0'", function() return a // 0 end)
fails("attempt to perform 'n/0'", function() return a / 0 end)
fails("attempt to perform 'n%0'", function() return a % 0 end)
fails("number has no integer representation", function() return a & 1.5 end)
fails("number has no integer representation", function() return ffi.new("float", 2.5) | 1 end)
assert(tostring(ffi.new("double", 2) | 1) == "3LL")
