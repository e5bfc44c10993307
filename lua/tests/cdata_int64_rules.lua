-- 64-bit integer arithmetic and comparisons on cdata against a model written in
-- Lua 5.4's own (wrapping) integers: a table of operands (boundary values as
-- int64_t, uint64_t, int32_t and uint32_t cdata, Lua integers and floats), every
-- operator. The suite runs twice (LUAFFI_API_STACK=1: no C fast paths), so the C
-- fast path (arith.c) and the Swift path (Arithmetic.swift) both meet the model.
local ffi = require("ffi")
-- The first boxed results of a state, before int64_t and uint64_t are interned.
local first = ffi.new("uint8_t", 200) + 100
assert(tostring(first) == "300LL" and tostring(ffi.new("uint32_t", 1) - ffi.new("uint64_t", 2)) == "18446744073709551615ULL")
local i64, u64 = ffi.typeof("int64_t"), ffi.typeof("uint64_t")
local i32, u32 = ffi.typeof("int32_t"), ffi.typeof("uint32_t")
local minint, maxint = math.mininteger, math.maxinteger

-- Operands: the value, its 64-bit pattern, unsigned (uint64_t), a cdata at all.
local operands = {}
local function add(value, bits, unsigned, cdata)
  operands[#operands + 1] = { value = value, bits = bits, unsigned = unsigned, cdata = cdata }
end
for _, v in ipairs({ 0, 1, -1, 2, 7, -7, 63, 64, 0x7fffffff, 1 << 32, maxint, minint, minint + 1 }) do
  add(v, v, false, false)
  add(i64(v), v, false, true)
  add(u64(v), v, true, true)
  if v >= -0x80000000 and v <= 0x7fffffff then add(i32(v), v, false, true) end
  if v >= 0 and v <= 0xffffffff then add(u32(v), v, false, true) end
end
-- Floats convert to the operation's 64-bit type by truncation; 2^63 and beyond
-- give the "integer indefinite" 0x8000000000000000 (LuaJIT on x86-64).
for _, d in ipairs({ 7.0, -7.0, 2.5, -2.5, 2.0 ^ 32, -2.0 ^ 63, 2.0 ^ 63, 1e300 }) do
  local bits = (d >= 2.0 ^ 63) and minint or math.tointeger(d >= 0 and math.floor(d) or math.ceil(d))
  operands[#operands + 1] = { value = d, bits = bits, unsigned = false, cdata = false, float = true }
end

local function udiv(n, d)
  if d < 0 then return math.ult(n, d) and 0 or 1 end
  local q = ((n >> 1) // d) << 1
  if not math.ult(n - q * d, d) then q = q + 1 end
  return q
end
local function power(b, e, unsigned)
  if e < 0 and not unsigned then
    if b == 0 then return maxint end
    if b == 1 or b == -1 then return (b == -1 and e & 1 == 1) and -1 or 1 end
    return 0
  end
  local r = 1
  while e ~= 0 do
    if e & 1 == 1 then r = r * b end
    b, e = b * b, e >> 1
  end
  return r
end
local function tdiv(x, y) -- truncating
  if y == -1 then return -x end
  local q = x // y
  if x % y ~= 0 and (x < 0) ~= (y < 0) then q = q + 1 end
  return q
end

-- The model: result bits, or the error message.
local model = {
  ["+"] = function(x, y) return x + y end,
  ["-"] = function(x, y) return x - y end,
  ["*"] = function(x, y) return x * y end,
  ["/"] = function(x, y, u)
    if y == 0 then return nil, "attempt to perform 'n/0'" end
    return u and udiv(x, y) or tdiv(x, y)
  end,
  ["//"] = function(x, y, u)
    if y == 0 then return nil, "attempt to perform 'n//0'" end
    return u and udiv(x, y) or x // y
  end,
  ["%"] = function(x, y, u)
    if y == 0 then return nil, "attempt to perform 'n%0'" end
    if u then return x - udiv(x, y) * y end
    return y == -1 and 0 or x - tdiv(x, y) * y
  end,
  ["^"] = power,
  ["&"] = function(x, y) return x & y end,
  ["|"] = function(x, y) return x | y end,
  ["~"] = function(x, y) return x ~ y end,
  ["<<"] = function(x, y) return x << y end,
  [">>"] = function(x, y) return x >> y end,
}
local binary = {
  ["+"] = function(a, b) return a + b end, ["-"] = function(a, b) return a - b end,
  ["*"] = function(a, b) return a * b end, ["/"] = function(a, b) return a / b end,
  ["//"] = function(a, b) return a // b end, ["%"] = function(a, b) return a % b end,
  ["^"] = function(a, b) return a ^ b end, ["&"] = function(a, b) return a & b end,
  ["|"] = function(a, b) return a | b end, ["~"] = function(a, b) return a ~ b end,
  ["<<"] = function(a, b) return a << b end, [">>"] = function(a, b) return a >> b end,
}
local bitwise = { ["&"] = true, ["|"] = true, ["~"] = true, ["<<"] = true, [">>"] = true }

local box = ffi.new("int64_t[1]")
local function bits(r) box[0] = r; return box[0] end

local function check(op, a, b, got, expected, unsigned)
  local where = string.format("%s %s %s", tostring(a.value), op, tostring(b and b.value))
  assert(ffi.istype(unsigned and u64 or i64, got), where .. ": type of " .. tostring(got))
  assert(bits(got) == expected, where .. ": " .. tostring(got) .. " expected bits " .. expected)
end

local count = 0
for _, a in ipairs(operands) do
  for _, b in ipairs(operands) do
    if a.cdata or b.cdata then
      local unsigned = a.unsigned or b.unsigned
      for op, f in pairs(binary) do
        local ok, got = pcall(f, a.value, b.value)
        if bitwise[op] and ((a.float and a.value % 1 ~= 0) or (b.float and b.value % 1 ~= 0)) then
          assert(not ok and got:find("number has no integer representation", 1, true), tostring(got))
        else
          local expected, message = model[op](a.bits, b.bits, unsigned)
          if message then
            assert(not ok and got:find(message, 1, true), op .. ": " .. tostring(got))
          else
            assert(ok, got)
            check(op, a, b, got, expected, unsigned)
          end
        end
        count = count + 1
      end
      -- Comparisons: signed, or unsigned when either side is uint64_t.
      local lt = unsigned and math.ult(a.bits, b.bits) or (not unsigned and a.bits < b.bits)
      assert((a.value < b.value) == lt, tostring(a.value) .. " < " .. tostring(b.value))
      assert((a.value <= b.value) == (lt or a.bits == b.bits), tostring(a.value) .. " <= " .. tostring(b.value))
      -- == calls the metamethod only between two cdata (Lua 5.4).
      assert((a.value == b.value) == (a.cdata and b.cdata and a.bits == b.bits or rawequal(a.value, b.value)))
    end
  end
  if a.cdata then
    check("-", a, nil, -a.value, -a.bits, a.unsigned)
    check("~", a, nil, ~a.value, ~a.bits, a.unsigned)
  end
end
assert(count > 10000, count)

-- Boolean cdata count as uint8_t; floating cdata are truncated to int64_t (LuaJIT).
assert(tostring(ffi.new("bool", true) + 1) == "2LL")
assert(tostring(ffi.new("double", 2.5) + i64(1)) == "3LL")
assert(tostring(ffi.new("float", 2) * 3) == "6LL")
-- A released operand is refused, as on the Swift path.
local r = i64(1)
ffi.release(r)
assert(not pcall(function() return r + 1 end))
print("ok")
