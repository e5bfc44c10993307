-- Finalizers: ffi.gc, ffi.release, <close>, errors in finalizers become warnings.
local ffi = require("ffi")

-- ffi.gc: runs once, when the object is collected; returns the cdata.
local count = 0
do
  local x = ffi.new("int[4]")
  assert(ffi.gc(x, function(c) count = count + 1; assert(c[0] == 0) end) == x)
end
collectgarbage()
collectgarbage()
assert(count == 1, count)
-- ffi.gc(x, nil) removes it; a second ffi.gc replaces it.
local y = ffi.gc(ffi.new("int"), function() count = count + 100 end)
ffi.gc(y, nil)
local z = ffi.gc(ffi.new("int"), function() count = count + 100 end)
ffi.gc(z, function() count = count + 10 end)
y, z = nil, nil
collectgarbage()
collectgarbage()
assert(count == 11, count)

-- ffi.release: runs the finalizer now, once; the cdata is unusable afterwards.
local released = 0
local r = ffi.gc(ffi.new("int[2]"), function() released = released + 1 end)
ffi.release(r)
ffi.release(r)
assert(released == 1)
local ok, err = pcall(function() return r[0] end)
assert(not ok and err:find("attempt to use a released cdata of type 'int [2]'", 1, true), err)
ok, err = pcall(function() r[0] = 1 end)
assert(not ok and err:find("released cdata", 1, true), err)
ok, err = pcall(function() return ffi.tonumber(r) end)
assert(not ok and err:find("released cdata", 1, true), err)
r = nil
collectgarbage()
assert(released == 1)
-- Releasing a cdata without finalizer only invalidates it.
local plain = ffi.new("int", 3)
ffi.release(plain)
assert(not pcall(function() return plain + 1 end))

-- <close> releases at the end of the scope, also on errors.
local closed = 0
do
  local c <close> = ffi.gc(ffi.new("int[2]"), function() closed = closed + 1 end)
  assert(closed == 0)
end
assert(closed == 1)
pcall(function()
  local c <close> = ffi.gc(ffi.new("int[2]"), function() closed = closed + 1 end)
  error("leave")
end)
assert(closed == 2)

-- An error in a finalizer becomes a warning (Lua 5.4's collector never raises);
-- the other finalizers still run.
local ran = 0
do
  ffi.gc(ffi.new("int"), function() error("finalizer failed") end)
  ffi.gc(ffi.new("int"), function() ran = ran + 1 end)
end
warn("@off") -- keep the test output quiet
collectgarbage()
collectgarbage()
warn("@on")
assert(ran == 1)
-- ffi.release reports the error to its caller.
local bad = ffi.gc(ffi.new("int"), function() error("release failed") end)
ok, err = pcall(ffi.release, bad)
assert(not ok and err:find("release failed", 1, true), err)
ok = pcall(function() return bad + 0 end)
assert(not ok) -- released all the same

-- Bad arguments.
ok, err = pcall(ffi.gc, {}, print)
assert(not ok and err:find("bad argument #1 to 'gc'", 1, true), err)
ok, err = pcall(ffi.gc, ffi.new("int"), 5)
assert(not ok and err:find("bad argument #2 to 'gc'", 1, true), err)
