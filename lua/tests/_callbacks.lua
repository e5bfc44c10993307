-- Shared by the callback_*.lua scripts: loads the C test library and declares its
-- callback functions. Returns ffi and the library, or nothing when the library is
-- not available (the caller then skips).
local ffi = require("ffi")
local path = TESTLIB or os.getenv("LUAFFI_TESTLIB")
if not path then print("skipped: set LUAFFI_TESTLIB to the path of libffitest.so") return nil end
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
extern volatile int thread_go;
extern volatile int callback_started;
int start_thread_and_wait(int (*f)(int), int x);
]]
return ffi, lib
