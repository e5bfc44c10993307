-- libm through ffi.load("m"): sin, pow, frexp with an out pointer, float variants.
local ffi = require("ffi")
ffi.cdef [[
double sin(double x);
double cos(double x);
double pow(double x, double y);
double frexp(double x, int *exp);
double ldexp(double x, int exp);
float sqrtf(float x);
double fma(double x, double y, double z);
double modf(double x, double *iptr);
long lround(double x);
]]
local m = ffi.load("m")
assert(m.sin(0) == 0 and math.abs(m.sin(math.pi / 2) - 1) < 1e-15)
assert(m.sin(1.0) == math.sin(1.0) and m.cos(2.0) == math.cos(2.0))
assert(m.pow(2, 10) == 1024 and m.pow(2, 0.5) == math.sqrt(2))
local e = ffi.new("int[1]")
local mant = m.frexp(48, e)
assert(mant == 0.75 and e[0] == 6)
assert(m.ldexp(0.75, 6) == 48)
assert(m.sqrtf(2) == ffi.new("float", math.sqrt(2)) or math.abs(m.sqrtf(2) - math.sqrt(2)) < 1e-6)
assert(m.fma(2, 3, 4) == 10)
local ip = ffi.new("double[1]")
assert(m.modf(3.25, ip) == 0.25 and ip[0] == 3)
assert(m.lround(2.5) == 3 and m.lround(-2.5) == -3)
-- the same functions are in the process already (ffi.C)
assert(ffi.C.pow(3, 3) == 27)
print("ok")
