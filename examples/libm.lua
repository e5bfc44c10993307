-- libm through ffi: scalar math, out-parameters, and domain errors reported by errno.
--   luaffi examples/libm.lua
local ffi = require("ffi")
local libm = ffi.load("m")

ffi.cdef [[
  double sqrt(double x);
  double pow(double x, double y);
  double frexp(double x, int *exponent);
  double modf(double x, double *integral);
  double log(double x);
  float hypotf(float x, float y);
  long lround(double x);
  char *strerror(int errnum);
]]

print(string.format("sqrt(2) = %.6f", libm.sqrt(2)))
print(string.format("pow(2, 10) = %g", libm.pow(2, 10)))
print(string.format("hypotf(3, 4) = %g", libm.hypotf(3, 4)))
print("lround(2.5) = " .. libm.lround(2.5))

-- Out-parameters: pass a one-element array, read it back.
local exponent = ffi.new("int[1]")
local mantissa = libm.frexp(48, exponent)
print(string.format("frexp(48) = %g * 2^%d", mantissa, exponent[0]))
local integral = ffi.new("double[1]")
local fraction = libm.modf(3.25, integral)
print(string.format("modf(3.25) = %g + %g", integral[0], fraction))

-- Domain errors: C sets errno (EDOM, ERANGE); check it after the call.
local function checked(f, ...)
  ffi.errno(0)
  local result = f(...)
  local code = ffi.errno()
  if code ~= 0 then error("math error: " .. ffi.string(ffi.C.strerror(code)), 2) end
  return result
end
print("log(1) = " .. checked(libm.log, 1))
local ok, err = pcall(checked, libm.log, -1)
print("log(-1): " .. err)

-- Wrong arguments are Lua errors, not crashes.
ok, err = pcall(libm.sqrt, "four")
print("sqrt('four'): " .. err)
