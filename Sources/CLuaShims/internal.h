/* Functions shared by the C files of CLuaShims (not part of its interface). */
#ifndef LF_INTERNAL_H
#define LF_INTERNAL_H

#include <lua5.4/lua.h>
#include <stdint.h>

#include "lf_call.h"
#include "lf_cdata.h"
#include "lf_stack.h"

/* Runs `f` in protected mode with the `nin` values on top of the stack plus a
 * light userdata argument; leaves `nout` results or the error value. */
int lf_protect(lua_State *L, lua_CFunction f, void *arg, int nin, int nout);

/* The embedding API's message handler: keeps the error value, leaves the
 * traceback in the registry under LF_TRACEBACK_KEY. */
int lf_apimsghandler(lua_State *L);

/* Runs a Swift function behind the trampoline's protections (shims.c). */
int lf_runswift(lua_State *L, int (*fn)(lua_State *L));

/* lua_pcall with the allocator armed (Lua code runs: a refusal raises inside it),
 * then the previous arming back. `info` may be NULL (a state that is not ours). */
struct lf_StateInfo;
int lf_pcallarmed(lua_State *L, struct lf_StateInfo *info, int nargs, int nresults, int msgh);

/* After a Swift function that went past the memory limit while the allocator was
 * disarmed: raises the memory error now (from C), else returns `n`. */
int lf_chargeoverdraft(lua_State *L, struct lf_StateInfo *info, int n);

/* Extends a value of integer class `kind` (LF_K_*) from its low bytes to 64 bits,
 * as C passes and returns it. */
static inline uint64_t lf_extend(int kind, uint64_t v) {
  /* Sized for every class (LF_K_VOID is the last): the others extend by 0. */
  static const uint8_t shift[LF_K_VOID + 1] = {
    [LF_K_I8] = 56, [LF_K_U8] = 56, [LF_K_I16] = 48, [LF_K_U16] = 48,
    [LF_K_I32] = 32, [LF_K_U32] = 32, [LF_K_I64] = 0, [LF_K_U64] = 0,
  };
  static const uint8_t is_signed[LF_K_VOID + 1] = {
    [LF_K_I8] = 1, [LF_K_I16] = 1, [LF_K_I32] = 1, [LF_K_I64] = 1,
  };
  int s = shift[kind];
  return is_signed[kind] ? (uint64_t)((int64_t)(v << s) >> s) : (v << s) >> s;
}

/* The cdata header of the value in stack slot `s` if it is a usable cdata of this
 * ffi state (one of its two `metatables`, not released, a type id below `count`);
 * NULL for anything else. */
static inline const lf_CDataHeader *lf_slotcdata(const lf_Slot *s, const void *const *metatables, int32_t count) {
  if (s->tag != LF_TAG_USERDATA) return NULL;
  const void *mt = lf_udatametatable(s);
  if (mt == NULL || (mt != metatables[0] && mt != metatables[1])) return NULL;
  const lf_CDataHeader *h = (const lf_CDataHeader *)lf_udata(s);
  if ((h->flags & LF_CDATA_RELEASED) || (uint32_t)h->type >= (uint32_t)count) return NULL;
  return h;
}

/* Pushes a new cdata of type `type` with `size` bytes of payload right after the
 * 8-byte header (Swift's CDataHeader layout; alignment at most 8) and the metatable
 * of registry reference `metatable_ref`; returns the payload. [-0, +1, m] */
void *lf_pushnewcdata(lua_State *L, int32_t type, size_t size, int metatable_ref);

#endif
