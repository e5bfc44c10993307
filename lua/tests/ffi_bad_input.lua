-- Every ffi function, metamethod and namespace access with every kind of wrong
-- argument: each is an error or a value, never a crash (run it under ASan too).
local ffi = require("ffi")
local values = { nil, true, 0, -1, 3.5, 2^63, "x", "int", "struct nope *", {}, print,
  ffi.NULL, ffi.new("int[2]"), ffi.typeof("int"), ffi.C, io.stdout, coroutine.create(print) }
local calls = 0
local names = {}
for name, f in pairs(ffi) do if type(f) == "function" then names[#names + 1] = name end end
table.sort(names) -- a fixed order: the state each call leaves behind is reproducible
for _, name in ipairs(names) do
  for i = 1, #values + 1 do
    for j = 1, #values + 1 do
      pcall(ffi[name], values[i], values[j])
      calls = calls + 1
    end
  end
end
local cd = ffi.new("int[2]")
local p = ffi.cast("int *", cd)
for _, v in ipairs(values) do
  pcall(function() return cd[v] end)
  pcall(function() cd[v] = v end)
  pcall(function() return p + v end)
  pcall(function() return p == v, p < v end)
  pcall(function() return #p end)
  pcall(function() return p .. v end)
  pcall(function() return p(v) end)
  pcall(function() return ffi.C[v] end)
  pcall(function() ffi.C[v] = v end)
end
-- The interpreter's own objects survived: io still works, ctypes still name types.
assert(io.stdout:write("") == io.stdout)
assert(tostring(ffi.typeof("int")) == "ctype<int>")
assert(not pcall(ffi.copy, io.stdout, "overwrite"), "a Lua file is not writable memory")
assert(not pcall(ffi.fill, "a string", 1), "a Lua string is not writable memory")
assert(not pcall(ffi.copy, ffi.new("char[4]"), "too long"), "the destination's size is checked")
assert(calls > 1000)
