-- Bitfields LuaJIT does not support: 64-bit base types and widths above 32.
local ffi = require("ffi")

ffi.cdef [[ struct cbw { uint64_t big:40; int64_t neg:36; unsigned small:3; }; ]]
local w = ffi.new("struct cbw", { big = 2 ^ 39 + 1, neg = -(2 ^ 35), small = 5 })
assert(w.big == 2 ^ 39 + 1 and math.type(w.big) == "integer")
assert(w.neg == -(2 ^ 35))
assert(w.small == 5)
w.big = -1
assert(w.big == (1 << 40) - 1)
assert(w.neg == -(2 ^ 35) and w.small == 5)
w.neg = (1 << 35) - 1
assert(w.neg == (1 << 35) - 1)
