-- Generates small programs (2-6 statements) over cdef, new, fields, casts,
-- arithmetic, strings, copy/fill and metatypes for scripts/luajit/diff.lua.
-- A program is a list of lines "E code" (an expression: its value is compared and
-- kept in V[i], i the statement's number) or "S code" (a statement: ok or error).
-- Nothing generated reads or writes memory outside what ffi.new allocated (LuaJIT
-- would crash or read garbage where luaffi raises): indices stay within bounds,
-- pointers are made only from arrays and structs and read within them.
local R = math.random
local function pick(list) return list[R(#list)] end

local scalars = {
  "int", "unsigned int", "char", "unsigned char", "int8_t", "uint8_t", "int16_t",
  "uint16_t", "int32_t", "uint32_t", "int64_t", "uint64_t", "float", "double", "bool",
  "long", "size_t", "complex", "complex float", "enum dg_e",
}
local sizes = {
  ["int"] = 4, ["unsigned int"] = 4, char = 1, ["unsigned char"] = 1, int8_t = 1, uint8_t = 1,
  int16_t = 2, uint16_t = 2, int32_t = 4, uint32_t = 4, int64_t = 8, uint64_t = 8, float = 4,
  double = 8, bool = 1, long = 8, size_t = 8, complex = 16, ["complex float"] = 8,
  ["enum dg_e"] = 4,
}
local numbers = {
  "0", "1", "-1", "2", "3", "7", "127", "128", "255", "256", "-129", "65535", "65536",
  "2^31", "-2^31", "2^31-1", "2^32", "2^32+5", "-2^32", "2^53", "2^53+1", "2^63", "-2^63",
  "2^64", "2^63+2^11", "1e300", "0.5", "-0.5", "1.5", "2.5", "-2.5", "65.5", "1/0", "-1/0",
  "0/0", "0.1", "100000", "-7",
}
local strings = { "''", "'a'", "'abc'", "'hello'", "'\\0x'", "'12'", "'0x10'", "'A'" }

-- One program's state: the types it declared and what each slot holds.
local P

local function number() return pick(numbers) end

local function slotOf(pred)
  local found = {}
  for i = 1, P.done do
    if pred(P.slots[i]) then found[#found + 1] = i end
  end
  if #found == 0 then return nil end
  local i = pick(found)
  return i, P.slots[i]
end

-- A slot as a value: never a ctype object (LuaJIT's are cdata holding a type
-- number, which arithmetic, tonumber and conversions read).
local function anySlot()
  local i = slotOf(function(s) return s.k ~= "ctype" end)
  return i and "V[" .. i .. "]" or number()
end

-- A value to initialize with, assign or operate on.
local function value(depth)
  depth = depth or 0
  local r = R(depth > 0 and 7 or 10)
  if r <= 3 then return number() end
  if r == 4 then return pick { "true", "false", "nil" } end
  if r == 5 then return pick(strings) end
  if r <= 7 then return anySlot() end
  if r == 8 then return "{" .. value(depth + 1) .. "}" end
  if r == 9 then return "{" .. value(depth + 1) .. ", " .. value(depth + 1) .. ", " .. value(depth + 1) .. "}" end
  return "ffi.new('" .. pick(scalars) .. "', " .. number() .. ")"
end

-- A field of a generated struct: name, declaration, and what it holds.
local function field(name)
  local r = R(10)
  local t = pick(scalars)
  if r <= 4 then return { decl = t .. " " .. name .. ";", name = name, k = "scalar", t = t } end
  if r == 5 then
    local n = R(3)
    return { decl = t .. " " .. name .. "[" .. n .. "];", name = name, k = "array", t = t, n = n }
  end
  if r == 6 then
    local bt = pick { "int", "unsigned int", "bool", "uint8_t", "int8_t", "uint32_t" }
    local width = bt == "bool" and 1 or R(bt:match("8") and 8 or 12)
    return { decl = bt .. " " .. name .. " : " .. width .. ";", name = name, k = "scalar", t = bt }
  end
  if r == 7 then return { decl = "const " .. t .. " " .. name .. ";", name = name, k = "scalar", t = t } end
  if r == 8 then
    return { decl = "struct { " .. t .. " " .. name .. "a; int " .. name .. "b; };", name = name .. "a",
             k = "scalar", t = t, also = name .. "b" }
  end
  if r == 9 then return { decl = "static const int " .. name .. " = " .. R(-5, 50) .. ";", name = name, k = "const" } end
  return { decl = "union { " .. t .. " " .. name .. "a; uint8_t " .. name .. "b[3]; };", name = name .. "a",
           k = "scalar", t = t, also = name .. "b" }
end

local function declareStruct()
  P.ntypes = P.ntypes + 1
  local kind = R(5) == 1 and "union" or "struct"
  local name = kind .. " dg" .. P.id .. "_" .. P.ntypes
  local fields, decls = {}, {}
  for i = 1, R(4) do
    local f = field("f" .. i)
    fields[#fields + 1] = f
    decls[#decls + 1] = f.decl
  end
  local vls = R(6) == 1 and kind == "struct"
  if vls then decls[#decls + 1] = pick(scalars) .. " tail[?];" end
  P.types[#P.types + 1] = { name = name, fields = fields, vls = vls }
  return "S ffi.cdef('" .. name .. " { " .. table.concat(decls, " ") .. " };')"
end

local function aStruct()
  if #P.types == 0 then return nil end
  return pick(P.types)
end

local function metatype()
  local st = aStruct()
  if not st or st.meta then return nil end
  st.meta = true
  local mms = {
    "__add = function(a, b) return 'add' end", "__eq = function(a, b) return true end",
    "__lt = function(a, b) return true end", "__len = function(a) return 7 end",
    "__unm = function(a) return 'unm' end", "__call = function(s, x) return x end",
    "__index = function(s, k) return k end", "__tostring = function(s) return 'S' end",
    "__index = {extra = 5, fn = function(s) return 'fn' end}", "__concat = function(a, b) return 'cat' end",
    "__newindex = function(s, k, v) rawset(NEWIDX, tostring(k), v) end",
  }
  local chosen = {}
  for _ = 1, R(3) do chosen[#chosen + 1] = pick(mms) end
  P.slots[#P.slots + 1] = { k = "ctype" }
  return "E ffi.metatype('" .. st.name .. "', {" .. table.concat(chosen, ", ") .. "})"
end

-- ffi.new of a scalar, an array, a VLA or a declared struct; records the slot.
local function new()
  local r, st = R(10), aStruct()
  if st and r <= 5 then
    local init = R(3) == 1 and "" or ", " .. value()
    if st.vls then
      -- As for VLAs: LuaJIT does not clear a struct ending in [?] initialized from a table.
      P.slots[#P.slots + 1] = { k = "struct", st = st }
      return "E ffi.new('" .. st.name .. "', " .. R(0, 3) .. (R(3) == 1 and "" or ", " .. number()) .. ")"
    end
    P.slots[#P.slots + 1] = { k = "struct", st = st }
    return "E ffi.new('" .. st.name .. "'" .. init .. ")"
  end
  local t = pick(scalars)
  if r <= 7 then
    local n = R(4)
    local vla = R(3) == 1
    P.slots[#P.slots + 1] = { k = "array", t = t, n = n }
    -- LuaJIT neither clears a VLA initialized from a table nor checks its length.
    if vla then return "E ffi.new('" .. t .. "[?]', " .. n .. (R(2) == 1 and "" or ", " .. number()) .. ")" end
    -- LuaJIT copies a shorter string with its NUL and leaves the rest as it was.
    local init = value()
    if init:match("^'") then init = number() end
    return "E ffi.new('" .. t .. "[" .. n .. "]'" .. (R(2) == 1 and "" or ", " .. init) .. ")"
  end
  P.slots[#P.slots + 1] = { k = "scalar", t = t }
  return "E ffi.new('" .. t .. "'" .. (R(3) == 1 and "" or ", " .. value()) .. ")"
end

-- A place to read or write: a field or an element within bounds.
local function place()
  local i, s = slotOf(function(s) return s.k == "struct" or s.k == "array" or s.k == "ptr" end)
  if not i then return nil end
  local base = "V[" .. i .. "]"
  if s.k == "array" or s.k == "ptr" then return base .. "[" .. R(0, s.n - 1) .. "]" end
  local fields = s.st.fields
  if #fields == 0 or R(8) == 1 then return base .. "." .. pick { "nosuch", "tail", "extra", "fn" } end
  local f = pick(fields)
  if f.k == "array" then return base .. "." .. f.name .. "[" .. R(0, f.n - 1) .. "]" end
  if f.also and R(2) == 1 then return base .. "." .. f.also end
  return base .. "." .. f.name
end

local function cast()
  local i, s = slotOf(function(s) return s.k == "array" or s.k == "struct" end)
  if i and R(2) == 1 then
    if s.k == "array" then
      local t = pick { s.t, "uint8_t", "char" }
      local n = t == s.t and s.n or s.n * sizes[s.t]
      P.slots[#P.slots + 1] = { k = "ptr", t = t, n = n }
      return "E ffi.cast('" .. t .. " *', V[" .. i .. "])"
    end
    P.slots[#P.slots + 1] = { k = "ptr", t = s.st.name, n = 1 }
    return "E ffi.cast('" .. s.st.name .. " *', V[" .. i .. "])"
  end
  P.slots[#P.slots + 1] = { k = "value" }
  -- Not a string: its address would be cast (CAST leaves out other addresses).
  local v = value()
  while v:match("^'") do v = value() end
  return "E CAST('" .. pick(scalars) .. "', " .. v .. ")"
end

local binary = { "+", "-", "*", "/", "%", "^", "<", "<=", ">", "==", "~=", ".." }

local function arithmetic()
  P.slots[#P.slots + 1] = { k = "value" }
  local r = R(6)
  if r == 1 then return "E OP('unm', " .. anySlot() .. ")" end
  if r == 2 then return "E OP('len', " .. anySlot() .. ")" end
  local a, b = anySlot(), value(1)
  if R(2) == 1 then a, b = b, a end
  local op = pick(binary)
  -- OP applies the operator itself; it names both operands so that the harness can
  -- leave out the documented differences (a cdata == a number).
  return "E OP('" .. op .. "', " .. a .. ", " .. b .. ")"
end

local function pointerStep()
  local i, s = slotOf(function(s) return s.k == "ptr" or s.k == "array" end)
  if not i or s.n < 2 then return nil end
  local step = R(s.n - 1)
  P.slots[#P.slots + 1] = { k = "ptr", t = s.t, n = s.n - step }
  return "E V[" .. i .. "] + " .. pick { tostring(step), step .. ".0" }
end

local function strings_()
  local i, s = slotOf(function(s) return s.k == "array" or s.k == "struct" end)
  local r = R(5)
  P.slots[#P.slots + 1] = { k = "value" }
  if i and r <= 2 then
    local length = pick { "0", "1", "3", "2.5", "100" }
    return "E ffi.string(V[" .. i .. "], ROOM(V[" .. i .. "], " .. length .. "))"
  end
  if r == 3 then return "E ffi.string(" .. pick(strings) .. ")" end
  if r == 4 then
    -- LuaJIT copies a shorter string with its NUL and leaves the rest as it was.
    P.slots[#P.slots] = { k = "array", t = "char", n = 3 }
    return "E ffi.new('char[3]', " .. pick { "'ab'", "'\\0x'", "'abc'", "'12'" } .. ")"
  end
  return "E STR(" .. anySlot() .. ")"
end

local function copyFill()
  local i = slotOf(function(s) return s.k == "array" or s.k == "struct" end)
  if not i then return nil end
  local dst = "V[" .. i .. "]"
  local r = R(3)
  if r == 1 then
    local length = pick { "1", "2", "3.7", "100", "0" }
    local byte = pick { "0", "65", "300", "-1", "true", "65.5", "'A'", "nil" }
    return "S ffi.fill(" .. dst .. ", ROOM(" .. dst .. ", " .. length .. "), " .. byte .. ")"
  end
  if r == 2 then
    local source = pick { "'ab'", "'\\1\\2\\3'", "'x'" }
    return "S ffi.copy(" .. dst .. ", " .. source .. ", ROOM(" .. dst .. ", " .. pick { "1", "2", "2.5" } .. "))"
  end
  local src = "V[" .. slotOf(function(s) return s.k == "array" or s.k == "struct" end) .. "]"
  local length = pick { "1", "4", "8", "100" }
  return "S ffi.copy(" .. dst .. ", " .. src .. ", ROOM(" .. dst .. ", ROOM(" .. src .. ", " .. length .. ")))"
end

local function inspect()
  P.slots[#P.slots + 1] = { k = "value" }
  local r = R(7)
  local st = aStruct()
  if r == 1 then return "E tonumber(" .. anySlot() .. ")" end
  if r == 2 then
    local what = st and "'" .. st.name .. "'" or anySlot()
    return "E ffi.sizeof(" .. what .. (R(2) == 1 and ", " .. number() or "") .. ")"
  end
  if r == 3 and st and #st.fields > 0 then
    return "E ffi.offsetof('" .. st.name .. "', '" .. pick(st.fields).name .. "')"
  end
  if r == 4 then return "E ffi.istype('" .. pick(scalars) .. "', " .. anySlot() .. ")" end
  if r == 5 and st then
    return "E ffi.typeof('" .. st.name .. "')." .. (#st.fields > 0 and pick(st.fields).name or "nosuch")
  end
  if r == 6 then
    P.slots[#P.slots] = { k = "ctype" }
    return "E ffi.typeof(" .. anySlot() .. ")"
  end
  return "E " .. anySlot() .. " and true"
end

-- A call of a C function: argument conversions and results.
local function call()
  P.slots[#P.slots + 1] = { k = "value" }
  local r = R(4)
  if r == 1 then return "E ffi.C.strlen(" .. pick(strings) .. ")" end
  local f = pick { "abs", "labs", "fabs" }
  local v = value(1)
  while v:match("^'") do v = value(1) end  -- a string would pass its address
  return "E ffi.C." .. f .. "(" .. v .. ")"
end

local function statement()
  local r = R(20)
  local s
  if r <= 2 then s = declareStruct()
  elseif r <= 3 then s = metatype()
  elseif r <= 7 then s = new()
  elseif r <= 9 then local p = place(); if p then P.slots[#P.slots + 1] = { k = "value" }; s = "E " .. p end
  elseif r <= 11 then local p = place(); if p then s = "S " .. p .. " = " .. value() end
  elseif r <= 12 then s = cast()
  elseif r <= 14 then s = arithmetic()
  elseif r <= 15 then s = pointerStep()
  elseif r <= 16 then s = strings_()
  elseif r <= 17 then s = copyFill()
  elseif r <= 18 then s = call()
  else s = inspect() end
  return s
end

--- Programs `first` .. `first + count - 1` for `seed` (each program has its own
--- random stream, so one can be regenerated alone).
return function(seed, first, count)
  local programs = {}
  for id = first, first + count - 1 do
    math.randomseed(seed * 1000003 + id)
    P = { id = id, types = {}, slots = {}, ntypes = 0, done = 0 }
    local lines = {}
    if R(2) == 1 then
      lines[1] = declareStruct()
      P.slots[1] = { k = "value" }
      P.done = 1
    end
    lines[#lines + 1] = new()
    P.done = #lines
    local want = R(2, 6)
    while #lines < want do
      local before = #P.slots
      local s = statement()
      if s then
        -- Every statement takes a slot, so V[i] is always statement i's value.
        if #P.slots == before then P.slots[#P.slots + 1] = { k = "value" } end
        lines[#lines + 1] = s
        P.done = #lines
      else
        while #P.slots > before do P.slots[#P.slots] = nil end
      end
    end
    programs[#programs + 1] = lines
  end
  return programs
end
