--! ffi: getpid
-- A plugin granted one C function; anything else it reaches for is refused.
local ffi = require "ffi"
ffi.cdef "int getpid(void); int system(const char *);"
return {
  on_message = function(text)
    local ok, err = pcall(function() return ffi.C.system("echo pwned") end)
    return (ffi.C.getpid() > 0 and "pid ok" or "no pid") .. ", system: " .. (ok and "ran" or "refused")
  end,
}
