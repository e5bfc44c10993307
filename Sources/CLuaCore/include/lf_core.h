/* What the C targets built on CLuaCore (CLuaEmbedding, CFFIFast) share with it and
 * Swift does not see: running Swift functions and protected operations. Not in the
 * CLuaCore module's umbrella header. */
#ifndef LF_CORE_H
#define LF_CORE_H

#include "CLuaCore.h"

/* Runs `f` in protected mode with the `nin` values on top of the stack plus a
 * light userdata argument; leaves `nout` results or the error value. */
int lf_protect(lua_State *L, lua_CFunction f, void *arg, int nin, int nout);

/* The embedding API's message handler: keeps the error value, leaves the
 * traceback in the registry under LF_TRACEBACK_KEY. */
int lf_apimsghandler(lua_State *L);

/* Runs a Swift function behind the trampoline's protections (core.c). */
int lf_runswift(lua_State *L, int (*fn)(lua_State *L));

/* lua_pcall with the allocator armed (Lua code runs: a refusal raises inside it),
 * then the previous arming back. `info` may be NULL (a state that is not ours). */
struct lf_StateInfo;
int lf_pcallarmed(lua_State *L, struct lf_StateInfo *info, int nargs, int nresults, int msgh);

/* After a Swift function that went past the memory limit while the allocator was
 * disarmed: raises the memory error now (from C), else returns `n`. */
int lf_chargeoverdraft(lua_State *L, struct lf_StateInfo *info, int n);

#endif
