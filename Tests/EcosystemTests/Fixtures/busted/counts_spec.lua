-- A spec file with known outcomes: 2 successes, 1 failure, 1 error, 1 pending.
local ffi = require("ffi")
ffi.cdef "int abs(int x);"

describe("known outcomes", function()
  it("succeeds", function() assert.are.equal(3, ffi.C.abs(-3)) end)
  it("succeeds again", function() assert.is_true(ffi.istype("int", ffi.new("int"))) end)
  it("fails", function() assert.are.equal(4, ffi.C.abs(-3)) end)
  it("errors", function() ffi.C.abs("not a number") end)
  pending("is pending")
end)
