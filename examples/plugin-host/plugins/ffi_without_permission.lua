-- A plugin that wants C functions it did not ask for (no "--! ffi:" line).
local ffi = require "ffi"
ffi.cdef "int system(const char *);"
return {
  on_message = function() ffi.C.system("echo pwned") end,
}
