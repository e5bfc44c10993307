-- Runs one of LuaJIT's FFI test files under luaffi, for scripts/luajit-suite:
--   luaffi prelude.lua RESULTFILE TESTFILE CLIBDIR      (CLIBDIR holds ctest.so)
-- gives the test the Lua 5.1 and LuaJIT names it expects, rewrites LuaJIT's number
-- literals (1LL, 2ULL, 3i) into calls, runs it and writes one line to RESULTFILE:
-- "PASS" or "FAIL: first error". A file that crashes or hangs writes nothing.
local ffi = require "ffi"

local resultFile, testFile = arg[1], arg[2]

-- LuaJIT's literals as cdata: what the literal means in LuaJIT (a boxed int64_t,
-- uint64_t or complex), so tostring and the 64-bit bit.* operations behave as there.
-- LUAJIT_SUITE_LL=integer makes 1LL and 1ULL Lua integers instead, as luaffi returns
-- 64-bit values (uint64_t above 2^63-1 stays boxed): `==` with a field then holds.
local int64, uint64, complex = ffi.typeof "int64_t", ffi.typeof "uint64_t", ffi.typeof "complex"
if os.getenv "LUAJIT_SUITE_LL" == "integer" then
  function __lj_ll(v) return v end
  function __lj_ull(v) return v < 0 and uint64(v) or v end
else
  function __lj_ll(v) return int64(v) end
  function __lj_ull(v) return uint64(v) end
end
function __lj_i(v, negative) return complex(0, negative and -(v + 0.0) or v) end

-- The value of a decimal integer literal modulo 2^64, as LuaJIT's lexer reads it.
local function wrapDecimal(digits)
  local v = 0
  for d in digits:gmatch "%d" do v = v * 10 + tonumber(d) end
  return v
end

-- The call replacing a number literal with a LuaJIT suffix, or nil when the suffix
-- is not one LuaJIT accepts (left to Lua, which reports a malformed number).
-- `negative`: a unary minus before it, which LuaJIT's parser folds into the constant
-- (`-1e400i` is 0-inf*i; -0x8000000000000000ULL stays 2^63).
local function literalCall(body, suffix, negative)
  local s = suffix:lower()
  if s == "i" then return "__lj_i(" .. body .. (negative and ", true)" or ")") end
  local unsigned = s == "ull" or s == "llu"
  if not unsigned and s ~= "ll" then return nil end
  local hex = body:match "^0[xX](%x+)$"
  local value
  if hex then value = tonumber(hex, 16) -- wraps modulo 2^64, as LuaJIT's lexer
  elseif body:match "^%d+$" then value = wrapDecimal(body)
  else return nil end
  if negative then value = -value end
  return string.format("__lj_%s(0x%x)", unsigned and "ull" or "ll", value)
end

local unaryAfter = { ["return"] = true, ["and"] = true, ["or"] = true, ["not"] = true,
  ["then"] = true, ["else"] = true, ["elseif"] = true, ["do"] = true, ["in"] = true,
  ["until"] = true, ["local"] = true }

-- The position of a unary minus right before position `i` of `src`, or nil (what
-- precedes it is not an operand, or is a keyword that an expression may follow).
local function unaryMinusBefore(src, i)
  local from = math.max(1, i - 80)
  local window = src:sub(from, i - 1)
  local minus = window:match "()%-%s*$"
  if not minus then return nil end
  local before = window:sub(1, minus - 1):match "([%w_%)%]}\"']*)%s*$"
  if before == "" or unaryAfter[before] then return from + minus - 1 end
  return nil
end

-- The end of the long bracket opening at `i` ("[[", "[=[" ...), or nil.
local function longBracketEnd(src, i)
  local eq = src:match("^%[(=*)%[", i)
  if not eq then return nil end
  local _, close = src:find("]" .. eq .. "]", i, true)
  return close or #src
end

-- The end of the quoted string starting at `i`.
local function quotedEnd(src, i)
  local q, j = src:sub(i, i), i + 1
  while j <= #src do
    local c = src:sub(j, j)
    if c == "\\" then j = j + 2
    elseif c == q or c == "\n" then return j
    else j = j + 1 end
  end
  return #src
end

-- The number at `i` (its body, and the identifier characters glued to it).
local function numberAt(src, i)
  local body = src:match("^0[xX][%x%.]*[pP][%+%-]?%d+", i)
    or src:match("^0[xX][%x%.]*", i)
    or src:match("^%d*%.?%d*[eE][%+%-]?%d+", i)
    or src:match("^%d*%.?%d*", i)
  return body, src:match("^[%w_]*", i + #body)
end

--- `src` with LuaJIT's number literals rewritten; strings and comments untouched.
local function rewrite(src)
  local out, i, n, last = {}, 1, #src, 1
  while i <= n do
    local c = src:sub(i, i)
    if c == "-" and src:sub(i + 1, i + 1) == "-" then
      i = (longBracketEnd(src, i + 2) or src:find("\n", i, true) or n) + 1
    elseif c == "[" and longBracketEnd(src, i) then
      i = longBracketEnd(src, i) + 1
    elseif c == '"' or c == "'" then
      i = quotedEnd(src, i) + 1
    elseif c == "." and src:sub(i + 1, i + 1) == "." then
      i = i + 2
    elseif c:match "[%a_]" then
      i = i + #src:match("^[%w_]+", i)
    elseif c:match "%d" or (c == "." and src:sub(i + 1, i + 1):match "%d") then
      local body, suffix = numberAt(src, i)
      local minus = suffix ~= "" and unaryMinusBefore(src, i)
      local call = suffix ~= "" and literalCall(body, suffix, minus)
      if call then
        out[#out + 1] = src:sub(last, (minus or i) - 1) .. call
        last = i + #body + #suffix
      end
      i = i + #body + #suffix
    else
      i = i + 1
    end
  end
  out[#out + 1] = src:sub(last)
  return table.concat(out)
end

local function loadRewritten(src, name, mode, env)
  return load(rewrite(src), name, mode, env or _G)
end

-- Lua 5.1's names.
unpack = table.unpack
function loadstring(s, name) return loadRewritten(s, name or s) end
function dofile(path)
  local f = assert(io.open(path)):read "a"
  return assert(loadRewritten(f, "@" .. path))()
end

--- The function whose environment `setfenv`/`getfenv` mean (a level or a function).
local function envFunction(f)
  if type(f) == "number" then return debug.getinfo(f + 2, "f").func end
  return f
end

local function envUpvalue(f)
  for i = 1, math.huge do
    local name = debug.getupvalue(f, i)
    if name == "_ENV" then return i end
    if not name then return nil end
  end
end

function setfenv(f, env)
  f = envFunction(f)
  local i = envUpvalue(f)
  if i then debug.upvaluejoin(f, i, function() return env end, 1) end
  return f
end

function getfenv(f)
  f = envFunction(f or 1)
  local i = envUpvalue(f)
  return i and select(2, debug.getupvalue(f, i)) or _G
end

-- LuaJIT's `jit` module, as far as the tests read it: no compiler to switch off.
jit = { arch = "x64", os = "Linux", version = "luaffi", status = function() return false end,
  on = function() end, off = function() end, flush = function() end }

-- Lua 5.1's newproxy, from the C helper (scripts/luajit/compat.h).
package.cpath = arg[3] .. "/?.so;" .. package.cpath
local ok, ctest = pcall(require, "ctest")
newproxy = ok and ctest.newproxy or nil

-- With LUAJIT_SUITE_BLOCKS set, each top-level `do --- name` ... `end` test block runs
-- in a protected call of its own (as LuaJIT's test.lua runs them): a failing block
-- is listed and the next one runs. Line numbers stay those of the file.
local failedBlocks = {}
function __lj_block(name, f)
  local ok, err = pcall(f)
  if not ok then failedBlocks[#failedBlocks + 1] = name .. ": " .. tostring(err):match "[^\n]*" end
end

local function splitBlocks(src)
  local out, inBlock = {}, false
  for line in (src .. "\n"):gmatch "([^\n]*)\n" do
    local name = line:match "^do %-%-%-%s*(.*)$"
    if name and not inBlock then
      line, inBlock = string.format("__lj_block(%q, function() --", name), true
    elseif inBlock and line:match "^end%s*$" then
      line, inBlock = "end)", false
    end
    out[#out + 1] = line
  end
  return table.concat(out, "\n")
end

local function report(lines)
  local f = assert(io.open(resultFile, "w"))
  f:write(table.concat(lines, "\n"), "\n")
  f:close()
end

local source = assert(io.open(testFile)):read "a"
arg = { [0] = testFile }  -- the test's own command line: no arguments
if (os.getenv "LUAJIT_SUITE_BLOCKS" or "") ~= "" then source = splitBlocks(source) end
local chunk, err = loadRewritten(source, "@" .. testFile:match "[^/]*$")
if chunk then
  local ran, runErr = pcall(chunk)
  err = not ran and tostring(runErr) or nil
end
err = err or failedBlocks[1]
local lines = { err and ("FAIL: " .. err:match "[^\n]*") or "PASS" }
for _, block in ipairs(failedBlocks) do lines[#lines + 1] = "  block " .. block end
report(lines)
