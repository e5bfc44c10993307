-- Struct-heavy C APIs: stat(2) with struct stat and nested struct timespec,
-- gettimeofday and clock_gettime with out-structs, and their failures as Lua errors.
--   luaffi examples/structs.lua [path]
local ffi = require("ffi")

ffi.cdef [[
  typedef long time_t;
  struct timespec { time_t tv_sec; long tv_nsec; };
  struct timeval { time_t tv_sec; long tv_usec; };
  int gettimeofday(struct timeval *tv, void *tz);
  int clock_gettime(int clock, struct timespec *tp);
  int nanosleep(const struct timespec *request, struct timespec *remaining);
  char *strerror(int errnum);
]]
-- struct stat differs by architecture (the kernel's generic layout on arm64).
if ffi.arch == "x64" then
  ffi.cdef [[
    struct stat {
      unsigned long st_dev, st_ino, st_nlink;
      unsigned int st_mode, st_uid, st_gid; int __pad0;
      unsigned long st_rdev; long st_size, st_blksize, st_blocks;
      struct timespec st_atim, st_mtim, st_ctim;
      long __unused[3];
    };
  ]]
else
  ffi.cdef [[
    struct stat {
      unsigned long st_dev, st_ino; unsigned int st_mode, st_nlink, st_uid, st_gid;
      unsigned long st_rdev, __pad1; long st_size; int st_blksize, __pad2; long st_blocks;
      struct timespec st_atim, st_mtim, st_ctim;
      unsigned int __unused[2];
    };
  ]]
end
ffi.cdef "int stat(const char *path, struct stat *buf);"
local C = ffi.C
local CLOCK_REALTIME, CLOCK_MONOTONIC = 0, 1

-- -1 from C: raise with errno's text.
local function check(result, what)
  if result ~= 0 then
    error(string.format("%s: %s", what, ffi.string(C.strerror(ffi.errno()))), 2)
  end
end

local function stat(path)
  local buf = ffi.new("struct stat")
  check(C.stat(path, buf), "stat " .. path)
  return buf
end

local path = arg and arg[1] or (arg and arg[0]) or "examples/structs.lua"
local st = stat(path)
local file = assert(io.open(path, "rb"))
local size = file:seek("end")
file:close()
assert(st.st_size == size, "st_size disagrees with the file's length")
print(string.format("stat: %d bytes, mode %o, regular file: %s", st.st_size, st.st_mode,
                    tostring(st.st_mode & 0xF000 == 0x8000)))
print(string.format("modified %s UTC", os.date("!%Y-%m-%d", st.st_mtim.tv_sec)))
print("sizeof(struct stat) = " .. ffi.sizeof("struct stat"))

local ok, err = pcall(stat, "/nonexistent/luaffi")
print("error: " .. err)

-- gettimeofday and clock_gettime fill structs we pass by pointer.
local tv = ffi.new("struct timeval")
check(C.gettimeofday(tv, nil), "gettimeofday")
assert(math.abs(tv.tv_sec - os.time()) <= 2, "gettimeofday disagrees with os.time")
print("gettimeofday agrees with os.time")

local function now(clock)
  local ts = ffi.new("struct timespec")
  check(C.clock_gettime(clock, ts), "clock_gettime")
  return ts.tv_sec + ts.tv_nsec / 1e9
end
local start = now(CLOCK_MONOTONIC)
check(C.nanosleep(ffi.new("struct timespec", { 0, 20 * 1000 * 1000 }), nil), "nanosleep")
local elapsed = now(CLOCK_MONOTONIC) - start
assert(elapsed >= 0.019, "slept less than asked")
print(string.format("nanosleep 20 ms: slept at least 20 ms: %s", tostring(elapsed >= 0.019)))
ok, err = pcall(now, 12345)
print("error: " .. err)
