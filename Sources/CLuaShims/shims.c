/* CLuaShims: macros as functions, the allocator with its memory limit, the
 * trampoline for Swift functions, and protected versions of raising calls. */
#include "CLuaShims.h"

#if !defined(LUA_PROMPT)
#define LUA_PROMPT "> "
#define LUA_PROMPT2 ">> "
#endif

#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

/* ---- Allocator --------------------------------------------------------------- */

static void *lf_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  lf_StateInfo *info = (lf_StateInfo *)ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    free(ptr);
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
  void *block = realloc(ptr, nsize);
  if (block == NULL) return NULL;
  info->used = info->used - old + nsize;
  if (info->used > info->peak) info->peak = info->used;
  return block;
}

lua_State *lf_newstate(lf_StateInfo *info) {
  return lua_newstate(lf_alloc, info);
}

lf_StateInfo *lf_stateinfo(lua_State *L) {
  void *ud = NULL;
  return lua_getallocf(L, &ud) == lf_alloc ? (lf_StateInfo *)ud : NULL;
}

/* ---- Trampoline -------------------------------------------------------------- */

/* Calls the Swift function in upvalue 1 with the allocator disarmed; raises its
 * error, or a memory error it ran into, only after it has returned. */
static int lf_trampoline(lua_State *L) {
  lf_SwiftFunction fn = (lf_SwiftFunction)lua_touserdata(L, lua_upvalueindex(1));
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
  if (info->overdrawn && info->limit != 0 && info->used > info->limit) {
    info->overdrawn = 0;
    info->armed = 1;
    lua_createtable(L, 0, 4); /* refused: raises LUA_ERRMEM, "not enough memory" */
    info->armed = armed;
  }
  info->overdrawn = 0;
  return n;
}

void lf_pushswiftfunction(lua_State *L, lf_SwiftFunction fn, int nup) {
  lua_pushlightuserdata(L, (void *)fn);
  if (nup > 0) lua_insert(L, -nup - 1);
  lua_pushcclosure(L, lf_trampoline, nup + 1);
}

/* ---- Protected helpers ------------------------------------------------------- */

/* Runs `f` in protected mode with the `nin` values on top of the stack plus a
 * light userdata argument; leaves `nout` results or the error value. */
static int lf_protect(lua_State *L, lua_CFunction f, void *arg, int nin, int nout) {
  lf_StateInfo *info = lf_stateinfo(L);
  int armed = info ? info->armed : 0;
  lua_pushcfunction(L, f);
  lua_pushlightuserdata(L, arg);
  lua_rotate(L, -nin - 2, 2);
  if (info) info->armed = 1;
  int status = lua_pcall(L, nin + 1, nout, 0);
  if (info) info->armed = armed;
  return status;
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

int lf_pcalltraceback(lua_State *L, int nargs, int nresults) {
  lf_StateInfo *info = lf_stateinfo(L);
  int armed = info ? info->armed : 0;
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  if (info) info->armed = 1;
  int status = lua_pcall(L, nargs, nresults, base);
  if (info) info->armed = armed;
  lua_remove(L, base);
  return status;
}

/* The embedding API's message handler: keeps the error value as it is (so that
 * Swift can recognise its own errors) and leaves the traceback in the registry. */
static int apimsghandler(lua_State *L) {
  luaL_traceback(L, L, NULL, 1);
  lua_setfield(L, LUA_REGISTRYINDEX, LF_TRACEBACK_KEY);
  lua_settop(L, 1);
  return 1;
}

int lf_pcallapi(lua_State *L, int nargs, int nresults) {
  lf_StateInfo *info = lf_stateinfo(L);
  int armed = info ? info->armed : 0;
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, apimsghandler);
  lua_insert(L, base);
  if (info) info->armed = 1;
  int status = lua_pcall(L, nargs, nresults, base);
  if (info) info->armed = armed;
  lua_remove(L, base);
  return status;
}

int lf_pcall(lua_State *L, int nargs, int nresults, int msgh) {
  lf_StateInfo *info = lf_stateinfo(L);
  int armed = info ? info->armed : 0;
  if (info) info->armed = 1;
  int status = lua_pcall(L, nargs, nresults, msgh);
  if (info) info->armed = armed;
  return status;
}

/* ---- SIGINT (lua.c's laction/lstop) ----------------------------------------- */

static lua_State *volatile interrupted_state = NULL;

static void lstop(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted!");
}

/* lua.c's setsignal: sigaction without SA_RESTART (signal() would restart), so that
 * Ctrl-C also breaks a blocking read such as io.read(). */
static void setsignal(int sig, void (*handler)(int)) {
  struct sigaction sa;
  sa.sa_handler = handler;
  sa.sa_flags = 0;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

static void laction(int sig) {
  int flag = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
  setsignal(sig, SIG_DFL);
  if (interrupted_state) lua_sethook(interrupted_state, lstop, flag, 1);
}

void lf_catchinterrupt(lua_State *L) {
  interrupted_state = L;
  setsignal(SIGINT, laction);
}

void lf_releaseinterrupt(void) {
  setsignal(SIGINT, SIG_DFL);
  interrupted_state = NULL;
}

/* ---- Macros ------------------------------------------------------------------ */

int lf_upvalueindex(int i) { return lua_upvalueindex(i); }
int lf_registryindex(void) { return LUA_REGISTRYINDEX; }
void lf_call(lua_State *L, int nargs, int nresults) { lua_call(L, nargs, nresults); }
void lf_pop(lua_State *L, int n) { lua_pop(L, n); }
void lf_newtable(lua_State *L) { lua_newtable(L); }
void lf_insert(lua_State *L, int idx) { lua_insert(L, idx); }
void lf_remove(lua_State *L, int idx) { lua_remove(L, idx); }
void lf_replace(lua_State *L, int idx) { lua_replace(L, idx); }
const char *lf_tostring(lua_State *L, int idx) { return lua_tostring(L, idx); }
lua_Number lf_tonumber(lua_State *L, int idx, int *isnum) { return lua_tonumberx(L, idx, isnum); }
lua_Integer lf_tointeger(lua_State *L, int idx, int *isnum) { return lua_tointegerx(L, idx, isnum); }
void *lf_newuserdata(lua_State *L, size_t size, int nuvalue) { return lua_newuserdatauv(L, size, nuvalue); }
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
void lf_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
void *lf_getextraspace(lua_State *L) { return lua_getextraspace(L); }
const char *lf_typename(lua_State *L, int idx) { return luaL_typename(L, idx); }

int lf_stdin_is_tty(void) { return isatty(0); }
int lf_gc(lua_State *L, int what, int arg1, int arg2) { return lua_gc(L, what, arg1, arg2); }
void lf_writeout(const char *s) { fputs(s, stdout); fflush(stdout); }
void lf_writeerr(const char *s) { fputs(s, stderr); fflush(stderr); }
const char *lf_copyright(void) { return LUA_COPYRIGHT; }
const char *lf_prompt(int firstline) { return firstline ? LUA_PROMPT : LUA_PROMPT2; }

/* ---- Line input -------------------------------------------------------------- */

typedef char *(*readline_fn)(const char *);
typedef void (*add_history_fn)(const char *);
static readline_fn rl_readline = NULL;
static add_history_fn rl_add_history = NULL;
static int rl_tried = 0;

static void rl_load(void) {
  if (rl_tried) return;
  rl_tried = 1;
  void *h = dlopen("libreadline.so.8", RTLD_NOW | RTLD_LOCAL);
  if (h == NULL) return;
  rl_readline = (readline_fn)dlsym(h, "readline");
  rl_add_history = (add_history_fn)dlsym(h, "add_history");
  if (rl_readline == NULL || rl_add_history == NULL) rl_readline = NULL;
}

char *lf_readline(const char *prompt) {
  rl_load();
  if (rl_readline) return rl_readline(prompt);
  fputs(prompt, stdout);
  fflush(stdout);
  char buffer[512];
  size_t cap = 0, len = 0;
  char *line = NULL;
  while (fgets(buffer, sizeof buffer, stdin) != NULL) {
    size_t n = strlen(buffer);
    if (len + n + 1 > cap) {
      cap = (len + n + 1) * 2;
      char *grown = realloc(line, cap);
      if (grown == NULL) { free(line); return NULL; }
      line = grown;
    }
    memcpy(line + len, buffer, n + 1);
    len += n;
    if (len > 0 && line[len - 1] == '\n') { line[--len] = '\0'; return line; }
  }
  return line; /* NULL at end of input, or the last unterminated line */
}

void lf_addhistory(const char *line) {
  if (rl_add_history) rl_add_history(line);
}

/* ---- Embedding API: yields, coroutines, limits -------------------------------- */

/* lf_trampoline, plus LF_YIELD(n): yields from C once the Swift frame is gone. */
static int lf_yieldingtrampoline(lua_State *L) {
  lf_SwiftFunction fn = (lf_SwiftFunction)lua_touserdata(L, lua_upvalueindex(1));
  lf_StateInfo *info = lf_stateinfo(L);
  int armed = info ? info->armed : 0;
  if (info) info->armed = 0;
  int n = fn(L);
  if (info) info->armed = armed;
  if (n == LF_RAISE) return lua_error(L);
  if (info && info->overdrawn && info->limit != 0 && info->used > info->limit) {
    info->overdrawn = 0;
    info->armed = 1;
    lua_createtable(L, 0, 4); /* refused: raises LUA_ERRMEM */
    info->armed = armed;
  }
  if (info) info->overdrawn = 0;
  if (n <= LF_YIELD(0)) return lua_yield(L, LF_YIELD(0) - n);
  return n;
}

void lf_pushyieldingswiftfunction(lua_State *L, lf_SwiftFunction fn, int nup) {
  lua_pushlightuserdata(L, (void *)fn);
  if (nup > 0) lua_insert(L, -nup - 1);
  lua_pushcclosure(L, lf_yieldingtrampoline, nup + 1);
}

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

void lf_resetlimits(lf_Limits *limits) {
  limits->instructions = 0;
  limits->tripped = 0;
  limits->deadline = limits->time_limit > 0 ? lf_monotonic() + limits->time_limit : 0;
}

static void lf_limithook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &lf_limitskey);
  lf_Limits *limits = (lf_Limits *)lua_touserdata(L, -1);
  lua_pop(L, 1);
  if (limits == NULL) return;
  int count = lua_gethookcount(L);
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
  lua_pushstring(L, limits->tripped == 1 ? "instruction limit exceeded" : "time limit exceeded");
  lua_concat(L, 2);
  lua_error(L);
}

void lf_setlimits(lua_State *L, lf_Limits *limits) {
  lua_pushlightuserdata(L, limits);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &lf_limitskey);
  if (limits->step <= 0) limits->step = 1000;
  lua_sethook(L, lf_limithook, LUA_MASKCOUNT, limits->step);
}

void lf_pushapimsghandler(lua_State *L) { lua_pushcfunction(L, apimsghandler); }

/* ---- Sandbox ----------------------------------------------------------------- */

/* load(chunk [, name [, mode [, env]]]) with mode forced to "t". */
static int sandbox_load(lua_State *L) {
  int env = lua_gettop(L) >= 4;
  lua_settop(L, 4);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 2);
  lua_pushliteral(L, "t");
  if (env) lua_pushvalue(L, 4);
  lua_call(L, env ? 4 : 3, LUA_MULTRET);
  return lua_gettop(L) - 4;
}

/* loadfile([path [, mode [, env]]]) with mode forced to "t". */
static int sandbox_loadfile(lua_State *L) {
  int env = lua_gettop(L) >= 3;
  lua_settop(L, 3);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_pushliteral(L, "t");
  if (env) lua_pushvalue(L, 3);
  lua_call(L, env ? 3 : 2, LUA_MULTRET);
  return lua_gettop(L) - 3;
}

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
