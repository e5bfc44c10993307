-- The conversions that the C fast paths make as well as the Swift rules (ToC.swift,
-- ToLua.swift, Arithmetic.swift), over a grid of values and C types: ffi.new,
-- fields, elements, stores through pointers, casts, call arguments and results,
-- callback results, arithmetic. One line per case: its value, or its error.
-- ConversionGridTests runs this with the fast paths on and off (LUAFFI_API_STACK=1)
-- and requires the same output, line for line.
local ffi = require "ffi"
local lib = ffi.load(assert(os.getenv("LUAFFI_TESTLIB"), "set LUAFFI_TESTLIB"))

ffi.cdef [[
int32_t i8_seen(int8_t a);
uint32_t u8_seen(uint8_t a);
int32_t i16_seen(int16_t a);
uint16_t add_u16(uint16_t a, uint16_t b);
int64_t i32_seen(int32_t a);
int64_t u32_seen(uint32_t a);
int64_t add_i64(int64_t a, int64_t b);
uint64_t add_u64(uint64_t a, uint64_t b);
int bool_seen(bool b);
float add_float(float a, float b);
double add_double(double a, double b);
char upper_char(char c);
long long_id(long v);
enum grid_e { GRID_A, GRID_B = 7 };
]]

local types = { "int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t", "int64_t", "uint64_t",
  "bool", "float", "double", "char", "long", "size_t", "enum grid_e" }

-- Each type's C function taking it as its one (or first) argument.
local calls = {
  int8_t = lib.i8_seen, uint8_t = lib.u8_seen, int16_t = lib.i16_seen,
  uint16_t = function(v) return lib.add_u16(v, 0) end, int32_t = lib.i32_seen, uint32_t = lib.u32_seen,
  int64_t = function(v) return lib.add_i64(v, 0) end, uint64_t = function(v) return lib.add_u64(v, 0) end,
  bool = lib.bool_seen, float = function(v) return lib.add_float(v, 0) end,
  double = function(v) return lib.add_double(v, 0) end, char = lib.upper_char, long = lib.long_id,
}

local NIL = {}
local values = {
  0, 1, -1, 127, 128, 255, 256, -128, -129, 32767, 32768, 65535, 65536, -32769,
  2147483647, 2147483648, -2147483648, -2147483649, 4294967295, 4294967296,
  9007199254740993, math.maxinteger, math.mininteger,
  0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 255.9, 2147483648.5, -2147483649.5, 2^53, 2^63, -2^63, 2^64, 1e19, -1e19, 1e300,
  0 / 0, 1 / 0, -1 / 0,
  true, false, NIL, "12", "x", {}, ffi.new("int", 5), ffi.new("int64_t", -3), ffi.new("uint64_t", -1),
  ffi.new("double", 2.5), ffi.new("bool", true), ffi.new("char[4]", "abc"),
}

local function show(x)
  local t = type(x)
  if t == "number" then return math.type(x) .. " " .. string.format("%.17g", x) end
  if t == "userdata" or t == "cdata" then
    local ok, ct = pcall(ffi.typeof, x)
    if ok then
      if ffi.istype("int64_t", x) or ffi.istype("uint64_t", x) then return "cdata " .. tostring(ct) .. " " .. tostring(x) end
      local ok2, n = pcall(ffi.tonumber, x)
      return "cdata " .. tostring(ct) .. " " .. (ok2 and n ~= nil and string.format("%.17g", n) or "?")
    end
  end
  return t .. " " .. tostring(x)
end

local function case(label, f, v)
  local ok, result = pcall(f, v)
  print(label, ok and show(result) or ("error " .. tostring(result)))
end

local function name(v)
  if v == NIL then return "nil" end
  if type(v) == "table" then return "table" end
  return show(v)
end

for _, T in ipairs(types) do
  local S = ffi.typeof("struct { " .. T .. " f; " .. T .. " g[2]; }")
  local arr = ffi.typeof(T .. "[3]")
  local ptr = ffi.typeof(T .. " *")
  local cb = ffi.typeof(T .. " (*)(void)")
  for _, raw in ipairs(values) do
    local v = raw ~= NIL and raw or nil
    local at = T .. " <- " .. name(raw) .. ":"
    case(at .. " new", function(x) return ffi.new(T, x) end, v)
    case(at .. " field", function(x) local s = S() s.f = x return s.f end, v)
    case(at .. " element", function(x) local s = S() s.g[1] = x return s.g[1] end, v)
    case(at .. " array", function(x) local a = arr() a[2] = x return a[2] end, v)
    case(at .. " pointer", function(x) local a = arr() local p = ffi.cast(ptr, a) p[1] = x return p[1] end, v)
    -- (A string or an array cast to an integer gives its address: not compared.)
    if type(raw) ~= "string" and not ffi.istype("char[4]", raw) then
      case(at .. " cast", function(x) return ffi.cast(T, x) end, v)
    end
    if calls[T] then case(at .. " call", calls[T], v) end
    case(at .. " callback", function(x)
      local f = ffi.cast(cb, function() return x end)
      local ok, r = pcall(f)
      f:free()
      if not ok then error(r, 0) end
      return r
    end, v)
  end
end

-- Arithmetic and comparisons with boxed 64-bit values on either side.
local operands = { 0, 1, -1, 3, 2^31, math.maxinteger, math.mininteger, 0.5, -2.5, 2^63, 0 / 0,
  ffi.new("int64_t", 7), ffi.new("int64_t", -7), ffi.new("uint64_t", 7), ffi.new("uint64_t", -1),
  ffi.new("int64_t", math.mininteger), ffi.new("int32_t", -2), ffi.new("double", 1.5) }
local ops = {
  ["+"] = function(a, b) return a + b end, ["-"] = function(a, b) return a - b end,
  ["*"] = function(a, b) return a * b end, ["/"] = function(a, b) return a / b end,
  ["%"] = function(a, b) return a % b end, ["^"] = function(a, b) return a ^ b end,
  ["//"] = function(a, b) return a // b end, ["=="] = function(a, b) return a == b end,
  ["<"] = function(a, b) return a < b end, ["<="] = function(a, b) return a <= b end,
  ["&"] = function(a, b) return a & b end, ["<<"] = function(a, b) return a << b end,
}
local order = { "+", "-", "*", "/", "%", "^", "//", "==", "<", "<=", "&", "<<" }
for _, a in ipairs(operands) do
  for _, b in ipairs(operands) do
    if type(a) ~= "number" or type(b) ~= "number" then
      for _, op in ipairs(order) do
        case(name(a) .. " " .. op .. " " .. name(b) .. ":", function() return ops[op](a, b) end)
      end
    end
  end
  case("-" .. name(a) .. ":", function() return -a end)
end
