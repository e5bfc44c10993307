-- Callbacks from other threads: serialized with the owner while it is inside a C
-- call (they run); refused with a message and the default value otherwise.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or ""
local ffi, lib = dofile(here .. "_callbacks.lua")
if not lib then return end
-- a new thread calls back while the owner waits in pthread_join: it runs
local seen = {}
assert(lib.call_in_thread(function(x) seen[#seen + 1] = x return x * 2 end, 21) == 42)
assert(seen[1] == 21)
-- an explicit callback, several threads at once: serialized, all run
local count = 0
local cb = ffi.cast("int (*)(int)", function(x) count = count + 1 return x + 1 end)
assert(lib.call_in_threads(cb, 8) == (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7) + 8)
assert(count == 8)
for _ = 1, 20 do assert(lib.call_in_threads(cb, 4) == 10) end
-- an error in a foreign-thread callback is raised after the call, C got 0
local ok, err = pcall(lib.call_in_thread, function() error("from a thread") end, 1)
assert(not ok and err:find("from a thread", 1, true), err)
-- C calls inside a foreign-thread callback work (nested calls)
assert(lib.call_in_thread(function(x) return lib.call_int_cb(function(y) return y + 1 end, x) end, 1) == 2)
-- a thread calling back from a C call made inside an owner-thread callback
assert(lib.call_int_cb(function(x)
  return lib.call_in_thread(function(y) return y + 1 end, x) * 10
end, 1) == 20)
assert(lib.call_n_times(function(i) return lib.call_in_threads(cb, 2) + i end, 3) == 3 * 3 + 3)
-- a thread calling back while the owner runs Lua (not inside a C call): the
-- callback does not run, C gets 0, a message goes to stderr
local ran = false
local lonely = ffi.cast("int (*)(int)", function() ran = true return 7 end)
assert(lib.start_thread(lonely, 1) == 0)
lib.thread_go = 1 -- the thread calls back now, after the C call returned
while lib.thread_done == 0 do end -- Lua busy: no C call
assert(lib.join_thread() == 0 and not ran)
lonely:free()
-- a C function that returns while another thread's callback still runs: the
-- caller waits for it before it touches the Lua stack again (also on the direct
-- call path, which explicit callbacks take)
local slow = ffi.cast("int (*)(int)", function(x)
  lib.callback_started = 1
  local t = os.clock()
  while os.clock() - t < 0.02 do end
  return x + 1
end)
for _ = 1, 3 do
  assert(lib.start_thread_and_wait(slow, 41) == 7)
  assert(lib.join_thread() == 42)
end
slow:free()
cb:free()
print("ok")
