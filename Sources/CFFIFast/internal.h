/* Functions shared by the C files of CFFIFast (not part of its interface). */
#ifndef LF_INTERNAL_H
#define LF_INTERNAL_H

#include <lua5.4/lua.h>
#include <stdint.h>
#include <string.h>

#include "lf_call.h"
#include "lf_cdata.h"
#include "lf_stack.h"
#include "lf_core.h"

/* The integer `v` of stack slot `s` converts to integer class `kind` by its low
 * bits; 0 when the slow path must convert it: a float beyond int32 converts to a
 * type narrower than 32 bits (or int32_t) as x86-64 does (integerBits, ToC.swift). */
static inline int lf_lowbitsconvert(const lf_Slot *s, int64_t v, int kind) {
  return s->tag != LF_TAG_FLOAT || (v >= INT32_MIN && v <= INT32_MAX) ||
         kind == LF_K_I64 || kind == LF_K_U64 || kind == LF_K_U32 || kind == LF_K_BOOL;
}

/* Whether `mt` is a cdata metatable of the ffi state of `metatables` (its two
 * shared ones): one of those, or a metatype's own metatable, whose metatable is the
 * plain one (createOwnMetatable, CDataMetatable.swift; a script reaches neither).
 * The plain one exists before any fast path runs (never NULL here). */
static inline int lf_iscdatametatable(const void *mt, const void *const *metatables) {
  return mt != NULL && (mt == metatables[0] || lf_tablemetatable(mt) == metatables[0] || mt == metatables[1]);
}

/* The cdata header of the value in stack slot `s` if it is a usable cdata of this
 * ffi state (lf_iscdatametatable, not released, a type id below `count`); NULL for
 * anything else. */
static inline __attribute__((always_inline)) const lf_CDataHeader *lf_slotcdata(const lf_Slot *s, const void *const *metatables, int32_t count) {
  if (s->tag != LF_TAG_USERDATA) return NULL;
  const void *mt = lf_udatametatable(s);
  if (!lf_iscdatametatable(mt, metatables)) return NULL;
  const lf_CDataHeader *h = (const lf_CDataHeader *)lf_udata(s);
  if ((h->flags & LF_CDATA_RELEASED) || (uint32_t)h->type >= (uint32_t)count) return NULL;
  return h;
}

/* The Lua object that a pointer or reference derived from the cdata `h` in slot `s`
 * must keep alive (docs/semantics.md, Lifetimes): an array or struct owns its
 * memory, a pointer with a finalizer (ffi.gc) owns its target, another pointer or a
 * reference passes on its own owner (user value 1); a slot tagged nil when there is
 * none (the memory is C's). */
static inline lf_Slot lf_derivedowner(const lf_Slot *s, const lf_CDataHeader *h, int shape) {
  lf_Slot none = {{0}, LF_TAG_NIL, {0}};
  if (shape == LF_T_ARRAY || shape == LF_T_RECORD || (h->flags & LF_CDATA_FINALIZER)) return *s;
  if ((shape == LF_T_POINTER || shape == LF_T_REFERENCE) && ((const lf_Udata *)s->value.p)->nuvalue > 0)
    return *lf_uservalue(s, 1);
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
 * its user value; the new object is white, so the raw store needs no barrier. Its
 * metatable is `ft`'s plain one. [-0, +1, m] */
void lf_pushnewpointer(lua_State *L, const lf_FastTypes *ft, int32_t type, uint64_t address, lf_Slot owner);

/* Pushes a new cdata of type `type` with `size` bytes of payload after the 8-byte
 * header and `ft`'s plain metatable, stored raw (the fast paths run only where
 * lf_stackraw holds); returns the payload. [-0, +1, m] */
void *lf_pushnewplain(lua_State *L, const lf_FastTypes *ft, int32_t type, size_t size);

/* Pushes a new cdata of type `type` with `size` bytes of payload right after the
 * 8-byte header (Swift's CDataHeader layout; alignment at most 8) and the metatable
 * of registry reference `metatable_ref`; returns the payload. [-0, +1, m] */
void *lf_pushnewcdata(lua_State *L, int32_t type, size_t size, int metatable_ref);

/* Pushes the scalar of class `kind` at `p`; 0 when the slow path must do it. */
static inline __attribute__((always_inline)) int lf_pushscalar(lua_State *L, int kind, const char *p) {
  switch (kind) {
  case LF_K_I8: lf_setint(L, *(const int8_t *)p); return 1;
  case LF_K_U8: lf_setint(L, *(const uint8_t *)p); return 1;
  case LF_K_I16: { int16_t v; memcpy(&v, p, 2); lf_setint(L, v); return 1; }
  case LF_K_U16: { uint16_t v; memcpy(&v, p, 2); lf_setint(L, v); return 1; }
  case LF_K_I32: { int32_t v; memcpy(&v, p, 4); lf_setint(L, v); return 1; }
  case LF_K_U32: { uint32_t v; memcpy(&v, p, 4); lf_setint(L, v); return 1; }
  case LF_K_I64: { int64_t v; memcpy(&v, p, 8); lf_setint(L, v); return 1; }
  case LF_K_U64: {
    uint64_t v; memcpy(&v, p, 8);
    if (v > (uint64_t)INT64_MAX) return 0; /* boxed: the slow path */
    lf_setint(L, (lua_Integer)v); return 1;
  }
  case LF_K_BOOL: lf_setbool(L, *(const uint8_t *)p != 0); return 1;
  case LF_K_FLOAT: { float v; memcpy(&v, p, 4); lf_setfloat(L, v); return 1; }
  case LF_K_DOUBLE: { double v; memcpy(&v, p, 8); lf_setfloat(L, v); return 1; }
  default: return 0;
  }
}

/* The Swift function in upvalue 1 of a fast path's closure, run as lf_trampoline
 * runs it: what a fast path calls when it cannot finish. */
__attribute__((noinline)) int lf_slowcall(lua_State *L);

/* `fast` where the raw stack accessors hold (lf_stack.h), else lf_slowcall. */
lua_CFunction lf_choosefast(lua_State *L, lua_CFunction fast);

/* The upvalues a fast path starts with: 1 the Swift function `slow` (for
 * lf_slowcall), 2 the value that was on top of the stack (the fast path's own
 * cache or state), 3 the ffi state's `types`. [-1, +3, m] */
static inline void lf_pushfastupvalues(lua_State *L, lf_FastTypes *types, int (*slow)(lua_State *L)) {
  lua_pushlightuserdata(L, (void *)slow);
  lua_insert(L, -2);
  lua_pushlightuserdata(L, types);
}

/* The field of record `t` named by the short string with characters `key`, or NULL. */
static inline const lf_FieldSlot *lf_findfield(const lf_TypeFast *t, const char *key) {
  if (t->fields == NULL) return NULL;
  uint32_t i = (uint32_t)((uintptr_t)key >> 4) & t->mask;
  for (;;) {
    const lf_FieldSlot *slot = &t->fields[i];
    if (slot->key == key) return slot;
    if (slot->key == NULL) return NULL;
    i = (i + 1) & t->mask;
  }
}

/* cdata[key] for a key that is no field the fast path reads, with metatypes about
 * (metatype.c): the metatype's __index table or function, in C; else lf_slowcall. */
int lf_metatypeindex(lua_State *L, const lf_FastTypes *ft);

/* Calls the metatype handler of event `e` (LF_E_*) of the cdata among the running
 * metamethod's operands, as the Swift `dispatch` does; returns its result count,
 * or -1 when none has one (then the built-in behaviour applies). */
int lf_metatypeevent(lua_State *L, const lf_FastTypes *ft, int e);

/* The metamethod of event `e` (LF_E_EQ, LF_E_LT, LF_E_LE, LF_E_ADD ... LF_E_BNOT)
 * for two integer operands (arith.c): pushes the result and returns 1; -1 when
 * the operands or the case are not its (the caller goes on to Swift). */
int lf_cdataintegerop(lua_State *L, const lf_FastTypes *ft, int e);

/* __tostring of cdata (ops.c): the metatype's handler, else for a pointer, struct
 * or array the prefix Swift made for its type and the address (as
 * FFIState.describe), else lf_slowcall. */
int lf_cdatatostring(lua_State *L);

/* The cdata `__call`: a metatype's handler, else a function pointer whose type Swift
 * described (lf_TypeFast.call) called on the C call paths (call.c), else
 * lf_slowcall. Upvalues as lf_pushcdataevent's. */
int lf_cdatacall(lua_State *L);

/* The type id the short string in slot `s` was parsed as (ffi's type-string
 * cache), or -1. */
static inline int32_t lf_stringtype(const lf_FastTypes *ft, const lf_Slot *s) {
  if (s->tag != LF_TAG_SHORTSTR || ft->strings == NULL) return -1;
  const char *key = lf_strchars(s);
  uint32_t i = (uint32_t)((uintptr_t)key >> 4) & ft->strings_mask;
  for (;;) {
    const lf_TypeString *e = &ft->strings[i];
    if (e->key == key) return e->id;
    if (e->key == NULL) return -1;
    i = (i + 1) & ft->strings_mask;
  }
}

/* The type id that argument `s` gives a function taking a C type: a ctype
 * object's, a usable cdata's (`*h` set), a short string's that ffi has parsed
 * before; -1 for the slow path (other strings, namespace functions, others). */
static inline int32_t lf_argtype(const lf_FastTypes *ft, const lf_Slot *s, const lf_CDataHeader **h) {
  int32_t id = -1;
  *h = NULL;
  if (s->tag == LF_TAG_USERDATA) {
    if (lf_udatametatable(s) == ft->ctype_metatable) id = *(const int32_t *)lf_udata(s);
    else if ((*h = lf_slotcdata(s, ft->metatables, ft->count)) != NULL) id = (*h)->type;
  } else {
    id = lf_stringtype(ft, s);
  }
  return (uint32_t)id < (uint32_t)ft->count ? id : -1;
}

#endif
