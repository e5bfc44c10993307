-- Explicit callbacks: ffi.cast(fnptr, f) and ffi.callback(fnptr, f [, error]) live
-- until cb:free(); cb:set(f) rebinds; C may keep and call them later.
local ffi = require("ffi")
local path = TESTLIB or os.getenv("LUAFFI_TESTLIB")
if not path then print("skipped: set LUAFFI_TESTLIB to the path of libffitest.so") return end
local lib = ffi.load(path)

ffi.cdef [[
typedef struct { int a, b; } IntPair;
int call_int_cb(int (*f)(int), int x);
double call_dd_cb(double (*f)(double, double), double a, double b);
int call_n_times(int (*f)(int), int n);
int call_twice(int (*f)(int), int (*g)(int), int x);
int call_many_cb(int (*f)(int, int, int, int, int, int, int, double, double, double, double, double,
                         double, double, double, double));
const char *call_str_cb(const char *(*f)(const char *), const char *s);
void call_void_cb(void (*f)(int), int x);
int64_t call_i64_cb(int64_t (*f)(int8_t, uint16_t, int64_t), int8_t a, uint16_t b, int64_t c);
float call_float_cb(float (*f)(float), float x);
bool call_bool_cb(bool (*f)(bool), bool x);
int8_t call_i8_cb(int8_t (*f)(int8_t), int8_t x);
int cmp_sum(int *values, int n, int (*cmp)(const void *, const void *));
IntPair call_pair_cb(IntPair (*f)(IntPair), IntPair p);
void store_cb(int (*f)(int));
int call_stored(int x);
int add_int(int a, int b);
int call_in_thread(int (*f)(int), int x);
int call_in_threads(int (*f)(int), int n);
int start_thread(int (*f)(int), int x);
int join_thread(void);
extern volatile int thread_done;
]]
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
