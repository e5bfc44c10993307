-- luajit: compatible
-- ffi.sizeof, alignof, offsetof on structs, unions, bitfields, packed and VLA types.
-- (CTypes' own tests compare thousands of layouts with the C compiler; this checks
-- that the Lua functions report them.)
local ffi = require("ffi")
ffi.cdef [[
  struct lay_mixed { char c; double d; short s; };
  struct lay_bits { int a:3; unsigned b:5; int :0; int c:4; };
  struct __attribute__((packed)) lay_packed { char c; int i; };
  #pragma pack(push, 2)
  struct lay_pack2 { char c; int i; };
  #pragma pack(pop)
  struct lay_vls { int n; double items[?]; };
  union lay_union { char c[5]; int i; };
  struct lay_aligned { char c; int i __attribute__((aligned(16))); };
]]
assert(ffi.sizeof("struct lay_mixed") == 24 and ffi.alignof("struct lay_mixed") == 8)
assert(ffi.offsetof("struct lay_mixed", "d") == 8)
assert(ffi.offsetof("struct lay_mixed", "s") == 16)
assert(ffi.offsetof("struct lay_mixed", "nope") == nil)

-- Bitfields: byte offset of the storage unit, bit position, width.
local ofs, bpos, bsize = ffi.offsetof("struct lay_bits", "b")
assert(ofs == 0 and bpos == 3 and bsize == 5, ("%s %s %s"):format(ofs, bpos, bsize))
ofs, bpos, bsize = ffi.offsetof("struct lay_bits", "c")
assert(ofs == 4 and bpos == 0 and bsize == 4)
assert(ffi.sizeof("struct lay_bits") == 8)

assert(ffi.sizeof("struct lay_packed") == 5 and ffi.alignof("struct lay_packed") == 1)
assert(ffi.sizeof("struct lay_pack2") == 6 and ffi.offsetof("struct lay_pack2", "i") == 2)
assert(ffi.sizeof("union lay_union") == 8)
assert(ffi.sizeof("struct lay_aligned") == 32 and ffi.offsetof("struct lay_aligned", "i") == 16)

-- Variable-length arrays and structs take the element count.
assert(ffi.sizeof("int[?]", 10) == 40)
assert(ffi.sizeof("struct lay_vls", 3) == 32)
assert(not pcall(ffi.sizeof, "int[?]"), "a VLA needs nelem")
assert(ffi.sizeof("void") == nil and ffi.sizeof("int(int)") == nil)

assert(ffi.alignof("double") == 8 and ffi.alignof("char") == 1 and ffi.alignof("int64_t") == 8)
assert(ffi.sizeof("long double") == 16 and ffi.alignof("long double") == 16)
assert(ffi.sizeof("bool") == 1 and ffi.sizeof("wchar_t") == 4 and ffi.sizeof("size_t") == 8)
