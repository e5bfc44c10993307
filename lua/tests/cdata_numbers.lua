-- luajit: compatible
-- Numbers: boxed 64-bit integers, their arithmetic, comparison and tostring;
-- numeric conversions. (PUC-only behaviours are in cdata_int64.lua.)
local ffi = require("ffi")
local num = ffi.tonumber or tonumber
local i64, u64 = ffi.typeof("int64_t"), ffi.typeof("uint64_t")

-- tostring of boxed 64-bit integers.
assert(tostring(i64(5)) == "5LL")
assert(tostring(i64(-3)) == "-3LL")
assert(tostring(u64(7)) == "7ULL")
assert(tostring(u64(2 ^ 63)) == "9223372036854775808ULL")
assert(tostring(ffi.new("int32_t", 1)):match("^cdata<int32_t>: 0x%x+$")
  or tostring(ffi.new("int32_t", 1)):match("^cdata<int>: 0x%x+$"))

-- Arithmetic: int64 op number -> int64; either side unsigned -> uint64.
local a, b = i64(5), u64(7)
assert(tostring(a + 1) == "6LL")
assert(tostring(1 + a) == "6LL")
assert(tostring(a * 2) == "10LL")
assert(tostring(a - 10) == "-5LL")
assert(tostring(a / 2) == "2LL")          -- truncating division
assert(tostring(i64(-7) / 2) == "-3LL")
assert(tostring(a % 3) == "2LL")
assert(tostring(i64(-7) % 3) == "-1LL")   -- C remainder
assert(tostring(-a) == "-5LL")
assert(tostring(a ^ 2) == "25LL")
assert(tostring(b + 1) == "8ULL")
assert(tostring(b - 8) == "18446744073709551615ULL") -- wraps
assert(tostring(a + b) == "12ULL")
assert(tostring(i64(2 ^ 62) * 4) == "0LL")          -- wraps
assert(tostring(u64(2 ^ 63) + u64(2 ^ 63)) == "0ULL")
assert(tostring(a + 1.5) == "6LL")        -- the number is truncated first

-- Comparisons between boxed integers and with numbers.
assert(a == i64(5))
assert(a ~= i64(6))
assert(a < b and a <= 5 and 4 < a and not (a < 5))
assert(u64(1) < u64(2 ^ 63))
assert(not (i64(-1) < u64(1)))            -- compared as unsigned

-- Numeric cdata to Lua numbers.
assert(num(i64(-5)) == -5)
assert(num(u64(2 ^ 53)) == 2 ^ 53)
assert(num(ffi.new("double", 0.25)) == 0.25)
assert(num(ffi.new("bool", true)) == 1)

-- Floating cdata take part in arithmetic as numbers.
assert(num(ffi.new("int", 3) + 4) == 7)

-- Conversions on writes: truncation toward zero, wrap-around of integers.
local t = ffi.new("struct { uint8_t u8; int16_t i16; uint32_t u32; float f; }")
t.u8 = 257
t.i16 = 40000
t.u32 = -1
t.f = 1 / 3
assert(t.u8 == 1 and t.i16 == 40000 - 65536 and t.u32 == 4294967295)
assert(t.f ~= 1 / 3 and math.abs(t.f - 1 / 3) < 1e-7)
t.u8 = i64(258)
assert(t.u8 == 2)

-- Errors name the types involved.
local ok, err = pcall(function() return ffi.new("struct { int x; }") + 1 end)
assert(not ok and err:find("attempt to perform arithmetic on 'struct", 1, true), err)
