-- NULL: ffi.NULL, ffi.isnull, and why `p == nil` cannot work in Lua 5.4; ffi.addressof.
local ffi = require("ffi")

local np = ffi.new("int *")
assert(np ~= nil)                    -- a cdata is never equal to nil in PUC Lua
assert(np == ffi.NULL and ffi.NULL == ffi.cast("char *", 0))
assert(ffi.cast("void *", 0) == ffi.NULL)
assert(ffi.isnull(np) and ffi.isnull(ffi.NULL) and ffi.isnull(nil))
assert(ffi.isnull(ffi.cast("double *", 0)))
local x = ffi.new("int[1]")
assert(not ffi.isnull(x) and not ffi.isnull(ffi.new("int *", x)))
assert(not ffi.isnull(5) and not ffi.isnull("s"))
assert(tostring(ffi.NULL) == "cdata<void *>: NULL")
assert(type(ffi.NULL) == "userdata" or type(ffi.NULL) == "cdata") -- "cdata" with the LuaJIT compatibility layer
-- nil converts to NULL wherever a pointer is expected.
local s = ffi.new("struct { int *p; }")
s.p = x
assert(not ffi.isnull(s.p))
s.p = nil
assert(ffi.isnull(s.p) and s.p == ffi.NULL)

-- ffi.addressof: a pointer to a cdata, or to the element or field the keys name.
ffi.cdef [[ typedef struct { int a; int b[3]; struct { double d; } in; } cnl_rec; ]]
local r = ffi.new("cnl_rec")
local pr = ffi.addressof(r)
assert(ffi.istype("cnl_rec *", pr))
pr.a = 4
assert(r.a == 4)
local pb = ffi.addressof(r, "b", 2)
assert(ffi.istype("int *", pb))
pb[0] = 5
assert(r.b[2] == 5)
local pd = ffi.addressof(r, "in", "d")
pd[0] = 2.5
assert(r["in"].d == 2.5)
local ok, err = pcall(ffi.addressof, 5)
assert(not ok and err:find("bad argument #1 to 'addressof'", 1, true), err)
ok, err = pcall(ffi.addressof, r, "zz")
assert(not ok and err:find("has no member named 'zz'", 1, true), err)
