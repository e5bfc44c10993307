-- libm through ffi.load("m"), as a busted suite.
local ffi = require("ffi")
local libm = ffi.load("m")

ffi.cdef [[
  double sqrt(double x);
  double fabs(double x);
  double floor(double x);
  double fmod(double x, double y);
  double ldexp(double x, int exponent);
  double frexp(double x, int *exponent);
  float sinf(float x);
  long lrint(double x);
]]

describe("libm", function()
  it("computes square roots", function()
    assert.are.equal(3, libm.sqrt(9))
    assert.is_true(libm.sqrt(-1) ~= libm.sqrt(-1)) -- NaN
  end)

  it("agrees with Lua's math library", function()
    for _, x in ipairs { -2.5, -1, 0, 0.5, 7.25 } do
      assert.are.equal(math.abs(x), libm.fabs(x))
      assert.are.equal(math.floor(x), libm.floor(x))
      assert.are.equal(math.fmod(x, 2), libm.fmod(x, 2))
    end
  end)

  it("passes int arguments and out-parameters", function()
    assert.are.equal(48, libm.ldexp(0.75, 6))
    local exponent = ffi.new("int[1]")
    assert.are.equal(0.75, libm.frexp(48, exponent))
    assert.are.equal(6, exponent[0])
  end)

  it("returns float results rounded to float", function()
    assert.is_true(math.abs(libm.sinf(1) - math.sin(1)) < 1e-6)
  end)

  it("returns long as a Lua integer", function()
    assert.are.equal("integer", math.type(libm.lrint(2.0)))
    assert.are.equal(2, libm.lrint(2.5)) -- round half to even
  end)

  it("reports a missing symbol", function()
    assert.has_error(function() return libm.no_such_function end)
  end)
end)
