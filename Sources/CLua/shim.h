/* The system Lua 5.4 (Debian liblua5.4-dev keeps its headers in lua5.4/). */
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
