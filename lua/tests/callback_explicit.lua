-- Explicit callbacks: ffi.cast(fnptr, f) and ffi.callback(fnptr, f [, error]) live
-- until cb:free(); cb:set(f) rebinds; C may keep and call them later.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or ""
local ffi, lib = dofile(here .. "_callbacks.lua")
if not lib then return end
local cb = ffi.cast("int (*)(int)", function(x) return x + 1 end)
assert(lib.call_int_cb(cb, 1) == 2)
assert(cb(41) == 42) -- callable from Lua too (through C)
-- stored by C, called later, from another call
lib.store_cb(cb)
assert(lib.call_stored(10) == 11)
cb:set(function(x) return x * 3 end)
assert(lib.call_stored(10) == 30)
-- ffi.callback: the same, cffi's spelling
local cb2 = ffi.callback("double (*)(double, double)", function(a, b) return a - b end)
assert(lib.call_dd_cb(cb2, 5, 3) == 2)
cb2:free()
-- freeing: C calling a freed callback gets 0, Lua gets an error after the call
cb:free()
local ok, err = pcall(lib.call_stored, 10)
assert(not ok and err:find("attempt to call a freed callback of type 'int (*)(int)'", 1, true), err)
-- freeing twice and using a freed callback's methods are errors, not crashes
ok, err = pcall(cb.free, cb)
assert(not ok and err:find("already freed", 1, true), err)
ok, err = pcall(cb.set, cb, print)
assert(not ok and err:find("already freed", 1, true), err)
-- a ctype object works as the type
local fnptr = ffi.typeof("int (*)(int)")
local cb3 = ffi.cast(fnptr, function(x) return -x end)
assert(lib.call_int_cb(cb3, 4) == -4)
cb3:free()
-- struct-by-value explicit callback
local pcb = ffi.cast("IntPair (*)(IntPair)", function(p) return {p.a + 1, p.b + 1} end)
local r = lib.call_pair_cb(pcb, ffi.new("IntPair", 1, 2))
assert(r.a == 2 and r.b == 3)
pcb:free()
-- errors making callbacks
ok, err = pcall(ffi.cast, "int (*)(int, ...)", function() end)
assert(not ok and err:find("variadic", 1, true), err)
ok, err = pcall(ffi.callback, "int (*)(int)", 42)
assert(not ok and err:find("bad argument #2 to 'callback' (function expected, got number)", 1, true), err)
ok, err = pcall(ffi.callback, "int", function() end)
assert(not ok, "a callback needs a function pointer type")
-- creating and freeing many: recycled (no limit on live ones either)
local live = {}
for i = 1, 300 do live[i] = ffi.cast("int (*)(int)", function(x) return x + i end) end
for i = 1, 300, 37 do assert(lib.call_int_cb(live[i], 0) == i) end
for i = 1, 300 do live[i]:free() end
print("ok")
