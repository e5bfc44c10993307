-- Re-entry: finalizers that declare types, set metatypes and make callbacks run in
-- the middle of ffi operations (any allocation may run them). In a debug build
-- Swift checks exclusive access, so an overlapping access to the ffi state traps.
local ffi = require("ffi")
ffi.cdef [[
typedef struct reentry_pair { int a; double b; } reentry_pair;
void qsort(void *base, size_t n, size_t size, int (*compar)(const void *, const void *));
]]

-- The churn: a new struct type, its metatype (with __gc), its field table, a
-- callback made, called and freed, type strings parsed, a cdata finalizer.
local churns = 0
local churn
local function arm()
  if churns % 2 == 0 then setmetatable({}, { __gc = churn }) else ffi.gc(ffi.new("char[8]"), churn) end
end
churn = function()
  churns = churns + 1
  local name = "struct reentry_" .. churns
  ffi.cdef(name .. " { int a; double b; int c[3]; };")
  local t = ffi.metatype(name, {
    __index = { sum = function(s) return s.a + s.b end },
    __gc = function(s) assert(s.a == churns or s.a >= 0) end,
  })
  local v = t(churns, 0.5)
  assert(v:sum() == churns + 0.5 and v.c[2] == 0)
  local add = ffi.cast("int (*)(int, int)", function(x, y) return x + y end)
  assert(add(churns, 1) == churns + 1)
  add:free()
  assert(ffi.sizeof(ffi.typeof("int[$]", churns % 7 + 1)) == 4 * (churns % 7 + 1))
  if churns < 400 then arm() end
end

-- A collector that never rests: every allocation steps it, finalizers run often.
collectgarbage("incremental", 0, 1000)
arm()

-- The operations they interrupt: each runs Swift code that allocates in Lua.
local inCallback, inNew = 0, 0
local values = ffi.new("int[64]")
for round = 1, 200 do
  for i = 0, 63 do values[i] = (i * 37 + round) % 64 end
  -- C calls back into Lua (a callback during a C call made by a Swift frame).
  ffi.C.qsort(values, 64, ffi.sizeof("int"), function(a, b)
    local x, y = ffi.cast("const int *", a)[0], ffi.cast("const int *", b)[0]
    local before = churns
    local garbage = { x, y, tostring(x) }
    if churns > before then inCallback = inCallback + 1 end
    return x < y and -1 or (x > y and 1 or #garbage - 3)
  end)
  for i = 1, 63 do assert(values[i - 1] <= values[i]) end
  -- New types, field tables and metatypes made while others are being made.
  local name = "struct reentry_main_" .. round
  ffi.cdef(name .. " { int x; reentry_pair p[2]; };")
  ffi.metatype(name, { __index = function(_, k) return k end })
  local s = ffi.new(name, round, { { 1, 2 }, { 3, 4 } })
  assert(s.x == round and s.p[1].b == 4 and s.missing == "missing")
  assert(ffi.string(ffi.new("char[6]", "hello")) == "hello")
  assert(tostring(ffi.typeof("reentry_pair *[" .. round .. "]")):find("reentry_pair", 1, true))
  local kept, before = {}, churns
  for i = 1, 200 do kept[i] = ffi.new("reentry_pair", i, i / 2) end
  if churns > before then inNew = inNew + 1 end
  assert(kept[50].a == 50)
end
collectgarbage()
collectgarbage()
assert(churns > 50 and inCallback > 0 and inNew > 0, churns .. " " .. inCallback .. " " .. inNew)
