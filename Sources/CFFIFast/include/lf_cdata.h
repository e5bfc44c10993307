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
  int32_t type;     /* the field's type id */
  uint8_t kind;     /* LF_K_* scalar or LF_K_POINTER, or LF_K_NONE: an aggregate (read
                       as a reference) or a bitfield, the slow path's */
  uint8_t readonly;
  uint8_t bitfield; /* a bitfield: no byte offset of its own (ffi.offsetof's slow path) */
} lf_FieldSlot;

/* What the fast paths know of one type id. */
typedef struct lf_TypeFast {
  uint8_t shape;      /* LF_K_* scalar or LF_T_* */
  uint8_t element;    /* arrays, pointers: LF_K_* of the element (LF_K_NONE: slow;
                         LF_K_POINTER: its type is `target`) */
  uint8_t readonly;   /* arrays, pointers: the element is const */
  uint8_t gc;         /* its cdata get the gc metatable (a metatype with __gc): made
                         by the slow path */
  uint8_t members_known; /* records: `fields` holds every member with a short name and
                            there are no record-scoped constants (a short key that is
                            not there names no member) */
  uint8_t assignable; /* complete records and fixed-size arrays with no const part: a
                         store of a whole value of the type copies it in C */
  uint8_t metatype_new; /* its metatype has __new: the ctype's constructor calls it (Swift) */
  uint8_t table_init; /* structs whose `positional` holds every member, in declaration
                         order (no union, anonymous member or bitfield): ffi.new with a
                         table initializer in C */
  int32_t element_size;
  int32_t target;     /* pointers, references, arrays: the target/element type id */
  int64_t count;      /* fixed arrays: the length; -1 otherwise */
  lf_FieldSlot *fields; /* records: open-addressing table (NULL until built) */
  uint32_t mask;      /* records: table size - 1 */
  lf_FieldSlot *positional; /* records: fields of positional initializers (NULL: slow) */
  int32_t npositional;
  int32_t alignment;
  int64_t size;       /* bytes; -1: unknown or variable-length (the slow path's) */
  int32_t pointer;    /* the id of `T *` for this T, once interned; -1 until then */
  int32_t reference;  /* the id of `T &` for this T, once interned (a read of a struct or
                         array field or element makes one); -1 until then */
  int32_t metatype;   /* registry reference of the metatype table that governs its cdata
                         (its record's, or a pointer's or reference's target record's,
                         qualifiers ignored); 0: none */
  const char *prefix; /* tostring's `cdata<T>: ` once Swift made it (the characters of the
                         Lua string the prefixes table keeps); NULL until then */
  size_t prefix_len;
  int32_t metatype_index; /* registry reference of that metatype's __index, read when
                             ffi.metatype set it; 0: none */
  const void *metatable; /* records of a metatype without __gc: the type's own
                            metatable, which its new cdata get (CDataMetatable.swift,
                            ownMetatable); NULL: the plain one */
  const struct lf_Callable *call; /* function pointers: how the C call paths call one
                                     (`function` unused), once Swift described it on a
                                     first call; NULL until then */
} lf_TypeFast;

/* One entry of the type-string cache: the characters of an interned (short) Lua
 * string that ffi parsed as a type, kept alive by an anchor table. */
typedef struct lf_TypeString {
  const char *key;
  int32_t id;
} lf_TypeString;

/* The per-state table of lf_TypeFast, indexed by type id (the Swift side owns and
 * grows `types`; this struct's address is stable). */
typedef struct lf_FastTypes {
  lf_TypeFast *types;
  int32_t count;
  /* For pointer values read and written in C: the two cdata metatables (plain, gc)
   * and the plain one's registry reference (new cdata of a type whose metatype has
   * __gc, lf_TypeFast.gc, are made by the slow path). */
  const void *const *metatables;
  int metatable_ref;
  const int *metatypes; /* nonzero: some type has a metatype (its metamethods come first) */
  /* ctype objects: their metatable's address, and the registry reference of the
   * table id + 1 -> ctype object. */
  const void *ctype_metatable;
  int ctype_cache_ref;
  int *saved_errno; /* errno after the last C call (lf_CallContext), for ffi.errno */
  int prefixes_ref; /* registry reference: type id + 1 -> `cdata<T>: ` (tostring; it
                       keeps lf_TypeFast.prefix alive) */
  /* Short type strings already parsed (open addressing, keyed by address; Swift
   * fills it as it caches a string's type). */
  lf_TypeString *strings;
  uint32_t strings_mask;
  uint32_t strings_count;
  /* The ids of `int64_t` and `uint64_t` once interned (-1 until then): the types
   * of boxed integer results. */
  int32_t int64_type;
  int32_t uint64_type;
  /* The metamethod event names (LF_E_*), anchored by the cdata metatable. */
  const void *events[32];
} lf_FastTypes;

/* The cdata metamethods with C fast paths. */
enum { LF_M_INDEX, LF_M_NEWINDEX, LF_M_EQ, LF_M_ADD, LF_M_SUB };

/* Metamethod events a metatype can define, in the order of lf_eventname. */
enum {
  LF_E_INDEX, LF_E_NEWINDEX, LF_E_EQ, LF_E_ADD, LF_E_SUB, LF_E_TOSTRING, LF_E_LT, LF_E_LE,
  LF_E_MUL, LF_E_DIV, LF_E_MOD, LF_E_POW, LF_E_UNM, LF_E_IDIV, LF_E_BAND, LF_E_BOR, LF_E_BXOR,
  LF_E_SHL, LF_E_SHR, LF_E_BNOT, LF_E_LEN, LF_E_CONCAT, LF_E_CALL, LF_E_CLOSE, LF_E_PAIRS,
  LF_E_IPAIRS, LF_E_COUNT
};

/* The name of event `e` (LF_E_*): "__index", ... */
const char *lf_eventname(int e);

/* Records the event names' strings for the metatype lookups; the cdata metatable,
 * whose keys they are (which keeps them alive), is on top. [-0, +0, m] */
void lf_noteevents(lua_State *L, lf_FastTypes *types);

/* Pushes the cdata metamethod of event `e` (LF_E_TOSTRING and after): the metatype's
 * handler, found and called in C, else (for __tostring of pointers, structs and
 * arrays: in C) `slow` (as lf_pushcdatamethod). [-1, +1, m] */
void lf_pushcdataevent(lua_State *L, int e, lf_FastTypes *types, int (*slow)(lua_State *L));

/* Pushes the cdata metamethod of the operator event `e` (LF_E_LT, LF_E_LE,
 * LF_E_MUL ... LF_E_BNOT): the metatype's handler as lf_pushcdataevent, else
 * integer operands in C (arith.c), else `slow`. [-1, +1, m] */
void lf_pushcdataoperator(lua_State *L, int e, lf_FastTypes *types, int (*slow)(lua_State *L));

/* ffi functions with C fast paths (lf_pushcdataop): every one falls back to `slow`. */
enum { LF_OP_SIZEOF, LF_OP_ISTYPE, LF_OP_COPY, LF_OP_FILL, LF_OP_TONUMBER, LF_OP_TYPEOF, LF_OP_OFFSETOF, LF_OP_ERRNO,
       LF_OP_ADDRESSOF };

/* Pushes the ffi function `op` (LF_OP_*) with its fast path; upvalues as
 * lf_pushcdatastring. [-1, +1, m] */
void lf_pushcdataop(lua_State *L, int op, lf_FastTypes *types, int (*slow)(lua_State *L));

/* Pushes the LuaJIT-compatible global `tonumber`: numbers and the cdata of any ffi
 * state in C, `slow` (an lf_SwiftFunction, no upvalues) for the rest. [-0, +1, m] */
void lf_pushcompattonumber(lua_State *L, int (*slow)(lua_State *L));

/* Pushes the LuaJIT-compatible global `tostring`: a value's `__tostring` results
 * unchecked (LuaJIT's rule), the cdata of any ffi state described in C without the
 * metamethod call, the builtin's text for the rest. [-0, +1, m] */
void lf_pushcompattostring(lua_State *L);

/* Registers `types` as the ffi state of cdata whose metatable is `metatable` (for
 * lf_pushcompattonumber and lf_pushcompattostring). [-0, +0, m] */
void lf_registercdatametatable(lua_State *L, const void *metatable, lf_FastTypes *types);

/* Pushes the ctype objects' `__call` (the constructor): ffi.new's fast path when the
 * type has no metatype (whose __new the slow path calls). Upvalues as
 * lf_pushcdatanew. [-1, +1, m] */
void lf_pushctypecall(lua_State *L, lf_FastTypes *types, int (*slow)(lua_State *L));

/* Pushes the cdata metamethod `which` (LF_M_*): the fast path, else `slow` (an
 * lf_SwiftFunction; its upvalue 2 is the value on top of the stack, popped).
 * [-1, +1, m] */
void lf_pushcdatamethod(lua_State *L, int which, lf_FastTypes *types, int (*slow)(lua_State *L));

/* Pushes ffi.new with its fast path: a record type (object, cdata or type string
 * seen before) and plain numbers for its scalar fields, a `T[?]` type and a count;
 * `slow` takes everything else. Upvalue layout as lf_pushcdatastring, plus the
 * plain cdata metatable (`types->metatable_ref` must be set).
 * [-1, +1, m] */
void lf_pushcdatanew(lua_State *L, lf_FastTypes *types, int (*slow)(lua_State *L));

/* Pushes ffi.cast with its fast path: a pointer type and nil, a pointer or an
 * array cdata, an integer or pointer type and a Lua integer; `slow` takes
 * everything else. Upvalues as lf_pushcdatanew's first three. [-1, +1, m] */
void lf_pushcdatacast(lua_State *L, lf_FastTypes *types, int (*slow)(lua_State *L));

/* Pushes ffi.string with its fast path for pointer and array cdata; `slow` (an
 * lf_SwiftFunction) takes everything else; its upvalue 2 is the value on top of
 * the stack, popped. [-1, +1, m] */
void lf_pushcdatastring(lua_State *L, lf_FastTypes *types, int (*slow)(lua_State *L));

#endif
