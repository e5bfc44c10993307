-- zlib through ffi.load("z"), as a busted suite: round trips and error codes.
local ffi = require("ffi")
local zlib = ffi.load("z")

ffi.cdef [[
  typedef unsigned long uLong;
  uLong compressBound(uLong sourceLen);
  int compress(uint8_t *dest, uLong *destLen, const uint8_t *source, uLong sourceLen);
  int uncompress(uint8_t *dest, uLong *destLen, const uint8_t *source, uLong sourceLen);
  uLong crc32(uLong crc, const uint8_t *buf, unsigned len);
  uLong adler32(uLong adler, const uint8_t *buf, unsigned len);
]]
local Z_OK, Z_BUF_ERROR, Z_DATA_ERROR = 0, -5, -3

local function compress(data)
  local length = ffi.new("uLong[1]", zlib.compressBound(#data))
  local buffer = ffi.new("uint8_t[?]", length[0])
  assert.are.equal(Z_OK, zlib.compress(buffer, length, data, #data))
  return ffi.string(buffer, length[0])
end

local function uncompress(data, size)
  local length = ffi.new("uLong[1]", size)
  local buffer = ffi.new("uint8_t[?]", size)
  local code = zlib.uncompress(buffer, length, data, #data)
  return code, code == Z_OK and ffi.string(buffer, length[0]) or nil
end

describe("zlib", function()
  it("round-trips text", function()
    local text = ("the quick brown fox jumps over the lazy dog\n"):rep(100)
    local packed = compress(text)
    assert.is_true(#packed < #text / 10)
    local code, unpacked = uncompress(packed, #text)
    assert.are.equal(Z_OK, code)
    assert.are.equal(text, unpacked)
  end)

  it("round-trips binary data with zero bytes", function()
    local bytes = {}
    for i = 0, 1023 do bytes[#bytes + 1] = string.char((i * 7) % 256) end
    local data = table.concat(bytes)
    local code, unpacked = uncompress(compress(data), #data)
    assert.are.equal(Z_OK, code)
    assert.are.equal(data, unpacked)
  end)

  it("computes known checksums", function()
    assert.are.equal(0xcbf43926, zlib.crc32(0, "123456789", 9))
    assert.are.equal(0x091e01de, zlib.adler32(1, "123456789", 9))
  end)

  it("reports a buffer too small", function()
    local code = uncompress(compress(("x"):rep(100)), 10)
    assert.are.equal(Z_BUF_ERROR, code)
  end)

  it("reports corrupt data", function()
    local code = uncompress("definitely not deflate", 100)
    assert.are.equal(Z_DATA_ERROR, code)
  end)
end)
