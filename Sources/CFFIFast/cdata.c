/* The fast paths of cdata access: see lf_cdata.h. */
#include "lf_cdata.h"
#include "CFFIFast.h"
#include "internal.h"
#include "lf_stack.h"

#include <string.h>

typedef lf_CDataHeader cdata_header;

/* lf_pushnewpointer, inlined into this file's fast paths. */
static inline __attribute__((always_inline)) void push_new_pointer(lua_State *L, const lf_FastTypes *ft, int32_t type,
                                                                    uint64_t address, lf_Slot owner) {
  if (owner.tag == LF_TAG_NIL) {
    memcpy(lf_pushnewplain(L, ft, type, 8), &address, 8);
    return;
  }
  cdata_header *h = (cdata_header *)lua_newuserdatauv(L, sizeof(cdata_header) + 8, 1);
  h->type = type;
  h->flags = 0;
  h->offset = sizeof(cdata_header);
  memcpy(h + 1, &address, 8);
  *lf_uservalue(lf_top(L) - 1, 1) = owner;
  lf_setnewmetatable(L, (void *)ft->metatables[0]);
}

/* Stores the Lua value in slot `s` as a scalar of class `kind` at `p`; 0 for the
 * slow path (non-numbers, floats into integers: their rules live in Swift). */
static inline __attribute__((always_inline)) int store_scalar(const lf_Slot *s, int kind, char *p) {
  int tag = s->tag;
  if (kind == LF_K_DOUBLE || kind == LF_K_FLOAT) {
    double d;
    if (tag == LF_TAG_FLOAT) d = s->value.n;
    else if (tag == LF_TAG_INT) d = (double)s->value.i;
    else return 0;
    if (kind == LF_K_FLOAT) { float f = (float)d; memcpy(p, &f, 4); } else memcpy(p, &d, 8);
    return 1;
  }
  int64_t v;
  if (!lf_integer(s, &v) && !(kind == LF_K_BOOL && lf_boolean(s, &v))) return 0;
  if (!lf_lowbitsconvert(s, v, kind)) return 0;
  switch (kind) {
  case LF_K_BOOL: *(uint8_t *)p = v != 0; return 1;
  case LF_K_I8: case LF_K_U8: { uint8_t x = (uint8_t)v; memcpy(p, &x, 1); return 1; }
  case LF_K_I16: case LF_K_U16: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); return 1; }
  case LF_K_I32: case LF_K_U32: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); return 1; }
  case LF_K_I64: case LF_K_U64: memcpy(p, &v, 8); return 1;
  default: return 0;
  }
}

/* Resolves cdata[key] to a location: a scalar or pointer (`*kind` its LF_K_*), or
 * an element or field of another type (`*kind` LF_K_NONE: a struct or array, read
 * as a reference; the callers leave the others to the slow path); NULL for the
 * slow path. Value 1 is checked to be a cdata: the metamethod can be taken out of
 * the metatable with the debug library and called with any value. */
static inline __attribute__((always_inline)) char *locate(const lf_Slot *args, const lf_FastTypes *ft,
                                                         int *kind, int *readonly, int32_t *type) {
  cdata_header *h = (cdata_header *)lf_slotcdata(&args[0], ft->metatables, ft->count);
  if (h == NULL) return NULL;
  const lf_TypeFast *t = &ft->types[h->type];
  char *p = (char *)h + h->offset;
  int shape = t->shape;
  if (shape == LF_T_REFERENCE) {
    if (lf_ownerreleased(&args[0])) return NULL; /* the slow path raises */
    { char *q; memcpy(&q, p, sizeof q); p = q; }
    if ((uint32_t)t->target >= (uint32_t)ft->count) return NULL;
    t = &ft->types[t->target];
    shape = t->shape;
  }
  if (shape == LF_T_ARRAY || shape == LF_T_POINTER) {
    if (shape == LF_T_POINTER) {
      { char *q; memcpy(&q, p, sizeof q); p = q; }
      if (p == NULL) return NULL; /* the slow path raises the NULL error */
      if (lf_ownerreleased(&args[0])) return NULL; /* and this one */
    }
    if (t->element == LF_K_NONE) {
      if (args[1].tag == LF_TAG_SHORTSTR) {
        /* p.field through a pointer to a record */
        if (shape != LF_T_POINTER || (uint32_t)t->target >= (uint32_t)ft->count) return NULL;
        t = &ft->types[t->target];
        if (t->shape != LF_T_RECORD) return NULL;
        goto field;
      }
      if (t->element_size <= 0) return NULL; /* void *, incomplete elements: the slow path's errors */
    }
    /* Element keys: integers and integral floats; anything else (numeric strings,
     * field names of scalar arrays) is the slow path's. */
    int64_t i;
    if (!lf_integer(&args[1], &i)) return NULL;
    if (shape == LF_T_ARRAY) {
      int64_t count = t->count;
      if (count < 0) {
        if (!(h->flags & LF_CDATA_COUNTED)) return NULL;
        memcpy(&count, h + 1, sizeof count); /* a VLA: its own length */
      }
      if ((uint64_t)i >= (uint64_t)count) return NULL; /* the slow path raises */
    }
    *kind = t->element;
    *readonly = t->readonly;
    *type = t->target;
    return p + (ptrdiff_t)i * t->element_size;
  }
  if (shape != LF_T_RECORD) return NULL;
field:
  if (args[1].tag != LF_TAG_SHORTSTR) return NULL; /* field names are short strings */
  const lf_FieldSlot *f = lf_findfield(t, lf_strchars(&args[1]));
  if (f == NULL || (f->kind == LF_K_NONE && f->bitfield)) return NULL;
  *kind = f->kind;
  *readonly = f->readonly;
  *type = f->type;
  return p + f->offset;
}

int lf_slowcall(lua_State *L) {
  return lf_runswift(L, (lf_SwiftFunction)lua_touserdata(L, lua_upvalueindex(1)));
}

/* Pushes the pointer of type `type` at `p` as a new pointer cdata; 0 when the slow
 * path must (cdata of the type get the gc metatable). */
static int push_pointer(lua_State *L, const lf_FastTypes *ft, int32_t type, const char *p) {
  if (ft->types[type].gc) return 0;
  uint64_t v;
  memcpy(&v, p, 8); /* before allocating: a finalizer the collector runs may free p */
  memcpy(lf_pushnewplain(L, ft, type, 8), &v, 8);
  return 1;
}

/* Stores the value in slot `s` into the pointer of type `type` at `p`: nil, a
 * pointer cdata of that very type, an array of its target type (decaying), a struct
 * of its target type (its address); 0 for the slow path (other pointers and their
 * compatibility rules, strings, numbers). */
static int store_pointer(const lf_FastTypes *ft, int32_t type, const lf_Slot *s, char *p) {
  if (s->tag == LF_TAG_NIL) { memset(p, 0, 8); return 1; }
  const cdata_header *h = lf_slotcdata(s, ft->metatables, ft->count);
  if (h == NULL || (uint32_t)type >= (uint32_t)ft->count) return 0;
  const char *payload = (const char *)h + h->offset;
  if (h->type == type) { memcpy(p, payload, 8); return 1; }
  const lf_TypeFast *from = &ft->types[h->type];
  int32_t target = ft->types[type].target;
  if ((from->shape == LF_T_ARRAY && from->target == target) || (from->shape == LF_T_RECORD && h->type == target)) {
    memcpy(p, &payload, 8); /* its address */
    return 1;
  }
  return 0;
}

/* The value of type `type` that slot `s` holds: a cdata of that very type, or a
 * reference to one; NULL for any other value. */
static const char *aggregate_value(const lf_FastTypes *ft, int32_t type, const lf_Slot *s) {
  const cdata_header *h = lf_slotcdata(s, ft->metatables, ft->count);
  if (h == NULL) return NULL;
  const char *source = (const char *)h + h->offset;
  int32_t from = h->type;
  if (ft->types[from].shape == LF_T_REFERENCE) {
    if (lf_ownerreleased(s)) return NULL;
    const char *target;
    memcpy(&target, source, sizeof target);
    source = target;
    from = ft->types[from].target;
  }
  return from == type ? source : NULL;
}

/* Stores the struct or fixed-size array that slot `s` holds (aggregate_value) into
 * `p`, of type `type`, by copying it; 0 for the slow path (other values and types,
 * const parts: Swift's rules and errors). */
static __attribute__((noinline)) int store_aggregate(const lf_FastTypes *ft, int32_t type, const lf_Slot *s, char *p) {
  if ((uint32_t)type >= (uint32_t)ft->count || !ft->types[type].assignable || ft->types[type].size <= 0) return 0;
  const char *source = aggregate_value(ft, type, s);
  if (source == NULL) return 0;
  memmove(p, source, (size_t)ft->types[type].size); /* they may overlap */
  return 1;
}

lua_CFunction lf_choosefast(lua_State *L, lua_CFunction fast) {
  return lf_stackprobe(L) ? fast : lf_slowcall;
}

/* Pushes a reference (`T &`) to the struct or fixed-size array of type `type` at
 * `p`, inside the indexed cdata (slot 1), keeping that memory's owner alive in its
 * user value, as Swift's pushReference makes it; 0 for the slow path (other types,
 * `T &` not interned yet, a metatype with __gc or its own metatable on it). */
static __attribute__((noinline)) int push_reference(lua_State *L, const lf_FastTypes *ft, int32_t type, const char *p) {
  if ((uint32_t)type >= (uint32_t)ft->count) return 0;
  const lf_TypeFast *t = &ft->types[type];
  if (!(t->shape == LF_T_RECORD || (t->shape == LF_T_ARRAY && t->count >= 0))) return 0;
  int32_t ref = t->reference;
  if ((uint32_t)ref >= (uint32_t)ft->count || ft->types[ref].gc || ft->types[ref].metatable != NULL) return 0;
  const lf_Slot *indexed = &lf_base(L)[0]; /* a cdata: locate checked it */
  const cdata_header *h = (const cdata_header *)lf_udata(indexed);
  lf_Slot owner = lf_derivedowner(indexed, h, ft->types[h->type].shape); /* copied before allocating */
  push_new_pointer(L, ft, ref, (uint64_t)(uintptr_t)p, owner);
  return 1;
}

/* cdata[key] of a struct or array (kind LF_K_NONE), out of cdata_index: located
 * again here, so that the scalar reads keep nothing live for it. */
static __attribute__((noinline)) int index_aggregate(lua_State *L) {
  const lf_FastTypes *ft = (const lf_FastTypes *)lf_upvalue(L, 3)->value.p;
  int kind = 0, readonly = 0;
  int32_t type = -1;
  const char *p = locate(lf_base(L), ft, &kind, &readonly, &type);
  if (p != NULL && kind == LF_K_NONE && push_reference(L, ft, type, p)) return 1;
  return lf_slowcall(L);
}

static int cdata_index(lua_State *L) {
  const lf_FastTypes *ft = (const lf_FastTypes *)lf_upvalue(L, 3)->value.p;
  const lf_Slot *args = lf_base(L);
  int kind = 0, readonly = 0;
  int32_t type = -1;
  const char *p = lf_top(L) - args == 2 ? locate(args, ft, &kind, &readonly, &type) : NULL;
  if (p != NULL && (kind == LF_K_POINTER ? push_pointer(L, ft, type, p) : lf_pushscalar(L, kind, p))) return 1;
  if (p == NULL && *ft->metatypes) return lf_metatypeindex(L, ft);
  return p != NULL && kind == LF_K_NONE ? index_aggregate(L) : lf_slowcall(L);
}

/* cdata[key] = a whole struct or array (kind LF_K_NONE), out of cdata_newindex:
 * located again here, so that the scalar stores keep nothing live for it. */
static __attribute__((noinline)) int newindex_aggregate(lua_State *L) {
  const lf_FastTypes *ft = (const lf_FastTypes *)lf_upvalue(L, 3)->value.p;
  const lf_Slot *args = lf_base(L);
  int kind = 0, readonly = 0;
  int32_t type = -1;
  char *p = locate(args, ft, &kind, &readonly, &type);
  if (p != NULL && !readonly && kind == LF_K_NONE && store_aggregate(ft, type, &args[2], p)) return 0;
  return lf_slowcall(L);
}

static int cdata_newindex(lua_State *L) {
  const lf_FastTypes *ft = (const lf_FastTypes *)lf_upvalue(L, 3)->value.p;
  const lf_Slot *args = lf_base(L);
  int kind = 0, readonly = 0;
  int32_t type = -1;
  char *p = lf_top(L) - args == 3 ? locate(args, ft, &kind, &readonly, &type) : NULL;
  if (p != NULL && !readonly &&
      (kind == LF_K_POINTER ? store_pointer(ft, type, &args[2], p) : store_scalar(&args[2], kind, p)))
    return 0;
  return p != NULL && kind == LF_K_NONE ? newindex_aggregate(L) : lf_slowcall(L);
}

/* The address a pointer or array cdata in slot `s` stands for, with its type's
 * facts; 0 for any other value. */
static int pointer_operand(const lf_FastTypes *ft, const lf_Slot *s, uintptr_t *address,
                           const lf_TypeFast **t, int32_t *type) {
  const cdata_header *h = lf_slotcdata(s, ft->metatables, ft->count);
  if (h == NULL) return 0;
  const char *payload = (const char *)h + h->offset;
  *t = &ft->types[h->type];
  *type = h->type;
  if ((*t)->shape == LF_T_POINTER) { memcpy(address, payload, sizeof *address); return 1; }
  if ((*t)->shape == LF_T_ARRAY) { *address = (uintptr_t)payload; return 1; }
  return 0;
}

/* __eq of two pointers or arrays: their addresses (FFIState.compare); of two
 * integers (arith.c). */
static int cdata_eq(lua_State *L) {
  const lf_FastTypes *ft = (const lf_FastTypes *)lf_upvalue(L, 3)->value.p;
  const lf_Slot *args = lf_base(L);
  uintptr_t a, b;
  const lf_TypeFast *ta, *tb;
  int32_t ida, idb;
  if (*ft->metatypes) {
    int n = lf_metatypeevent(L, ft, LF_E_EQ);
    if (n >= 0) return n;
    args = lf_base(L);
  }
  if (lf_top(L) - args == 2 && pointer_operand(ft, &args[0], &a, &ta, &ida) &&
      pointer_operand(ft, &args[1], &b, &tb, &idb)) {
    lf_setbool(L, a == b);
    return 1;
  }
  return lf_cdataintegerop(L, ft, LF_E_EQ) >= 0 ? 1 : lf_slowcall(L);
}

/* __add and __sub (`sign` 1, -1) of a pointer and an integer (either order for
 * __add), and the difference of two pointers, as FFIState.arithmetic: addresses
 * wrap around; two integer operands (arith.c); arrays, unsized targets, other
 * operands and metatypes take the slow path. */
static int pointer_arithmetic(lua_State *L, int sign) {
  const lf_FastTypes *ft = (const lf_FastTypes *)lf_upvalue(L, 3)->value.p;
  const lf_Slot *args = lf_base(L);
  if (*ft->metatypes) {
    int n = lf_metatypeevent(L, ft, sign > 0 ? LF_E_ADD : LF_E_SUB);
    if (n >= 0) return n;
    args = lf_base(L);
  }
  if (lf_top(L) - args != 2) return lf_slowcall(L);
  uintptr_t p, q;
  const lf_TypeFast *t, *u;
  int32_t type, other;
  const lf_Slot *pointer = &args[0], *offset = &args[1];
  if (sign > 0 && args[0].tag == LF_TAG_INT) pointer = &args[1], offset = &args[0];
  if (!pointer_operand(ft, pointer, &p, &t, &type))
    return lf_cdataintegerop(L, ft, sign > 0 ? LF_E_ADD : LF_E_SUB) >= 0 ? 1 : lf_slowcall(L);
  if (t->element_size <= 0) return lf_slowcall(L); /* unsized: an error there */
  if (offset->tag == LF_TAG_INT && t->shape == LF_T_POINTER) {
    uintptr_t step = (uintptr_t)t->element_size * (uintptr_t)offset->value.i;
    uintptr_t address = sign > 0 ? p + step : p - step;
    /* The result keeps the operand's owner alive (copied before allocating). */
    lf_Slot owner = lf_derivedowner(pointer, (const cdata_header *)lf_udata(pointer), LF_T_POINTER);
    push_new_pointer(L, ft, type, address, owner);
    return 1;
  }
  if (sign < 0 && pointer_operand(ft, offset, &q, &u, &other) && other == type) { /* others: Swift's rule */
    lf_setint(L, (int64_t)(p - q) / t->element_size);
    return 1;
  }
  return lf_slowcall(L);
}

static int cdata_add(lua_State *L) { return pointer_arithmetic(L, 1); }
static int cdata_sub(lua_State *L) { return pointer_arithmetic(L, -1); }

void lf_pushcdatamethod(lua_State *L, int which, lf_FastTypes *types, int (*slow)(lua_State *L)) {
  static const lua_CFunction fast[] = {
    [LF_M_INDEX] = cdata_index, [LF_M_NEWINDEX] = cdata_newindex, [LF_M_EQ] = cdata_eq,
    [LF_M_ADD] = cdata_add, [LF_M_SUB] = cdata_sub,
  };
  lf_pushfastupvalues(L, types, slow);
  lua_pushcclosure(L, lf_choosefast(L, fast[which]), 3);
}

/* ffi.string(ptr [, len]) for pointer and array cdata with a non-NULL address. */
static int cdata_string(lua_State *L) {
  const lf_FastTypes *ft = (const lf_FastTypes *)lf_upvalue(L, 3)->value.p;
  const lf_Slot *args = lf_base(L);
  int nargs = (int)(lf_top(L) - args);
  const cdata_header *h = nargs < 1 ? NULL : lf_slotcdata(&args[0], ft->metatables, ft->count);
  if (h == NULL) return lf_slowcall(L);
  const lf_TypeFast *t = &ft->types[h->type];
  const char *p = (const char *)h + h->offset;
  size_t extent = SIZE_MAX; /* bytes known to be there: arrays of known length */
  if (t->shape == LF_T_POINTER) {
    if (lf_ownerreleased(&args[0])) return lf_slowcall(L);
    char *q; memcpy(&q, p, sizeof q); p = q;
  }
  else if (t->shape != LF_T_ARRAY || t->element_size <= 0 || t->count < 0) return lf_slowcall(L);
  else extent = (size_t)t->count * (size_t)t->element_size;
  if (p == NULL) return lf_slowcall(L);
  int64_t n;
  size_t len;
  if (nargs < 2 || args[1].tag == LF_TAG_NIL) {
    len = extent == SIZE_MAX ? strlen(p) : strnlen(p, extent);
  } else if (lf_integer(&args[1], &n)) {
    if (n < 0 || (uint64_t)n > extent) return lf_slowcall(L); /* the Swift path raises */
    len = (size_t)n;
  } else {
    return lf_slowcall(L);
  }
  lua_pushlstring(L, p, len);
  return 1;
}

void lf_pushcdatastring(lua_State *L, lf_FastTypes *types, int (*slow)(lua_State *L)) {
  lf_pushfastupvalues(L, types, slow);
  lua_pushcclosure(L, lf_choosefast(L, cdata_string), 3);
}

/* Gives the new userdata on top the plain cdata metatable (registry reference
 * `metatable_ref`). Raw, as lua_setmetatable without its call: the object is new
 * (white: no write barrier) and the metatable has no __gc (no finalizer to note). */
static void set_plain_metatable(lua_State *L, int metatable_ref) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, metatable_ref);
  if (!lf_stackraw()) {
    lua_setmetatable(L, -2);
    return;
  }
  void *mt = lf_top(L)[-1].value.p;
  lf_droptop(L);
  lf_setnewmetatable(L, mt);
}

void lf_pushnewpointer(lua_State *L, const lf_FastTypes *ft, int32_t type, uint64_t address, lf_Slot owner) {
  push_new_pointer(L, ft, type, address, owner);
}

void *lf_pushnewplain(lua_State *L, const lf_FastTypes *ft, int32_t type, size_t size) {
  cdata_header *h = (cdata_header *)lua_newuserdatauv(L, sizeof(cdata_header) + size, 0);
  h->type = type;
  h->flags = 0;
  h->offset = sizeof(cdata_header);
  lf_setnewmetatable(L, (void *)ft->metatables[0]);
  return h + 1;
}

void *lf_pushnewcdata(lua_State *L, int32_t type, size_t size, int metatable_ref) {
  cdata_header *h = (cdata_header *)lua_newuserdatauv(L, sizeof(cdata_header) + size, 0);
  h->type = type;
  h->flags = 0;
  h->offset = sizeof(cdata_header);
  set_plain_metatable(L, metatable_ref);
  return h + 1;
}

/* ffi.new's data (upvalue 3, a full userdata); upvalue 4 is the plain cdata metatable. */
typedef struct {
  const lf_FastTypes *ft;
  int constructor; /* the ctype's __call: a metatype's __new (Swift calls it) comes first */
} new_env;

/* ffi.new(ct, n) for a `T[?]` or `T[]` of n elements aligned to at most 8, zero-filled:
 * the count after the header, the elements after it (CData.swift's layout). */
static int new_vla(lua_State *L, const lf_TypeFast *t, int32_t id, const lf_Slot *args, int n) {
  int64_t count;
  /* A string into a byte array: as many of its bytes, and its terminating zero, as
   * fit (Swift's initializeArray, LuaJIT's rule). */
  int string = n == 2 && (args[2].tag == LF_TAG_SHORTSTR || args[2].tag == LF_TAG_LONGSTR) &&
               t->element_size == 1 && (t->element == LF_K_I8 || t->element == LF_K_U8);
  if ((n != 1 && !string) || !lf_integer(&args[1], &count) || count < 0 || t->element_size <= 0 ||
      t->alignment > 8 || count > INT32_MAX / t->element_size) /* LuaJIT: sizes below 2^31 */
    return lf_slowcall(L); /* initializers, bad counts, huge sizes: Swift's rules and errors */
  size_t size = (size_t)count * (size_t)t->element_size;
  cdata_header *h = (cdata_header *)lua_newuserdatauv(L, sizeof(cdata_header) + 8 + size, 0);
  h->type = id;
  h->flags = LF_CDATA_COUNTED;
  h->offset = sizeof(cdata_header) + 8;
  memcpy(h + 1, &count, 8);
  char *p = (char *)h + h->offset;
  memset(p, 0, size);
  if (string) { /* the string is slot 3, anchored; the stack may have moved: re-read it */
    size_t length = lua_rawlen(L, 3) + 1;
    memcpy(p, lf_strchars(&lf_base(L)[2]), length < size ? length : size);
  }
  lf_setnewmetatable(L, lf_upvalue(L, 4)->value.p); /* the plain one */
  return 1;
}

/* Whether ffi.new(ct) with no initializer is C's for type `t`: a struct, union,
 * fixed-size array, scalar or pointer of a known size of at most 64 KiB (bigger ones
 * are allocated protected, by Swift) aligned to at most 8 (the payload follows the
 * 8-byte header). */
static inline int zeroed_new(const lf_TypeFast *t) {
  int shape = t->shape;
  return t->size >= 0 && t->size <= (1 << 16) && t->alignment <= 8 &&
         (shape == LF_T_RECORD || (shape == LF_T_ARRAY && t->count >= 0) || shape == LF_T_POINTER ||
          (shape >= LF_K_I8 && shape <= LF_K_DOUBLE));
}

/* Fills the struct `t` at `p` (table_init) from the table at stack index `table`,
 * as Swift's initializeRecord: t[base], t[base + 1], ... into the members in order,
 * up to the first nil (base 0 when t[0] is set, else 1), or when t[base] is nil the
 * string keys that name members (others are ignored). 0 for the slow path: values
 * C does not convert, keys C cannot look up. */
static int fill_from_table(lua_State *L, const lf_TypeFast *t, char *p, int table) {
  int base = lua_rawgeti(L, table, 0) != LUA_TNIL ? 0 : 1;
  lua_pop(L, 1);
  if (lua_rawgeti(L, table, base) != LUA_TNIL) {
    lua_pop(L, 1);
    for (int i = 0; i < t->npositional; i++) {
      if (lua_rawgeti(L, table, base + i) == LUA_TNIL) {
        lua_pop(L, 1);
        break;
      }
      int stored = store_scalar(lf_top(L) - 1, t->positional[i].kind, p + t->positional[i].offset);
      lua_pop(L, 1);
      if (!stored) return 0;
    }
    return 1;
  }
  lua_pop(L, 1);
  if (!t->members_known || t->fields == NULL) return 0;
  lua_pushnil(L);
  while (lua_next(L, table) != 0) {
    const lf_Slot *key = lf_top(L) - 2;
    const lf_FieldSlot *f = key->tag == LF_TAG_SHORTSTR ? lf_findfield(t, lf_strchars(key)) : NULL;
    if (key->tag == LF_TAG_LONGSTR || (f != NULL && !store_scalar(lf_top(L) - 1, f->kind, p + f->offset))) {
      lua_pop(L, 2);
      return 0;
    }
    lua_pop(L, 1);
  }
  return 1;
}

/* Fills the fixed-size array `t` of scalars at `p` from the table at stack index
 * `table`, as Swift's initializeArray: t[base], t[base + 1], ... up to the first nil
 * (base 0 when t[0] is set, else 1), a single element repeated into every one. 0
 * for the slow path: values C does not convert, too many elements (the error). */
static int fill_array_from_table(lua_State *L, const lf_TypeFast *t, char *p, int table) {
  int base = lua_rawgeti(L, table, 0) != LUA_TNIL ? 0 : 1;
  lua_pop(L, 1);
  int64_t i = 0;
  for (;; i++) {
    if (lua_rawgeti(L, table, base + i) == LUA_TNIL) {
      lua_pop(L, 1);
      break;
    }
    int stored = i < t->count && store_scalar(lf_top(L) - 1, t->element, p + i * t->element_size);
    lua_pop(L, 1);
    if (!stored) return 0;
  }
  for (int64_t j = 1; i == 1 && j < t->count; j++) memcpy(p + j * t->element_size, p, (size_t)t->element_size);
  return 1;
}

/* How ffi.new(ct, ...) initializes in C (cdata_new); INIT_SLOW: Swift does all. */
enum { INIT_SLOW, INIT_ZERO, INIT_FIELDS, INIT_FIELD_TABLE, INIT_SCALAR, INIT_ELEMENTS, INIT_ELEMENT_TABLE, INIT_COPY };

static int initializer_kind(lua_State *L, const lf_FastTypes *ft, int32_t id, const lf_Slot *args, int n) {
  const lf_TypeFast *t = &ft->types[id];
  int shape = t->shape, table = n == 1 && lua_type(L, 2) == LUA_TTABLE;
  if (n == 0) return zeroed_new(t) ? INIT_ZERO : INIT_SLOW;
  if (shape == LF_T_RECORD && n == 1 && args[1].tag == LF_TAG_USERDATA)
    return zeroed_new(t) && aggregate_value(ft, id, &args[1]) != NULL ? INIT_COPY : INIT_SLOW;
  if (shape == LF_T_RECORD) {
    if (table) return t->table_init ? INIT_FIELD_TABLE : INIT_SLOW;
    return t->positional != NULL && n <= t->npositional ? INIT_FIELDS : INIT_SLOW;
  }
  if (!zeroed_new(t)) return INIT_SLOW;
  if (shape >= LF_K_I8 && shape <= LF_K_DOUBLE) return n == 1 ? INIT_SCALAR : INIT_SLOW;
  if (shape != LF_T_ARRAY || t->element < LF_K_I8 || t->element > LF_K_DOUBLE || t->element_size <= 0) return INIT_SLOW;
  if (table) return INIT_ELEMENT_TABLE;
  if (n > t->count) return INIT_SLOW; /* the error */
  for (int i = 1; i <= n; i++)
    if (args[i].tag != LF_TAG_INT && args[i].tag != LF_TAG_FLOAT) return INIT_SLOW; /* strings, cdata, ... */
  return INIT_ELEMENTS;
}

/* ffi.new(ct, ...) in C: no initializer (zeroed_new), numbers by position into a
 * struct of scalar fields (alignment <= 8), a table into a struct whose members are
 * all in `positional` (fill_from_table), a struct of the very type (a copy), one
 * number into a scalar, numbers or a table into a fixed-size array of scalars (one
 * number fills every element). */
static int cdata_new(lua_State *L) {
  const new_env *env = (const new_env *)lf_udata(lf_upvalue(L, 3));
  const lf_FastTypes *ft = env->ft;
  const lf_Slot *args = lf_base(L);
  int n = (int)(lf_top(L) - args) - 1;
  const cdata_header *th;
  int32_t id = n >= 0 ? lf_argtype(ft, &args[0], &th) : -1;
  if (id < 0 || ft->types[id].gc) return lf_slowcall(L);
  const lf_TypeFast *t = &ft->types[id];
  if (env->constructor && t->metatype_new) return lf_slowcall(L);
  if (t->shape == LF_T_ARRAY && t->count < 0) return new_vla(L, t, id, args, n);
  int init = initializer_kind(L, ft, id, args, n);
  if (init == INIT_SLOW) return lf_slowcall(L);
  cdata_header *h = (cdata_header *)lua_newuserdatauv(L, sizeof(cdata_header) + (size_t)t->size, 0);
  h->type = id;
  h->flags = 0;
  h->offset = sizeof(cdata_header);
  char *p = (char *)(h + 1);
  /* The allocation may have run the collector, whose finalizers can grow the type
   * table (moving it) and the stack: re-derive both. */
  t = &ft->types[id];
  args = lf_base(L);
  if (t->size == 16) memset(p, 0, 16); /* inline for the common small structs: the */
  else if (t->size == 8) memset(p, 0, 8); /* call would cost more than the stores */
  else memset(p, 0, (size_t)t->size);
  int done = 1;
  switch (init) {
  case INIT_FIELDS:
    for (int i = 0; i < n && done; i++) done = store_scalar(&args[i + 1], t->positional[i].kind, p + t->positional[i].offset);
    break;
  case INIT_FIELD_TABLE: done = fill_from_table(L, t, p, 2); break;
  case INIT_SCALAR: done = store_scalar(&args[1], t->shape, p); break;
  case INIT_ELEMENTS:
    for (int i = 0; i < n && done; i++) done = store_scalar(&args[i + 1], t->element, p + (size_t)i * (size_t)t->element_size);
    for (int64_t j = 1; done && n == 1 && j < t->count; j++) memcpy(p + j * t->element_size, p, (size_t)t->element_size);
    break;
  case INIT_ELEMENT_TABLE: done = fill_array_from_table(L, t, p, 2); break;
  case INIT_COPY: { /* read again: the stack may have moved, a finalizer may have released the source */
    const char *source = aggregate_value(ft, id, &args[1]);
    if ((done = source != NULL)) memcpy(p, source, (size_t)t->size);
    break;
  }
  default: break;
  }
  if (!done) {
    lua_settop(L, n + 1); /* the new cdata goes: Swift makes it again, with its rules and errors */
    return lf_slowcall(L);
  }
  /* The metatype's own metatable, or the plain one: neither has __gc. */
  lf_setnewmetatable(L, t->metatable ? (void *)t->metatable : lf_upvalue(L, 4)->value.p);
  return 1;
}

/* The sizes of the integer types a cast makes. */
static const uint8_t cast_sizes[] = {[LF_K_I8] = 1, [LF_K_U8] = 1, [LF_K_I16] = 2, [LF_K_U16] = 2,
                                     [LF_K_I32] = 4, [LF_K_U32] = 4, [LF_K_I64] = 8, [LF_K_U64] = 8};

/* ffi.cast(ct, v) for a pointer type and nil, a pointer or an array cdata: the
 * address, with the owner a derived pointer keeps (Owners.swift), or `v` itself
 * when it is a cdata of that very type; for an integer or
 * pointer type and a Lua integer, or for an integer type and a pointer or array
 * cdata: its low bits (FFIState.cast). Floats, strings, functions, records and
 * references take Swift's rules. */
static int cdata_cast(lua_State *L) {
  const new_env *env = (const new_env *)lf_udata(lf_upvalue(L, 3));
  const lf_FastTypes *ft = env->ft;
  const lf_Slot *args = lf_base(L);
  const cdata_header *th;
  int32_t id = lf_top(L) - args == 2 ? lf_argtype(ft, &args[0], &th) : -1;
  if (id < 0 || ft->types[id].gc) return lf_slowcall(L);
  int shape = ft->types[id].shape;
  if (args[1].tag == LF_TAG_INT && shape >= LF_K_I8 && shape <= LF_K_U64) {
    lf_Slot value = args[1]; /* copied: the allocation may move the stack */
    store_scalar(&value, shape, lf_pushnewplain(L, ft, id, cast_sizes[shape]));
    return 1;
  }
  if (shape >= LF_K_I8 && shape <= LF_K_U64 && args[1].tag == LF_TAG_USERDATA) {
    /* An integer from a pointer or array cdata: its address's low bits. */
    const cdata_header *h = lf_slotcdata(&args[1], ft->metatables, ft->count);
    int from = h != NULL ? ft->types[h->type].shape : LF_T_OTHER;
    if (from != LF_T_POINTER && from != LF_T_ARRAY) return lf_slowcall(L);
    const char *payload = (const char *)h + h->offset;
    lf_Slot value = {{0}, LF_TAG_INT, {0}};
    if (from == LF_T_POINTER) memcpy(&value.value.i, payload, 8);
    else value.value.i = (lua_Integer)(uintptr_t)payload;
    store_scalar(&value, shape, lf_pushnewplain(L, ft, id, cast_sizes[shape]));
    return 1;
  }
  if (shape != LF_T_POINTER) return lf_slowcall(L);
  if (args[1].tag == LF_TAG_INT) {
    lf_Slot none = {{0}, LF_TAG_NIL, {0}};
    push_new_pointer(L, ft, id, (uint64_t)args[1].value.i, none);
    return 1;
  }
  uint64_t address = 0;
  lf_Slot owner = {{0}, LF_TAG_NIL, {0}};
  if (args[1].tag != LF_TAG_NIL) {
    const cdata_header *h = lf_slotcdata(&args[1], ft->metatables, ft->count);
    if (h == NULL) return lf_slowcall(L);
    if (h->type == id) { /* the very type: the value itself (LuaJIT makes no copy) */
      lf_setslot(L, &args[1]);
      return 1;
    }
    int from = ft->types[h->type].shape;
    const char *payload = (const char *)h + h->offset;
    if (from == LF_T_POINTER) memcpy(&address, payload, 8);
    else if (from == LF_T_ARRAY) address = (uint64_t)(uintptr_t)payload;
    else return lf_slowcall(L);
    owner = lf_derivedowner(&args[1], h, from);
  }
  push_new_pointer(L, ft, id, address, owner);
  return 1;
}

/* Pushes the slow function and the owner (on top) as upvalues 1 and 2, then the
 * new_env of ffi.new and ffi.cast as upvalue 3. [-1, +3, m] */
static void push_new_env(lua_State *L, lf_FastTypes *types, int (*slow)(lua_State *L), int constructor) {
  lua_pushlightuserdata(L, (void *)slow);
  lua_insert(L, -2);
  new_env *env = (new_env *)lua_newuserdatauv(L, sizeof(new_env), 0);
  env->ft = types;
  env->constructor = constructor;
}

void lf_pushcdatacast(lua_State *L, lf_FastTypes *types, int (*slow)(lua_State *L)) {
  push_new_env(L, types, slow, 0);
  lua_pushcclosure(L, lf_choosefast(L, cdata_cast), 3);
}

void lf_pushcdatanew(lua_State *L, lf_FastTypes *types, int (*slow)(lua_State *L)) {
  push_new_env(L, types, slow, 0);
  lua_rawgeti(L, LUA_REGISTRYINDEX, types->metatable_ref);
  lua_pushcclosure(L, lf_choosefast(L, cdata_new), 4);
}

void lf_pushctypecall(lua_State *L, lf_FastTypes *types, int (*slow)(lua_State *L)) {
  push_new_env(L, types, slow, 1);
  lua_rawgeti(L, LUA_REGISTRYINDEX, types->metatable_ref);
  lua_pushcclosure(L, lf_choosefast(L, cdata_new), 4);
}
