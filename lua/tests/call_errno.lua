-- errno after C calls: ffi.errno() reads the value saved right after the last
-- call, ffi.errno(n) sets it and returns the old one.
local ffi = require("ffi")
local path = TESTLIB or os.getenv("LUAFFI_TESTLIB")
if not path then print("skipped: set LUAFFI_TESTLIB to the path of libffitest.so") return end

local lib = ffi.load(path)
ffi.cdef [[ int set_errno(int e); int get_errno(void); int add_int(int a, int b); ]]
assert(lib.set_errno(34) == -1)
assert(ffi.errno() == 34)
-- Lua work between calls does not disturb the saved value
local t = {}
for i = 1, 1000 do t[i] = tostring(i) end
io.open("/nonexistent/x", "r")
assert(ffi.errno() == 34)
-- the next C call saves again
lib.set_errno(2)
assert(ffi.errno() == 2)
-- setting: returns the old value, and C sees the new one
assert(ffi.errno(5) == 2)
assert(lib.get_errno() == 5)
lib.set_errno(0)
assert(ffi.errno() == 0)
print("ok")
