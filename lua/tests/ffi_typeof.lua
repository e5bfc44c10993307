-- luajit: compatible
-- ffi.typeof: ctype objects, their C spelling, identity, parameters, errors.
local ffi = require("ffi")

local function spelled(decl, expected)
  local got = tostring(ffi.typeof(decl))
  assert(got == "ctype<" .. expected .. ">", decl .. " gave " .. got)
end
spelled("int", "int")
spelled("const char *", "const char *")
spelled("char *const", "char *const")
spelled("unsigned long long", "uint64_t")
spelled("long unsigned int", "uint64_t")
spelled("int64_t", "int64_t")
spelled("uint8_t[?]", "unsigned char [?]")
spelled("int[10]", "int [10]")
spelled("char (*)[8]", "char (*)[8]")
spelled("double[2][3]", "double [2][3]")

ffi.cdef [[ struct tpoint { int x, y; }; enum tcolor { TRED, TGREEN }; ]]
spelled("struct tpoint", "struct tpoint")
spelled("struct tpoint *", "struct tpoint *")
spelled("enum tcolor", "enum tcolor")

-- The same type gives equal ctype objects.
assert(ffi.typeof("int") == ffi.typeof("int"))
assert(ffi.typeof("struct tpoint *") == ffi.typeof("struct tpoint*"))
assert(ffi.typeof("int") ~= ffi.typeof("unsigned int"))
-- A ctype is accepted wherever a type is.
local pt = ffi.typeof("struct tpoint")
assert(ffi.typeof(pt) == pt)
assert(ffi.sizeof(pt) == 8)

-- Parameters: $ takes a ctype, a number or a name.
assert(ffi.typeof("$ *", pt) == ffi.typeof("struct tpoint *"))
assert(ffi.typeof("int[$]", 4) == ffi.typeof("int[4]"))
assert(ffi.sizeof(ffi.typeof("struct { $ a; $ b; }", pt, ffi.typeof("double"))) == 16)

-- Errors.
local function fails(pattern, ...)
  local ok, err = pcall(ffi.typeof, ...)
  assert(not ok, "expected an error")
  assert(tostring(err):find(pattern, 1, true), tostring(err))
end
fails("wrong number of type parameters", "int", 3)
fails("wrong number of type parameters", "$ *")
fails("C type expected, got nil", nil)
fails("C type expected, got number", 42)

-- a C function from a namespace has its function type (a cdata in LuaJIT)
ffi.cdef "int abs(int x);"
assert(tostring(ffi.typeof(ffi.C.abs)):match("^ctype<int %(.*%)>$"))
assert(ffi.sizeof(ffi.C.abs) == nil)
assert(ffi.C.abs == ffi.C.abs)
assert(not pcall(ffi.typeof, print))
