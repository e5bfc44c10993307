-- Errors inside callbacks: never unwound through C. C gets zero (or the declared
-- error value) and the error is raised in Lua once the outer C call returns.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or ""
local ffi, lib = dofile(here .. "_callbacks.lua")
if not lib then return end
-- the error is raised after the call, with the callback's message
local calls = 0
local ok, err = pcall(lib.call_n_times, function(i)
  calls = calls + 1
  if i == 1 then error("boom at " .. i) end
  return 10
end, 3)
assert(not ok and err:find("boom at 1", 1, true), err)
assert(calls == 3, "C went on after the failing callback (it got 0)")
-- C got 0 from the failed callback: check through a stored explicit callback
local cb = ffi.cast("int (*)(int)", function(x) if x < 0 then error("negative") end return x end)
lib.store_cb(cb)
ok, err = pcall(lib.call_n_times, cb, 2)
assert(ok and err == 1)
ok, err = pcall(lib.call_stored, -1)
assert(not ok and err:find("negative", 1, true), err)
cb:free()
-- only the first error of a call is raised
ok, err = pcall(lib.call_n_times, function(i) error("first " .. i) end, 3)
assert(not ok and err:find("first 0", 1, true), err)
-- what C receives from a failing callback: zero, or ffi.callback's error value
ffi.cdef [[
extern int last_result;
extern double last_double;
extern IntPair last_pair;
int call_record(int (*f)(int), int x);
double call_dd_record(double (*f)(double, double), double a, double b);
void call_pair_record(IntPair (*f)(int));
]]
lib.last_result = 99
ok, err = pcall(lib.call_record, function() error("implicit") end, 1)
assert(not ok and err:find("implicit", 1, true) and lib.last_result == 0)
local ecb = ffi.callback("int (*)(int)", function(x) if x == 2 then error("two") end return x end, -1000)
assert(lib.call_record(ecb, 1) == 1)
ok, err = pcall(lib.call_record, ecb, 2)
assert(not ok and err:find("two", 1, true) and lib.last_result == -1000, lib.last_result)
ecb:free()
local dcb = ffi.callback("double (*)(double, double)", function() error("no") end, 2.5)
ok, err = pcall(lib.call_dd_record, dcb, 1, 2)
assert(not ok and err:find("no", 1, true) and lib.last_double == 2.5)
dcb:free()
local zcb = ffi.cast("double (*)(double, double)", function() error("zero") end)
ok, err = pcall(lib.call_dd_record, zcb, 1, 2)
assert(not ok and lib.last_double == 0)
zcb:free()
-- a struct result: the declared value, or all zero
lib.last_pair = {5, 5}
local scb = ffi.callback("IntPair (*)(int)", function() error("struct") end, {7, 8})
ok, err = pcall(lib.call_pair_record, scb)
assert(not ok and err:find("struct", 1, true) and lib.last_pair.a == 7 and lib.last_pair.b == 8)
scb:free()
ok, err = pcall(lib.call_pair_record, function() error("struct") end)
assert(not ok and lib.last_pair.a == 0 and lib.last_pair.b == 0)
-- an error inside a nested call is raised by the inner call, in the callback
local inner
ok, err = pcall(lib.call_int_cb, function(x)
  inner = {pcall(lib.call_int_cb, function() error("inner") end, x)}
  return 5
end, 1)
assert(ok and err == 5 and inner[1] == false and inner[2]:find("inner", 1, true))
-- a bad result type is an error after the call, at the end of the function (LuaJIT)
local function notNumber()
  return "not a number"
end
ok, err = pcall(lib.call_int_cb, notNumber, 1)
assert(not ok and err:find("callback_errors.lua:" .. debug.getinfo(notNumber, "S").lastlinedefined
  .. ": cannot convert 'string' to 'int'", 1, true), err)
ok, err = pcall(lib.call_int_cb, function() return {} end, 1)
assert(not ok and err:find("cannot convert 'table' to 'int'", 1, true), err)
-- non-string error values
ok, err = pcall(lib.call_int_cb, function() error({}) end, 1)
assert(not ok and tostring(err):find("error object is a table value", 1, true), tostring(err))
ok, err = pcall(lib.call_int_cb, function() error(42) end, 1)
assert(not ok and tostring(err):find("42", 1, true), tostring(err))
-- yielding inside a callback cannot cross the C frames: an error after the call
local co = coroutine.wrap(function()
  return pcall(lib.call_int_cb, function(x) coroutine.yield(x) return x end, 1)
end)
ok, err = co()
assert(ok == false and tostring(err):find("yield", 1, true), tostring(err))
-- everything still works afterwards
assert(lib.call_int_cb(function(x) return x end, 7) == 7)
print("ok")
