/* CLuaEmbedding: the C pieces of the Swift embedding API (the `Lua` target):
 * Swift closures that may yield, the API's message handler, the sandbox. */
#ifndef CLUAEMBEDDING_H
#define CLUAEMBEDDING_H

#include "CLuaCore.h"

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

/* Pushes the embedding API's message handler (the one lf_pcallapi uses: the error
 * value stays as it is, the traceback goes to the registry under LF_TRACEBACK_KEY),
 * for callers that push it below the function themselves. [-0, +1, -] */
void lf_pushapimsghandler(lua_State *L);

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
