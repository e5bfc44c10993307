-- luajit: compatible
-- ffi.metatype: every metamethod LuaJIT and Lua 5.4 share, and __new, __gc.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { double x, y; } cm_vec;
typedef struct { int n; } cm_box;
typedef struct { int h; } cm_res;
typedef struct { int v; } cm_plain;
]]

local V
local log = {}
V = ffi.metatype("cm_vec", {
  __add = function(a, b) return V(a.x + b.x, a.y + b.y) end,
  __sub = function(a, b) return V(a.x - b.x, a.y - b.y) end,
  __mul = function(a, b)
    if type(b) == "number" then return V(a.x * b, a.y * b) end
    return a.x * b.x + a.y * b.y
  end,
  __div = function(a, b) return V(a.x / b, a.y / b) end,
  __mod = function() return "mod" end,
  __pow = function() return "pow" end,
  __unm = function(a) return V(-a.x, -a.y) end,
  __eq = function(a, b) return a.x == b.x and a.y == b.y end,
  __lt = function(a, b) return a.x < b.x end,
  __le = function(a, b) return a.x <= b.x end,
  __len = function(a) return math.sqrt(a.x * a.x + a.y * a.y) end,
  __concat = function(a, b) return tostring(a) .. "|" .. tostring(b) end,
  __tostring = function(a) return string.format("vec(%g,%g)", a.x, a.y) end,
  __call = function(self, k) return self.x * k end,
  __index = { norm2 = function(self) return self.x * self.x + self.y * self.y end, kind = "vec" },
  __newindex = function(self, k, v) log[#log + 1] = k .. "=" .. tostring(v) end,
})

local a, b = V(1, 2), V(3, 4)
assert(tostring(a) == "vec(1,2)")
assert(tostring(a + b) == "vec(4,6)" and tostring(a - b) == "vec(-2,-2)")
assert(a * b == 11 and tostring(a * 2) == "vec(2,4)" and tostring(b / 2) == "vec(1.5,2)")
assert(a % b == "mod" and a ^ b == "pow" and tostring(-a) == "vec(-1,-2)")
assert(a == V(1, 2) and a ~= b)
assert(a < b and not (b <= a) and a <= a)
assert(#b == 5)
assert(a .. b == "vec(1,2)|vec(3,4)" and a .. "s" == "vec(1,2)|s" and "s" .. a == "s|vec(1,2)")
assert(a(10) == 10)
assert(a:norm2() == 5 and a.kind == "vec")
-- Real fields come first; __newindex sees only unknown keys.
a.x = 7
assert(a.x == 7 and #log == 0)
a.foo = 5
assert(log[1] == "foo=5")
-- A key the __index table lacks is an error, as for a plain struct.
local ok, err = pcall(function() return a.nothing end)
assert(not ok and err:find("has no member named 'nothing'", 1, true), err)

-- Pointers to the struct share its metamethods.
local pa = ffi.new("cm_vec *", a)
assert(pa.x == 7 and pa:norm2() == 53 and tostring(pa) == "vec(7,2)")

-- The metatype is fixed once set.
assert(not pcall(ffi.metatype, "cm_vec", {}))

-- __index as a function; __new replaces the constructor.
local B = ffi.metatype("cm_box", {
  __index = function(self, k) return k .. "!" end,
  __new = function(ct, n) return ffi.new(ct, n * 2) end,
})
local bx = B(21)
assert(bx.n == 42 and bx.zzz == "zzz!")
assert(ffi.new("cm_box", 21).n == 21) -- ffi.new bypasses __new

-- __gc runs when the object is collected.
local freed = 0
local R = ffi.metatype("cm_res", { __gc = function(r) freed = freed + r.h end })
do local r = R(5) end
collectgarbage()
collectgarbage()
assert(freed == 5, freed)

-- Without metamethods, operators are errors.
local plain = ffi.new("cm_plain")
ok, err = pcall(function() return plain + 1 end)
assert(not ok and err:find("attempt to perform arithmetic on", 1, true), err)
ok, err = pcall(function() return #plain end)
assert(not ok and err:find("attempt to get length of", 1, true), err)
ok, err = pcall(function() return plain .. "x" end)
assert(not ok and err:find("attempt to concatenate", 1, true), err)
ok, err = pcall(function() return plain() end)
assert(not ok and err:find("is not callable", 1, true), err)
ok, err = pcall(function() return plain < plain end)
assert(not ok and err:find("attempt to compare", 1, true), err)

-- Keys a struct does not have go to __index/__newindex, numbers too; a const struct
-- (or a pointer to one) takes no new keys, as in LuaJIT.
do
  ffi.cdef "typedef struct { int x; } mt_keys_t;"
  local seen = {}
  local keys_t = ffi.metatype("mt_keys_t", {
    __index = function(_, k) return "idx:" .. tostring(k) end,
    __newindex = function(_, k, v) seen[#seen + 1] = tostring(k) .. "=" .. tostring(v) end,
  })
  local s = keys_t(1)
  assert(s.foo == "idx:foo" and s[10] == "idx:10" and s.x == 1)
  s.bar = 42
  s[10] = 11
  assert(table.concat(seen, ",") == "bar=42,10=11")
  local cs = ffi.new("const mt_keys_t", 5)
  assert(cs.foo == "idx:foo" and cs.x == 5)
  assert(not pcall(function() cs.bar = 1 end))
  assert(not pcall(function() ffi.new("const mt_keys_t *", cs).bar = 1 end))
  assert(not pcall(function() ffi.new("mt_keys_t *", s)[0] = 11 end))
  assert(#seen == 2)
end

-- __pairs of a metatype drives pairs (Lua 5.4 and LuaJIT alike); without one,
-- pairs says so
do
  local bag = ffi.metatype("struct { int a[3]; }", {
    __pairs = function(s)
      local i = -1
      return function() i = i + 1; if i < 3 then return i, s.a[i] end end, s, nil
    end,
  })
  local sum = 0
  for i, v in pairs(bag({{4, 5, 6}})) do sum = sum + i * v end
  assert(sum == 0 * 4 + 1 * 5 + 2 * 6)
  local ok, err = pcall(pairs, ffi.new("int[2]"))
  assert(not ok and err:find("'int [2]' has no '__pairs' metamethod", 1, true), err)
end
