-- Pointers and strings across calls: Lua strings as const char *, NULL results,
-- out parameters, arrays as pointers, pointer arithmetic done by C.
local ffi = require("ffi")
local path = TESTLIB or os.getenv("LUAFFI_TESTLIB")
if not path then print("skipped: set LUAFFI_TESTLIB to the path of libffitest.so") return end
local lib = ffi.load(path)

ffi.cdef [[
const char *hello(void);
void *null_pointer(void);
int is_null(const void *p);
int *int_ptr_next(int *p);
int sum_ints(const int *p, int n);
void fill_ints(int *out, int n, int start);
void divmod(int a, int b, int *q, int *r);
void upper_in_place(char *s);
double deref_double(const double *p);
const char *str_at(const char *const *list, int i);
size_t str_len(const char *s);
]]

-- a returned string is a const char * cdata; ffi.string copies it
local s = lib.hello()
assert(ffi.string(s) == "hello, ffi")
assert(ffi.string(s, 5) == "hello")
-- NULL results
local p = lib.null_pointer()
assert(p == ffi.NULL and ffi.isnull(p))
assert(lib.is_null(nil) == 1 and lib.is_null(ffi.NULL) == 1 and lib.is_null(p) == 1)
assert(lib.is_null("x") == 0)
assert(tostring(lib.str_len(nil)) == "18446744073709551615ULL") -- (size_t)-1: a boxed uint64_t
-- arrays decay to pointers; C writes through out parameters
local a = ffi.new("int[5]", {1, 2, 3, 4, 5})
assert(lib.sum_ints(a, 5) == 15)
assert(lib.sum_ints(a + 2, 3) == 12)
local out = ffi.new("int[4]")
lib.fill_ints(out, 4, 10)
assert(out[0] == 10 and out[3] == 13)
local q, r = ffi.new("int[1]"), ffi.new("int[1]")
lib.divmod(17, 5, q, r)
assert(q[0] == 3 and r[0] == 2)
-- a pointer result points into the same memory
local nextp = lib.int_ptr_next(a)
assert(nextp[0] == 2 and nextp == a + 1)
-- a char buffer modified in place
local buf = ffi.new("char[16]", "hello")
lib.upper_in_place(buf)
assert(ffi.string(buf) == "HELLO")
-- pointer to a double cdata
assert(lib.deref_double(ffi.new("double[1]", 2.5)) == 2.5)
-- arrays of strings
local list = ffi.new("const char *[3]", {"zero", "one", "two"})
assert(ffi.string(lib.str_at(list, 2)) == "two")
-- Lua strings pass as const char * (not to char *)
assert(lib.str_len("abc\0def") == 3)
print("ok")
