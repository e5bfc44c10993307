-- The operations LuaJIT-FFI bindings make besides the shared benchmark cases, each
-- timed in a small loop; runs under luaffi and `luajit -joff` alike (Lua 5.1 syntax).
--   luaffi Benchmarks/ops/bindings.lua [pattern]
--   luajit -joff Benchmarks/ops/bindings.lua [pattern]
-- Prints `name ns_per_op`, best of 5 rounds of N (environment, default 300,000).
-- docs/performance.md, "Beyond the benchmark cases", has the table.
local ffi = require("ffi")
ffi.cdef [[
typedef struct sv_inner { int a, b; } sv_inner;
typedef struct sv_outer { int x; sv_inner in; double arr[4]; int64_t big; } sv_outer;
void free(void *p);
void *malloc(size_t n);
enum sv_e { SV_A = 1, SV_B = 2 };
typedef struct s2_vt { int (*add)(int, int); } s2_vt;
typedef struct s2_pt { double x, y; } s2_pt;
typedef struct s3_pt { double x, y; } s3_pt;
size_t strlen(const char *s);
int memcmp(const void *a, const void *b, size_t n);
void *memcpy(void *d, const void *s, size_t n);
char *strchr(const char *s, int c);
int abs(int);
]]
local N = tonumber(os.getenv("N")) or 300000
local C = ffi.C
local sink
-- for the struct and pointer cases
local o = ffi.new("sv_outer")
local op = ffi.new("sv_outer[1]")
local p = ffi.cast("sv_outer *", op)
local other = ffi.new("sv_inner", 1, 2)
-- for the function pointer and metatype cases
local vt = ffi.new("s2_vt")
vt.add = ffi.cast("int (*)(int, int)", ffi.C.abs) -- any function pointer
local absp = ffi.cast("int (*)(int)", ffi.C.abs)
local M = ffi.metatype("s2_pt", { __index = function(s, k) return k end })
local m = M()
-- for the string and copy cases
local pt = ffi.new("s3_pt", 1, 2)
local buf = ffi.new("char[32]", "hello world")
local cbuf = ffi.cast("const char *", buf)
local ops = {
  {"new int[10] (string)", function() for _ = 1, N do sink = ffi.new("int[10]") end end},
  {"new struct (string)", function() for _ = 1, N do sink = ffi.new("sv_inner") end end},
  {"new struct {1,2}", function() for _ = 1, N do sink = ffi.new("sv_inner", {1, 2}) end end},
  {"p.x (pointer)", function() for _ = 1, N do sink = p.x end end},
  {"p.x = 1 (pointer)", function() for _ = 1, N do p.x = 1 end end},
  {"o.in.a (nested)", function() for _ = 1, N do sink = o["in"].a end end},
  {"o.arr[2]", function() for _ = 1, N do sink = o.arr[2] end end},
  {"o.big", function() for _ = 1, N do sink = o.big end end},
  {"p[0].x", function() for _ = 1, N do sink = p[0].x end end},
  {"o.in = other", function() for _ = 1, N do o["in"] = other end end},
  {"C.strlen('abc')", function() for _ = 1, N do sink = C.strlen("abcdef") end end},
  {"C.SV_B", function() for _ = 1, N do sink = C.SV_B end end},
  {"ffi.gc(malloc) +free", function() for _ = 1, N do sink = ffi.gc(C.malloc(16), C.free) end end},
  {"p == ffi.NULL", function() for _ = 1, N do sink = (p == nil) end end},
  {"cast intptr_t", function() for _ = 1, N do sink = ffi.cast("intptr_t", p) end end},
  {"ffi.sizeof('sv_outer')", function() for _ = 1, N do sink = ffi.sizeof("sv_outer") end end},
  {"ffi.typeof('sv_outer *')", function() for _ = 1, N do sink = ffi.typeof("sv_outer *") end end},
  {"ffi.offsetof", function() for _ = 1, N do sink = ffi.offsetof("sv_outer", "arr") end end},
  {"ffi.string(arr,4)", function() local b = ffi.new("char[8]", "abcdefg") for _ = 1, N do sink = ffi.string(b, 4) end end},
  {"ffi.new('char[?]',16)", function() for _ = 1, N do sink = ffi.new("char[?]", 16) end end},
  {"ffi.istype", function() for _ = 1, N do sink = ffi.istype("sv_outer", o) end end},
  {"new int64_t,5", function() for _ = 1, N do sink = ffi.new("int64_t", 5) end end},
  {"new double,1.5", function() for _ = 1, N do sink = ffi.new("double", 1.5) end end},
  {"new int[3],1,2,3", function() for _ = 1, N do sink = ffi.new("int[3]", 1, 2, 3) end end},
  {"new int[3],{1,2,3}", function() for _ = 1, N do sink = ffi.new("int[3]", {1, 2, 3}) end end},
  {"new s2_pt[?],8", function() for _ = 1, N do sink = ffi.new("s2_pt[?]", 8) end end},
  {"fnptr call absp(-3)", function() for _ = 1, N do sink = absp(-3) end end},
  {"field fnptr read", function() for _ = 1, N do sink = vt.add end end},
  {"typeof(cdata)", function() for _ = 1, N do sink = ffi.typeof(m) end end},
  {"metatype __index fn", function() for _ = 1, N do sink = m.foo end end},
  {"tostring(int64)", function() local b = ffi.new("int64_t", 12345) for _ = 1, N do sink = tostring(b) end end},
  {"ffi.string(p)", function() local s = ffi.new("char[16]", "hello") for _ = 1, N do sink = ffi.string(s) end end},
  {"ffi.copy(p,s,n)", function() local s = ffi.new("char[16]") for _ = 1, N do ffi.copy(s, "hello", 5) end end},
  {"pt.x+pt.y", function() local p = ffi.new("s2_pt", 1, 2) for _ = 1, N do sink = p.x + p.y end end},
  {"new(ct, cdata) copy", function() for _ = 1, N do sink = ffi.new("s3_pt", pt) end end},
  {"new char[?],n,str", function() for _ = 1, N do sink = ffi.new("char[?]", 12, "hello") end end},
  {"new s3_pt[?],4,{...}", function() for _ = 1, N do sink = ffi.new("s3_pt[?]", 2, {{1, 2}, {3, 4}}) end end},
  {"strchr(buf,'o')", function() for _ = 1, N do sink = C.strchr(buf, 111) end end},
  {"memcmp(buf,str,5)", function() for _ = 1, N do sink = C.memcmp(buf, "hello", 5) end end},
  {"memcpy(buf,cbuf,4)", function() for _ = 1, N do C.memcpy(buf, cbuf, 4) end end},
  {"ffi.string(cbuf)", function() for _ = 1, N do sink = ffi.string(cbuf) end end},
  {"ffi.gc(x, nil)", function() for _ = 1, N do local x = ffi.new("char[4]") ffi.gc(x, nil) end end},
  {"ffi.gc(x, f)", function() local f = function() end for _ = 1, N do sink = ffi.gc(ffi.new("char[4]"), f) end end},
  {"ffi.metatype new", function() local T = ffi.metatype("struct { int a; }", {}) for _ = 1, N do sink = T(1) end end},
  {"cbuf[i]", function() local s = 0 for i = 0, N - 1 do s = s + cbuf[i % 8] end sink = s end},
  {"#ffi.string", function() for _ = 1, N do sink = #ffi.string(buf, 8) end end},
  {"ptr ~= nil", function() local p = cbuf for _ = 1, N do sink = p ~= nil end end},
  {"ffi.cast int*, buf", function() for _ = 1, N do sink = ffi.cast("int *", buf) end end},
}
local pattern = arg and arg[1]
for _, case in ipairs(ops) do
  if not pattern or case[1]:find(pattern, 1, true) then
    local best = math.huge
    for _ = 1, 5 do
      collectgarbage()
      local t = os.clock()
      case[2]()
      t = os.clock() - t
      if t < best then best = t end
    end
    print(string.format("%-26s %8.1f", case[1], best / N * 1e9))
  end
end
