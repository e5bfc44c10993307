-- zlib through the API-mode module that build.lua made: z_stream with the compiler's
-- layout, deflateInit and inflateInit (macros in zlib.h), constants from #define.
--   luaffi examples/api-mode/zlib.lua [module folder]   (or lua5.4 with ffi.so)
local folder = arg[1] or arg[0]:match("^(.*)/[^/]*$") or "."
package.cpath = folder .. "/?.so;" .. package.cpath
local z = require("zlib_api")
local ffi, lib = z.ffi, z.lib

print("zlib " .. ffi.string(lib.zlibVersion()) .. ", header " .. lib.ZLIB_VERSION)
print("sizeof(z_stream) = " .. ffi.sizeof("z_stream") .. " (from the compiler)")

local function check(code, stream, what)
  if code ~= lib.Z_OK and code ~= lib.Z_STREAM_END then
    local message = stream.msg ~= nil and ffi.string(stream.msg) or "no message"
    error(string.format("%s: %s (%d)", what, message, code), 2)
  end
  return code
end

-- One call each way: the whole input, an output buffer big enough.
local function deflate(data)
  local stream = ffi.new("z_stream")
  check(lib.deflateInit(stream, lib.Z_DEFAULT_COMPRESSION), stream, "deflateInit")
  local size = tonumber(lib.compressBound(#data))
  local out = ffi.new("unsigned char[?]", size)
  stream.next_in = ffi.cast("unsigned char *", data)
  stream.avail_in = #data
  stream.next_out, stream.avail_out = out, size
  check(lib.deflate(stream, lib.Z_FINISH), stream, "deflate")
  local result = ffi.string(out, stream.total_out)
  lib.deflateEnd(stream)
  return result
end

local function inflate(data, size)
  local stream = ffi.new("z_stream")
  check(lib.inflateInit(stream), stream, "inflateInit")
  local out = ffi.new("unsigned char[?]", size)
  stream.next_in = ffi.cast("unsigned char *", data)
  stream.avail_in = #data
  stream.next_out, stream.avail_out = out, size
  local ok, err = pcall(check, lib.inflate(stream, lib.Z_FINISH), stream, "inflate")
  local result = ffi.string(out, stream.total_out)
  lib.inflateEnd(stream)
  if not ok then error(err, 2) end
  return result
end

local text = string.rep("API mode checks declarations against the real headers. ", 200)
local packed = deflate(text)
print(string.format("deflate: %d -> %d bytes", #text, #packed))
assert(inflate(packed, #text) == text)
print("round trip ok")
local ok, err = pcall(inflate, "not zlib data at all", 100)
print("inflate garbage: " .. tostring(err):match("inflate: .*"))
assert(not ok)
