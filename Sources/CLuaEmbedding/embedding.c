/* The embedding API's C pieces: Swift closures that may yield, the API's message
 * handler, the sandbox. (Limits and coroutine resumes are in CLuaCore/limits.c.) */
#include "CLuaEmbedding.h"
#include "lf_core.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- Swift closures ----------------------------------------------------------- */

/* The trampoline of closures (lf_pushswiftbox): lf_runswift with the state's info
 * from its extra space (set by lf_newstate, copied into every new thread). */
static inline int run_box(lua_State *L) {
  const lf_SwiftBox *b = (const lf_SwiftBox *)lua_touserdata(L, lua_upvalueindex(1));
  lf_StateInfo *info = *(lf_StateInfo **)lua_getextraspace(L);
  int armed = info->armed, foreign = info->foreign; /* a mark pending outside stays */
  void *foreign_thread = info->foreign_thread;
  info->armed = 0;
  info->foreign = 0;
  int n = b->fn(L, b->box);
  info->armed = armed;
  int pushed = info->foreign_thread == (void *)L ? info->foreign : 0; /* on this stack */
  info->foreign = foreign;
  info->foreign_thread = foreign_thread;
  if (n == LF_RAISE) return lua_error(L);
  int top = lua_gettop(L), results = n >= 0 ? n : LF_YIELD(0) - n;
  if (pushed && pushed > top - results && pushed <= top) { /* a foreign nil among the results */
    lua_pushliteral(L, LF_FOREIGN_MESSAGE);
    return lua_error(L);
  }
  if (info->overdrawn) return lf_chargeoverdraft(L, info, n);
  return n;
}

static int box_trampoline(lua_State *L) { return run_box(L); }

/* The same, plus LF_YIELD(n): yields from C once the Swift frame is gone. */
static int yielding_box_trampoline(lua_State *L) {
  int n = run_box(L);
  if (n <= LF_YIELD(0)) return lua_yield(L, LF_YIELD(0) - n);
  return n;
}

void lf_pushswiftbox(lua_State *L, int nup, int yielding) {
  lua_pushcclosure(L, yielding ? yielding_box_trampoline : box_trampoline, nup + 1);
}

void lf_pushapimsghandler(lua_State *L) { lua_pushcfunction(L, lf_apimsghandler); }

/* ---- Sandbox ----------------------------------------------------------------- */

/* Calls the loader in upvalue 1 with the arguments before `mode` (its index), mode
 * "t", and the env argument after it if one was given. */
static int text_only(lua_State *L, int mode) {
  int env = lua_gettop(L) > mode;
  lua_settop(L, mode + 1);
  lua_pushvalue(L, lua_upvalueindex(1));
  for (int i = 1; i < mode; i++) lua_pushvalue(L, i);
  lua_pushliteral(L, "t");
  if (env) lua_pushvalue(L, mode + 1);
  lua_call(L, env ? mode + 1 : mode, LUA_MULTRET);
  return lua_gettop(L) - (mode + 1);
}

/* load(chunk [, name [, mode [, env]]]) with mode forced to "t". */
static int sandbox_load(lua_State *L) { return text_only(L, 3); }

/* loadfile([path [, mode [, env]]]) with mode forced to "t". */
static int sandbox_loadfile(lua_State *L) { return text_only(L, 2); }

/* dofile(path) for text chunks only. */
static int sandbox_dofile(lua_State *L) {
  const char *path = luaL_optstring(L, 1, NULL);
  lua_settop(L, 1);
  if (luaL_loadfilex(L, path, "t") != LUA_OK) return lua_error(L);
  lua_call(L, 0, LUA_MULTRET);
  return lua_gettop(L) - 1;
}

/* The Lua-file searcher (package.searchers[2]) for text chunks only; upvalue 1 is
 * the package table. */
static int sandbox_searcher(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  lua_getfield(L, lua_upvalueindex(1), "searchpath");
  lua_pushvalue(L, 1);
  lua_getfield(L, lua_upvalueindex(1), "path");
  lua_call(L, 2, 2);
  if (lua_isnil(L, -2)) {
    lua_pushfstring(L, "\n\t%s", lua_tostring(L, -1));
    return 1;
  }
  const char *filename = lua_tostring(L, -2);
  if (luaL_loadfilex(L, filename, "t") != LUA_OK)
    return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", name, filename,
                      lua_tostring(L, -1));
  lua_pushstring(L, filename);
  return 2;
}

static int sandbox_(lua_State *L) {
  int flags = (int)(intptr_t)lua_touserdata(L, 1);
  lua_getglobal(L, "package");
  int package = lua_gettop(L);
  lua_pushnil(L);
  lua_setfield(L, package, "loadlib");
  lua_pushliteral(L, "");
  lua_setfield(L, package, "cpath");
  lua_getfield(L, package, "searchers");
  int searchers = lua_gettop(L);
  for (lua_Integer i = (lua_Integer)lua_rawlen(L, searchers); i >= 2; i--) {
    lua_pushnil(L);
    lua_rawseti(L, searchers, i);
  }
  lua_getglobal(L, "load");
  lua_pushcclosure(L, sandbox_load, 1);
  lua_setglobal(L, "load");
  if (flags & LF_SANDBOX_FILES) {
    lua_getglobal(L, "loadfile");
    lua_pushcclosure(L, sandbox_loadfile, 1);
    lua_setglobal(L, "loadfile");
    lua_pushcfunction(L, sandbox_dofile);
    lua_setglobal(L, "dofile");
    lua_pushvalue(L, package);
    lua_pushcclosure(L, sandbox_searcher, 1);
    lua_rawseti(L, searchers, 2);
  } else {
    lua_pushliteral(L, "");
    lua_setfield(L, package, "path");
    lua_pushnil(L);
    lua_setglobal(L, "dofile");
    lua_pushnil(L);
    lua_setglobal(L, "loadfile");
  }
  if (!(flags & LF_SANDBOX_PACKAGE)) {
    lua_pushnil(L);
    lua_setglobal(L, "package");
  }
  if (!(flags & LF_SANDBOX_OS)) {
    static const char *const safe[] = {"clock", "time", "date", "difftime"};
    lua_getglobal(L, "os");
    int os = lua_gettop(L);
    lua_createtable(L, 0, 4);
    for (int i = 0; i < 4; i++) {
      lua_getfield(L, os, safe[i]);
      lua_setfield(L, -2, safe[i]);
    }
    lua_pushvalue(L, -1);
    lua_setglobal(L, "os");
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "os");
  }
  return 0;
}

int lf_psandbox(lua_State *L, int flags) {
  return lf_protect(L, sandbox_, (void *)(intptr_t)flags, 0, 0);
}
