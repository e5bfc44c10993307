-- Enum and static const constants through ffi.C (64-bit enum values go beyond LuaJIT).
local ffi = require("ffi")
ffi.cdef [[
  enum fruit { APPLE, PEAR = 10, PLUM };
  enum big_values { BIG = 0x100000000, NEGATIVE = -5 };
  static const int ANSWER = 6 * 7;
  static const unsigned char SMALL = 300;
  struct holder { static const int INSIDE = 3; enum { NESTED_A = 7 } kind; };
]]
assert(ffi.C.APPLE == 0 and ffi.C.PEAR == 10 and ffi.C.PLUM == 11)
assert(ffi.C.BIG == 4294967296 and ffi.C.NEGATIVE == -5)
assert(ffi.C.ANSWER == 42)
assert(ffi.C.SMALL == 44, "converted to the declared type")
assert(ffi.C.NESTED_A == 7)
assert(ffi.sizeof("struct holder") == 4, "static const members take no space")

local ok, err = pcall(function() return ffi.C.not_declared_anywhere end)
assert(not ok and err:find("missing declaration for symbol 'not_declared_anywhere'", 1, true), err)
