/* Execution limits: the instruction and time budget raised from a count hook, memory
 * kept outside Lua charged to the state, and finalizers run under the limits. */
#include "CLuaCore.h"
#include "lf_core.h"

#include <lua5.4/lauxlib.h>
#include <stdint.h>
#include <time.h>

int lf_resume(lua_State *co, lua_State *from, int nargs, int *nresults) {
  lf_StateInfo *info = lf_stateinfo(co);
  int armed = info ? info->armed : 0;
  if (info) info->armed = 1;
  int status = lua_resume(co, from, nargs, nresults);
  if (info) info->armed = armed;
  return status;
}

static const char lf_limitskey = 0; /* registry key (its address) of the lf_Limits */

double lf_monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void lf_interrupt(int *flag) { __atomic_store_n(flag, 1, __ATOMIC_RELEASE); }

void lf_resetlimits(lf_Limits *limits) {
  limits->instructions = 0;
  limits->tripped = 0;
  if (limits->interrupt) __atomic_store_n(limits->interrupt, 0, __ATOMIC_RELAXED);
  limits->deadline = limits->time_limit > 0 ? lf_monotonic() + limits->time_limit : 0;
}

static const char *const trip_reasons[] = {"", "instruction limit exceeded", "time limit exceeded", "interrupted"};

const char *lf_budgetcheck(lf_StateInfo *info) {
  lf_Limits *limits = info ? info->limits : NULL;
  if (limits == NULL) return NULL;
  if (!limits->tripped && limits->interrupt && __atomic_exchange_n(limits->interrupt, 0, __ATOMIC_ACQUIRE))
    limits->tripped = 3;
  if (!limits->tripped && limits->deadline > 0 && lf_monotonic() > limits->deadline) limits->tripped = 2;
  return limits->tripped ? trip_reasons[limits->tripped] : NULL;
}

int lf_memoryroom(lf_StateInfo *info, size_t bytes) {
  return info->limit == 0 || (info->used <= info->limit && bytes <= info->limit - info->used);
}

void lf_chargememory(lf_StateInfo *info, size_t bytes) {
  info->used += bytes;
  if (info->used > info->peak) info->peak = info->used;
}

void lf_refundmemory(lf_StateInfo *info, size_t bytes) { info->used -= bytes < info->used ? bytes : info->used; }

static void lf_limithook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &lf_limitskey);
  lf_Limits *limits = (lf_Limits *)lua_touserdata(L, -1);
  lua_pop(L, 1);
  if (limits == NULL) return;
  int count = lua_gethookcount(L);
  if (!limits->tripped && limits->interrupt && __atomic_exchange_n(limits->interrupt, 0, __ATOMIC_ACQUIRE))
    limits->tripped = 3;
  if (!limits->tripped) {
    limits->instructions += count;
    if (limits->instruction_limit > 0 && limits->instructions > limits->instruction_limit)
      limits->tripped = 1;
    else if (limits->deadline > 0 && lf_monotonic() > limits->deadline)
      limits->tripped = 2;
  }
  if (!limits->tripped) {
    /* A thread left at step 1 by an earlier trip goes back to the normal step. */
    if (count != limits->step) lua_sethook(L, lf_limithook, LUA_MASKCOUNT, limits->step);
    return;
  }
  /* Raise at every instruction from now on: a pcall cannot swallow the stop. */
  if (count != 1) lua_sethook(L, lf_limithook, LUA_MASKCOUNT, 1);
  luaL_where(L, 0); /* the running Lua function: hooks have no level of their own */
  lua_pushstring(L, trip_reasons[limits->tripped]);
  lua_concat(L, 2);
  lua_error(L);
}

void lf_setlimits(lua_State *L, lf_Limits *limits) {
  lf_StateInfo *info = lf_stateinfo(L);
  if (info) info->limits = limits;
  lua_pushlightuserdata(L, limits);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &lf_limitskey);
  if (limits->step <= 0) limits->step = 1000;
  lua_sethook(L, lf_limithook, LUA_MASKCOUNT, limits->step);
}

/* ---- Finalizers under the limits --------------------------------------------- */

/* Lua switches hooks off on the thread that runs a finalizer (GCTM), so the limit
 * hook never sees a `__gc` that loops. A fresh thread has hooks on and inherits
 * the creator's hook: a finalizer resumed in one runs under the budget, with the
 * allocator armed (lf_resume). */
int lf_pfinalize(lua_State *L, int nargs) {
  if (lua_gethook(L) != lf_limithook) return lf_pcall(L, nargs, 0, 0);
  if (!lua_checkstack(L, 2)) return lf_pcall(L, nargs, 0, 0);
  lua_State *co = lua_newthread(L);
  lua_insert(L, -(nargs + 2)); /* the thread under the function */
  lua_xmove(L, co, nargs + 1);
  int nres = 0;
  int status = lf_resume(co, L, nargs, &nres);
  if (status == LUA_OK) {
    lua_pop(L, 1);
    return LUA_OK;
  }
  if (status == LUA_YIELD) {
    lua_pop(L, 1);
    lua_pushliteral(L, "attempt to yield from a finalizer");
    return LUA_ERRRUN;
  }
  lua_xmove(co, L, 1); /* the error value */
  lua_remove(L, -2);
  return status;
}

/* `__gc` installed by limited_setmetatable: runs the finalizer in upvalue 1 through
 * lf_pfinalize; an error (a limit too) goes on to Lua, which warns. */
static int finalizer_wrapper(lua_State *L) {
  lua_settop(L, 1);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  return lf_pfinalize(L, 1) == LUA_OK ? 0 : lua_error(L);
}

/* setmetatable that wraps a `__gc` of the new metatable in finalizer_wrapper
 * (rawset into the metatable), so that it runs under the state's limits, then
 * calls the setmetatable it replaced (upvalue 1: the base library's or a host's).
 * It checks the argument types first, as lbaselib.c does, so that errors name
 * 'setmetatable'. */
static int limited_setmetatable(lua_State *L) {
  int t = lua_type(L, 2), n = lua_gettop(L);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
  /* Wrapped before the call: if the replaced function then refuses (a protected
   * metatable), the new metatable keeps the wrapped `__gc`, which runs the same
   * finalizer (under the limits). The replaced function may be a host's that takes
   * any table (`debug.setmetatable`), so the refusal is its own to make. */
  if (t == LUA_TTABLE) lf_wrapfinalizer(L, 2);
  luaL_checkstack(L, n + 1, NULL);
  lua_pushvalue(L, lua_upvalueindex(1));
  for (int i = 1; i <= n; i++) lua_pushvalue(L, i);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L) - n;
}

void lf_wrapfinalizer(lua_State *L, int mt) {
  mt = lua_absindex(L, mt);
  lua_pushliteral(L, "__gc"); /* raw, as Lua itself reads __gc (gfasttm) */
  if (lua_rawget(L, mt) == LUA_TNIL || lua_tocfunction(L, -1) == finalizer_wrapper) {
    lua_pop(L, 1);
    return;
  }
  lua_pushcclosure(L, finalizer_wrapper, 1);
  lua_pushliteral(L, "__gc");
  lua_insert(L, -2);
  lua_rawset(L, mt);
}

/* Wraps the global setmetatable (the base library's or one the host put there):
 * not a missing one (no base library), nor ours again. */
static int limitfinalizers_(lua_State *L) {
  if (lua_getglobal(L, "setmetatable") != LUA_TFUNCTION || lua_tocfunction(L, -1) == limited_setmetatable)
    return 0;
  lua_pushcclosure(L, limited_setmetatable, 1);
  lua_setglobal(L, "setmetatable");
  return 0;
}

int lf_plimitfinalizers(lua_State *L) { return lf_protect(L, limitfinalizers_, NULL, 0, 0); }

static int collect_(lua_State *L) {
  lua_gc(L, LUA_GCCOLLECT);
  return 0;
}

int lf_pcollect(lua_State *L) { return lf_protect(L, collect_, NULL, 0, 0); }

