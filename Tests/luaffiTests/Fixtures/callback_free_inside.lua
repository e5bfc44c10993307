-- Callbacks freed while C is about to call them: a callback that frees the last live
-- callback (itself) and then calls C that calls a freed callback's pointer, and a
-- callback freed by another thread while this one waits to run it. Each call is
-- reported, nothing waits for itself, nothing runs a freed function (run by
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
-- a callback freed on another thread while this thread's C code, already calling
-- it, waits for its turn: this call reports a freed callback (C gets 0), it does not
-- run the freed function after all
ffi.cdef [[
int call_here_and_in_thread(int (*f)(int));
extern volatile int callback_started;
]]
local shared, runs = nil, 0
shared = ffi.cast("int (*)(int)", function(x)
  runs = runs + 1
  lib.callback_started = 1
  local t = os.clock()
  while os.clock() - t < 0.05 do end -- this thread's C caller now waits for us
  if runs == 1 then shared:free() end
  return x * 10
end)
ok, err = pcall(lib.call_here_and_in_thread, shared)
assert(not ok and err:find("freed callback", 1, true), err)
assert(runs == 1, runs)
print("ok")
