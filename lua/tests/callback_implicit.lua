-- Implicit callbacks: a Lua function passed for a function pointer parameter is a
-- callback for the duration of that call, for every kind of signature.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or ""
local ffi, lib = dofile(here .. "_callbacks.lua")
if not lib then return end

assert(lib.call_int_cb(function(x) return x * 2 end, 21) == 42)
assert(lib.call_dd_cb(function(a, b) return a / b end, 1, 4) == 0.25)
assert(lib.call_n_times(function(i) return i * i end, 5) == 0 + 1 + 4 + 9 + 16)
assert(lib.call_twice(function(x) return x + 1 end, function(x) return x * 10 end, 4) == 50)
-- 7 integer and 9 double arguments (some on the stack)
assert(lib.call_many_cb(function(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p)
  assert(a == 1 and g == 7 and h == 1.5 and p == 9.5)
  return a + b + c + d + e + f + g + math.floor(h + i + j + k + l + m + n + o + p)
end) == 28 + 49)
-- strings: a char pointer argument, a Lua string result (kept alive by the caller)
local keep = "returned"
assert(ffi.string(lib.call_str_cb(function(s) assert(ffi.string(s) == "in") return keep end, "in")) == "returned")
-- void, narrow and 64-bit types
local seen
lib.call_void_cb(function(x) seen = x end, 9)
assert(seen == 9)
assert(lib.call_i64_cb(function(a, b, c)
  assert(a == -1 and b == 65535 and c == math.mininteger)
  return math.maxinteger
end, -1, 65535, math.mininteger) == math.maxinteger)
assert(lib.call_float_cb(function(x) return x * 2 end, 1.25) == 2.5)
assert(lib.call_bool_cb(function(b) return not b end, true) == false)
assert(lib.call_i8_cb(function(x) return x - 1 end, -128) == 127) -- wraps as int8_t
-- struct by value in and out of a callback
local r = lib.call_pair_cb(function(p) return ffi.new("IntPair", p.b, p.a) end, ffi.new("IntPair", 3, 4))
assert(r.a == 4 and r.b == 3)
-- qsort through C with a Lua comparator
local values = ffi.new("int[6]", {5, 3, 9, -2, 7, 0})
local ip = ffi.typeof("const int *")
assert(lib.cmp_sum(values, 6, function(a, b)
  local x, y = ffi.cast(ip, a)[0], ffi.cast(ip, b)[0]
  return x < y and -1 or (x > y and 1 or 0)
end) == -2)
for i = 1, 5 do assert(values[i - 1] <= values[i]) end
-- a C function from a namespace is passed as its own address (no callback)
ffi.cdef [[ int abs(int); ]]
assert(lib.call_int_cb(ffi.C.abs, -5) == 5)
assert(lib.call_twice(ffi.C.abs, function(x) return x + 1 end, -3) == 4)
-- C calls inside a callback, with more implicit callbacks: the outer call's
-- callbacks stay valid until the outer call returns
local total = lib.call_n_times(function(i)
  return lib.call_int_cb(function(x) return x + 100 end, i) + lib.add_int(i, 0)
end, 4)
assert(total == (100 * 4 + 0 + 1 + 2 + 3) + (0 + 1 + 2 + 3), total)
-- recursion through C several levels deep
local function depth(n)
  if n == 0 then return 0 end
  return lib.call_int_cb(function(x) return depth(x - 1) + 1 end, n)
end
assert(depth(20) == 20)
-- calls from coroutines: callbacks run on the calling coroutine
local co = coroutine.wrap(function(n)
  local got = lib.call_int_cb(function(x) return x + 1 end, n)
  coroutine.yield(got)
  return lib.call_n_times(function(i) return i end, n)
end)
assert(co(5) == 6 and co() == 0 + 1 + 2 + 3 + 4)
-- a callback from a coroutine after that coroutine is gone, from the main thread
local kept = ffi.cast("int (*)(int)", function(x) return x * 2 end)
coroutine.wrap(function() lib.store_cb(kept) assert(lib.call_stored(2) == 4) end)()
collectgarbage()
assert(lib.call_stored(3) == 6)
kept:free()
-- an implicit callback is freed when its call returns: C keeping it and calling it
-- later gets 0 and Lua an error
lib.store_cb(function(x) return x end)
local ok, err = pcall(lib.call_stored, 5)
assert(not ok and err:find("attempt to call a freed callback", 1, true), err)
-- many implicit callbacks: recycled, no growth
for i = 1, 2000 do assert(lib.call_int_cb(function(x) return x + i end, 1) == i + 1) end
print("ok")
