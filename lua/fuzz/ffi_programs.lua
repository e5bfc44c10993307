-- Generated Lua programs over the whole ffi API, run statement by statement: any
-- statement may fail with a Lua error, none may crash the process or corrupt memory
-- (run it under the AddressSanitizer build of luaffi to see the second).
--   luaffi lua/fuzz/ffi_programs.lua [statements] [seed] [--print]
-- --print writes each statement before running it (the last one shown is the one
-- that crashed). Prints "N statements, N errors" at the end.
-- Pointers are never read or written through: pointer targets are C's to vouch for
-- (a wild pointer crashes in C and in LuaJIT alike); everything else is checked.
local ffi = require "ffi"
local budget = tonumber(arg[1]) or 10000
local seed = tonumber(arg[2]) or os.time()
local verbose = arg[3] == "--print"
math.randomseed(seed)
local R = math.random

local function pick(list) return list[R(#list)] end

-- Types --------------------------------------------------------------------------

local scalars = {
  "int", "char", "unsigned char", "int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t",
  "uint32_t", "int64_t", "uint64_t", "float", "double", "bool", "long", "size_t",
  "complex double", "complex float", "enum E1", "F1", "F2", "U1",
}

ffi.cdef [[
  enum E1 { E1A, E1B = 5, E1C = -3 };
  typedef struct F1 { int a; double b; char c[8]; } F1;
  typedef struct F2 { uint8_t x : 3; int y : 5; bool z : 1; int64_t w; } F2;
  typedef union U1 { int i; float f; uint8_t bytes[4]; } U1;
  typedef struct V1 { int n; double d[?]; } V1;
  typedef struct A1 { int n; int16_t d[]; } A1;
  size_t strlen(const char *s);
  int abs(int x);
  void *memset(void *s, int c, size_t n);
  void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
  int snprintf(char *b, size_t n, const char *fmt, ...);
]]

local function typeString(depth)
  depth = depth or 0
  local r = R(depth > 2 and 3 or 12)
  if r <= 3 then return pick(scalars) end
  local inner = typeString(depth + 1)
  if r == 4 then return inner .. " *" end
  if r == 5 then return "const " .. inner end
  if r == 6 then return inner .. "[" .. R(0, 5) .. "]" end
  if r == 7 then return pick{"V1", "A1", "int[?]", "char[?]", "F1[?]", "double[]"} end
  if r == 8 then return "struct { " .. inner .. " m; int k; }" end
  if r == 9 then return "union { " .. inner .. " m; char k; }" end
  if r == 10 then return inner .. " &" end
  if r == 11 then return "int (*)(" .. pick{"int", "double", "void *", "F1 *"} .. ")" end
  return "struct { int n; " .. pick{"int", "char", "double"} .. " tail[]; }"
end

-- Values ---------------------------------------------------------------------------

local V = {}          -- the pool of values statements work on
local POOL = 12
local numbers = { 0, 1, -1, 2, 7, 255, 256, 65536, 2^31, -2^31, 2^32, 2^53, 2^63, -2^63,
  1e300, -1e300, 0.5, -0.5, 1/0, -1/0, 0/0, math.maxinteger, math.mininteger, 3 }

local function valueExpr(depth)
  depth = depth or 0
  local r = R(depth > 1 and 6 or 9)
  if r <= 2 then return "V[" .. R(POOL) .. "]" end
  if r == 3 then return string.format("%q", pick(numbers)):gsub("\n", "n") end
  if r == 4 then return pick{"nil", "true", "false", "'abc'", "''", "('x'):rep(100)", "ffi.NULL"} end
  if r == 5 then return "ffi.new('" .. typeString() .. "')" end
  if r == 6 then return "E1B" end
  if r == 7 then return "{" .. valueExpr(depth + 1) .. ", " .. valueExpr(depth + 1) .. "}" end
  if r == 8 then return "{a = " .. valueExpr(depth + 1) .. ", m = " .. valueExpr(depth + 1) .. "}" end
  return "function(...) " .. statement(depth + 1) .. " return " .. valueExpr(depth + 1) .. " end"
end

-- Statements -------------------------------------------------------------------------

local keys = { "0", "1", "2", "-1", "7", "100000", "'a'", "'b'", "'m'", "'n'", "'d'", "'tail'",
  "'x'", "'re'", "'im'", "2^62", "0.5", "'nosuch'" }

local function slot() return "V[" .. R(POOL) .. "]" end
local function ty() return string.format("%q", typeString()) end

local forms = {
  function() return slot() .. " = ffi.new(" .. ty() .. ")" end,
  function() return slot() .. " = ffi.new(" .. ty() .. ", " .. valueExpr() .. ")" end,
  function() return slot() .. " = ffi.new(" .. ty() .. ", " .. valueExpr() .. ", " .. valueExpr() .. ")" end,
  function() return slot() .. " = cast(" .. ty() .. ", " .. slot() .. ")" end,
  function() return slot() .. " = get(" .. slot() .. ", " .. pick(keys) .. ")" end,
  function() return "set(" .. slot() .. ", " .. pick(keys) .. ", " .. valueExpr() .. ")" end,
  function() return slot() .. " = " .. slot() .. " " .. pick{"+", "-", "*", "/", "%", "^", "..", "==", "<", "<="} .. " " .. valueExpr() end,
  function() return slot() .. " = " .. pick{"-", "#", "tostring", "ffi.tonumber", "ffi.typeof", "ffi.sizeof", "ffi.alignof", "ffi.isnull"} .. "(" .. slot() .. ")" end,
  function() return slot() .. " = ffi.istype(" .. pick{ty(), slot()} .. ", " .. slot() .. ")" end,
  function() return slot() .. " = ffi.addressof(" .. slot() .. pick{"", ", " .. pick(keys)} .. ")" end,
  function() return slot() .. " = ffi.offsetof(" .. ty() .. ", " .. pick(keys) .. ")" end,
  function() return slot() .. " = safe(ffi.string, " .. slot() .. pick{"", ", " .. pick(keys)} .. ")" end,
  function() return "safe(ffi.copy, " .. slot() .. ", " .. valueExpr() .. ", " .. pick(keys) .. ")" end,
  function() return "safe(ffi.fill, " .. slot() .. ", " .. pick(keys) .. ", " .. valueExpr() .. ")" end,
  function() return "ffi.gc(" .. slot() .. ", " .. pick{"nil", "function(x) " .. statement(1) .. " end"} .. ")" end,
  function() return "ffi.release(" .. slot() .. ")" end,
  function() return "ffi.metatype(" .. ty() .. ", {__index = " .. valueExpr() .. ", __add = " .. valueExpr() .. ", __gc = function(x) " .. statement(1) .. " end, __len = " .. valueExpr() .. "})" end,
  function() return slot() .. " = callback(function(x) " .. statement(1) .. " return " .. valueExpr() .. " end)" end,
  function() return slot() .. " = call(" .. slot() .. ", " .. valueExpr() .. ")" end,
  function() return slot() .. " = ffi.C.abs(" .. valueExpr() .. ")" end,
  function() return slot() .. " = ffi.C.strlen(" .. pick{"'abc'", "('y'):rep(50)", "''"} .. ")" end,
  function() return "memset(" .. slot() .. ", " .. valueExpr() .. ")" end,
  function() return "sort(" .. slot() .. ", function(a, b) " .. statement(1) .. " return " .. pick{"a[0] - b[0]", "0", "'x'", "nil"} .. " end)" end,
  function() return "ffi.C.snprintf(ffi.new('char[64]'), 64, '%p %p %p', " .. valueExpr() .. ", " .. valueExpr() .. ", " .. valueExpr() .. ")" end,
  function() return "ffi.cdef(" .. string.format("%q", "typedef " .. typeString() .. " t" .. R(50) .. ";") .. ")" end,
  function() return "collectgarbage(" .. pick{"'step'", "'collect'", "'step', 100"} .. ")" end,
  function() return "for i = 1, 20 do " .. statement(1) .. " end" end,
}

function statement(depth)
  if depth and depth > 2 then return "local _ = 1" end
  return forms[R(#forms)]()
end

-- The harness functions: no read or write through a pointer (see above) --------------

-- Whether a value is a userdata (with the LuaJIT compatibility layer, `type` says
-- "cdata" for cdata).
local function isUserdata(v) return type(v) == "userdata" or type(v) == "cdata" end

-- Whether a value is a pointer cdata (its top-level type, from its name).
local function isPointer(v)
  if not isUserdata(v) then return false end
  local ok, ct = pcall(ffi.typeof, v)
  if not ok then return false end
  local name = tostring(ct):match("^ctype<(.*)>$") or ""
  return name:match("%*[%w_ ]*$") ~= nil or name:match("^[^%[]*%(%*") ~= nil
end

-- ffi as the statements see it: ffi.new refuses big element counts, so that a run
-- stays within a few hundred MB (2^31 elements of a legal type would be granted).
local guarded = setmetatable({
  new = function(ct, n, ...)
    if type(n) == "number" and n > 4096 then error("fuzz: count too big") end
    return ffi.new(ct, n, ...)
  end,
}, { __index = ffi })
local env = setmetatable({ ffi = guarded, V = V, E1B = 5 }, { __index = _G })
function env.get(v, k) if not isPointer(v) then return v[k] end end
function env.set(v, k, x) if not isPointer(v) then v[k] = x end end
function env.safe(f, v, ...)
  for _, a in ipairs{v, ...} do if isPointer(a) then return end end
  return f(v, ...)
end
-- A reference made by a cast is as wild as the address it is given: only bind
-- references to cdata of their own type.
function env.cast(t, v)
  if not t:find("&") then return ffi.cast(t, v) end
  if isUserdata(v) and not isPointer(v) then return ffi.cast(ffi.typeof("$ &", ffi.typeof(v)), v) end
end
-- C functions get sizes the harness takes from the object itself.
function env.memset(v, c)
  if isUserdata(v) and not isPointer(v) and not ffi.isnull(v) then ffi.C.memset(v, c, ffi.sizeof(v)) end
end
-- Only function pointers made from Lua functions are called (others may point anywhere).
local callbacks = setmetatable({}, { __mode = "k" })
function env.callback(f)
  local cb = ffi.cast("int (*)(int)", f)
  callbacks[cb] = true
  return cb
end
function env.call(f, ...) if callbacks[f] then return f(...) end end
function env.sort(a, cmp)
  local ok, ct = pcall(ffi.typeof, a)
  if not ok or not tostring(ct):match("^ctype<int %[") then return end
  ffi.C.qsort(a, ffi.sizeof(a) // 4, 4, cmp)
end

local errors = 0
for i = 1, budget do
  local source = statement()
  if verbose then io.stderr:write(i, ": ", source, "\n") end
  local chunk, message = load(source, "=fuzz", "t", env)
  assert(chunk, source .. ": " .. tostring(message))
  if not pcall(chunk) then errors = errors + 1 end
  if i % 500 == 0 then for j = 1, POOL do if R(3) == 1 then V[j] = nil end end end
  if i % 50 == 0 and collectgarbage("count") > 256 * 1024 then
    for j = 1, POOL do V[j] = nil end
    collectgarbage()
  end
end
V = nil
collectgarbage()
print(string.format("%d statements, %d errors (seed %d)", budget, errors, seed))
