-- A callback that frees the last live callback (itself) and then calls C that calls
-- a freed callback's pointer: the call is reported, nothing waits for itself (run by
-- CallbackSafetyTests in a child, with a timeout).
local ffi = require("ffi")
local lib = ffi.load(assert(os.getenv("LUAFFI_TESTLIB"), "LUAFFI_TESTLIB"))
ffi.cdef [[
int call_int_cb(int (*f)(int), int x);
void store_cb(int (*f)(int));
int call_stored(int x);
]]
local stale = ffi.cast("int (*)(int)", function(x) return x end)
lib.store_cb(stale)
stale:free()
local outer
outer = ffi.cast("int (*)(int)", function(x)
  outer:free() -- no callback is alive now
  return lib.call_stored(x) + 1 -- the direct call path; C calls the freed one
end)
local ok, err = pcall(lib.call_int_cb, outer, 1)
assert(not ok and err:find("freed callback", 1, true), err)
-- the same from a callback on another thread
ffi.cdef "int call_in_thread(int (*f)(int), int x);"
outer = ffi.cast("int (*)(int)", function(x)
  outer:free()
  return lib.call_stored(x) + 1
end)
ok, err = pcall(lib.call_in_thread, outer, 1)
assert(not ok and err:find("freed callback", 1, true), err)
print("ok")
