/* CLuaShims: Lua's function-like macros as functions, the state allocator with its
 * memory limit, and the trampolines that raise Lua errors on behalf of Swift.
 *
 * The rule this file exists for: no Lua error ever unwinds (longjmp) through a
 * Swift frame. Swift functions called from Lua return a status instead of raising;
 * lf_trampoline raises after the Swift frame has returned. */
#ifndef CLUASHIMS_H
#define CLUASHIMS_H

#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include <stddef.h>

/* ---- Swift functions called from Lua ---------------------------------------- */

/* Status a Swift function returns to its trampoline: n >= 0 results are on the
 * stack, or LF_RAISE: the error value is on top of the stack and the trampoline
 * raises it with lua_error once the Swift frame is gone. */
#define LF_RAISE (-1)

/* A function written in Swift that never raises a Lua error. */
typedef int (*lf_SwiftFunction)(lua_State *L);

/* Pushes a C closure that calls `fn` through the trampoline. The closure has
 * 1 + nup upvalues: upvalue 1 is `fn`, the `nup` values on the stack become
 * upvalues 2 ... nup+1 (read them with lf_upvalueindex(2...)).  [-nup, +1, m] */
void lf_pushswiftfunction(lua_State *L, lf_SwiftFunction fn, int nup);

/* ---- The state: allocator, memory limit, owner pointer ------------------------ */

/* Per-state data that our allocator keeps; lua_getallocf returns it as `ud`. */
typedef struct lf_StateInfo {
  size_t used;          /* bytes currently allocated by this state */
  size_t peak;          /* high-water mark of `used` */
  size_t limit;         /* 0: unlimited */
  int armed;            /* 1 while Lua code runs: a refusal raises a memory error.
                           0 while Swift code runs: allocations past the limit
                           succeed and are charged after the Swift frame returns. */
  int overdrawn;        /* an allocation went past the limit while disarmed */
  int foreign;          /* Swift pushed a reference of another state here (nil
                           went in its place): the operation fails */
  void *owner;          /* the Swift object that owns the state (unretained) */
  struct lf_Limits *limits; /* the instruction and time limits (lf_setlimits), or NULL */
} lf_StateInfo;

/* The error of an operation that pushed a reference of another Lua state. */
#define LF_FOREIGN_MESSAGE "a value of another Lua state (or of a closed one) cannot be used here"

/* Creates a state whose allocator is ours, with `info` as its data (the caller
 * keeps `info` alive until lua_close). Returns NULL when out of memory. */
lua_State *lf_newstate(lf_StateInfo *info);

/* The lf_StateInfo of a state created by lf_newstate, or NULL for any other state
 * (one that stock lua5.4 made, say). */
lf_StateInfo *lf_stateinfo(lua_State *L);

/* `type(v)` of the LuaJIT compatibility layer: Lua 5.4's builtin, except that a
 * userdata whose metatable's __name is "cdata" or "ctype" (every cdata and ctype
 * object) answers "cdata", as in LuaJIT. A lua_CFunction (no Swift frames: it may raise as the builtin does). */
int lf_compattype(lua_State *L);

/* `ipairs(v)` of the LuaJIT compatibility layer (upvalue 1: the builtin ipairs):
 * a value whose metatable has `__ipairs` iterates as that function says, as in
 * LuaJIT (Lua 5.4 dropped __ipairs); other values get the builtin. A
 * lua_CFunction. */
int lf_compatipairs(lua_State *L);

/* ---- Protected helpers: run a raising operation inside lua_pcall ----------- */

/* Each returns a Lua status (LUA_OK or an error code with the error value on the
 * stack top) and never raises. */
int lf_pgetglobal(lua_State *L, const char *name);           /* [-0, +1] */
int lf_psetglobal(lua_State *L, const char *name);           /* [-1, +0] */
int lf_pgettable(lua_State *L, int idx);                     /* [-1, +1] key -> value */
int lf_psettable(lua_State *L, int idx);                     /* [-2, +0] key, value */
int lf_ploadfile(lua_State *L, const char *path, const char *mode); /* [-0, +1] luaL_loadfilex */
int lf_ptolstring(lua_State *L, int idx);                    /* [-0, +1] luaL_tolstring */
int lf_prequiref(lua_State *L, const char *name, lua_CFunction open, int global); /* [-0, +0] */
int lf_ppreload(lua_State *L, const char *name);             /* [-1, +0] loader */

/* lua_pcall with a message handler that appends a traceback (as lua.c does).
 * nargs arguments above the function on the stack. */
int lf_pcalltraceback(lua_State *L, int nargs, int nresults);

/* lua_pcall for the embedding API: the error value stays as it was raised and
 * the traceback is left in the registry under LF_TRACEBACK_KEY. */
int lf_pcallapi(lua_State *L, int nargs, int nresults);
#define LF_TRACEBACK_KEY "luaffi.traceback"

/* Starts/stops the SIGINT handler that stops a running chunk with
 * "interrupted!" (lua.c's behaviour; used by the interpreter only). */
void lf_catchinterrupt(lua_State *L);
void lf_releaseinterrupt(void);

/* ffi.verify: calls upvalue 1 (which returns luaopen_NAME and NAME), opens the
 * module and returns its lib. */
int lf_apiverify(lua_State *L);

/* ---- Macros as functions ------------------------------------------------------ */

int lf_upvalueindex(int i);
int lf_registryindex(void);
int lf_pcall(lua_State *L, int nargs, int nresults, int msgh);
/* lf_pcall for states made by lf_newstate: their lf_StateInfo is read from the
 * extra space, without an API call. */
int lf_pcallown(lua_State *L, int nargs, int nresults, int msgh);
/* The lf_StateInfo that lf_newstate left in the extra space of `L` (and of every
 * thread of its state), compared by address only: garbage for other states. */
static inline lf_StateInfo *lf_owninfo(lua_State *L) { return *(lf_StateInfo **)lua_getextraspace(L); }
void lf_call(lua_State *L, int nargs, int nresults);
void lf_pop(lua_State *L, int n);
void lf_insert(lua_State *L, int idx);
void lf_remove(lua_State *L, int idx);
void lf_replace(lua_State *L, int idx);
const char *lf_tostring(lua_State *L, int idx);
lua_Number lf_tonumber(lua_State *L, int idx, int *isnum);
lua_Integer lf_tointeger(lua_State *L, int idx, int *isnum);
void *lf_newuserdata(lua_State *L, size_t size, int nuvalue);
int lf_isnoneornil(lua_State *L, int idx);
void lf_pushcfunction(lua_State *L, lua_CFunction f);
int lf_loadbuffer(lua_State *L, const char *buf, size_t size, const char *name, const char *mode);
int lf_getmetatable(lua_State *L, const char *tname);
void lf_pushlstring(lua_State *L, const char *s, size_t len);
const char *lf_typename(lua_State *L, int idx);

/* luaL_traceback wrapped as a protected operation. [-0, +1] */
int lf_ptraceback(lua_State *L, lua_State *L1, const char *msg, int level);

/* The stdin-is-a-terminal test lua.c uses. */
int lf_stdin_is_tty(void);
/* lua_gc, which is variadic in C. */
int lf_gc(lua_State *L, int what, int arg1, int arg2);
/* Write to C's stdout/stderr (the streams Lua's print and io use) and flush. */
void lf_writeout(const char *s);
void lf_writeerr(const char *s);
/* LUA_COPYRIGHT, the line `lua5.4 -v` prints. */
const char *lf_copyright(void);
/* lua.c's default prompts: "> " for a first line, ">> " for a continuation. */
const char *lf_prompt(int firstline);

/* Line reading for the interpreter: readline (loaded with dlopen when the system
 * has it) or fgets. Returns a malloc'ed line without its newline, or NULL at end
 * of input. */
char *lf_readline(const char *prompt);
void lf_addhistory(const char *line);

#include "lf_call.h"
#include "lf_cdata.h"
#include "lf_callback.h"

/* ---- Embedding API: yields, coroutines, limits -------------------------------- */

/* Status a yielding Swift function returns to ask its trampoline to yield the
 * n >= 0 values on top of the stack: LF_YIELD(n). (Only functions pushed with
 * lf_pushyieldingswiftfunction may return it.) */
#define LF_YIELD(n) (-2 - (n))

/* A Swift closure as a Lua function (the embedding API): `fn` receives the closure
 * object `box`. Same rules as lf_SwiftFunction; may also return LF_YIELD(n) when
 * pushed as yielding. */
typedef int (*lf_SwiftBoxFunction)(lua_State *L, void *box);

/* The block of the userdata that holds a closure object (its __gc releases `box`). */
typedef struct lf_SwiftBox {
  void *box;
  lf_SwiftBoxFunction fn;
} lf_SwiftBox;

/* Pushes a Lua function whose upvalue 1 is the lf_SwiftBox userdata below the `nup`
 * values on top (they become upvalues 2...). Calls run `fn` as lf_trampoline runs a
 * Swift function; with `yielding`, `fn` may return LF_YIELD(n): the trampoline then
 * calls lua_yield from C, after the Swift frame is gone (when the coroutine is
 * resumed, the values passed to resume are the results of the call). Only for
 * states made by lf_newstate: the trampoline finds their lf_StateInfo in the
 * state's extra space (lua_getextraspace), without an API call. [-(nup+1), +1, m] */
void lf_pushswiftbox(lua_State *L, int nup, int yielding);

/* lua_resume with the allocator armed (Lua code runs). Never raises: the status
 * is LUA_OK (returned), LUA_YIELD (yielded) or an error code with the error value
 * on top of `co`. *nresults receives the number of values on top of `co`. */
int lf_resume(lua_State *co, lua_State *from, int nargs, int *nresults);

/* Execution limits of one state: an instruction budget and a wall-clock deadline,
 * both counted from the start of a call from the host (lf_resetlimits). The caller
 * keeps the struct alive until lua_close. */
typedef struct lf_Limits {
  long long instruction_limit; /* 0: no instruction budget */
  long long instructions;      /* counted since the last reset (in hook steps) */
  double time_limit;           /* seconds, 0: no deadline */
  double deadline;             /* lf_monotonic() time past which the run stops */
  int step;                    /* instructions between two checks */
  int tripped;                 /* 0 none, 1 instruction budget, 2 deadline,
                                  3 interrupted */
  int *interrupt;              /* NULL, or a flag another thread may set (with
                                  lf_interrupt) to stop the running Lua code */
} lf_Limits;

/* Sets an interrupt flag (lf_Limits.interrupt) from any thread: the limit hook of
 * the state trips at its next check (atomic, release). */
void lf_interrupt(int *flag);

/* Installs the count hook that enforces `limits` (on `L` and, by inheritance, on
 * coroutines created later). When a limit trips, the hook raises "instruction
 * limit exceeded" / "time limit exceeded" from C at every further instruction, so
 * that a script cannot catch it and go on. [-0, +0, m] */
void lf_setlimits(lua_State *L, lf_Limits *limits);

/* Calls the function under the `nargs` arguments on top as a finalizer: in a state
 * with limits (lf_setlimits) in a fresh thread, where hooks run (Lua switches them
 * off while it runs `__gc`), else as lf_pcall. Returns a status; the error value
 * is left on top. Never raises outside a Lua-called C function's frame; from
 * Swift, allocations are granted as usual. [-(nargs+1), +(0|1), -] */
int lf_pfinalize(lua_State *L, int nargs);

/* Wraps the `__gc` of the metatable at `mt` (if any, not yet wrapped) so that it
 * runs through lf_pfinalize: under the limits. Raw set. [-0, +0, m] */
void lf_wrapfinalizer(lua_State *L, int mt);

/* Replaces the global `setmetatable` by one that wraps `__gc` (lf_wrapfinalizer)
 * and then calls the one it replaced (the base library's or a host's). Returns a
 * status. [-0, +(0|1), -] */
int lf_plimitfinalizers(lua_State *L);

/* A full garbage collection (`collectgarbage()`), protected, with the allocator
 * armed: finalizers run under the memory limit. Returns a status. [-0, +(0|1), -] */
int lf_pcollect(lua_State *L);

/* For long work done outside Lua (parsing a big `ffi.cdef`): NULL while the state's
 * limits let it go on, else why not ("time limit exceeded", "interrupted"...); the
 * limits are then tripped, as the hook trips them, so the Lua code that follows
 * stops too. NULL for a state without limits. */
const char *lf_budgetcheck(lf_StateInfo *info);

/* Bytes that ffi.copy and ffi.fill move between two calls of lf_budgetcheck. */
#define LF_BUDGETED_CHUNK (8 << 20)

/* Whether `bytes` more kept outside Lua fit under the state's memory limit. */
int lf_memoryroom(lf_StateInfo *info, size_t bytes);

/* Counts `bytes` kept outside Lua (Swift data of the state) in its memory use. */
void lf_chargememory(lf_StateInfo *info, size_t bytes);

/* Takes back a charge of lf_chargememory (the data was freed). */
void lf_refundmemory(lf_StateInfo *info, size_t bytes);

/* Starts a new budget: clears the count and the trip, sets the deadline. */
void lf_resetlimits(lf_Limits *limits);

/* Seconds of a monotonic clock. */
double lf_monotonic(void);

/* Pushes the embedding API's message handler (the one lf_pcallapi uses: the error
 * value stays as it is, the traceback goes to the registry under LF_TRACEBACK_KEY),
 * for callers that push it below the function themselves. [-0, +1, -] */
void lf_pushapimsghandler(lua_State *L);

/* 1 when the raw stack accessors of the ffi module's fast paths (lf_stack.h) agree
 * with the C API in this process (probed once, by a call made in L); 0 when they do
 * not, or LUAFFI_API_STACK is set in the environment: then the fast paths are off
 * and the API and Swift paths do everything. */
int lf_stackprobe(lua_State *L);

/* What lf_psandbox leaves in a state. */
#define LF_SANDBOX_PACKAGE 1 /* keep the global `package` table */
#define LF_SANDBOX_FILES 2   /* keep dofile/loadfile (text only) and Lua modules from package.path */
#define LF_SANDBOX_OS 4      /* keep all of `os` (else only clock, time, date, difftime) */

/* Trims the opened standard libraries of a state for untrusted code, protected:
 * removes package.loadlib, package.cpath and the C searchers, makes `load` (and
 * loadfile, dofile, the Lua searcher) accept text chunks only, and removes what
 * `flags` does not grant. Needs base, package and os opened. Returns a Lua status. */
int lf_psandbox(lua_State *L, int flags);

#endif

