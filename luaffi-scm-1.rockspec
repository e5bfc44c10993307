-- `luarocks make` in a checkout builds ffi.so (and bit.so) with the Makefile and
-- installs them into the rock tree. Building needs the Swift toolchain and libffi-dev
-- (Debian's ffi.h is in a multiarch folder luarocks does not search); running needs
-- neither.
rockspec_format = "3.0"
package = "luaffi"
version = "scm-1"
source = { url = "git+file://." }
description = {
  summary = "LuaJIT's ffi API for PUC Lua 5.4, built on libffi",
  detailed = [[
The ffi module of LuaFFI for stock lua5.4: ffi.cdef, ffi.new, ffi.cast, ffi.C,
ffi.load, callbacks and metatypes as in LuaJIT, plus the Python-cffi names.]],
}
dependencies = { "lua >= 5.4, < 5.5" }
build = {
  type = "command",
  build_command = "make module",
  install_command = "make install-module LIBDIR=$(LIBDIR)",
}
