-- luajit: compatible
-- A state holds at most 65536 ctypes, as LuaJIT (CTID_MAX): the next new type is
-- `table overflow`; the types made before it and cached ones stay usable.
local ffi = require("ffi")

local intp = ffi.typeof("int *")
local made = {}
local ok, err = pcall(function()
  for i = 1, 65536 do made[i] = ffi.typeof("struct { int a; }") end
end)
assert(not ok and tostring(err):find("table overflow", 1, true), tostring(err))
assert(#made > 20000)
assert(ffi.sizeof(made[#made]) == 4 and ffi.new(made[1], 7).a == 7)
assert(ffi.sizeof("int") == 4 and ffi.typeof("int *") == intp)
assert(not pcall(ffi.typeof, "struct { int b; }"))
