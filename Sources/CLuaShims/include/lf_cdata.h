/* The fast paths of cdata access, in C: reading and writing scalar and pointer
 * struct fields, array elements and pointer targets. Everything else (aggregates,
 * bitfields, conversions of other values, errors, metatypes) falls back to the
 * Swift metamethods, which the Swift side installs as the `slow` functions. */
#ifndef LF_CDATA_H
#define LF_CDATA_H

#include <lua5.4/lua.h>
#include <stdint.h>

/* The start of every cdata block (Swift's CDataHeader): 8 bytes. For variable-length
 * types (LF_CDATA_COUNTED) the element count (int64_t) follows; the C value is at
 * `offset` (aligned to its type). Plain cdata have no user value; references have
 * one (the object they point into); ffi.gc finalizers live in a side table. */
typedef struct lf_CDataHeader {
  int32_t type;
  uint16_t flags;   /* LF_CDATA_* */
  uint16_t offset;
} lf_CDataHeader;
enum { LF_CDATA_FINALIZER = 1, LF_CDATA_RELEASED = 2, LF_CDATA_FINALIZER_SET = 4, LF_CDATA_COUNTED = 8 };

/* Shapes of types the fast paths know (scalars use the LF_K_* codes of lf_call.h). */
enum { LF_T_OTHER = 32, LF_T_RECORD, LF_T_ARRAY, LF_T_POINTER, LF_T_REFERENCE };

/* One field in a record's lookup table: keyed by the address of the interned
 * (short) Lua string that names it, which the record's field table keeps alive. */
typedef struct lf_FieldSlot {
  const char *key;
  int32_t offset;
  int32_t type;     /* pointer fields: the field's type id */
  uint8_t kind;     /* LF_K_* scalar or LF_K_POINTER, or LF_K_NONE: take the slow path */
  uint8_t readonly;
} lf_FieldSlot;

/* What the fast paths know of one type id. */
typedef struct lf_TypeFast {
  uint8_t shape;      /* LF_K_* scalar or LF_T_* */
  uint8_t element;    /* arrays, pointers: LF_K_* of the element (LF_K_NONE: slow;
                         LF_K_POINTER: its type is `target`) */
  uint8_t readonly;   /* arrays, pointers: the element is const */
  int32_t element_size;
  int32_t target;     /* pointers, references, arrays: the target/element type id */
  int64_t count;      /* fixed arrays: the length; -1 otherwise */
  lf_FieldSlot *fields; /* records: open-addressing table (NULL until built) */
  uint32_t mask;      /* records: table size - 1 */
  lf_FieldSlot *positional; /* records: fields of positional initializers (NULL: slow) */
  int32_t npositional;
  int32_t size;       /* records with `positional`: the size (alignment <= 8) */
} lf_TypeFast;

/* The per-state table of lf_TypeFast, indexed by type id (the Swift side owns and
 * grows `types`; this struct's address is stable). */
typedef struct lf_FastTypes {
  lf_TypeFast *types;
  int32_t count;
  /* For pointer values read and written in C: the two cdata metatables (plain, gc),
   * the plain one's registry reference, and "a metatype has __gc" (then new cdata
   * are made by the slow path). */
  const void *const *metatables;
  int metatable_ref;
  const int *gc_types;
  const int *metatypes; /* nonzero: some type has a metatype (its metamethods come first) */
} lf_FastTypes;

/* The cdata metamethods with C fast paths. */
enum { LF_M_INDEX, LF_M_NEWINDEX, LF_M_EQ, LF_M_ADD, LF_M_SUB };

/* Pushes the cdata metamethod `which` (LF_M_*): the fast path, else `slow` (an
 * lf_SwiftFunction; its upvalue 2 is the value on top of the stack, popped).
 * [-1, +1, m] */
void lf_pushcdatamethod(lua_State *L, int which, lf_FastTypes *types, int (*slow)(lua_State *L));

/* Pushes ffi.new (and the ctype constructor: `first` 2) with its fast path: a
 * record type object and plain numbers for its scalar fields; `slow` takes
 * everything else. Upvalue layout as lf_pushcdatastring, plus the ctype metatable
 * address and the plain cdata metatable (`types->metatable_ref` must be set).
 * [-1, +1, m] */
void lf_pushcdatanew(lua_State *L, lf_FastTypes *types, const void *ctype_metatable,
                     int (*slow)(lua_State *L));

/* Pushes ffi.cast with its fast path: a pointer type object and nil, a pointer or
 * an array cdata; `slow` takes everything else. Upvalues as lf_pushcdatanew's
 * first three. [-1, +1, m] */
void lf_pushcdatacast(lua_State *L, lf_FastTypes *types, const void *ctype_metatable,
                      int (*slow)(lua_State *L));

/* Pushes ffi.string with its fast path for pointer and array cdata; `slow` (an
 * lf_SwiftFunction) takes everything else; its upvalue 2 is the value on top of
 * the stack, popped. [-1, +1, m] */
void lf_pushcdatastring(lua_State *L, lf_FastTypes *types, int (*slow)(lua_State *L));

#endif
