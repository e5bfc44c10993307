-- Callbacks from other threads: serialized with the owner while it is inside a C
-- call (they run); refused with a message and the default value otherwise.
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
while lib.thread_done == 0 do end -- Lua busy: no C call
assert(lib.join_thread() == 0 and not ran)
lonely:free()
cb:free()
print("ok")
