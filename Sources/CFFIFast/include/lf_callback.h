/* Callbacks in C, and the call context the C call paths share with them.
 *
 * The call context is per ffi state: which Lua thread makes the current C call,
 * errno after it, and the protocol that lets a callback arrive on another thread
 * only while the thread that runs Lua waits inside a C call. Swift (the general paths)
 * and C (the direct call path, the callback entry) use it through the inline
 * functions below; `state` is only ever touched through them (atomically).
 *
 * A callback whose signature travels in registers (scalars and pointers, at most
 * 6 integer and 8 floating arguments) gets one of a fixed pool of C entry points
 * (static trampolines) that call `lf_callback_run` without libffi; others, and
 * every callback while the pool is used up, get a libffi closure (lf_Closure,
 * CLibFFI.h; Swift's entry). Entry points are never freed: a call through one whose
 * callback was freed, or whose state closed, returns zero and reports it. */
#ifndef LF_CALLBACK_H
#define LF_CALLBACK_H

#include <lua5.4/lua.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>

/* The state protocol. Lua runs on one stack at a time, and callbacks nest on it
 * like calls: the owner runs Lua (level 0); inside a published C call its level is
 * "in C", and a callback from any thread may take the next level and run Lua on top
 * of it, call C itself (its level "in C" in turn), and so on. Only the top level
 * runs Lua; a thread whose C call returns waits until its own level is the top
 * again (every callback that arrived meanwhile, however nested, has left).
 * `state` = 2 * level of the top + 1 when it is in C: 0 the owner runs Lua, 1 it
 * is inside a C call, 2 a callback runs, 3 that callback is inside a C call... */
typedef struct lf_CallContext {
  int state;          /* 2 * top level + (1 if the top is inside a C call): above */
  int live;           /* nonzero: callbacks are alive, or were while a callback ran
                       * (C calls must publish the state) */
  int pending;        /* nonzero: a callback failed; its error is raised after the C call */
  int saved_errno;    /* errno right after the last C call */
  lua_State *calling; /* the Lua thread making the current C call (callbacks run on it) */
  lua_State *main;    /* the main thread, for callbacks outside any call */
  pthread_t owner;    /* the thread that owns the Lua state */
  struct lf_StateInfo *info; /* the state's allocator data (lf_stateinfo), or NULL */
} lf_CallContext;

/* What a C call saves on entry and restores on return (calls nest). */
typedef struct lf_CallEntry {
  lua_State *calling;
  int state;     /* the caller's level, running Lua: even */
  int published; /* the call set state + 1 (callbacks may take the next level) */
} lf_CallEntry;

/* Before a C call made from Lua thread L by the thread running Lua on the top
 * level: callbacks run on L; with callbacks alive, or above level 0, the level is
 * published as "in C" (callbacks may take the next one). Only the top level's
 * thread writes `state` while it is even, so a plain load and store suffice. */
static inline lf_CallEntry lf_enterc(lf_CallContext *x, lua_State *L) {
  int s = __atomic_load_n(&x->state, __ATOMIC_RELAXED);
  lf_CallEntry e = {x->calling, s, x->live || s != 0};
  x->calling = L;
  if (e.published) __atomic_store_n(&x->state, s + 1, __ATOMIC_RELEASE);
  return e;
}

/* After the C call: waits until the call's level is the top again (callbacks that
 * took levels above it have all left), takes it back, then saves `err` as errno of
 * the call and restores the outer call's Lua thread. */
static inline void lf_leavec(lf_CallContext *x, lua_State *L, lf_CallEntry e, int err) {
  if (e.published) {
    int expected = e.state + 1;
    while (!__atomic_compare_exchange_n(&x->state, &expected, e.state, 0, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
      expected = e.state + 1;
      sched_yield();
    }
  }
  x->saved_errno = err;
  x->calling = e.calling ? e.calling : L;
}

/* A callback takes the state: when the top level is inside a C call (odd), the next
 * level; while another callback runs Lua on the top (even, not 0), it waits.
 * Returns 1 when taken (give it back with lf_callbackleave), 0 when the state was 0:
 * the owner runs Lua, or calls C without having published the state. */
int lf_callbackenter(lf_CallContext *x);

/* The state (above): nonzero while a callback runs or the owner is in C. Exact for
 * the thread running Lua on the top level (only it writes `state` then). */
static inline int lf_callbackstate(lf_CallContext *x) { return __atomic_load_n(&x->state, __ATOMIC_RELAXED); }

/* Gives the level back (the level below is in C again). Called by the thread that
 * took it, which runs on the top, so nobody else writes `state` meanwhile. */
static inline void lf_callbackleave(lf_CallContext *x) {
  __atomic_store_n(&x->state, __atomic_load_n(&x->state, __ATOMIC_RELAXED) - 1, __ATOMIC_RELEASE);
}

#define LF_MAX_REGISTERS 14 /* 6 integer and 8 floating argument registers */

/* A callback as the C entry sees it. Filled by Swift; `function` is the registry
 * reference of the Lua function (LUA_NOREF once freed), `value` the function's
 * stack value (lf_stack.h: what the static entries push; the reference keeps it
 * alive). Set both with lf_callbackbind. */
typedef struct lf_CCallback {
  lf_CallContext *ctx;
  int function;
  uint64_t value[2];
  int nparams;
  uint8_t kinds[LF_MAX_REGISTERS]; /* LF_K_* per parameter */
  uint8_t slots[LF_MAX_REGISTERS]; /* register: 0-5 integer, 6-13 floating */
  int32_t types[LF_MAX_REGISTERS]; /* pointers, uint64_t: the type id of the cdata pushed */
  int result;                      /* LF_K_* of the result */
  int metatable_ref;               /* registry reference of the plain cdata metatable */
  uint64_t error_bits;             /* what C gets when the Lua function fails */
  void *data;                      /* Swift's callback object (unretained) */
  /* The general path (any thread, any case): libffi's closure arguments. */
  void (*general)(void *data, void *result, void **arguments);
  /* Records the error value on top of L as the pending callback error. */
  void (*fail)(void *data, lua_State *L);
  /* Converts the result on top of L into *result (records an error and writes
   * error_bits when it cannot). */
  void (*store)(void *data, lua_State *L, void *result);
} lf_CCallback;

/* Binds the Lua function on top of the stack (popped) to `cb`. [-1, +0, m] */
void lf_callbackbind(lf_CCallback *cb, lua_State *L);

/* Claims a static entry point for `cb` (its result class picks the prototype): the
 * unbound one released longest ago (never-used ones first; never one called since
 * its callback was freed); NULL when none is left or the raw stack accessors do not
 * hold (the entries use them: stack.c). Thread-safe. */
void *lf_claimtrampoline(lf_CCallback *cb);

/* Unbinds an entry point claimed by lf_claimtrampoline (a later call gets zero and a
 * message) and returns it to the pool, behind every other unbound one; with
 * `poison` (it was called after its callback was freed), or once called while
 * unbound, it never serves another callback. */
void lf_releasetrampoline(void *code, int poison);

#endif
