-- Safety errors: each names the type and the index or field. (LuaJIT does not
-- check bounds and crashes on NULL dereference, so this script is PUC-only.)
local ffi = require("ffi")
ffi.cdef [[ typedef struct ce_rec { int x; const int c; } ce_rec; struct ce_plain { int x; }; ]]

local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error matching: " .. pattern)
  assert(tostring(err):find(pattern, 1, true), tostring(err))
  return err
end

-- Out-of-range indexes on arrays of known length (fixed and VLA).
local a = ffi.new("int[5]")
local err = fails("index 5 out of range for 'int [5]' (5 elements)", function() return a[5] end)
assert(err:match("cdata_errors%.lua:%d+: index"), err) -- with the caller's position
fails("index -1 out of range for 'int [5]'", function() a[-1] = 1 end)
local v = ffi.new("int[?]", 3)
fails("index 3 out of range for 'int [?]' (3 elements)", function() return v[3] end)
local m = ffi.new("int[2][3]")
fails("index 3 out of range for 'int [3]'", function() return m[1][3] end)
-- Pointers carry no length: any index is allowed.
local p = ffi.cast("int *", a)
assert(p[4] == 0)

-- NULL dereference.
local np = ffi.cast("int *", nil)
fails("attempt to dereference a NULL pointer of type 'int *'", function() return np[0] end)
fails("attempt to dereference a NULL pointer of type 'int *'", function() np[0] = 1 end)
local rp = ffi.cast("ce_rec *", 0)
fails("attempt to dereference a NULL pointer of type 'struct ce_rec *'", function() return rp.x end)
fails("attempt to dereference a NULL pointer", function() rp.x = 1 end)
fails("attempt to read a string from a NULL pointer", ffi.string, np)
fails("attempt to read a string from a NULL pointer", ffi.string, nil)
fails("attempt to copy to a NULL pointer", ffi.copy, nil, "abc")
fails("attempt to fill a NULL pointer", ffi.fill, np, 4)

-- Bad conversions name both types.
local r = ffi.new("ce_rec")
fails("cannot convert 'string' to 'int'", function() r.x = "abc" end)
fails("cannot convert 'struct ce_rec' to 'int'", function() a[0] = r end)
local holder = ffi.new("struct { struct ce_rec r; struct ce_plain p; }")
fails("cannot convert 'int [5]' to 'struct ce_plain'", function() holder.p = a end)
-- A struct with a const member is not assigned as a whole (LuaJIT's rule).
fails("attempt to write to constant location of type 'struct ce_rec'", function() holder.r = r end)
fails("cannot convert 'double [1]' to 'int *'", ffi.new, "int *", ffi.new("double[1]"))
fails("cannot convert 'function' to 'int'", ffi.cast, "int", print)

-- Writing through const.
fails("attempt to write to constant location of type 'const int'", function() r.c = 1 end)
local ca = ffi.new("const int[2]", 1, 2)
fails("attempt to write to constant location of type 'const int'", function() ca[0] = 5 end)
local cp = ffi.cast("const int *", a)
fails("attempt to write to constant location of type 'const int'", function() cp[1] = 5 end)

-- Unknown fields and bad keys.
fails("'struct ce_rec' has no member named 'y'", function() return r.y end)
fails("'struct ce_rec' has no member named 'y'", function() r.y = 1 end)
fails("'struct ce_rec' cannot be indexed with 'number'", function() return r[0] end)
fails("'int [5]' cannot be indexed with 'table'", function() return a[{}] end)

-- Released cdata.
local released = ffi.new("ce_rec")
ffi.release(released)
fails("attempt to use a released cdata of type 'struct ce_rec'", function() return released.x end)
fails("attempt to use a released cdata of type 'struct ce_rec'", function() released.x = 1 end)

-- Too many initializers.
fails("too many initializers for 'int [5]'", ffi.new, "int[5]", 1, 2, 3, 4, 5, 6)
fails("too many initializers for 'struct ce_rec'", ffi.new, "ce_rec", 1, 2, 3)
fails("too many initializers for 'int [?]'", ffi.new, "int[?]", 2, { 1, 2, 3 })
fails("too many initializers for 'int'", ffi.new, "int", 1, 2)

-- A bad element count names the argument that holds it.
local vla = ffi.typeof("uint8_t[?]")
fails("bad argument #2 to 'new' (size of 'unsigned char [?]' expected", function() return ffi.new("uint8_t[?]", -1) end)
fails("bad argument #2 to 'ctype' (size of 'unsigned char [?]' expected", function() return vla(-1) end)
