-- luajit: compatible
-- References (`T &`): what they bind to, and ffi.istype seeing through them.
local ffi = require("ffi")
ffi.cdef [[
struct ref_foo { int a; };
struct ref_holder { struct ref_foo v; double arr[3]; int n; };
]]

-- A struct's array and struct fields are references; istype sees their targets.
local h = ffi.new("struct ref_holder")
assert(tostring(ffi.typeof(h.arr)) == "ctype<double (&)[3]>")
assert(ffi.istype("double[3]", h.arr) and ffi.istype("double (&)[3]", h.arr))
assert(not ffi.istype("int[3]", h.arr) and not ffi.istype("double *", h.arr))
assert(ffi.istype("struct ref_foo", h.v) and ffi.istype("struct ref_foo &", h.v))
assert(not ffi.istype("struct ref_foo *", h.v))
assert(ffi.istype("struct ref_foo &", ffi.new("struct ref_foo")))
assert(ffi.istype("int &", ffi.new("int")))

-- An array binds a reference to its first element, as its pointer would.
local a = ffi.new("int[2]", 42, 43)
local r = ffi.new("int &", a)
assert(ffi.istype("int", r) and tostring(r + 0) == "42LL")
local v = ffi.new("int[?]", 2, {7, 8})
assert(tostring(ffi.new("int &", v) + 0) == "7LL")
assert(not pcall(ffi.new, "int &", ffi.new("const int[1]")))   -- const is never dropped
assert(not pcall(ffi.new, "double &", ffi.new("int[1]")))

if not rawget(_G, "jit") then
  -- An empty array has no first element: LuaJIT binds to the byte after it.
  local ok, err = pcall(ffi.new, "int &", ffi.new("int[?]", 0))
  assert(not ok and err:find("cannot convert 'int [?]' to 'int &'", 1, true), err)
  local s = ffi.new("struct { int n; int t[?]; }", 0)
  assert(not pcall(ffi.new, "int &", s.t))
end
print("ok")
