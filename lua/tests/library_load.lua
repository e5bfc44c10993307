-- Library namespaces: ffi.load and ffi.dlopen, caching, ffi.dlclose, load errors,
-- global variables read and written in place, constants.
local ffi = require("ffi")
local path = TESTLIB or os.getenv("LUAFFI_TESTLIB")
if not path then print("skipped: set LUAFFI_TESTLIB to the path of libffitest.so") return end

ffi.cdef [[
typedef struct { int a, b; } IntPair;
int add_int(int a, int b);
extern int global_int;
extern double global_double;
extern int global_array[4];
extern IntPair global_pair;
extern const char *global_string;
int read_global_int(void);
int read_global_array(int i);
int read_global_pair_sum(void);
enum { LIB_CONSTANT = 17 };
]]

local lib = ffi.load(path)
assert(tostring(lib):find("library: ", 1, true))
-- functions are resolved once and cached: the same callable each time
assert(lib.add_int == lib.add_int)
assert(lib.add_int(1, 2) == 3)
-- ffi.dlopen: cffi's spelling, flags default to RTLD_NOW
local lib2 = ffi.dlopen(path)
assert(lib2.add_int(40, 2) == 42)
-- constants through a namespace
assert(lib.LIB_CONSTANT == 17)
local ok, err = pcall(function() lib.LIB_CONSTANT = 1 end)
assert(not ok and err:find("attempt to write to constant 'LIB_CONSTANT'", 1, true), err)

-- global variables: read and written in place
assert(lib.global_int == 42)
lib.global_int = 7
assert(lib.read_global_int() == 7 and lib.global_int == 7)
assert(lib.global_double == 2.5)
lib.global_double = -1.25
assert(lib.global_double == -1.25)
local arr = lib.global_array -- an array variable is a reference to C's memory
assert(arr[0] == 1 and arr[3] == 4)
arr[2] = 30
assert(lib.read_global_array(2) == 30)
local pair = lib.global_pair
assert(pair.a == 7 and pair.b == 8)
pair.a = 100
assert(lib.read_global_pair_sum() == 108)
lib.global_pair = ffi.new("IntPair", 1, 2) -- whole struct assignment
assert(lib.read_global_pair_sum() == 3)
assert(ffi.string(lib.global_string) == "global")
lib.global_int = 42

-- load errors
ok, err = pcall(ffi.load, "/nonexistent/libnothing.so")
assert(not ok and err:find("cannot load library '/nonexistent/libnothing.so'", 1, true), err)
ok, err = pcall(ffi.load, "surely_not_a_library_xyz")
assert(not ok and err:find("cannot load library", 1, true), err)
ok, err = pcall(ffi.load)
assert(not ok and err:find("bad argument #1 to 'load' (string expected, got no value)", 1, true)
  or err:find("bad argument #1 to 'load' (string expected, got nil)", 1, true), err)

-- ffi.dlclose: the namespace becomes unusable (an error, never a crash); functions
-- taken from it before keep the library loaded
local lib3 = ffi.load(path)
local add = lib3.add_int
ffi.dlclose(lib3)
ok, err = pcall(function() return lib3.add_int end)
assert(not ok and err:find("is closed", 1, true), err)
ok, err = pcall(function() lib3.global_int = 1 end)
assert(not ok and err:find("is closed", 1, true), err)
assert(add(2, 2) == 4)
ok, err = pcall(ffi.dlclose, 42)
assert(not ok and err:find("bad argument #1 to 'dlclose'", 1, true), err)
-- the library goes away with its last reference
lib3, add = nil, nil
collectgarbage()
collectgarbage()
assert(lib.add_int(1, 1) == 2) -- other namespaces are independent

-- ffi.C: the process's own symbols
ffi.cdef [[ size_t strlen(const char *s); int abs(int); ]]
assert(ffi.C.strlen("four") == 4 and ffi.C.abs(-3) == 3)
assert(tostring(ffi.C) == "library: C")
print("ok")
