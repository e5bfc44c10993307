-- A C pointer kept from a freed callback never runs another callback: the entry
-- point stays bound to the freed callback (a call is an error raised after the C
-- call, C gets 0) until 64 newer callbacks of the state were freed, then it is
-- unbound (C gets 0, a message goes to stderr) and handed out again only after
-- every other free entry point; once called after the free, never. Static entries
-- and libffi closures alike.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or ""
local ffi, lib = dofile(here .. "_callbacks.lua")
if not lib then return end
ffi.cdef [[
void store_pair_cb(IntPair (*f)(IntPair));
IntPair call_stored_pair(int a, int b);
]]
local ran = 0
local function other(x) ran = ran + 1 return 99 end

-- an explicit callback freed, then new callbacks of the same type
local old = ffi.cast("int (*)(int)", function(x) return x + 1 end)
lib.store_cb(old)
assert(lib.call_stored(1) == 2)
old:free()
local new = {}
for i = 1, 10 do new[i] = ffi.cast("int (*)(int)", other) end
local ok, err = pcall(lib.call_stored, 1)
assert(not ok and err:find("freed callback", 1, true), err)
assert(ran == 0)

-- an implicit callback (freed when its call returns), then another one: the stored
-- pointer does not reach the new one (which would call itself)
lib.store_cb(function(x) return x end)
ok, err = pcall(lib.call_int_cb, function(x) ran = ran + 1 return lib.call_stored(x) end, 5)
assert(not ok and err:find("freed callback", 1, true), err)
assert(ran == 1)
ran = 0

-- a struct-by-value callback (a libffi closure), freed, then new ones
local pair = ffi.cast("IntPair (*)(IntPair)", function(p) return ffi.new("IntPair", p.b, p.a) end)
lib.store_pair_cb(pair)
assert(lib.call_stored_pair(1, 2).a == 2)
pair:free()
local pairCallbacks = {}
for i = 1, 10 do pairCallbacks[i] = ffi.cast("IntPair (*)(IntPair)", function() ran = ran + 1 return ffi.new("IntPair", 7, 7) end) end
ok, err = pcall(lib.call_stored_pair, 1, 2)
assert(not ok and err:find("freed callback", 1, true), err)
assert(ran == 0)

-- C evidently keeps those pointers: their entry points keep reporting a freed
-- callback for as long as the state lives, however many callbacks come and go
for _ = 1, 200 do ffi.cast("int (*)(int)", other):free() end
for _ = 1, 200 do ffi.cast("IntPair (*)(IntPair)", other):free() end
ok, err = pcall(lib.call_stored, 1)
assert(not ok and err:find("freed callback", 1, true), err)
ok, err = pcall(lib.call_stored_pair, 1, 2)
assert(not ok and err:find("freed callback", 1, true), err)
assert(ran == 0)

-- a freed callback not called before 64 newer ones were freed (and other types
-- pushed it out): its entry point is unbound, C gets 0 (and a message on stderr);
-- from that call on it never serves another callback, even when every other entry
-- point is taken. (Run in one process with other tests, as LuaScriptTests does,
-- another state may take the entry before the first call: then only `ran` holds.)
local quiet = ffi.cast("int (*)(int)", function(x) return x end)
lib.store_cb(quiet)
quiet:free()
for _ = 1, 100 do ffi.cast("double (*)(double)", other):free() end
local alone = TESTLIB == nil -- under luaffi: a process of its own
assert(lib.call_stored(1) == 0 or not alone)
local live = {}
for i = 1, 300 do live[i] = ffi.cast("int (*)(int)", other) end -- more than the static entries
assert((lib.call_stored(1) == 0 or not alone) and ran == 0)
for i = 1, 300 do live[i]:free() end

-- cb:set rebinds the same entry point (LuaJIT's semantics); a freed callback can be
-- neither set nor freed again
local cb = ffi.cast("int (*)(int)", function(x) return x end)
lib.store_cb(cb)
cb:set(function(x) return -x end)
assert(lib.call_stored(4) == -4)
cb:free()
ok, err = pcall(cb.set, cb, other)
assert(not ok and err:find("already freed", 1, true), err)
ok, err = pcall(cb.free, cb)
assert(not ok and err:find("already freed", 1, true), err)

-- the same for a Lua cdata kept from a freed callback: once its entry point serves
-- a new callback of the type (past the quarantine), the old cdata can neither free
-- nor set the new one
local a = ffi.cast("int (*)(int)", function() return 1 end)
local address = ffi.cast("intptr_t", a)
a:free()
local b
for _ = 1, 300 do
  local cb = ffi.cast("int (*)(int)", function() return 2 end)
  if ffi.cast("intptr_t", cb) == address then b = cb break end
  cb:free()
end
assert(b, "the entry point never came back")
ok, err = pcall(a.free, a)
assert(not ok and err:find("already freed", 1, true), err)
ok, err = pcall(a.set, a, other)
assert(not ok and err:find("already freed", 1, true), err)
assert(lib.call_int_cb(b, 0) == 2)
b:free()
for i = 1, 10 do new[i]:free() pairCallbacks[i]:free() end
print("ok")
