/* CLuaCore: macros as functions, the allocator with its memory limit, the
 * trampoline for Swift functions, and protected versions of raising calls. */
#include "CLuaCore.h"
#include "lf_core.h"

#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

/* ---- Allocator --------------------------------------------------------------- */

/* The pool of small blocks (LF_POOL_CLASSES): off under AddressSanitizer, which
 * must see every block freed and reused. */
#if defined(__SANITIZE_ADDRESS__)
#define LF_POOL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LF_POOL 0
#endif
#endif
#ifndef LF_POOL
#define LF_POOL 1
#endif

/* The class of a block of `size` bytes (1...LF_POOL_CLASSES * 16), and its size. */
static inline size_t pool_class(size_t size) { return (size - 1) >> 4; }
static inline int pooled_size(size_t size) { return LF_POOL && size <= LF_POOL_CLASSES * 16; }

/* Takes the first block of class c's pool, which has one. */
static inline void *pool_pop(lf_StateInfo *info, size_t c) {
  void *block = info->pool[c];
  info->pool[c] = *(void **)block;
  info->pooled -= (c + 1) << 4;
  return block;
}

/* Puts `block` first in class c's pool. */
static inline void pool_push(lf_StateInfo *info, void *block, size_t c) {
  *(void **)block = info->pool[c];
  info->pool[c] = block;
  info->pooled += (c + 1) << 4;
}

/* A new block of `size` bytes: from the pool, or from malloc (small ones rounded up
 * to their class's size, so that any block of the class can serve). */
static inline void *pool_take(lf_StateInfo *info, size_t size) {
  if (!pooled_size(size)) return malloc(size);
  size_t c = pool_class(size);
  if (info->pool[c] == NULL) return malloc((c + 1) << 4);
  return pool_pop(info, c);
}

/* Gives back a block of `size` bytes: to its class's pool while there is room. */
static inline void pool_release(lf_StateInfo *info, void *block, size_t size) {
  if (pooled_size(size) && info->pooled < LF_POOL_LIMIT) pool_push(info, block, pool_class(size));
  else free(block);
}

/* Resizes `block` (osize bytes): in place within a class, by realloc between large
 * sizes, else by a copy into a new block. NULL (and `block` intact) when out of memory. */
static void *pool_resize(lf_StateInfo *info, void *block, size_t osize, size_t nsize) {
  int small = pooled_size(osize), fits = pooled_size(nsize);
  if (!small && !fits) return realloc(block, nsize);
  if (small && fits && pool_class(osize) == pool_class(nsize)) return block;
  void *moved = pool_take(info, nsize);
  if (moved == NULL) return NULL;
  memcpy(moved, block, osize < nsize ? osize : nsize);
  pool_release(info, block, osize);
  return moved;
}

/* Every case of lf_alloc: limits, resizes, large blocks, empty pools. */
static __attribute__((noinline)) void *alloc_slow(lf_StateInfo *info, void *ptr, size_t osize, size_t nsize) {
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    if (ptr) pool_release(info, ptr, osize);
    info->used -= old;
    return NULL;
  }
  if (info->limit != 0 && nsize > old && info->used - old + nsize > info->limit) {
    /* Refuse only while Lua runs; Lua then raises a memory error from C. While
     * Swift runs, a refusal would longjmp through Swift frames: grant it and
     * let the trampoline charge it when the Swift function returns. */
    if (info->armed) return NULL;
    info->overdrawn = 1;
  }
  void *block = ptr ? pool_resize(info, ptr, osize, nsize) : pool_take(info, nsize);
  if (block == NULL) return NULL;
  info->used = info->used - old + nsize;
  if (info->used > info->peak) info->peak = info->used;
  return block;
}

/* Lua's allocator. A small block freed into its class's pool, or taken from it
 * within the limit, is done here without a call, so that this function needs no
 * stack frame (every object Lua makes and frees comes through here); the rest is
 * a tail call. */
static void *lf_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  lf_StateInfo *info = (lf_StateInfo *)ud;
  if (nsize == 0) {
    if (ptr != NULL && pooled_size(osize) && info->pooled < LF_POOL_LIMIT) {
      pool_push(info, ptr, pool_class(osize));
      info->used -= osize;
      return NULL;
    }
  } else if (ptr == NULL && pooled_size(nsize)) {
    size_t c = pool_class(nsize), used = info->used + nsize;
    if (info->pool[c] != NULL && (info->limit == 0 || used <= info->limit)) {
      info->used = used;
      if (used > info->peak) info->peak = used;
      return pool_pop(info, c);
    }
  }
  return alloc_slow(info, ptr, osize, nsize);
}

void lf_close(lua_State *L, lf_StateInfo *info) {
  lua_close(L);
  for (int c = 0; c < LF_POOL_CLASSES; c++) {
    while (info->pool[c] != NULL) {
      void *block = info->pool[c];
      info->pool[c] = *(void **)block;
      free(block);
    }
  }
  info->pooled = 0;
}

lua_State *lf_newstate(lf_StateInfo *info) {
  lua_State *L = lua_newstate(lf_alloc, info);
  if (L != NULL) *(lf_StateInfo **)lua_getextraspace(L) = info; /* see lf_pushswiftbox */
  return L;
}

lf_StateInfo *lf_stateinfo(lua_State *L) {
  void *ud = NULL;
  return lua_getallocf(L, &ud) == lf_alloc ? (lf_StateInfo *)ud : NULL;
}

/* ---- Trampoline -------------------------------------------------------------- */

/* Runs a Swift function (never raising) with the allocator disarmed, then raises its
 * error, or a memory error it ran into past the limit, from C: once the Swift frame
 * is gone. Returns its result count (or LF_YIELD code). */
int lf_runswift(lua_State *L, lf_SwiftFunction fn) {
  lf_StateInfo *info = lf_stateinfo(L);
  if (info == NULL) {
    int n = fn(L);
    return n == LF_RAISE ? lua_error(L) : n;
  }
  int armed = info->armed;
  info->armed = 0;
  int n = fn(L);
  info->armed = armed;
  if (n == LF_RAISE) return lua_error(L);
  if (info->overdrawn) return lf_chargeoverdraft(L, info, n);
  return n;
}

/* Raises the memory error or leaves the stack as it was: the probe table is
 * refused (LUA_ERRMEM, "not enough memory") unless the emergency collection it
 * triggers frees enough, and then it is popped again, not returned as a result. */
int lf_chargeoverdraft(lua_State *L, lf_StateInfo *info, int n) {
  info->overdrawn = 0;
  if (info->limit != 0 && info->used > info->limit && lua_checkstack(L, 1)) {
    int armed = info->armed;
    info->armed = 1;
    lua_createtable(L, 0, 4);
    info->armed = armed;
    lua_pop(L, 1); /* granted: the collection made room, the charge is paid */
  }
  return n;
}

/* The C function of every Swift function: calls the one in upvalue 1. */
static int lf_trampoline(lua_State *L) {
  return lf_runswift(L, (lf_SwiftFunction)lua_touserdata(L, lua_upvalueindex(1)));
}

void lf_pushswiftfunction(lua_State *L, lf_SwiftFunction fn, int nup) {
  lua_pushlightuserdata(L, (void *)fn);
  if (nup > 0) lua_insert(L, -nup - 1);
  lua_pushcclosure(L, lf_trampoline, nup + 1);
}

/* ---- Protected helpers ------------------------------------------------------- */

/* See lf_core.h. */
int lf_pcallarmed(lua_State *L, lf_StateInfo *info, int nargs, int nresults, int msgh) {
  int armed = info ? info->armed : 0;
  if (info) info->armed = 1;
  int status = lua_pcall(L, nargs, nresults, msgh);
  if (info) info->armed = armed;
  return status;
}

/* Runs `f` in protected mode with the `nin` values on top of the stack plus a
 * light userdata argument; leaves `nout` results or the error value. */
int lf_protect(lua_State *L, lua_CFunction f, void *arg, int nin, int nout) {
  lua_pushcfunction(L, f);
  lua_pushlightuserdata(L, arg);
  lua_rotate(L, -nin - 2, 2);
  return lf_pcallarmed(L, lf_stateinfo(L), nin + 1, nout, 0);
}

static int getglobal_(lua_State *L) {
  lua_getglobal(L, (const char *)lua_touserdata(L, 1));
  return 1;
}
static int setglobal_(lua_State *L) {
  lua_setglobal(L, (const char *)lua_touserdata(L, 1));
  return 0;
}
static int gettable_(lua_State *L) {
  lua_gettable(L, 2);
  return 1;
}
static int settable_(lua_State *L) {
  lua_settable(L, 2);
  return 0;
}
static int tolstring_(lua_State *L) {
  luaL_tolstring(L, 2, NULL);
  return 1;
}
typedef struct { const char *name; lua_CFunction open; int global; } requiref_args;
static int requiref_(lua_State *L) {
  requiref_args *a = (requiref_args *)lua_touserdata(L, 1);
  luaL_requiref(L, a->name, a->open, a->global);
  return 0;
}
static int preload_(lua_State *L) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushvalue(L, 2);
  lua_setfield(L, -2, (const char *)lua_touserdata(L, 1));
  return 0;
}

int lf_pgetglobal(lua_State *L, const char *name) {
  return lf_protect(L, getglobal_, (void *)name, 0, 1);
}
int lf_psetglobal(lua_State *L, const char *name) {
  return lf_protect(L, setglobal_, (void *)name, 1, 0);
}
int lf_pgettable(lua_State *L, int idx) {
  lua_pushvalue(L, idx);
  lua_insert(L, -2);
  return lf_protect(L, gettable_, NULL, 2, 1);
}
int lf_psettable(lua_State *L, int idx) {
  lua_pushvalue(L, idx);
  lua_insert(L, -3);
  return lf_protect(L, settable_, NULL, 3, 0);
}
int lf_ptolstring(lua_State *L, int idx) {
  lua_pushvalue(L, idx);
  return lf_protect(L, tolstring_, NULL, 1, 1);
}
int lf_prequiref(lua_State *L, const char *name, lua_CFunction open, int global) {
  requiref_args a = {name, open, global};
  return lf_protect(L, requiref_, &a, 0, 0);
}
int lf_ppreload(lua_State *L, const char *name) {
  return lf_protect(L, preload_, (void *)name, 1, 0);
}

typedef struct { const char *path; const char *mode; int status; } loadfile_args;
static int loadfile_(lua_State *L) {
  loadfile_args *a = (loadfile_args *)lua_touserdata(L, 1);
  a->status = luaL_loadfilex(L, a->path, a->mode);
  return 1;
}
int lf_ploadfile(lua_State *L, const char *path, const char *mode) {
  loadfile_args a = {path, mode, LUA_OK};
  int status = lf_protect(L, loadfile_, &a, 0, 1);
  return status == LUA_OK ? a.status : status;
}

typedef struct { lua_State *L1; const char *msg; int level; } traceback_args;
static int traceback_(lua_State *L) {
  traceback_args *a = (traceback_args *)lua_touserdata(L, 1);
  luaL_traceback(L, a->L1, a->msg, a->level);
  return 1;
}
int lf_ptraceback(lua_State *L, lua_State *L1, const char *msg, int level) {
  traceback_args a = {L1, msg, level};
  return lf_protect(L, traceback_, &a, 0, 1);
}

/* lua.c's message handler: a string message gets a traceback; an object with
 * __tostring gives that string; any other object is named by its type. */
static int msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* lf_pcall with `handler` as message handler (inserted under the function). */
static int pcall_handled(lua_State *L, int nargs, int nresults, lua_CFunction handler) {
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, handler);
  lua_insert(L, base);
  int status = lf_pcall(L, nargs, nresults, base);
  lua_remove(L, base);
  return status;
}

int lf_pcalltraceback(lua_State *L, int nargs, int nresults) {
  return pcall_handled(L, nargs, nresults, msghandler);
}

/* The embedding API's message handler: keeps the error value as it is (so that
 * Swift can recognise its own errors) and leaves the traceback in the registry. */
int lf_apimsghandler(lua_State *L) {
  luaL_traceback(L, L, NULL, 1);
  lua_setfield(L, LUA_REGISTRYINDEX, LF_TRACEBACK_KEY);
  lua_settop(L, 1);
  return 1;
}

int lf_pcallapi(lua_State *L, int nargs, int nresults) {
  return pcall_handled(L, nargs, nresults, lf_apimsghandler);
}

int lf_pcallown(lua_State *L, int nargs, int nresults, int msgh) {
  return lf_pcallarmed(L, *(lf_StateInfo **)lua_getextraspace(L), nargs, nresults, msgh);
}

int lf_pcall(lua_State *L, int nargs, int nresults, int msgh) {
  return lf_pcallarmed(L, lf_stateinfo(L), nargs, nresults, msgh);
}

/* ---- Macros ------------------------------------------------------------------ */

int lf_upvalueindex(int i) { return lua_upvalueindex(i); }
int lf_registryindex(void) { return LUA_REGISTRYINDEX; }
void lf_call(lua_State *L, int nargs, int nresults) { lua_call(L, nargs, nresults); }
void lf_pop(lua_State *L, int n) { lua_pop(L, n); }
void lf_insert(lua_State *L, int idx) { lua_insert(L, idx); }
void lf_remove(lua_State *L, int idx) { lua_remove(L, idx); }
void lf_replace(lua_State *L, int idx) { lua_replace(L, idx); }
const char *lf_tostring(lua_State *L, int idx) { return lua_tostring(L, idx); }
lua_Number lf_tonumber(lua_State *L, int idx, int *isnum) { return lua_tonumberx(L, idx, isnum); }
lua_Integer lf_tointeger(lua_State *L, int idx, int *isnum) { return lua_tointegerx(L, idx, isnum); }
void *lf_newuserdata(lua_State *L, size_t size, int nuvalue) { return lua_newuserdatauv(L, size, nuvalue); }
static int newuserdata_(lua_State *L) {
  const size_t *request = (const size_t *)lua_touserdata(L, 1); /* size, user values */
  lua_newuserdatauv(L, request[0], (int)request[1]);
  return 1;
}
int lf_pnewuserdata(lua_State *L, size_t size, int nuvalue, void **block) {
  size_t request[2] = {size, (size_t)nuvalue};
  int status = lf_protect(L, newuserdata_, request, 0, 1);
  if (status == LUA_OK) *block = lua_touserdata(L, -1);
  return status;
}
int lf_isnoneornil(lua_State *L, int idx) { return lua_isnoneornil(L, idx); }
void lf_pushcfunction(lua_State *L, lua_CFunction f) { lua_pushcfunction(L, f); }
int lf_loadbuffer(lua_State *L, const char *buf, size_t size, const char *name, const char *mode) {
  lf_StateInfo *info = lf_stateinfo(L);
  int armed = info ? info->armed : 0;
  if (info) info->armed = 1; /* the parser runs protected: refusals are safe */
  int status = luaL_loadbufferx(L, buf, size, name, mode);
  if (info) info->armed = armed;
  return status;
}
int lf_getmetatable(lua_State *L, const char *tname) { return luaL_getmetatable(L, tname); }
void lf_pushlstring(lua_State *L, const char *s, size_t len) { lua_pushlstring(L, s, len); }
const char *lf_typename(lua_State *L, int idx) { return luaL_typename(L, idx); }

int lf_gc(lua_State *L, int what, int arg1, int arg2) { return lua_gc(L, what, arg1, arg2); }
void lf_writeout(const char *s) { fputs(s, stdout); fflush(stdout); }
void lf_writeerr(const char *s) { fputs(s, stderr); fflush(stderr); }
