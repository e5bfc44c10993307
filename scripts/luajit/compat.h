/* Lua 5.1 C API names for LuaJIT's test helper test/src/ctest.c, built against
   Lua 5.4 by scripts/luajit-suite (`cc -include compat.h`). Only what ctest.c uses. */
#ifndef LUAJIT_SUITE_COMPAT_H
#define LUAJIT_SUITE_COMPAT_H
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>

/* lua_resume(co, narg) of 5.1: 5.4 adds the resuming thread and a result count. */
static inline int luajit_suite_resume(lua_State *co, int narg) {
  int nres;
  return lua_resume(co, NULL, narg, &nres);
}
#define lua_resume(co, narg) luajit_suite_resume(co, narg)

#define luaL_checkint(L, n) ((int)luaL_checkinteger(L, n))

/* Lua 5.1's newproxy([boolean]): an empty userdata, with a fresh metatable when
   the argument is true. Lua 5.4 dropped it; the tests use it as a plain userdata. */
static inline int luajit_suite_newproxy(lua_State *L) {
  lua_newuserdatauv(L, 0, 0);
  if (lua_toboolean(L, 1)) {
    lua_newtable(L);
    lua_setmetatable(L, -2);
  }
  return 1;
}

/* luaL_register(L, name, funcs) of 5.1: a global table `name` holding `funcs`.
   Installs the global `newproxy` too, which the prelude reads from here. */
static inline void luajit_suite_register(lua_State *L, const char *name,
                                         const luaL_Reg *funcs) {
  lua_newtable(L);
  luaL_setfuncs(L, funcs, 0);
  lua_pushcfunction(L, luajit_suite_newproxy);
  lua_setfield(L, -2, "newproxy");
  lua_pushvalue(L, -1);
  lua_setglobal(L, name);
}
#define luaL_register(L, name, funcs) luajit_suite_register(L, name, funcs)

#endif
