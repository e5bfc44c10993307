-- luajit: compatible
-- Pointer arithmetic, comparisons and casts.
local ffi = require("ffi")
local num = ffi.tonumber or tonumber

local arr = ffi.new("int[5]", { 10, 20, 30, 40, 50 })
local q = arr + 1 -- arrays decay to pointers
assert(q[0] == 20 and q[1] == 30 and q[-1] == 10)
assert((q + 2)[0] == 40 and (q - 1)[0] == 10 and (2 + q)[0] == 40)
assert(num((arr + 4) - q) == 3 and num(q - arr) == 1)
assert(ffi.istype("int *", q))

-- Comparisons by address.
assert(q == arr + 1 and q ~= arr)
assert(q < arr + 2 and q > arr and q <= q and q >= arr)

-- Casts between pointers and integers.
local vp = ffi.cast("void *", q)
assert(ffi.cast("int *", vp)[0] == 20)
assert(num(ffi.cast("intptr_t", q) - ffi.cast("intptr_t", arr)) == 4)
assert(num(ffi.cast("uintptr_t", ffi.cast("void *", 0x1000))) == 0x1000)
assert(ffi.cast("char *", ffi.cast("int *", 0x1000)) == ffi.cast("char *", 0x1000))
-- Reinterpreting memory.
local bytes = ffi.cast("uint8_t *", arr)
assert(bytes[4] == 20 and bytes[5] == 0)
-- Casts of numbers: truncation and wrap-around.
assert(num(ffi.cast("int", 3.7)) == 3)
assert(num(ffi.cast("int8_t", 300)) == 44)
assert(num(ffi.cast("uint8_t", -1)) == 255)
assert(num(ffi.cast("double", 5)) == 5)
assert(num(ffi.cast("int64_t", ffi.new("double", -2.5))) == -2)
assert(num(ffi.cast("int", ffi.cast("void *", 123))) == 123)

-- Pointers to structs: fields and pointer steps of the struct's size.
ffi.cdef [[ typedef struct { int a; double b; } cp_rec; ]]
local recs = ffi.new("cp_rec[3]")
local rp = ffi.cast("cp_rec *", recs)
rp[2].b = 1.5
assert((rp + 2).b == 1.5)
assert(num(ffi.cast("char *", rp + 1) - ffi.cast("char *", rp)) == ffi.sizeof("cp_rec"))

-- void * converts implicitly to any pointer and back; others need a cast.
local ip = ffi.new("int *", vp)
assert(ip[0] == 20)
local ok, err = pcall(ffi.new, "double *", q)
assert(not ok and err:find("cannot convert 'int *' to 'double *'", 1, true), err)
ok, err = pcall(ffi.new, "int *", ffi.cast("const int *", q))
assert(not ok and err:find("cannot convert 'const int *' to 'int *'", 1, true), err)
ok, err = pcall(function() return q + q end)
assert(not ok and err:find("attempt to perform arithmetic on 'int *' and 'int *'", 1, true), err)
-- only pointers to the same type (qualifiers aside) subtract
local ints, chars = ffi.new("int[4]"), ffi.new("char[4]")
ok, err = pcall(function() return ffi.cast("int *", ints) - ffi.cast("char *", chars) end)
assert(not ok and err:find("attempt to perform arithmetic on 'int *' and 'char *'", 1, true), err)
assert((ffi.cast("int *", ints) + 2) - ffi.cast("const int *", ints) == 2)
assert((ffi.cast("int *", ints) + 2) - ints == 2)
