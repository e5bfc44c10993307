-- luajit: compatible
-- LuaJIT's declaration rules (lj_cparse.c), which cdef follows: run side by side with luajit.
local ffi = require("ffi")

local function fails(f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "an error was expected")
  return err
end

-- The first (only) declaration of a cdef may omit its final ';'.
ffi.cdef "int abs(int x)"
ffi.cdef "typedef struct { int a; } rules_foo_t"
ffi.cdef "struct rules_T5 { int a; }"
assert(ffi.C.abs(-3) == 3)
assert(ffi.sizeof("rules_foo_t") == 4 and ffi.sizeof("struct rules_T5") == 4)
fails(ffi.cdef, "int rules_f1(int x); int rules_f2(int x)")
fails(ffi.cdef, ";int rules_f3(int x)")
fails(ffi.cdef, "int rules_f4(int x) int rules_f5(int y);")

-- Redeclaring a function, a variable or a typedef with another type keeps the first.
ffi.cdef "int abs(double x); typedef int rules_t; typedef double rules_t; typedef int ssize_t;"
assert(ffi.C.abs(-4) == 4)
assert(ffi.sizeof("rules_t") == 4 and ffi.sizeof("ssize_t") == ffi.sizeof("void *"))
ffi.cdef "extern int rules_var; extern double rules_var;"
-- A struct body stays defined once.
ffi.cdef "struct rules_RS { int a; };"
fails(ffi.cdef, "struct rules_RS { int b; };")

-- Refused, as in C.
for _, bad in ipairs {
  "int double", "char double", "double double", "int &[10]", "union { int a; int b[?]; }",
  "struct { _Bool a:2; }", "struct { int __attribute__((mode(TI))) a:2; }",
} do
  fails(ffi.typeof, bad)
end
fails(ffi.cdef, "static int rules_static;")
fails(ffi.cdef, "static const double rules_sd = 1;")
fails(ffi.cdef, "struct rules_s { static int x = 1; };")

-- Struct-scoped constants: static const members and an anonymous enum's enumerators.
ffi.cdef [[
struct rules_k {
  static const int K = 5;
  enum { EA = 7, EB };
  int a;
};
]]
local k = ffi.new("struct rules_k")
local kt = ffi.typeof("struct rules_k")
assert(k.K == 5 and k.EA == 7 and k.EB == 8)
assert(kt.K == 5 and kt.EB == 8)
assert(ffi.new("struct rules_k *", k).K == 5)
assert(ffi.sizeof(kt) == 4)
assert(ffi.C.EB == 8)                                 -- enumerators stay global
fails(function() return ffi.C.K end)                  -- static const members do not
fails(function() k.K = 1 end)
local k_mt = ffi.metatype("struct rules_k", { __newindex = function() error("not for constants") end })
local err = fails(function() k_mt().K = 1 end)
assert(err:find("constant location", 1, true), err)

-- A member naming an existing struct without a declarator is a transparent member.
ffi.cdef "struct rules_foo2 { int a, b; };"
local bar = ffi.new("struct { struct rules_foo2; int c; }")
bar.b, bar.c = 2, 3
assert(bar.b == 2 and bar.c == 3 and ffi.sizeof(bar) == 12)
assert(ffi.offsetof(bar, "c") == 8)

-- String literals in constant expressions; backslash-newline, inside names too.
assert(ffi.sizeof("char[sizeof(\"aa\" \"bb\")]") == 5)
assert(ffi.sizeof("char[sizeof \"\"]") == 1)
ffi.cdef "typedef int \\\n rules_bs_t; typedef int rules_sp\\\nliced_t;"
assert(ffi.sizeof("rules_bs_t") == 4 and ffi.sizeof("rules_spliced_t") == 4)
assert(ffi.sizeof("ch\\\nar") == 1)

-- aligned on typedefs and type names, arrays included (the last one written wins).
ffi.cdef "typedef int __attribute__((aligned(16))) rules_i16; struct rules_wa { char c; rules_i16 x; };"
assert(ffi.alignof("rules_i16") == 16 and ffi.sizeof("rules_i16") == 4)
assert(ffi.sizeof("struct rules_wa") == 32 and ffi.offsetof("struct rules_wa", "x") == 16)
assert(ffi.alignof("int __attribute__((aligned(8))) [10]") == 8)
assert(ffi.alignof("int [10] __attribute__((aligned(8)))") == 8)
assert(ffi.alignof("char __attribute__((aligned(8))) const __attribute__((aligned(2)))") == 2)
assert(ffi.alignof("int __attribute__((aligned(2)))") == 2)

-- Vector machine modes.
assert(ffi.sizeof("float __attribute__((mode(V4SF)))") == 16)
assert(ffi.sizeof("struct { int a; float __attribute__((mode(__V2SF__))) b[2]; }") == 24)

-- ffi.istype: ctype objects stand for their type; pointers to compatible types match.
local int_t, ptr_t = ffi.typeof("int"), ffi.typeof("int *")
assert(ffi.istype(int_t, int_t) and ffi.istype("const int", int_t))
assert(ffi.istype("unsigned int *", ptr_t) and not ffi.istype("char *", ptr_t))
assert(ffi.istype("int[3]", ffi.typeof("const int[3]")) and not ffi.istype("int[4]", ffi.typeof("int[3]")))
assert(ffi.istype(kt, ffi.new("struct rules_k *")) and not ffi.istype("struct rules_k *", kt))
assert(not ffi.istype("void", "void") and not ffi.istype("double", 1.5))

-- Values (found by scripts/luajit-diff): floats into integers as x86-64 converts them.
local tonum = ffi.tonumber or tonumber -- a plain Lua state has no cdata-aware tonumber
local function int(t, v) return tonum(ffi.new(t, v)) end
assert(int("int8_t", 2^32 + 5) == 0 and int("uint8_t", 2^32 + 5) == 0 and int("int16_t", 3e9) == 0)
assert(int("int32_t", 2^53) == -2^31 and int("int32_t", -1/0) == -2^31 and int("int8_t", -1.5) == -1)
assert(int("uint32_t", 3e9) == 3e9 and int("uint32_t", -3e9) == 1294967296 and int("uint32_t", 2^63) == 0)
assert(tonum(ffi.cast("uint8_t", 2^32 + 5)) == 0 and tonum(ffi.cast("int16_t", ffi.new("double", 3e9))) == 0)
local narrow = ffi.new("struct { int8_t a; int32_t b; }")
narrow.a, narrow.b = 2^32 + 5, 2^31
assert(narrow.a == 0 and narrow.b == -2^31)
assert(ffi.new("int8_t[2]", 2^32 + 5)[1] == 0)
-- bool: any non-zero value is true, floating cdata untruncated; bool bitfields too.
assert(tonum(ffi.new("bool", ffi.new("double", 0.5))) == 1)
local bits = ffi.new("struct { bool b : 1; }", {2})
assert(bits.b == true)
bits.b = 0.5
assert(bits.b == true)
-- A single initializer in a table fills an array of known size, complex numbers too.
assert(ffi.new("int[3]", {7})[2] == 7 and ffi.new("int[3]", {[0] = 7})[2] == 7)
assert(ffi.new("int[3]", {7, 8})[2] == 0)
local c = ffi.new("complex", {2})
assert(c.re == 2 and c.im == 2)
assert(ffi.new("complex", {nil, 5}).im == 0)
fails(ffi.new, "complex", {1, 2, 3})
-- Pointers move by a float truncated.
local arr = ffi.new("int[4]", {10, 20, 30, 40})
assert((arr + 2.0)[0] == 30 and (arr + 1.5)[0] == 20 and (1.0 + arr)[0] == 20)
-- ffi.fill's byte converts as to int; counts and lengths are truncated.
local buf = ffi.new("char[4]")
ffi.fill(buf, 4, true)
assert(buf[3] == 1)
ffi.fill(buf, 4, 65.5)
assert(buf[0] == 65)
assert(select(2, pcall(ffi.fill, buf, 4, "A")):find("cannot convert 'string' to 'int'", 1, true))
ffi.fill(buf, 2.7, 0)
assert(buf[1] == 0 and buf[2] == 65)
assert(ffi.string("abc", 2.5) == "ab" and ffi.sizeof("int[?]", 2.5) == 8 and ffi.sizeof(ffi.new("char[?]", 2.5)) == 2)
ffi.copy(buf, "xyz", 1.5)
assert(buf[0] == string.byte("x") and buf[1] == 0)
-- A struct ending in [?] is its own size plus the elements, unrounded.
local vls = "struct { int64_t a; char b; uint16_t g[?]; }"
assert(ffi.sizeof(vls, 1) == 18 and ffi.sizeof(vls, 3) == 22 and ffi.sizeof(ffi.new(vls, 3)) == 22)
-- Complex numbers print with %.14g.
assert(tostring(ffi.new("complex float", 2^53 + 1)) == "9.007199254741e+15+0i")
assert(tostring(ffi.new("complex", 1/3, -0.0)) == "0.33333333333333-0i")
-- tostring spells types as LuaJIT: no parameter lists, `complex`, `char` for int8_t.
assert(tostring(ffi.typeof("int (*)(void)")) == "ctype<int (*)()>")
assert(tostring(ffi.typeof("int (*[3])(double, ...)")) == "ctype<int (*[3])()>")
assert(tostring(ffi.typeof("complex *")) == "ctype<complex *>" and tostring(ffi.typeof("complex float")) == "ctype<complex float>")
assert(tostring(ffi.typeof("int8_t")) == "ctype<char>" and tostring(ffi.typeof("uint8_t")) == "ctype<unsigned char>")
assert(tostring(ffi.new("complex[1]")):match("^cdata<complex %[1%]>: "))
-- An enum cdata shows its value.
ffi.cdef "enum rules_e { RULES_A, RULES_B = 5 };"
assert(tostring(ffi.new("enum rules_e", 5)) == "cdata<enum rules_e>: 5")
-- Positional initializers flatten anonymous members; a table's extra elements are ignored.
local flat = ffi.new("struct { struct { int a, b; }; int c; }", {1, 2, 3})
assert(flat.a == 1 and flat.b == 2 and flat.c == 3)
flat = ffi.new("struct { int x; struct { int a, b; }; int c; }", 1, 2, 3, 4)
assert(flat.x == 1 and flat.a == 2 and flat.b == 3 and flat.c == 4)
fails(ffi.new, "struct { int x; struct { int a, b; }; int c; }", 1, 2, 3, 4, 5)
assert(ffi.new("struct { struct { int a; }; int c; }", ffi.new("int", 7)).a == 7)
local un = ffi.new("union { struct { int a, b; }; int c; }", {1, 2, 3})
assert(un.a == 3 and un.b == 2)                      -- a table goes on to the first named member
assert(ffi.new("union { int a; int b; }", {1, 2}).a == 1)
fails(ffi.new, "union { int a; int b; }", 1, 2)
assert(ffi.new("struct { int x, y; }", {[0] = 5, 6}).y == 6)
-- No scalar converts to an array or a struct (a number does to a complex).
fails(ffi.new, "struct { int f[2]; int c; }", 1, 2)
fails(ffi.new, "struct { struct { int a; } s; }", {7})
fails(ffi.new, "struct { int a; }[2]", 5)
fails(ffi.new, "int[2][2]", {5, 6})
assert(ffi.new("int[2][2]", {{5, 6}})[0][1] == 6)
assert(ffi.new("struct { complex z; }", 7).z.re == 7)
-- A boolean is no complex number.
fails(ffi.new, "complex", true)
fails(ffi.new, "complex[2]", true)
fails(ffi.new, "union { complex float f; }", false)
-- A ctype object has only its constants (and its metatype's __index).
assert(select(2, pcall(function() return ffi.typeof("struct rules_foo2").a end)):find("has no member named 'a'", 1, true))
-- A complex element or field reads as a value; its parts are read-only.
local zs = ffi.new("struct { complex z; complex float w[2]; }", {{1, 2}, {{3, 4}}})
local z = zs.z
zs.z = 9
assert(z.re == 1 and z.im == 2 and tostring(zs.w[0]) == "3+4i")
assert(tostring(ffi.typeof(zs.w[0])) == "ctype<complex float>")
assert(not pcall(function() z.re = 5 end) and not pcall(function() z[1] = 5 end))
-- ffi.cast makes scalars: no aggregate targets; a complex casts as its real part.
for _, t in ipairs { "complex", "int[2]", "struct rules_foo2" } do
  assert(select(2, pcall(ffi.cast, t, 1)):find("invalid C type", 1, true))
end
assert(tonum(ffi.cast("int", ffi.new("complex", 3, 4))) == 3 and tonum(ffi.cast("char", ffi.new("complex", 255))) == -1)
-- A complex is no truth value.
fails(ffi.new, "bool", ffi.new("complex float", 1))
fails(ffi.cast, "bool", ffi.new("complex", 1))
-- uint64_t from 2^64 and beyond: 2^64 is subtracted first (x86-64).
assert(ffi.new("uint64_t", 2^64) == ffi.new("uint64_t", 0) and ffi.new("uint64_t", 2^64 + 4096) == ffi.new("uint64_t", 4096))
-- ffi.sizeof of a VLA object is its own size, whatever count follows.
local vla = ffi.new("int[?]", 3)
assert(ffi.sizeof(vla) == 12 and ffi.sizeof(vla, 100) == 12 and ffi.sizeof(vla, 0.5) == 12)
-- 0 to a negative power is the largest int64_t.
assert(tostring(ffi.new("int64_t", 0) ^ -1) == "9223372036854775807LL")
-- An integer cdata against a Lua float: the float converts to 64 bits first.
assert(not (ffi.new("int", 3) < 3.5) and ffi.new("int", 3) <= 3.5 and not (ffi.new("int64_t", 5) < 5.9))
assert(ffi.new("int64_t", 2^53) + 1 > 2^53)
-- A VLA member takes a table (or a string for bytes), no number.
fails(ffi.new, "struct { int n; char tail[?]; }", 3, 1, 100000)
assert(ffi.new("struct { int n; char tail[?]; }", 3, 1, "ab").tail[1] == string.byte("b"))
-- A ctype's __index table lacking the key is an error, as for its cdata.
local mt_ct = ffi.metatype("struct { int a; }", { __index = { x = 1 } })
assert(mt_ct.x == 1 and not pcall(function() return mt_ct.y end))
-- A union initialized by name takes the first member the table names.
assert(ffi.new("union { int a; float b; }", {b = 1.5, a = 7}).a == 7)
-- A bitfield as wide as its type is a plain field to offsetof.
assert(select("#", ffi.offsetof("struct { int a; int b : 32; }", "b")) == 1)
assert(select("#", ffi.offsetof("struct { int a; int b : 31; }", "b")) == 3)
-- Structs compare by address: two references to one element are equal.
local sa = ffi.new("struct rules_foo2[2]")
assert(sa[0] == sa[0] and sa[0] ~= sa[1] and ffi.new("struct rules_foo2") ~= ffi.new("struct rules_foo2"))
-- const on an array type qualifies its elements (a typedef or $ too).
ffi.cdef "typedef int rules_arr2[2];"
assert(tostring(ffi.typeof("const rules_arr2")) == "ctype<const int [2]>")
assert(tostring(ffi.typeof("const $", ffi.typeof("int[2]"))) == "ctype<const int [2]>")
-- A cdata as a $ parameter stands for its type.
assert(tostring(ffi.typeof("$ *", ffi.new("int"))) == "ctype<int *>")
-- A floating cdata is no address.
fails(ffi.cast, "int *", ffi.new("double", 1))
-- Pointers to a metatyped struct move and compare as pointers; the struct has the metamethods.
ffi.cdef "struct rules_mp { int a; }; struct rules_gc { int a; };"
ffi.metatype("struct rules_mp", { __add = function() return "add" end, __eq = function() return "eq" end })
local mps = ffi.new("struct rules_mp[3]")
local mp = mps + 0
assert(ffi.istype("struct rules_mp *", mp + 1) and (mp + 2) - mp == 2 and mp == mps + 0)
assert(mps[0] + 1 == "add")
-- No __gc for an object whose initializer failed.
local collected = 0
local gct = ffi.metatype("struct rules_gc", { __gc = function() collected = collected + 1 end })
assert(not pcall(gct, "x"))
collectgarbage(); collectgarbage()
assert(collected == 0)
-- Vectors (mode(V4SI), vector_size): initialized as arrays, indexed read-only,
-- assigned from a vector of the same size (bits) or broadcast from a number.
local v4si = "int __attribute__((mode(V4SI)))"
local v = ffi.new(v4si, 1, 2, 3, 4)
assert(v[0] == 1 and v[3] == 4 and ffi.sizeof(v) == 16)
assert(ffi.new(v4si, 7)[3] == 7 and ffi.new(v4si, {7})[3] == 7 and ffi.new(v4si, {7, 8})[3] == 0)
assert(ffi.new("double __attribute__((vector_size(16)))", {3.5, -6.75})[1] == -6.75)
assert(ffi.new(v4si, v)[2] == 3)
fails(ffi.new, v4si, 1, 2, 3, 4, 5)
assert(not pcall(function() v[1] = 5 end))
fails(ffi.new, "int", v)
local vs = ffi.new("struct { " .. v4si .. " v4si; uint8_t __attribute__((mode(V16QI))) v16qi; double __attribute__((mode(V2DF))) v2df; }")
vs.v4si = -17
assert(vs.v4si[0] == -17 and vs.v4si[3] == -17)
vs.v4si = ffi.new("int32_t", 712)
assert(vs.v4si[2] == 712)
vs.v2df = ffi.new("complex", 9.125, -78.5)
assert(vs.v2df[0] == 9.125 and vs.v2df[1] == 9.125)
vs.v4si = 0x33333333
vs.v16qi = vs.v4si
assert(vs.v16qi[0] == 0x33 and vs.v16qi[15] == 0x33)
assert(tostring(ffi.typeof(vs.v4si)) == "ctype<int __attribute__((vector_size(16)))>")
-- Struct-scoped constants in constant expressions, through a variable or a cast.
ffi.cdef "struct rules_str1 { enum { RULES_K99 = 99 }; static const int K55 = 55; } rules_extk;"
assert(ffi.sizeof("char[rules_extk.RULES_K99]") == 99 and ffi.sizeof("char[rules_extk.K55]") == 55)
assert(ffi.sizeof("char[((struct rules_str1)0).RULES_K99]") == 99)
assert(ffi.sizeof("char[((struct rules_str1 *)0)->K55]") == 55)
assert(ffi.sizeof("char[((int)3 + 4) * 2]") == 14)
fails(ffi.typeof, "char[K55]")
fails(ffi.typeof, "char[rules_extk.nosuch]")
fails(ffi.typeof, "char[((struct rules_str1 *)0).K55]")
-- A reference member is bound by its initializer as a pointer would be.
local target = ffi.new("int[1]", 42)
local holder = ffi.new("struct { int &x; }", target)
assert(holder.x == 42 and ffi.sizeof(holder) == ffi.sizeof("void *"))
holder.x = 7
assert(target[0] == 7)
fails(ffi.new, "struct { int &x; }", ffi.new("int", 5))
-- A struct casts to no integer; a bool cdata is no complex number.
fails(ffi.cast, "int", ffi.new("struct rules_foo2"))
assert(ffi.cast("void *", ffi.new("struct rules_foo2")) ~= nil)
fails(ffi.new, "complex float", ffi.new("bool", true))
-- Only pointers to one type (or void) order.
local ca, ia = ffi.new("char[4]"), ffi.new("int[2]")
assert(not pcall(function() return ca < ia end) and (ca < ca + 1) and ffi.cast("unsigned char *", ca) <= ca)
assert(not pcall(function() return ffi.cast("void *", ca) <= ca end))
-- A float of 2^63 or more is -2^63 in int64_t arithmetic, as LuaJIT converts it.
assert(tostring(2^63 + 2^11 + ffi.new("int64_t", 1)) == "-9223372036854775807LL")
-- char is int8_t to ffi.istype and ctype ==, as LuaJIT has one type for both (x86-64).
if ffi.arch == "x64" then
  assert(ffi.istype("char", ffi.new("int8_t")) and ffi.istype("int8_t", ffi.new("char")))
  assert(ffi.typeof("char") == ffi.typeof("int8_t") and ffi.typeof("char") ~= ffi.typeof("uint8_t"))
end
-- Call arguments convert floats as fields do (x86-64): abs(2^32 + 5) gets -2^31.
assert(ffi.C.abs(2^32 + 5) == -2^31 and ffi.C.abs(-2.5) == 2)
-- A tag in a type name must have been declared by a cdef (a typo is caught, not a new
-- incomplete type), and a type name never defines one; anonymous bodies are fine.
ffi.cdef "struct rules_tag_known { int a; }; struct rules_tag_opaque;"
for _, spelling in ipairs({ "struct rules_tag_typo", "struct rules_tag_typo *", "union rules_tag_u { int a; }",
                            "enum rules_tag_e { RTE_A }", "struct rules_tag_new { int a; } *" }) do
  assert(fails(ffi.typeof, spelling):find("undeclared or implicit tag 'rules_tag_", 1, true), spelling)
end
assert(fails(ffi.typeof, "struct rules_tag_known { int a; }"):find("attempt to redefine 'rules_tag_known'", 1, true))
assert(not pcall(ffi.new, "struct rules_tag_typo") and not pcall(ffi.cast, "struct rules_tag_typo *", 0))
assert(ffi.sizeof("struct rules_tag_known") == 4 and ffi.typeof("struct rules_tag_opaque *") ~= nil)
assert(ffi.sizeof("struct { int a, b; }") == 8 and ffi.typeof("enum { RTE_ANON }") ~= nil)
-- A cast in a constant expression converts to no type narrower than int: the value is
-- kept, compares unsigned and takes the other operand's type in arithmetic.
assert(ffi.sizeof("char[(char)257]") == 257 and ffi.sizeof("char[(uint8_t)257 * 2]") == 514)
assert(ffi.sizeof("char[(short)65537]") == 65537 and ffi.sizeof("char[(_Bool)2 + 1]") == 3)
assert(ffi.sizeof("char[1 + ((char)-1 < 0)]") == 1 and ffi.sizeof("char[1 + ((char)-1 + 0 < 0)]") == 2)
assert(ffi.sizeof("char[(char)-10 / 2 + 10]") == 5 and ffi.sizeof("char[((char)-1 >> 28) + 1]") == 16)
ffi.cdef "enum rules_ce { RULES_CE_A = (char)257, RULES_CE_B = (unsigned char)-1 };"
assert(ffi.C.RULES_CE_A == 257 and ffi.C.RULES_CE_B == -1)
ffi.cdef "struct rules_cs { static const int K = (unsigned char)-1; static const char L = 257; };"
assert(ffi.new("struct rules_cs").K == -1 and ffi.new("struct rules_cs").L == 1)
-- A uint64_t read above 2^63 is boxed with its declared qualifiers (not the container's).
local rules_u64 = ffi.new("struct { const uint64_t a; volatile uint64_t v; }", { ffi.cast("uint64_t", -1), ffi.cast("uint64_t", -1) })
assert(ffi.typeof(rules_u64.a) == ffi.typeof("const uint64_t") and ffi.typeof(rules_u64.v) == ffi.typeof("volatile uint64_t"))
assert(ffi.typeof(ffi.new("const uint64_t[1]", ffi.cast("uint64_t", -1))[0]) == ffi.typeof("const uint64_t"))
assert(ffi.typeof(ffi.new("const struct { uint64_t a; }", { ffi.cast("uint64_t", -1) }).a) == ffi.typeof("uint64_t"))
assert(ffi.typeof(rules_u64.a + 1) == ffi.typeof("uint64_t"))
-- Sizes stay below 2^31 bytes, records below 2^29 (LuaJIT's limits): larger arrays and
-- records are refused, a larger variable-length object has no size and is not made.
fails(ffi.typeof, "char [0x80000000]")  -- a count of 2^31 or more
for _, big in ipairs { "int [0x10000][0x2000]", "int [256][256][256][256]",
                       "int [0x20000000]", "char [0x40000000][2]", "struct { char a[0x20000000]; }",
                       "struct { char a[0x10000000]; char b[0x10000000]; }", "union { char a[0x7ffffff0]; }",
                       "struct { char a[0x1fffffff]; int b; }", "struct { char a[0x1fffffff]; int b:3; }" } do
  assert(fails(ffi.typeof, big):find("size of C type is unknown or too large", 1, true), big)
end
fails(ffi.cdef, "struct rules_too_big { char a[0x40000000]; char b[0x40000000]; };")
assert(ffi.sizeof("char [0x7fffffff]") == 0x7fffffff and ffi.sizeof("struct { char a[0x1fffffff]; }") == 0x1fffffff)
assert(ffi.sizeof("char [0x7fffffff][1]") == 0x7fffffff)
local rules_vla, rules_vls = ffi.typeof("const short [?]"), ffi.typeof("struct { int x; short a[?]; }")
assert(ffi.sizeof(rules_vla, 0x3fffffff) == 2 * 0x3fffffff and ffi.sizeof(rules_vla, 0x40000000) == nil)
assert(ffi.sizeof(rules_vls, 0x3ffffffd) == 4 + 2 * 0x3ffffffd and ffi.sizeof(rules_vls, 0x3ffffffe) == nil)
assert(ffi.sizeof(rules_vla, 2^40) == nil and ffi.sizeof("int[?]", 0x20000000) == nil)
assert(fails(ffi.new, rules_vla, 0x40000000):find("size of C type is unknown or too large", 1, true))
assert(fails(ffi.new, rules_vls, 0x40000000):find("size of C type is unknown or too large", 1, true))
-- A bitfield converts a number as a 32-bit integer of its signedness, whatever its
-- declared width: 2^32 + 5 into a uint8_t bitfield is 5, into an int one 0 (x86-64).
local rules_bf = ffi.new("struct { uint8_t u:3; int s:3; int x; }", 2^32 + 5, 2^32 + 5)
assert(rules_bf.u == 5 and rules_bf.s == 0)
rules_bf.u = 2^33 + 6
assert(rules_bf.u == 6 and ffi.new("struct { uint8_t u:3; int x; char t[?]; }", 1, 2^32 + 5).u == 5)
-- char and int8_t are one type to LuaJIT (x86-64): arrays of them initialize and
-- assign each other and their ctypes are equal.
if ffi.arch == "x64" then
  local i8 = ffi.new("int8_t[2]", 1, 2)
  assert(ffi.new("char[2]", i8)[1] == 2 and ffi.new("int8_t[2]", ffi.new("char[2]", 3))[1] == 3)
  local holder8 = ffi.new("struct { int8_t a[2]; }")
  holder8.a = ffi.new("char[2]", 4, 5)
  assert(holder8.a[1] == 5 and ffi.typeof("char[2]") == ffi.typeof("int8_t[2]"))
  assert(ffi.typeof("const char[2]") ~= ffi.typeof("int8_t[2]"))
  fails(ffi.new, "unsigned char[2]", i8)
end
-- A table assigned to the [?] member of a variable-length struct writes its elements
-- and leaves the rest (LuaJIT); more elements than the object has are an error here.
local rules_vs = ffi.new("struct { int a; int tail[?]; }", 3)
rules_vs.tail = { 7, 8, 9 }
rules_vs.tail = { 4 }
assert(rules_vs.tail[0] == 4 and rules_vs.tail[1] == 8 and rules_vs.tail[2] == 9)
fails(function() rules_vs.tail = 5 end)
if not jit then fails(function() rules_vs.tail = { 1, 2, 3, 4 } end) end
-- An array assigned from a table or a string is written element by element, then the
-- rest filled: a shorter string keeps the bytes after its terminator, a failed write
-- keeps the elements it did not reach (a struct is cleared first).
local rules_aw = ffi.new("struct { char a[4]; int b[3]; int m[2][2]; struct { int x, y; } p; }",
                         { "xyz", { 1, 2, 3 }, { { 1, 2 }, { 3, 4 } }, { 1, 2 } })
rules_aw.a = "q"
assert(rules_aw.a[0] == 113 and rules_aw.a[1] == 0 and rules_aw.a[2] == 122)
fails(function() rules_aw.b = { 4, "x" } end)
assert(rules_aw.b[0] == 4 and rules_aw.b[1] == 2 and rules_aw.b[2] == 3)
rules_aw.b = { 9, 8 }
assert(rules_aw.b[2] == 0)
fails(function() rules_aw.m = { { 5 }, { 6, {} } } end)
assert(rules_aw.m[0][1] == 5 and rules_aw.m[1][0] == 6 and rules_aw.m[1][1] == 4)
fails(function() rules_aw.p = { 9, {} } end)
assert(rules_aw.p.x == 9 and rules_aw.p.y == 0)
-- A complex from a table is an array of two parts: a failed write keeps the part it
-- did not reach.
local rules_cw = ffi.new("struct { complex c; }", { ffi.new("complex", 1, 2) })
fails(function() rules_cw.c = { "x", 5 } end)
assert(rules_cw.c.re == 1 and rules_cw.c.im == 2)
fails(function() rules_cw.c = { 7, "x" } end)
assert(rules_cw.c.re == 7 and rules_cw.c.im == 2)
rules_cw.c = {}
assert(rules_cw.c.re == 0 and rules_cw.c.im == 0)

-- Arithmetic with a floating cdata is 64-bit integer arithmetic, as every cdata
-- arithmetic is in LuaJIT (lj_carith.c): floats are truncated to int64_t first.
local rules_d, rules_f = ffi.new("double", 2.5), ffi.new("float", 2.5)
local tonum = ffi.tonumber or tonumber -- (plain tonumber of a cdata is nil in Lua 5.4)
local function int64is(x, n) return ffi.istype("int64_t", x) and tonum(x) == n end
assert(int64is(rules_d + 1, 3) and int64is(rules_d + rules_d, 4) and int64is(rules_f * 2, 4))
assert(int64is(-rules_d, -2) and int64is(rules_d / 2, 1) and int64is(rules_d % 2, 0) and int64is(rules_d ^ 2, 4))
assert(int64is(ffi.new("int64_t", 1) + rules_d, 3) and int64is(ffi.new("double", -2.5) * ffi.new("int64_t", 1), -2))
assert(ffi.istype("uint64_t", rules_d + ffi.new("uint64_t", 1)))
assert(not (rules_d < 2.7) and rules_d <= 2 and rules_d < 3 and rules_d == ffi.new("double", 2.9))
local rules_arr = ffi.new("int[4]")
assert(rules_d + rules_arr == rules_arr + 2)
fails(function() return ffi.new("complex", 1, 2) + 1 end)
