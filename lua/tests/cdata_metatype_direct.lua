-- Records of a metatype carry their type's own metatable, so Lua calls the handlers
-- itself; records made before ffi.metatype, released ones and those given a
-- finalizer by ffi.gc keep the shared metatables and the dispatch in C and Swift.
-- Every handler must see the same arguments and give the same results both ways
-- (and with LUAFFI_API_STACK=1, where Swift makes and recognizes everything).
local ffi = require("ffi")
ffi.cdef [[
typedef struct { int x, y; } md_pt;
typedef struct { int x, y; } md_gc;
typedef struct { int a, b; } IntPair;
]]

local early = ffi.new("md_pt", 1, 2) -- made before the metatype: shared metatable
local calls = {}
local function note(name, ...) calls[#calls + 1] = name .. ":" .. select("#", ...) end
local handlers = {
  __eq = function(a, b) note("eq", a, b) return a.x == b.x end,
  __lt = function(a, b) note("lt", a, b) return (type(a) == "number" and a or a.x) < (type(b) == "number" and b or b.x) end,
  __le = function(a, b) note("le", a, b) return (type(a) == "number" and a or a.x) <= (type(b) == "number" and b or b.x) end,
  __add = function(a, b) note("add", a, b) return (type(a) == "number" and a or a.x) + (type(b) == "number" and b or b.x) end,
  __unm = function(...) note("unm", ...) return -(...).x end,
  __len = function(...) note("len", ...) return select("#", ...) * 100 + (...).y end,
  __call = function(self, ...) note("call", self, ...) return self.x + select("#", ...) end,
  __concat = function(a, b) note("concat", a, b) return (type(a) == "string" and a or "pt") .. (type(b) == "string" and b or "pt") end,
  __tostring = function(a) return "md_pt(" .. a.x .. "," .. a.y .. ")" end,
  __index = { sum = function(self) return self.x + self.y end },
}
local P = ffi.metatype("md_pt", handlers)
local gchandlers, freed = {}, 0
for k, v in pairs(handlers) do gchandlers[k] = v end
gchandlers.__gc = function(r) freed = freed + r.x end
local G = ffi.metatype("md_gc", gchandlers)

-- The same answers through every maker: ffi.new, the constructor, a type string,
-- the fast constructor path with no arguments; records with the shared metatable.
local function check(a, b, ctype)
  calls = {}
  assert(a == b and not (a == ctype(9, 9)))
  assert(a < ctype(5, 0) and a <= b and 0 < a and a <= 1 and not (a < 1))
  assert(a + b == 2 and a + 1 == 2 and 1 + a == 2 and -a == -1)
  assert(#a == 202, #a) -- (a, a): Lua's arguments of __len
  assert(a(7, 8) == 3 and a() == 1)
  assert(a .. "s" == "pts" and "s" .. a == "spt" and a .. b == "ptpt")
  assert(tostring(a) == "md_pt(1,2)" and a:sum() == 3 and a.x == 1 and a.y == 2)
  assert(getmetatable(a) == "ffi")
  assert(ffi.istype(ctype, a) and ffi.typeof(a) == ctype and ffi.sizeof(a) == 8)
  local p = ffi.new(ffi.typeof("$ *", ctype), a)
  assert(p.x == 1 and p:sum() == 3 and p == ffi.cast("void *", p))
  a.y = 2
  return table.concat(calls, " ")
end
local made = {
  P(1, 2), ffi.new(P, 1, 2), ffi.new("md_pt", 1, 2), ffi.new("md_pt", { 1, 2 }),
  G(1, 2), ffi.new(G, 1, 2), ffi.new("md_gc", 1, 2),
}
local shared, own = debug.getmetatable(early), debug.getmetatable(P(1, 2))
assert(own ~= shared and debug.getmetatable(ffi.new("md_pt")) == own and debug.getmetatable(G(1)) ~= shared)
local expected = check(early, P(1, 2), P) -- the dispatch's answers, arguments counted
for i, a in ipairs(made) do
  local ctype = ffi.typeof(a)
  assert(check(a, ctype(1, 2), ctype) == expected, i)
end
assert(expected:find("len:2", 1, true) and expected:find("unm:2", 1, true) and expected:find("call:3", 1, true), expected)

-- A record whose first operand is a pointer or a number: the pointer's metatable,
-- then the dispatch, pick the record's handler alike.
local pp = ffi.new("md_pt *", made[1])
assert(pp + 0 == pp and 1 + made[1] == 2)

-- const records share the handlers; a const record of a __gc metatype gets no
-- finalizer (as before), on every path.
local c = ffi.new("const md_pt", 1, 2)
assert(#c == 202 and c(1) == 2 and tostring(c) == "md_pt(1,2)")
collectgarbage() -- the temporaries of check above
collectgarbage()
freed = 0
do local _ = ffi.new("const md_gc", 50) end
do local _ = G(5) end
collectgarbage()
collectgarbage()
assert(freed == 5, freed)

-- ffi.gc on a record with its own metatable: the finalizer runs, handlers stay.
local ran = 0
do
  local g = ffi.gc(P(3, 4), function(r) ran = ran + r.x end)
  assert(#g == 204 and g(1) == 4 and g == P(3, 0))
end
collectgarbage()
collectgarbage()
assert(ran == 3, ran)

-- A released record takes the dispatch again (as before the own metatables), whose
-- handler then meets the released cdata, as for a record made before the metatype.
local r = P(1, 2)
ffi.release(r)
ffi.release(early)
local ok1, e1 = pcall(function() return #r end)
local ok2, e2 = pcall(function() return #early end)
assert(debug.getmetatable(r) == shared)
assert(not ok1 and e1:find("attempt to use a released cdata", 1, true), e1)
assert(not ok2 and e2:find("attempt to use a released cdata", 1, true), e2)

-- Struct results of a C function (the direct call path) get the own metatable too.
local path = os.getenv("LUAFFI_TESTLIB")
if path then
  local lib = ffi.load(path)
  ffi.cdef [[
  void store_pair_cb(IntPair (*f)(IntPair));
  IntPair call_stored_pair(int a, int b);
  ]]
  local IP = ffi.metatype("IntPair", { __len = function(p) return p.a * 10 + p.b end })
  local cb = ffi.cast("IntPair (*)(IntPair)", function(p) return IP(p.b, p.a) end)
  lib.store_pair_cb(cb)
  local q = lib.call_stored_pair(1, 2)
  assert(#q == 21 and ffi.istype(IP, q) and debug.getmetatable(q) == debug.getmetatable(IP()))
  lib.store_pair_cb(nil)
  cb:free()
end

-- ffi.metatype keeps the table as it is then: a later change is seen by no path
-- (the suite runs both ways); an __index table stays shared.
ffi.cdef "typedef struct { int x; } direct_late;"
local late_methods = {}
local late_mt = { __add = function() return "add1" end, __index = late_methods }
local Late = ffi.metatype("direct_late", late_mt)
local late = Late(1)
late_mt.__add = function() return "add2" end
late_mt.__sub = function() return "sub" end
late_mt.__index = function() return "idx2" end
function late_methods.get(s) return s.x end
assert(late + 1 == "add1" and ffi.cast("direct_late *", late) + 0 ~= "add2")
assert(not pcall(function() return late - 1 end))
assert(late:get() == 1 and not pcall(function() return late.missing end))

-- Types made before ffi.metatype (qualified, pointers to them) take the metatype too.
ffi.cdef "struct direct_before { int x; };"
local before_c = ffi.new("const struct direct_before", 4)
local before_p = ffi.new("struct direct_before *[1]")
local before_cp = ffi.cast("const struct direct_before *", before_c)
ffi.metatype("struct direct_before", { __index = { twice = function(s) return s.x * 2 end } })
local before_s = ffi.new("struct direct_before", 5)
before_p[0] = before_s
assert(before_c:twice() == 8 and before_cp:twice() == 8 and before_p[0]:twice() == 10)
assert(ffi.cast("struct direct_before *", before_s):twice() == 10)
