-- ffi.cdef: declarations are all-or-nothing, errors say where and what.
local ffi = require("ffi")

ffi.cdef [[
  typedef struct node { int value; struct node *next; } node_t;
  typedef int (*compare_fn)(const void *, const void *);
  union number { int i; double d; };
  enum level { LOW = 1, MID = LOW + 4, HIGH = MID << 2 };
  static const int LIMIT = sizeof(node_t) * 2;
  int compare_ints(const void *a, const void *b);
  extern int some_global;
]]
assert(ffi.sizeof("node_t") == 16)
assert(ffi.sizeof("union number") == 8)
assert(ffi.C.LOW == 1 and ffi.C.MID == 5 and ffi.C.HIGH == 20)
assert(ffi.C.LIMIT == 32)

-- Redeclaring the same thing identically is allowed; a different body is not.
ffi.cdef "typedef struct node node_t;"
local ok, err = pcall(ffi.cdef, "struct node { double other; };")
assert(not ok and err:find("redefinition of 'struct node'", 1, true), err)

-- Transactions: a failing cdef declares nothing, not even what came before the error.
ok, err = pcall(ffi.cdef, [[
  typedef int before_error_t;
  struct half_done { int a; };
  int broken(;
]])
assert(not ok)
assert(err:match("cdef:3:%d+: "), err)
assert(not pcall(ffi.typeof, "before_error_t"), "typedef was rolled back")
assert(select(2, pcall(ffi.sizeof, "struct half_done")):find("undeclared or implicit tag 'half_done'", 1, true),
  "struct stays undeclared")

-- Errors name line, column and the text near them; the caller's position comes first.
local function fails(source, expected)
  local ok, err = pcall(function() ffi.cdef(source) end)
  assert(not ok, "expected an error for " .. source)
  assert(err:find(expected, 1, true), err)
  assert(err:match("^ffi_cdef%.lua:%d+: ") or err:match("/ffi_cdef%.lua:%d+: "), err)
end
fails("int f(int a,);", "cdef:1:13: ")
fails("typedef int;\nstruct { int x } y;", "cdef:2:")
-- DUP fails("struct s2 { int a; int a; };", "duplicate")
fails("enum { A = 1 / 0 };", "division by zero")
fails("int x[-1];", "cdef:1:")
fails("unknown_t x;", "undeclared identifier 'unknown_t'")
assert(not pcall(ffi.cdef, 42), "cdef needs a string")

-- $ parameters in declarations.
ffi.cdef("typedef $ param_int_t; struct $ { int x; };", ffi.typeof("int"), "named_by_param")
assert(ffi.sizeof("param_int_t") == 4 and ffi.sizeof("struct named_by_param") == 4)
