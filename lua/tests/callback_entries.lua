-- The C callback entries: register signatures get one of a fixed pool of static
-- entry points, the rest (and every callback past the pool) a libffi closure; both
-- behave the same. The register tests come first, while the pool has room. Calls
-- on the direct C path stay correct while callbacks live.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or ""
local ffi, lib = dofile(here .. "_callbacks.lua")
if not lib then return end
ffi.cdef [[
int set_errno(int e);
uint64_t echo_u64_cb(uint64_t (*f)(uint64_t), uint64_t x);
]]

-- every register class through the static entries: floats, doubles, bools,
-- small integers (extended as C expects), pointers, void, uint64_t above 2^63
local f = ffi.cast("float (*)(float)", function(x) return x * 2 end)
assert(lib.call_float_cb(f, 1.25) == 2.5)
local d = ffi.cast("double (*)(double, double)", function(a, b) return a / b end)
assert(lib.call_dd_cb(d, 1, 4) == 0.25)
local b = ffi.cast("bool (*)(bool)", function(x) return not x end)
assert(lib.call_bool_cb(b, false) == true and lib.call_bool_cb(b, true) == false)
local s = ffi.cast("int8_t (*)(int8_t)", function(x) return x - 1 end)
assert(lib.call_i8_cb(s, -128) == 127) -- wraps in C, as a C int8_t does
local i64 = ffi.cast("int64_t (*)(int8_t, uint16_t, int64_t)", function(a, u, c)
  assert(a == -5 and u == 65535 and c == -(2 ^ 40))
  return a + u + c
end)
assert(lib.call_i64_cb(i64, -5, 65535, -(2 ^ 40)) == -5 + 65535 - 2 ^ 40)
local str = ffi.cast("const char *(*)(const char *)", function(p)
  assert(ffi.typeof(p) == ffi.typeof("const char *"))
  return p + 1
end)
assert(ffi.string(lib.call_str_cb(str, "hello")) == "ello")
local seen
local v = ffi.cast("void (*)(int)", function(x) seen = x end)
lib.call_void_cb(v, 9)
assert(seen == 9)
local big = ffi.cast("uint64_t", -16) -- 2^64 - 16
local u = ffi.cast("uint64_t (*)(uint64_t)", function(x)
  assert(ffi.istype("uint64_t", x) and x == big, tostring(x))
  return x + 1
end)
assert(lib.echo_u64_cb(u, big) == big + 1)
-- all fourteen argument registers (six integer, eight floating), interleaved
local sig = "double (*)(int8_t, double, uint16_t, float, int64_t, double, void *, float, uint32_t, double, bool, double, float, double)"
ffi.cdef("double call_regs_cb(" .. sig:gsub("%(%*%)", "(*f)") .. ");")
local regs = ffi.cast(sig, function(a, b, c, d, e, f, g, h, i, j, k, l, m, n)
  assert(a == -3 and b == 0.25 and c == 65000 and d == 1.5 and e == -5000000000)
  assert(f == 2.75 and g ~= nil and g ~= ffi.NULL and h == -0.5 and i == 4000000000)
  assert(j == 8.125 and k == true and l == -16.5 and m == 3.25 and n == 0.0625)
  return a + b + c + d + f + h + j + l + m + n
end)
assert(lib.call_regs_cb(regs) == -3 + 0.25 + 65000 + 1.5 + 2.75 - 0.5 + 8.125 - 16.5 + 3.25 + 0.0625)
regs:free()
-- results the C entry hands to the general conversion: cdata, numbers as floats
local r = ffi.cast("int (*)(int)", function(x) return ffi.new("int64_t", x + 1) end)
assert(lib.call_int_cb(r, 1) == 2)
local bad = ffi.cast("int (*)(int)", function() return "nope" end)
local ok, err = pcall(lib.call_int_cb, bad, 1)
assert(not ok and err:find("cannot convert 'string' to 'int'", 1, true), err)
-- a failing callback on the direct path: C gets 0, the error comes after the call
local boom = ffi.cast("int (*)(int)", function() error("boom") end)
ok, err = pcall(lib.call_int_cb, boom, 1)
assert(not ok and err:find("boom", 1, true), err)
for _, cb in ipairs({ f, d, b, s, i64, str, v, u, r, bad, boom }) do cb:free() end

-- a callback leaves the Lua stack as it found it: more calls than the stack has
-- slots (LUAI_MAXSTACK, 1,000,000), with results and with errors
local id = ffi.cast("int (*)(int)", function(x) return x end)
local sum = 1000000 * 1000001 // 2 -- 0 + 1 + ... + 1000000, wrapped to a C int
assert(lib.call_n_times(id, 1000001) == (sum + 2^31) % 2^32 - 2^31)
local fails = ffi.cast("int (*)(int)", function() error("each time") end)
ok, err = pcall(lib.call_n_times, fails, 1000001)
assert(not ok and err:find("each time", 1, true), err)
id:free()
fails:free()

-- with callbacks alive, direct calls still save errno and run in coroutines
local keep = ffi.cast("int (*)(int)", function(x) return x + 1 end)
assert(lib.set_errno(33) == -1 and ffi.errno() == 33)
local co = coroutine.wrap(function(x)
  local y = lib.call_int_cb(keep, x)
  coroutine.yield(y)
  return lib.call_int_cb(function(z)
    -- a callback made from a coroutine runs on that coroutine's stack
    return select("#", coroutine.running()) + z
  end, y)
end)
assert(co(1) == 2 and co() == 4)
keep:free()
-- more live callbacks than the pool has entries: each calls its own function
local cbs = {}
for i = 1, 600 do
  cbs[i] = ffi.cast("int (*)(int)", function(x) return x * 1000 + i end)
end
for i = 1, 600 do assert(lib.call_int_cb(cbs[i], 7) == 7000 + i, i) end
-- the last 64 freed callbacks keep their entry points and answer with an error;
-- older ones answer 0 (and a message on stderr); none runs another callback.
-- New callbacks (static entries, closures) behave the same.
for i = 1, 600, 2 do cbs[i]:free() end
for i = 600 - 2 * 64 + 1, 600, 2 do
  local ok, err = pcall(lib.call_int_cb, cbs[i], 1)
  assert(not ok and err:find("freed callback", 1, true), err)
end
-- (Run in one process with other tests, as LuaScriptTests does, another state may
-- have taken the entry meanwhile.)
assert(lib.call_int_cb(cbs[1], 1) == 0 or TESTLIB ~= nil)
for i = 1, 600, 2 do cbs[i] = ffi.cast("int (*)(int)", function(x) return -x - i end) end
for i = 1, 600 do
  assert(lib.call_int_cb(cbs[i], 3) == (i % 2 == 1 and -3 - i or 3000 + i), i)
end
-- cb:set swaps the function behind the same entry point
cbs[2]:set(function(x) return x + 0.0 + 1 end)
assert(lib.call_int_cb(cbs[2], 41) == 42)
for i = 1, 600 do cbs[i]:free() end

print("ok")
