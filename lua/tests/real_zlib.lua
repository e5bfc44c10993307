-- zlib through ffi.load("z"): compress/uncompress round trip of real data,
-- compressBound, error codes.
local ffi = require("ffi")
local ok, z = pcall(ffi.load, "z")
if not ok then ok, z = pcall(ffi.load, "libz.so.1") end
if not ok then print("skipped: zlib not found (" .. tostring(z) .. ")") return end
ffi.cdef [[
typedef unsigned long uLong;
typedef unsigned long uLongf;
typedef unsigned char Bytef;
const char *zlibVersion(void);
uLong compressBound(uLong sourceLen);
int compress(Bytef *dest, uLongf *destLen, const Bytef *source, uLong sourceLen);
int compress2(Bytef *dest, uLongf *destLen, const Bytef *source, uLong sourceLen, int level);
int uncompress(Bytef *dest, uLongf *destLen, const Bytef *source, uLong sourceLen);
uLong crc32(uLong crc, const Bytef *buf, unsigned int len);
uLong adler32(uLong adler, const Bytef *buf, unsigned int len);
]]
local Z_OK, Z_BUF_ERROR, Z_DATA_ERROR, Z_STREAM_ERROR = 0, -5, -3, -2

assert(ffi.string(z.zlibVersion()):match("^%d+%.%d+"))
-- real data: this script's own text, repeated
local source = debug.getinfo(1, "S").source:match("^@(.*)$")
local f = source and io.open(source, "rb")
local text = f and f:read("a") or string.rep("zlib test data, not quite as real ", 200)
if f then f:close() end
text = string.rep(text, 4)

local function compress(data, level)
  local bound = z.compressBound(#data)
  assert(bound >= #data)
  local out = ffi.new("Bytef[?]", bound)
  local outLen = ffi.new("uLongf[1]", bound)
  local status = level and z.compress2(out, outLen, data, #data, level) or z.compress(out, outLen, data, #data)
  assert(status == Z_OK, "compress: " .. status)
  return ffi.string(out, outLen[0])
end

local function uncompress(data, size)
  local out = ffi.new("Bytef[?]", size)
  local outLen = ffi.new("uLongf[1]", size)
  local status = z.uncompress(out, outLen, data, #data)
  return status, ffi.string(out, outLen[0])
end

local packed = compress(text)
assert(#packed < #text / 2, "real text compresses")
local status, back = uncompress(packed, #text)
assert(status == Z_OK and back == text)
-- levels
local fast, best = compress(text, 1), compress(text, 9)
assert(#best <= #fast)
assert(select(2, uncompress(best, #text)) == text)
-- error codes: too small a buffer, corrupt data, bad level
status = uncompress(packed, #text // 2)
assert(status == Z_BUF_ERROR, status)
local corrupt = packed:sub(1, 2) .. string.rep("\255", #packed - 2)
status = uncompress(corrupt, #text)
assert(status == Z_DATA_ERROR, status)
local out, outLen = ffi.new("Bytef[64]"), ffi.new("uLongf[1]", 64)
assert(z.compress2(out, outLen, "x", 1, 42) == Z_STREAM_ERROR)
-- checksums against known values
assert(z.crc32(0, "123456789", 9) == 0xCBF43926)
assert(z.adler32(1, "Wikipedia", 9) == 0x11E60398)
print("ok")
