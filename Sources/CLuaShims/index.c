/* Cached lookups in C: see lf_index.h. */
#include "lf_index.h"
#include "CLuaShims.h"

static int cachedindex(lua_State *L) {
  if (lua_getiuservalue(L, 1, 1) == LUA_TTABLE) {
    lua_pushvalue(L, 2);
    if (lua_rawget(L, -2) != LUA_TNIL) return 1;
  }
  lua_settop(L, 2);
  lf_SwiftFunction slow = (lf_SwiftFunction)lua_touserdata(L, lua_upvalueindex(1));
  lf_StateInfo *info = lf_stateinfo(L);
  int armed = info ? info->armed : 0;
  if (info) info->armed = 0;
  int n = slow(L);
  if (info) info->armed = armed;
  return n == LF_RAISE ? lua_error(L) : n;
}

void lf_pushcachedindex(lua_State *L, int (*slow)(lua_State *L), int nup) {
  lua_pushlightuserdata(L, (void *)slow);
  if (nup > 0) lua_insert(L, -nup - 1);
  lua_pushcclosure(L, cachedindex, nup + 1);
}
