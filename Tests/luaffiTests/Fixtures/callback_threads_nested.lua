-- Callbacks from several threads at once, each calling C that calls back again:
-- every Lua function runs alone on the state, and each C call resumes only once the
-- callbacks that arrived during it are done (run by CallbackSafetyTests in a child).
local ffi = require("ffi")
local lib = ffi.load(assert(os.getenv("LUAFFI_TESTLIB"), "LUAFFI_TESTLIB"))
ffi.cdef [[
int call_int_cb(int (*f)(int), int x);
int64_t call_in_threads_loop(int (*f)(int), int threads, int iterations);
]]
local threads, iterations = 4, tonumber(arg[1]) or 2000
local expected = threads * iterations * iterations -- sum over i of (2i + 1), per thread
-- the direct C call path: explicit callbacks
local inner = ffi.cast("int (*)(int)", function(y) return y * 2 end)
local outer = ffi.cast("int (*)(int)", function(x) return lib.call_int_cb(inner, x) + 1 end)
assert(lib.call_in_threads_loop(outer, threads, iterations) == expected)
-- the Swift call path: an implicit callback made inside each foreign-thread callback
local implicit = ffi.cast("int (*)(int)", function(x)
  return lib.call_int_cb(function(y) return y * 2 + 1 end, x)
end)
assert(lib.call_in_threads_loop(implicit, threads, iterations) == expected)
-- deeper: a callback calling C that calls back, which calls C that calls back
local deep = ffi.cast("int (*)(int)", function(x)
  return lib.call_int_cb(outer, x)
end)
assert(lib.call_in_threads_loop(deep, threads, iterations // 2) == threads * (iterations // 2) ^ 2)
for _, cb in ipairs({ inner, outer, implicit, deep }) do cb:free() end
print("ok")
