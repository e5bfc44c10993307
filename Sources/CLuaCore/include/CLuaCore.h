/* CLuaCore: Lua's function-like macros as functions, the state allocator with its
 * memory limit, the execution limits, and the trampolines that raise Lua errors on
 * behalf of Swift. Every other C target (CLuaEmbedding, CFFIFast, CInterpreter)
 * builds on it; it knows nothing of them.
 *
 * The rule this file exists for: no Lua error ever unwinds (longjmp) through a
 * Swift frame. Swift functions called from Lua return a status instead of raising;
 * lf_trampoline raises after the Swift frame has returned. */
#ifndef CLUACORE_H
#define CLUACORE_H

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

/* Blocks of up to LF_POOL_CLASSES * 16 bytes are rounded up to a multiple of 16 and,
 * when Lua frees them, kept per state for the next block of their class (up to
 * LF_POOL_LIMIT bytes): cdata, boxed integers, small strings and tables come and go
 * by the million, and glibc's malloc and free cost more than the work they hold. */
#define LF_POOL_CLASSES 8
#define LF_POOL_LIMIT (1 << 20)

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
                           went in its place): that nil's stack index, 0 for none;
                           the operation that consumes it fails */
  void *foreign_thread; /* the thread whose stack `foreign` indexes (compared only:
                           a coroutine may be gone) */
  void *owner;          /* the Swift object that owns the state (unretained) */
  struct lf_Limits *limits; /* the instruction and time limits (lf_setlimits), or NULL */
  void *pool[LF_POOL_CLASSES]; /* freed small blocks by size class (lf_alloc), for reuse */
  size_t pooled;        /* bytes held in `pool` (at most LF_POOL_LIMIT) */
} lf_StateInfo;

/* Closes a state made by lf_newstate (lua_close), then frees the small blocks its
 * allocator kept for reuse. */
void lf_close(lua_State *L, lf_StateInfo *info);

/* The error of an operation that pushed a reference of another Lua state. */
#define LF_FOREIGN_MESSAGE "a value of another Lua state (or of a closed one) cannot be used here"

/* Creates a state whose allocator is ours, with `info` as its data (the caller
 * keeps `info` alive until lua_close). Returns NULL when out of memory. */
lua_State *lf_newstate(lf_StateInfo *info);

/* The lf_StateInfo of a state created by lf_newstate, or NULL for any other state
 * (one that stock lua5.4 made, say). */
lf_StateInfo *lf_stateinfo(lua_State *L);

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
/* lua_newuserdatauv protected, the allocator armed: a block malloc or the memory
 * limit refuses is an error value (pushed, status returned) instead of a longjmp
 * through the caller. Sets *block on success. [-0, +1, -] */
int lf_pnewuserdata(lua_State *L, size_t size, int nuvalue, void **block);
int lf_isnoneornil(lua_State *L, int idx);
void lf_pushcfunction(lua_State *L, lua_CFunction f);
int lf_loadbuffer(lua_State *L, const char *buf, size_t size, const char *name, const char *mode);
int lf_getmetatable(lua_State *L, const char *tname);
void lf_pushlstring(lua_State *L, const char *s, size_t len);
const char *lf_typename(lua_State *L, int idx);

/* luaL_traceback wrapped as a protected operation. [-0, +1] */
int lf_ptraceback(lua_State *L, lua_State *L1, const char *msg, int level);

/* lua_gc, which is variadic in C. */
int lf_gc(lua_State *L, int what, int arg1, int arg2);
/* Write to C's stdout/stderr (the streams Lua's print and io use) and flush. */
void lf_writeout(const char *s);
void lf_writeerr(const char *s);
/* ---- Limits: instructions, time, memory kept outside Lua ------------------------ */

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

#endif

