-- Runs the programs of scripts/luajit/diff_gen.lua statement by statement, under
-- luajit or under luaffi alike, and prints one line per statement: its outcome in a
-- form both interpreters print the same way (scripts/luajit/diff.lua compares them).
--   luajit|luaffi diff_run.lua PROGRAMS_FILE [FIRST_PROGRAM]
-- A program starts with a line "P id"; its statements follow ("E code", "S code").
ffi = require "ffi" -- a global: the statements use it
local loadcode = loadstring or load
local first = tonumber(arg[2]) or 0

ffi.cdef [[
enum dg_e { DG_A, DG_B = 5, DG_C = -3 };
int abs(int); long labs(long); double fabs(double); size_t strlen(const char *);
]]

-- Marks a statement left out: a documented difference the harness recognizes.
local SKIP = setmetatable({}, { __tostring = function() return "skip" end })

local function iscdata(x) return type(x) == "cdata" end

local operators = {
  ["+"] = function(a, b) return a + b end, ["-"] = function(a, b) return a - b end,
  ["*"] = function(a, b) return a * b end, ["/"] = function(a, b) return a / b end,
  ["%"] = function(a, b) return a % b end, ["^"] = function(a, b) return a ^ b end,
  ["<"] = function(a, b) return a < b end, ["<="] = function(a, b) return a <= b end,
  [">"] = function(a, b) return a > b end, ["=="] = function(a, b) return a == b end,
  ["~="] = function(a, b) return a ~= b end, [".."] = function(a, b) return a .. b end,
  unm = function(a) return -a end, len = function(a) return #a end,
}

local function addressed(x)
  return type(x) == "string" or iscdata(x) and tostring(ffi.typeof(x)):find("[*&[]") ~= nil
end

--- Applies an operator, or SKIP for what PUC Lua cannot do (docs/luajit-compat.md):
--- `==` between a cdata and a non-cdata never calls `__eq` in Lua 5.4.
function OP(op, a, b)
  local unary = op == "unm" or op == "len"
  if (op == "==" or op == "~=") and iscdata(a) ~= iscdata(b) then return SKIP end
  -- Integer division by zero raises here (LuaJIT gives 0x8000000000000000), and
  -- so does a Lua integer % 0 (LuaJIT's numbers give nan).
  local divisor = tonumber(b)
  if (op == "/" or op == "%") and (iscdata(a) or iscdata(b)) and divisor and divisor > -1 and divisor < 1 then
    return SKIP
  end
  if op == "%" and b == 0 then return SKIP end
  -- Two pointers into different objects are as far apart as the allocator put them;
  -- Lua 5.4 writes a float `1.0` where LuaJIT writes `1`.
  if op == "-" and addressed(a) and addressed(b) then return SKIP end
  if op == ".." and (type(a) == "number" or type(b) == "number") then return SKIP end
  return operators[op](a, b)
end

--- ffi.cast, or SKIP for a string, pointer, array or reference cast (its address
--- differs from LuaJIT's).
function CAST(t, v)
  if addressed(v) then return SKIP end
  return ffi.cast(t, v)
end

--- The smaller of `n` and the size of `x`: copies and fills stay inside the object.
function ROOM(x, n)
  local size = ffi.sizeof(x)
  return n < size and n or size
end

local function number(x)
  if x ~= x then return "nan" end
  if x == 0 then return "0" end  -- Lua 5.4's integers have no -0
  if x == 1 / 0 then return "inf" elseif x == -1 / 0 then return "-inf" end
  if math.type and math.type(x) == "integer" then return string.format("%d", x) end
  if x == math.floor(x) and x >= -2 ^ 63 and x < 2 ^ 63 then return string.format("%.0f", x) end
  return string.format("%.17g", x)
end

--- tostring, with numbers as `number` writes them (Lua 5.4 writes floats `1.0`).
function STR(x)
  if type(x) == "number" then return number(x) end
  return tostring(x)
end

local function text(s)
  s = s:gsub("0x%x+", "0x?"):gsub("(%d)U?LL", "%1")
  return (s:gsub("[^%w%p ]", function(c) return "\\" .. c:byte() end))
end

-- LuaJIT names anonymous aggregates by number (`struct 105`), luaffi `<anonymous>`.
local function typename(s)
  return (s:gsub("(%a+) %d+", "%1 ?"):gsub("<anonymous>", "?"))
end

local function cdata(x)
  local name = typename(tostring(ffi.typeof(x)):match("^ctype<(.*)>$"))
  if name:find("[*&]") then return "c:" .. name .. ":" .. (tostring(x):find("NULL") and "NULL" or "ptr") end
  if name:find("complex") and not name:find("[%[]") then return "c:" .. name .. ":" .. tostring(x) end
  if name:find("int64_t") then return "c:" .. name .. ":" .. text(tostring(x)) end
  local n = tonumber(x)
  if n then return "c:" .. name .. ":" .. number(n) end
  local bytes = ffi.string(ffi.cast("const char *", x), ffi.sizeof(x))
  return "c:" .. name .. ":" .. bytes:gsub(".", function(c) return string.format("%02x", c:byte()) end)
end

local function describe(x)
  if x == SKIP then return "skip" end
  local t = type(x)
  if t == "number" then return "n:" .. number(x) end
  if t == "string" then return "s:" .. text(x) end
  if t == "nil" or t == "boolean" then return tostring(x) end
  if t == "cdata" then
    local s = tostring(x)
    if s:match("^ctype<") then return "ct:" .. typename(s) end
    return cdata(x)
  end
  return t
end

local function run(line, i)
  local kind, code = line:sub(1, 1), line:sub(3)
  local chunk, err = loadcode(kind == "E" and "return " .. code or code)
  if not chunk then return "syntax\t" .. err end
  local ok, v = pcall(chunk)
  if not ok then return "error\t" .. tostring(v):gsub("\n.*", "") end
  V[i] = v
  if kind == "S" then return "ok" end
  local fine, s = pcall(describe, v)
  return fine and s or "error\tdescribing: " .. tostring(s)
end

local file = assert(io.open(arg[1], "r"))
local id, i
for line in file:lines() do
  local p = line:match("^P (%d+)$")
  if p then
    id, i = tonumber(p), 0
    V, NEWIDX = {}, {}
    if id >= first then
      io.write("P ", id, "\n")
      io.flush()
    end
  elseif id >= first then
    i = i + 1
    io.write(run(line, i), "\n")
  end
end
io.write("END\n")
