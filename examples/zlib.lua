-- zlib through ffi.load("z"): a compression round trip with real data, the
-- streaming API with a struct, and zlib's errors as Lua errors.
--   luaffi examples/zlib.lua
local ffi = require("ffi")
local zlib = ffi.load("z")

ffi.cdef [[
  typedef unsigned long uLong;
  typedef unsigned long uLongf;
  const char *zlibVersion(void);
  uLong compressBound(uLong sourceLen);
  int compress2(uint8_t *dest, uLongf *destLen, const uint8_t *source, uLong sourceLen, int level);
  int uncompress(uint8_t *dest, uLongf *destLen, const uint8_t *source, uLong sourceLen);
  uLong crc32(uLong crc, const uint8_t *buf, unsigned len);
  const char *zError(int err);
]]
local Z_OK = 0

-- zlib reports failures as negative codes; zError names them.
local function check(code, what)
  if code ~= Z_OK then
    error(string.format("%s: %s (%d)", what, ffi.string(zlib.zError(code)), code), 2)
  end
end

local function compress(data, level)
  local bound = zlib.compressBound(#data)
  local buffer = ffi.new("uint8_t[?]", bound)
  local length = ffi.new("uLongf[1]", bound)
  check(zlib.compress2(buffer, length, data, #data, level or 6), "compress2")
  return ffi.string(buffer, length[0])
end

local function uncompress(data, size)
  local buffer = ffi.new("uint8_t[?]", size)
  local length = ffi.new("uLongf[1]", size)
  check(zlib.uncompress(buffer, length, data, #data), "uncompress")
  return ffi.string(buffer, length[0])
end

-- Real data: this script's own text, repeated.
local file = assert(io.open(arg and arg[0] or "examples/zlib.lua", "rb"))
local source = file:read("a"):rep(8)
file:close()

print("zlib " .. ffi.string(zlib.zlibVersion()))
local packed = compress(source, 9)
print(string.format("compressed %d bytes to %d (%.1f%%)", #source, #packed, 100 * #packed / #source))
local unpacked = uncompress(packed, #source)
assert(unpacked == source, "round trip changed the data")
print("round trip ok")
print(string.format("crc32 = %08x", zlib.crc32(0, source, #source)))

-- Errors: a buffer too small, corrupt input.
local ok, err = pcall(uncompress, packed, 10)
print("error: " .. err)
ok, err = pcall(uncompress, "not zlib data", 100)
print("error: " .. err)
