-- API mode against ABI mode: (1) a call of the same C function through an API-mode
-- module's lib and through ffi.load + ffi.cdef; (2) loading a module of 500
-- declarations (250 structs, 250 prototypes: the cdef benchmark's generator) against
-- ffi.cdef of them, each in a fresh process, best of `rounds`.
--   luaffi Benchmarks/api-mode/api-mode.lua [rounds (10)]
local ffi = require("ffi")
local mode, folder = arg[1], arg[2]

local function declarations(n)
  local decls, defs = {}, {}
  for i = 1, n do
    if i % 2 == 1 then
      local s = "s" .. i
      decls[#decls + 1] = string.format(
        "typedef struct %s { int a; double b; const char *c; struct %s *next; uint8_t d[16]; } %s;", s, s, s)
    else
      local proto = string.format("int f%d(int a, const char *b, s%d *c, double d, unsigned long e)", i, i - 1)
      decls[#decls + 1] = proto .. ";"
      defs[#defs + 1] = proto .. " { return a; }"
    end
  end
  return table.concat(decls, "\n"), "#include <stdint.h>\n" .. table.concat(decls, "\n") .. "\n" .. table.concat(defs, "\n")
end

if mode == "load-api" or mode == "load-cdef" then
  package.cpath = folder .. "/?.so;" .. package.cpath
  local text = declarations(500)
  collectgarbage()
  local t0 = os.clock()
  if mode == "load-api" then require("bench_decls") else ffi.cdef(text) end
  print(os.clock() - t0)
  return
end

local rounds = tonumber(arg[1]) or 10
folder = os.tmpname()
os.remove(folder)
assert(os.execute("mkdir -p " .. folder))
package.cpath = folder .. "/?.so;" .. package.cpath

local b = ffi.builder("bench_calls")
b:cdef("int add_int(int a, int b);")
b:set_source("int add_int(int a, int b) { return a + b; }")
b:compile { tmpdir = folder }
local d = ffi.builder("bench_decls")
local cdef, source = declarations(500)
d:cdef(cdef)
d:set_source(source)
d:compile { tmpdir = folder }

local api = require("bench_calls").lib
ffi.cdef("int add_int(int a, int b);")
local abi = ffi.load(folder .. "/bench_calls.so")
local function time(f)
  local best = math.huge
  for _ = 1, rounds do
    local t0 = os.clock()
    local x = 0
    for i = 1, 1000000 do x = f(x, 1) end
    best = math.min(best, os.clock() - t0)
    assert(x == 1000000)
  end
  return best * 1000 -- ns per call (1e6 calls)
end
local fapi, fabi = api.add_int, abi.add_int
print(string.format("call add_int: API %.1f ns, ABI %.1f ns", time(fapi), time(fabi)))

local interpreter = arg[-1]
local function fresh(which)
  local best = math.huge
  for _ = 1, rounds do
    local pipe = io.popen(string.format("'%s' '%s' %s '%s'", interpreter, arg[0], which, folder))
    best = math.min(best, tonumber(pipe:read("a")))
    pipe:close()
  end
  return best * 1000
end
print(string.format("500 declarations: require %.2f ms, ffi.cdef %.2f ms", fresh("load-api"), fresh("load-cdef")))
os.execute("rm -rf " .. folder)
