-- One timed ffi.cdef of N generated declarations (the shared bench case cdef_parse's
-- generator: every second one a struct of five fields, the others prototypes),
-- after 1,000 others. Prints the seconds. Run by Benchmarks/cdef/linearity.sh.
--   luaffi Benchmarks/cdef/linearity.lua N
local ffi = require("ffi")
local n = assert(tonumber(arg[1]), "usage: linearity.lua N")
local batch = 0
local function source(count)
  batch = batch + 1
  local out = {}
  for i = 1, count do
    local s = "s" .. batch .. "_" .. i
    if i % 2 == 1 then
      out[#out + 1] = string.format(
        "typedef struct %s { int a; double b; const char *c; struct %s *next; uint8_t d[16]; } %s;",
        s, s, s)
    else
      local t = "s" .. batch .. "_" .. (i - 1)
      out[#out + 1] = string.format(
        "int f%s(int a, const char *b, %s *c, double d, unsigned long e);", s, t)
    end
  end
  return table.concat(out, "\n")
end
ffi.cdef(source(1000))
local src = source(n)
collectgarbage()
local t0 = os.clock()
ffi.cdef(src)
print(os.clock() - t0)
