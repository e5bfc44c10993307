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

/* The integer `v` of stack slot `s` converts to integer class `kind` by its low
 * bits; 0 when the slow path must convert it: a float beyond int32 converts to a
 * type narrower than 32 bits (or int32_t) as x86-64 does (integerBits, ToC.swift). */
static inline int lf_lowbitsconvert(const lf_Slot *s, int64_t v, int kind) {
  return s->tag != LF_TAG_FLOAT || (v >= INT32_MIN && v <= INT32_MAX) ||
         kind == LF_K_I64 || kind == LF_K_U64 || kind == LF_K_U32 || kind == LF_K_BOOL;
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

/* The Lua object that a pointer derived from the cdata `h` in slot `s` must keep
 * alive (docs/semantics.md, Lifetimes): an array owns its memory, a pointer with a
 * finalizer (ffi.gc) owns its target, another pointer passes on its own owner (user
 * value 1); a slot tagged nil when there is none (the memory is C's). */
static inline lf_Slot lf_derivedowner(const lf_Slot *s, const lf_CDataHeader *h, int shape) {
  lf_Slot none = {{0}, LF_TAG_NIL, {0}};
  if (shape == LF_T_ARRAY || (h->flags & LF_CDATA_FINALIZER)) return *s;
  if (shape == LF_T_POINTER && ((const lf_Udata *)s->value.p)->nuvalue > 0) return *lf_uservalue(s, 1);
  return none;
}

/* Whether the pointer cdata in slot `s` points into an owner that was released
 * (ffi.release): its use must take the Swift path, which raises. */
static inline int lf_ownerreleased(const lf_Slot *s) {
  /* No metatable check and no call (a call here made the fast paths spill
   * registers): an owner that is some other userdata may look released, which
   * only sends the access to the Swift path, whose check is exact. */
  if (((const lf_Udata *)s->value.p)->nuvalue == 0) return 0;
  const lf_Slot *owner = lf_uservalue(s, 1);
  return owner->tag == LF_TAG_USERDATA && ((const lf_Udata *)owner->value.p)->len >= sizeof(lf_CDataHeader) &&
         (((const lf_CDataHeader *)lf_udata(owner))->flags & LF_CDATA_RELEASED) != 0;
}

/* Pushes a new pointer cdata of type `type` holding `address`, keeping `owner` (a
 * value copied out of its slot, which the allocation may move; nil: none) alive in
 * its user value; the new object is white, so the raw store needs no barrier.
 * [-0, +1, m] */
void lf_pushnewpointer(lua_State *L, int32_t type, uint64_t address, int metatable_ref, lf_Slot owner);

/* Pushes a new cdata of type `type` with `size` bytes of payload right after the
 * 8-byte header (Swift's CDataHeader layout; alignment at most 8) and the metatable
 * of registry reference `metatable_ref`; returns the payload. [-0, +1, m] */
void *lf_pushnewcdata(lua_State *L, int32_t type, size_t size, int metatable_ref);

#endif
