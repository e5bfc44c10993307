/* Functions shared by the C files of CLuaShims (not part of its interface). */
#ifndef LF_INTERNAL_H
#define LF_INTERNAL_H

#include <lua5.4/lua.h>

/* Runs `f` in protected mode with the `nin` values on top of the stack plus a
 * light userdata argument; leaves `nout` results or the error value. */
int lf_protect(lua_State *L, lua_CFunction f, void *arg, int nin, int nout);

/* The embedding API's message handler: keeps the error value, leaves the
 * traceback in the registry under LF_TRACEBACK_KEY. */
int lf_apimsghandler(lua_State *L);

/* Runs a Swift function behind the trampoline's protections (shims.c). */
int lf_runswift(lua_State *L, int (*fn)(lua_State *L));

/* After a Swift function that went past the memory limit while the allocator was
 * disarmed: raises the memory error now (from C), else returns `n`. */
struct lf_StateInfo;
int lf_chargeoverdraft(lua_State *L, struct lf_StateInfo *info, int n);

#endif
