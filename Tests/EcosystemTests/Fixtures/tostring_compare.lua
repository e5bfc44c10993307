-- LuaJIT's tostring, line by line (LuaJITCompatTests compares the output of luaffi
-- and luajit): __tostring's results unchecked, cdata of every kind, plain values.
-- Addresses differ between processes and LuaJIT pads short ones: they print as ADDR.
local ffi = require("ffi")
local function show(...)
  local parts = { select("#", ...) }
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    parts[#parts + 1] = type(v) .. ":" .. (type(v) == "string" and (v:gsub("0x%x+", "ADDR")) or
      (v == nil and "nil" or "?"))
  end
  print(table.concat(parts, " "))
end
local function meta(f) return setmetatable({}, { __tostring = f }) end

show(tostring(1), tostring(-0.5), tostring(2^53), tostring("s"), tostring(nil), tostring(false))
show(tostring(meta(function() return nil end)))
show(tostring(meta(function() return "a", "b" end)))
show(tostring(meta(function() return end)))
show(tostring(meta(function() return 42 end)))
show(tostring(meta(function(self) return type(self) end)))
show(pcall(tostring, meta(function() error("boom", 0) end)))

ffi.cdef [[
typedef struct tc_plain { int x; } tc_plain;
typedef struct tc_named { int x; } tc_named;
typedef struct tc_multi { int x; } tc_multi;
]]
local named = ffi.metatype("tc_named", { __tostring = function(v) return "named " .. v.x end })
local multi = ffi.metatype("tc_multi", { __tostring = function(v) return nil, v.x end })
show(tostring(ffi.cast("void *", 0x1234)), tostring(ffi.cast("int *", nil)), tostring(ffi.cast("const char *", 1)))
show(tostring(ffi.new("int[3]")), tostring(ffi.new("tc_plain")), tostring(ffi.new("tc_plain *")))
show(tostring(ffi.new("int64_t", -3)), tostring(ffi.new("uint64_t", 3)), tostring(ffi.new("int", 5)))
show(tostring(ffi.new("uint64_t", 0) - 1), tostring(ffi.new("int64_t", 0x4000000000000000) * 2),
  tostring(ffi.new("int64_t", 0)), tostring(ffi.new("uint64_t", 10)), tostring(ffi.new("int64_t", 0x7fffffff) * 0x100000000))
show(tostring(ffi.new("double", 2.5)), tostring(ffi.new("bool", true)), tostring(ffi.new("complex", 1, 2)))
show(tostring(named(7)), tostring(ffi.cast("tc_named *", named(8))), tostring(multi(9)))
show(tostring(ffi.typeof("int *")), tostring(ffi.typeof("tc_plain")))
for i = 1, 3 do show(tostring(ffi.cast("uint8_t *", i * 4096))) end
