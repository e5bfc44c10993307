/* The C functions of the LuaJIT compatibility layer: `type` and `ipairs` as LuaJIT's
 * (LuaJITCompat.swift installs them). */
#include "CFFIFast.h"

#include <lua5.4/lauxlib.h>
#include <string.h>

int lf_compattype(lua_State *L) {
  int t = lua_type(L, 1);
  luaL_argcheck(L, t != LUA_TNONE, 1, "value expected");
  if (t == LUA_TUSERDATA && luaL_getmetafield(L, 1, "__name") == LUA_TSTRING) {
    const char *name = lua_tostring(L, -1);
    if (strcmp(name, "cdata") == 0 || strcmp(name, "ctype") == 0) { /* ctype objects are cdata in LuaJIT */
      lua_pushliteral(L, "cdata");
      return 1;
    }
  }
  lua_pushstring(L, lua_typename(L, t));
  return 1;
}

int lf_compatipairs(lua_State *L) {
  luaL_checkany(L, 1);
  lua_settop(L, 1);
  if (luaL_getmetafield(L, 1, "__ipairs") != LUA_TNIL) {
    lua_pushvalue(L, 1);
    lua_call(L, 1, 3);
    return 3;
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, 1, 3);
  return 3;
}
