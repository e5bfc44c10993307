-- Prints bit module results; run under luajit and luaffi, the output must be equal.
-- Only cases where LuaJIT and PUC Lua agree (docs/luajit-compat.md lists the rest).
local ffi = require("ffi")
local function show(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
  print(table.concat(parts, " "))
end
local numbers = { 0, 1, -1, 5, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678, -256, 2^32 + 7,
                  1.5, 2.5, -1.5, 0.5, 2^40 + 3, -2^31, 123456789 }
for _, x in ipairs(numbers) do
  show("tobit", bit.tobit(x), "bnot", bit.bnot(x), "bswap", bit.bswap(x), "tohex", bit.tohex(x),
       bit.tohex(x, 4), bit.tohex(x, -6), bit.tohex(x, 12))
  for _, n in ipairs { 0, 1, 4, 31, 32, 33, -1 } do
    show(" shifts", n, bit.lshift(x, n), bit.rshift(x, n), bit.arshift(x, n), bit.rol(x, n), bit.ror(x, n))
  end
  show(" fold", bit.band(x, 0xff00ff), bit.bor(x, 3), bit.bxor(x, -1), bit.band(x, x, 0xf0f0f0f0),
       bit.bor(x), bit.bxor(x, 5, 9))
end
show("strings", bit.band("12", 3), bit.bor("0x10", 1))
-- 64-bit cdata arguments give 64-bit cdata results (LuaJIT 2.1).
local wide = { ffi.new("int64_t", 1), ffi.new("int64_t", -5), ffi.new("uint64_t", 0xffff),
               ffi.new("int", -1), ffi.new("uint8_t", 200), ffi.new("int64_t", 0x123456789) }
for _, x in ipairs(wide) do
  show("wide", bit.tobit(x), bit.bnot(x), bit.bswap(x), bit.tohex(x), bit.tohex(x, 8), bit.tohex(x, -3))
  for _, n in ipairs { 0, 1, 31, 32, 40, 63, 64, 65 } do
    show(" shifts", n, bit.lshift(x, n), bit.rshift(x, n), bit.arshift(x, n), bit.rol(x, n), bit.ror(x, n))
  end
  show(" fold", bit.band(x, 0xff), bit.bor(x, 0x100), bit.bxor(x, 3), bit.band(x, ffi.new("uint64_t", 0xff)),
       bit.bor(1, x))
end
local function failure(f, ...)
  local ok, message = pcall(f, ...)
  return ok, (message:gsub("to '[^']*'", "to 'f'"))
end
show("errors", failure(bit.band))
show("errors", failure(bit.bor, {}))
show("errors", failure(bit.tohex, "x"))
-- tonumber understands cdata.
show("tonumber", tonumber(ffi.new("int", 7)), tonumber(ffi.new("double", 2.5)), tonumber(ffi.new("char *")),
     tonumber("10", 2), tonumber("z", 36), tonumber(nil), tonumber(ffi.new("int64_t", -5)))
