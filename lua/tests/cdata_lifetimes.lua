-- Lifetimes: a pointer made from a cdata's own memory keeps the owner of that memory
-- alive (docs/semantics.md, "Lifetimes"). Each case drops the owner, collects, reuses
-- the heap, and reads through the pointer.
local ffi = require("ffi")
ffi.cdef [[
  void *malloc(size_t n);
  void free(void *p);
  typedef struct { int tag; int a[8]; } lifetime_node;
]]

-- Frees what was garbage and fills the heap with new objects of the same sizes.
local function churn()
  collectgarbage()
  collectgarbage()
  local keep = {}
  for i = 1, 2000 do keep[i] = ffi.new("int[16]", -1) end
  for i = 1, 2000 do keep[i] = ffi.new("lifetime_node", -1) end
  for i = 1, 2000 do keep[i] = ("x"):rep(64) .. i end
end

local derived = {
  ["cast of an array"] = function()
    local buf = ffi.new("int[16]", 7)
    return ffi.cast("int *", buf)
  end,
  ["array + n"] = function()
    local buf = ffi.new("int[16]", 7)
    return buf + 5 - 5
  end,
  ["through void *"] = function()
    local buf = ffi.new("int[16]", 7)
    return ffi.cast("int *", ffi.cast("void *", buf))
  end,
  ["ffi.addressof of a field"] = function()
    local node = ffi.new("lifetime_node", {7})
    return ffi.addressof(node, "tag")
  end,
  ["an array field decayed"] = function()
    local node = ffi.new("lifetime_node", {0, {7}})
    return node.a + 0
  end,
  ["an element's address"] = function()
    local buf = ffi.new("int[16]", 7)
    return ffi.addressof(buf, 3)
  end,
  ["a reference cast from a derived pointer"] = function()
    local buf = ffi.new("int[16]", 7)
    return ffi.cast("int (&)[16]", buf + 0)
  end,
  ["a Lua string"] = function()
    return ffi.cast("const int *", ("\7\0\0\0"):rep(4) .. tostring(math.random()))
  end,
}
for name, make in pairs(derived) do
  local p = make()
  churn()
  assert(p[0] == 7, name .. ": read " .. tostring(p[0]))
  local q = p + 1 -- derived again: the same owner
  p = nil
  churn()
  assert(q[-1] == 7, name .. " (derived twice)")
end

-- ffi.addressof of a pointer cdata is the address of the pointer's own storage:
-- the result keeps that pointer alive (and the pointer its target).
do
  local buf = ffi.new("int[16]", 7)
  local pp = ffi.addressof(ffi.cast("int *", buf))
  buf = nil
  churn()
  local other, keep = ffi.new("int[16]", -1), {}
  for i = 1, 2000 do keep[i] = ffi.cast("int *", other) end  -- pointers of the same size
  assert(ffi.typeof(pp) == ffi.typeof("int **"))
  assert(pp[0][0] == 7, "addressof of a pointer: read " .. tostring(pp[0]))
end

-- An ffi.gc'd pointer owns what it points to: its finalizer waits for the pointers
-- made from it.
local freed = 0
local p = ffi.cast("int *", ffi.gc(ffi.C.malloc(64), function(block)
  freed = freed + 1
  ffi.C.free(block)
end))
p[0] = 42
churn()
assert(p[0] == 42 and freed == 0)
p = p + 2
churn()
assert(p[-2] == 42 and freed == 0)
p = nil
churn()
assert(freed == 1, "the finalizer runs once the last pointer is gone")

-- The owner goes once the last pointer goes: no leak, no cycle.
local owners = setmetatable({}, {__mode = "k"})
do
  local buf = ffi.new("int[4]")
  owners[buf] = true
  local a = buf + 1
  local b = ffi.cast("char *", a)
  buf, a = nil, nil
  churn()
  assert(next(owners) ~= nil, "a pointer keeps the owner")
  assert(b ~= nil)
  b = nil
end
churn()
assert(next(owners) == nil, "collected with its last pointer")

-- Pointers from C, and casts of integers, have no owner (nothing to keep).
local raw = ffi.C.malloc(16)
local alias = ffi.cast("int *", raw)
assert(debug.getuservalue(alias) == nil)
assert(debug.getuservalue(ffi.cast("int *", 0x1000)) == nil)
ffi.C.free(raw)

-- ffi.release of an owner: its pointers raise on use instead of reading freed memory.
local buf = ffi.new("int[4]", 5)
local q = buf + 1
assert(q[0] == 5)
ffi.release(buf)
local ok, err = pcall(function() return q[0] end)
assert(not ok and err:find("attempt to use a pointer into a released cdata of type 'int [4]'", 1, true), err)
local block = ffi.gc(ffi.C.malloc(16), ffi.C.free)
local bytes = ffi.cast("char *", block)
ffi.release(block) -- frees the block now
ok, err = pcall(ffi.string, bytes, 1)
assert(not ok and err:find("released cdata of type 'void *'", 1, true), err)
ok, err = pcall(ffi.C.free, bytes)
assert(not ok and err:find("released cdata", 1, true), err)
-- A reference (a struct or array field, an element of an array of structs) is
-- derived too: it keeps its owner alive and raises once the owner is released.
ffi.cdef "typedef struct lt_in { int a; } lt_in; typedef struct lt_out { lt_in in; int arr[2]; lt_in list[2]; } lt_out;"
local outer = ffi.new("lt_out")
outer.list[1].a = 7
local refs = { outer["in"], outer.arr, outer.list[1], outer.list }
assert(refs[3].a == 7 and refs[4][1].a == 7)
ffi.release(outer)
for i, ref in ipairs(refs) do
  ok, err = pcall(function() return ref[i == 1 and "a" or i == 3 and "a" or 0] end)
  assert(not ok and err:find("attempt to use a pointer into a released cdata of type 'struct lt_out'", 1, true), err)
end
-- Arithmetic and comparison touch no memory: allowed, and the result raises too.
local later = bytes + 1
assert(later - bytes == 1)
ok, err = pcall(function() return later[0] end)
assert(not ok and err:find("released cdata", 1, true), err)
print("ok")
