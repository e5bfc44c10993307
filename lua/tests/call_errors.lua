-- Errors of calls, in LuaJIT's words: argument count and types, missing
-- declarations and symbols, closed libraries, NULL function pointers.
local ffi = require("ffi")
local path = TESTLIB or os.getenv("LUAFFI_TESTLIB")
if not path then print("skipped: set LUAFFI_TESTLIB to the path of libffitest.so") return end
local lib = ffi.load(path)

ffi.cdef [[
int add_int(int a, int b);
double add_double(double a, double b);
int sum7(int a, int b, int c, int d, int e, int f, int g);
typedef struct { int a, b; } IntPair;
IntPair swap_pair(IntPair p);
int is_null(const void *p);
int no_such_function_in_lib(int);
]]

local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. pattern)
  assert(err:find(pattern, 1, true), "error was: " .. tostring(err) .. "\nwanted: " .. pattern)
  return err
end

fails("wrong number of arguments to 'add_int' (2 expected, got 1)", lib.add_int, 1)
fails("wrong number of arguments to 'add_int' (2 expected, got 3)", lib.add_int, 1, 2, 3)
fails("wrong number of arguments to 'sum7' (7 expected, got 0)", lib.sum7)
fails("bad argument #2 to 'add_int' (cannot convert 'string' to 'int')", lib.add_int, 1, "x")
fails("bad argument #1 to 'add_int' (cannot convert 'table' to 'int')", lib.add_int, {}, 1)
fails("bad argument #2 to 'add_double' (cannot convert 'nil' to 'double')", lib.add_double, 1, nil)
fails("bad argument #7 to 'sum7' (cannot convert 'string' to 'int')", lib.sum7, 1, 2, 3, 4, 5, 6, "7")
fails("bad argument #1 to 'swap_pair' (cannot convert 'string'", lib.swap_pair, "x")
fails("bad argument #1 to 'is_null' (cannot convert 'boolean' to 'const void *')", lib.is_null, true)
-- the message carries the caller's position
local err = fails("wrong number of arguments", lib.add_int)
assert(err:match("^[^:]+:%d+: ") or err:match("^wrong"), err)
-- missing declaration and missing symbol
fails("missing declaration for symbol 'not_declared_anywhere'", function() return lib.not_declared_anywhere end)
fails("cannot resolve symbol 'no_such_function_in_lib'", function() return lib.no_such_function_in_lib end)
fails("undefined symbol", function() return ffi.C.no_such_function_in_lib end)
-- calling a NULL function pointer
local fp = ffi.cast("int (*)(int, int)", nil)
fails("attempt to call a NULL function pointer of type", fp, 1, 2)
-- a function pointer cdata calls like the function
local add = ffi.cast("int (*)(int, int)", lib.add_int)
assert(add(20, 22) == 42)
fails("wrong number of arguments to 'int (*)(int, int)' (2 expected, got 1)", add, 1)
-- the library still works after all those errors
assert(lib.add_int(1, 2) == 3)
print("ok")
