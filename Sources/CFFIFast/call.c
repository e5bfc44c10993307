/* The C call paths, direct and libffi: see lf_call.h. */
#include "lf_call.h"
#include "lf_callback.h"
#include "lf_cdata.h"
#include "CFFIFast.h"
#include "internal.h"
#include "lf_stack.h"

#include <errno.h>
#include <ffi.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t (*direct_int)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                               double, double, double, double, double, double, double, double);
typedef uint64_t (*direct_int6)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
typedef double (*direct_double)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                                double, double, double, double, double, double, double, double);

typedef struct { uint64_t a, b; } ret_ii;
typedef struct { double a, b; } ret_ss;
typedef struct { uint64_t a; double b; } ret_is;
typedef struct { double a; uint64_t b; } ret_si;
#define PROTOTYPE(R) R (*)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, \
                          double, double, double, double, double, double, double, double)

/* The start of a cdata block (Swift's CDataHeader): lf_cdata.h. */
typedef lf_CDataHeader cdata_header;

/* Runs the C call `...` (a statement) of the direct path and saves errno. With
 * callbacks alive the call is published for them first (lf_callback.h), and after
 * it callbacks of other threads still running are waited for, before anything
 * touches the Lua stack again. */
#define CALL_C(c, L, ...) \
  do { \
    lf_CallContext *x_ = (c)->ctx; \
    if (__builtin_expect(x_->live, 0)) { \
      lf_CallEntry e_ = lf_enterc(x_, (L)); \
      __VA_ARGS__; \
      lf_leavec(x_, (L), e_, errno); \
    } else { \
      __VA_ARGS__; \
      x_->saved_errno = errno; \
    } \
  } while (0)

/* Converts the argument in slot `s` for parameter `i` into its register copy (r:
 * integer registers, d: floating ones); 0 when the slow path must do it (strings,
 * tables, other cdata, floats into integers that are not exact). Each register
 * copy is written whole, as an 8-byte store, so loading it forwards from the store. */
static inline __attribute__((always_inline)) int convert(const lf_Callable *c, int i, const lf_Slot *s,
                                                        uint64_t *r, double *d) {
  int kind = c->kinds[i], tag = s->tag, at = c->slots[i];
  if (kind == LF_K_DOUBLE || kind == LF_K_FLOAT) {
    double x;
    if (tag == LF_TAG_FLOAT) x = s->value.n;
    else if (tag == LF_TAG_INT) x = (double)s->value.i;
    else return 0;
    if (kind == LF_K_FLOAT) {
      float f = (float)x;
      uint32_t low;
      memcpy(&low, &f, 4);
      uint64_t bits = low;
      memcpy(&x, &bits, 8);
    }
    d[at - 6] = x;
    return 1;
  }
  uint64_t *slot = &r[at];
  if (kind == LF_K_POINTER) {
    if (tag == LF_TAG_NIL) { *slot = 0; return 1; }
    if (tag == LF_TAG_SHORTSTR || tag == LF_TAG_LONGSTR) {
      /* The string stays on the stack, alive, until the call returns. */
      if (!c->strings[i]) return 0;
      *slot = (uint64_t)(uintptr_t)lf_strchars(s);
      return 1;
    }
    const cdata_header *h = lf_slotcdata(s, c->ft->metatables, c->ft->count);
    if (h == NULL || lf_ownerreleased(s)) return 0;
    const char *payload = (const char *)h + h->offset;
    if (h->type == c->pointee[i]) { *slot = (uint64_t)(uintptr_t)payload; return 1; }
    if (h->type == c->pointer[i] || h->type == c->declared[i]) { memcpy(slot, payload, 8); return 1; }
    /* Arrays of the pointee decay to their first element; a void pointer takes any
     * pointer, array or struct (FFIState.isCompatible). */
    const lf_TypeFast *t = &c->ft->types[h->type];
    if (t->readonly && !c->consts[i]) return 0; /* const data into a non-const parameter: the slow path's error */
    int any = c->pointee[i] < 0;
    if (t->shape == LF_T_ARRAY && (any || t->target == c->pointee[i])) { *slot = (uint64_t)(uintptr_t)payload; return 1; }
    if (any && t->shape == LF_T_RECORD) { *slot = (uint64_t)(uintptr_t)payload; return 1; }
    if (any && t->shape == LF_T_POINTER) { memcpy(slot, payload, 8); return 1; }
    return 0;
  }
  int64_t v;
  if (!lf_integer(s, &v) && !(kind == LF_K_BOOL && lf_boolean(s, &v))) return 0;
  if (!lf_lowbitsconvert(s, v, kind)) return 0;
  *slot = kind == LF_K_BOOL ? (uint64_t)(v != 0) : lf_extend(kind, (uint64_t)v);
  return 1;
}

/* Calls a function returning a small struct in registers and pushes the result
 * as a new cdata (the Swift CDataHeader layout: no user value, the payload right
 * after the 8-byte header; these structs are aligned to at most 8). */
static void call_record(const lf_Callable *c, void *f, const uint64_t *r, const double *d, unsigned char *bytes) {
#define ARGS r[0], r[1], r[2], r[3], r[4], r[5], d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]
  switch (c->record) {
  case LF_R_I: { uint64_t x = ((PROTOTYPE(uint64_t))f)(ARGS); memcpy(bytes, &x, 8); break; }
  case LF_R_S: { double x = ((PROTOTYPE(double))f)(ARGS); memcpy(bytes, &x, 8); break; }
  case LF_R_II: { ret_ii x = ((PROTOTYPE(ret_ii))f)(ARGS); memcpy(bytes, &x, 16); break; }
  case LF_R_SS: { ret_ss x = ((PROTOTYPE(ret_ss))f)(ARGS); memcpy(bytes, &x, 16); break; }
  case LF_R_IS: { ret_is x = ((PROTOTYPE(ret_is))f)(ARGS); memcpy(bytes, &x, 16); break; }
  default: { ret_si x = ((PROTOTYPE(ret_si))f)(ARGS); memcpy(bytes, &x, 16); break; }
  }
#undef ARGS
}

/* Pushes a struct result of `c` (record_size bytes at `bytes`) as a new cdata: the
 * plain metatable, or its metatype's own (neither has __gc: the callers leave
 * states with __gc metatypes to Swift). */
static int push_record(lua_State *L, const lf_Callable *c, const unsigned char *bytes) {
  memcpy(lf_pushnewplain(L, c->ft, c->result_type, (size_t)c->record_size), bytes, (size_t)c->record_size);
  const void *own = c->ft->types[c->result_type].metatable; /* read after the allocation */
  if (own) lf_setnewmetatable(L, (void *)own);
  return 1;
}

static int direct_record(lua_State *L, const lf_Callable *c, void *const *fn, const uint64_t *r, const double *d) {
  unsigned char bytes[16];
  CALL_C(c, L, call_record(c, *fn, r, d, bytes));
  if (c->ctx->pending) return -2;
  return push_record(L, c, bytes);
}

/* Pushes the integer-class result `x` of `c`; returns the result count. A pointer
 * becomes a pointer cdata and a uint64_t above INT64_MAX a boxed uint64_t cdata, as
 * on the slow path. */
static inline __attribute__((always_inline)) int push_integer(lua_State *L, const lf_Callable *c, uint64_t x) {
  int kind = c->result;
  _Static_assert(LF_K_NONE == 0 && LF_K_I64 == LF_K_I8 + 6, "the integer classes below U64 are 1...7");
  if (kind <= LF_K_I64) { /* the common case first: LF_K_I8 ... LF_K_I64 (never NONE here) */
    lf_setint(L, (lua_Integer)lf_extend(kind, x));
    return 1;
  }
  if (kind == LF_K_VOID) return 0;
  if (kind == LF_K_BOOL) lf_setbool(L, (uint8_t)x != 0);
  else if (kind == LF_K_POINTER) memcpy(lf_pushnewplain(L, c->ft, c->result_type, 8), &x, 8);
  else if (kind == LF_K_U64 && x > (uint64_t)INT64_MAX) memcpy(lf_pushnewplain(L, c->ft, c->boxed_type, 8), &x, 8);
  else lf_setint(L, (lua_Integer)lf_extend(kind, x));
  return 1;
}

/* The integers-only direct path (the commonest signatures): every argument a Lua
 * integer, an integer result. -1 when the general paths must take the call. */
static inline __attribute__((always_inline)) int direct_integers(lua_State *L, const lf_Callable *c, void *const *fn,
                                                                const lf_Slot *args) {
  uint64_t r[6] = {0, 0, 0, 0, 0, 0};
  for (int i = 0; i < c->nparams; i++) {
    if (args[i].tag != LF_TAG_INT) return -1;
    r[i] = lf_extend(c->kinds[i], (uint64_t)args[i].value.i);
  }
  uint64_t x;
  CALL_C(c, L, x = ((direct_int6)*fn)(r[0], r[1], r[2], r[3], r[4], r[5]));
  if (c->ctx->pending) return -2;
  return push_integer(L, c, x);
}

/* The direct path; -1 when the slow path must take the call (nothing happened),
 * -2 when a callback failed during the call (its error is to be raised). */
static inline __attribute__((always_inline)) int direct(lua_State *L, const lf_Callable *c, void *const *fn,
                                                       const lf_Slot *args) {
  int n = c->nparams;
  if ((c->record || c->result == LF_K_POINTER) && c->ft->types[c->result_type].gc) return -1; /* gc cdata: Swift */
  uint64_t r[6] = {0, 0, 0, 0, 0, 0};
  double d[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < n; i++)
    if (!convert(c, i, &args[i], r, d)) return -1;
  if (!c->floats && !c->record && c->result != LF_K_DOUBLE && c->result != LF_K_FLOAT) {
    /* Integer registers only: the short prototype. */
    uint64_t x;
    CALL_C(c, L, x = ((direct_int6)*fn)(r[0], r[1], r[2], r[3], r[4], r[5]));
    if (c->ctx->pending) return -2;
    return push_integer(L, c, x);
  }
  if (c->record) return direct_record(L, c, fn, r, d);
  if (c->result == LF_K_DOUBLE || c->result == LF_K_FLOAT) {
    double x;
    CALL_C(c, L, x = ((direct_double)*fn)(r[0], r[1], r[2], r[3], r[4], r[5],
                                                  d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]));
    if (c->ctx->pending) return -2;
    if (c->result == LF_K_FLOAT) { float f; memcpy(&f, &x, 4); x = f; }
    lf_setfloat(L, x);
    return 1;
  }
  uint64_t x;
  CALL_C(c, L, x = ((direct_int)*fn)(r[0], r[1], r[2], r[3], r[4], r[5],
                                             d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]));
  if (c->ctx->pending) return -2;
  return push_integer(L, c, x);
}

lf_VarargCifs *lf_newvarargcifs(void *result_type, int nfixed, void *const *fixed_types) {
  lf_VarargCifs *cifs = (lf_VarargCifs *)calloc(1, sizeof *cifs);
  void **fixed = (void **)malloc(sizeof(void *) * (size_t)(nfixed > 0 ? nfixed : 1));
  if (cifs == NULL || fixed == NULL) {
    free(cifs);
    free(fixed);
    return NULL;
  }
  memcpy(fixed, fixed_types, sizeof(void *) * (size_t)nfixed);
  cifs->result_type = result_type;
  cifs->nfixed = nfixed;
  cifs->fixed_types = fixed;
  return cifs;
}

void lf_freevarargcifs(lf_VarargCifs *cifs) {
  if (cifs == NULL) return;
  for (int i = 0; i < cifs->count; i++) {
    free(cifs->entry[i].cif);
    free(cifs->entry[i].types);
  }
  free(cifs->fixed_types);
  free(cifs);
}

/* The cif of a call with `nargs` arguments whose variadic ones have the classes
 * `key`: found, or prepared and kept; NULL when the cache is full or libffi refuses
 * (the Swift path then prepares one for the call). */
static ffi_cif *vararg_cif(lf_VarargCifs *cifs, int nargs, uint64_t key) {
  for (int i = 0; i < cifs->count; i++)
    if (cifs->entry[i].nargs == nargs && cifs->entry[i].key == key) return (ffi_cif *)cifs->entry[i].cif;
  if (cifs->count == LF_VARARG_CIFS) return NULL;
  static ffi_type *const classes[] = {
    [LF_V_POINTER] = &ffi_type_pointer, [LF_V_INT64] = &ffi_type_sint64,
    [LF_V_DOUBLE] = &ffi_type_double, [LF_V_INT32] = &ffi_type_sint32,
  };
  ffi_cif *cif = (ffi_cif *)malloc(sizeof *cif);
  ffi_type **types = (ffi_type **)malloc(sizeof(ffi_type *) * (size_t)nargs);
  if (cif == NULL || types == NULL) goto refused;
  memcpy(types, cifs->fixed_types, sizeof(ffi_type *) * (size_t)cifs->nfixed);
  for (int i = cifs->nfixed; i < nargs; i++) types[i] = classes[(key >> (2 * (i - cifs->nfixed))) & 3];
  if (ffi_prep_cif_var(cif, FFI_DEFAULT_ABI, (unsigned)cifs->nfixed, (unsigned)nargs,
                       (ffi_type *)cifs->result_type, types) != FFI_OK)
    goto refused;
  cifs->entry[cifs->count].nargs = nargs;
  cifs->entry[cifs->count].key = key;
  cifs->entry[cifs->count].cif = cif;
  cifs->entry[cifs->count].types = (void **)types;
  cifs->count++;
  return cif;
refused:
  free(cif);
  free(types);
  return NULL;
}

/* Converts the variadic argument in slot `s` as the Swift path's variadicType
 * does for these values: an integer as int64_t, a float as double, a boolean as
 * int, a string, nil, a light userdata or a pointer cdata as a pointer. Its LF_V_*
 * class, or -1 for the others (Swift's: boxed numbers, arrays, structs, other
 * userdata, released owners). */
static int vararg_cell(const lf_Callable *c, const lf_Slot *s, uint64_t *cell) {
  switch (s->tag) {
  case LF_TAG_INT: *cell = (uint64_t)s->value.i; return LF_V_INT64;
  case LF_TAG_FLOAT: memcpy(cell, &s->value.n, 8); return LF_V_DOUBLE;
  case LF_TAG_TRUE: *cell = 1; return LF_V_INT32;
  case LF_TAG_FALSE: *cell = 0; return LF_V_INT32;
  case LF_TAG_NIL: *cell = 0; return LF_V_POINTER;
  case LF_TAG_LIGHT: *cell = (uint64_t)(uintptr_t)s->value.p; return LF_V_POINTER;
  case LF_TAG_SHORTSTR: case LF_TAG_LONGSTR: *cell = (uint64_t)(uintptr_t)lf_strchars(s); return LF_V_POINTER;
  case LF_TAG_USERDATA: {
    const cdata_header *h = lf_slotcdata(s, c->ft->metatables, c->ft->count);
    if (h == NULL || c->ft->types[h->type].shape != LF_T_POINTER || lf_ownerreleased(s)) return -1;
    memcpy(cell, (const char *)h + h->offset, 8);
    return LF_V_POINTER;
  }
  default: return -1;
  }
}

/* The libffi path: the plan's cif, the arguments converted as on the direct path
 * (each in its own 8-byte cell, which libffi reads at its type's size) or, for a
 * struct or union by value, the payload of a cdata of that very type, which libffi
 * copies; for a variadic function, the cif of its variadic arguments' classes.
 * -1 and -2 as `direct`. */
static __attribute__((noinline)) int libffi_call(lua_State *L, const lf_Callable *c, void *const *fn, const lf_Slot *args,
                                                  int nargs) {
  int n = c->nparams;
  if ((c->result == LF_K_RECORD || c->result == LF_K_POINTER) && c->ft->types[c->result_type].gc) return -1; /* gc cdata */
  uint64_t cells[LF_MAX_PARAMS];
  void *values[LF_MAX_PARAMS];
  for (int i = 0; i < n; i++) {
    if (c->kinds[i] == LF_K_RECORD) {
      const cdata_header *h = lf_slotcdata(&args[i], c->ft->metatables, c->ft->count);
      if (h == NULL || h->type != c->pointee[i]) return -1; /* other values: Swift's rules and errors */
      values[i] = (char *)h + h->offset; /* on the stack, alive until the call returns */
    } else {
      /* slots[i] is i, or i + 6 for a floating parameter: both land in cells[i]. */
      if (!convert(c, i, &args[i], cells, (double *)cells)) return -1;
      values[i] = &cells[i];
    }
  }
  ffi_cif *cif = (ffi_cif *)c->cif;
  if (c->varargs != NULL) {
    uint64_t key = 0;
    for (int i = n; i < nargs; i++) {
      int class = vararg_cell(c, &args[i], &cells[i]);
      if (class < 0) return -1;
      key |= (uint64_t)class << (2 * (i - n));
      values[i] = &cells[i];
    }
    if ((cif = vararg_cif(c->varargs, nargs, key)) == NULL) return -1;
  }
  union {
    uint64_t i;
    double d;
    float f;
    unsigned char bytes[LF_MAX_FFI_RECORD];
  } __attribute__((aligned(16))) out;
  CALL_C(c, L, ffi_call(cif, FFI_FN(*fn), &out, values));
  if (c->ctx->pending) return -2;
  switch (c->result) {
  case LF_K_RECORD: return push_record(L, c, out.bytes);
  case LF_K_DOUBLE: lf_setfloat(L, out.d); return 1;
  case LF_K_FLOAT: lf_setfloat(L, out.f); return 1;
  default: return push_integer(L, c, out.i); /* libffi widens small integers to 8 bytes */
  }
}

/* Calls the function at `*fn` (read at the call: held in a register across the
 * conversions it would be spilled) as `c` describes with the `nargs` arguments at
 * `args` on the C path that applies; the result count, or -1 and -2 as `direct`. */
static inline __attribute__((always_inline)) int call_c(lua_State *L, const lf_Callable *c, void *const *fn,
                                                       const lf_Slot *args, int nargs) {
  int fast = c->fast;
  if (nargs == c->nparams) { /* the register paths first: the commonest calls */
    if (fast == 2) return direct_integers(L, c, fn, args);
    if (fast == 1) return direct(L, c, fn, args);
  } else if (c->varargs == NULL || nargs < c->nparams || nargs > LF_MAX_PARAMS) {
    return -1;
  }
  return fast == 3 ? libffi_call(L, c, fn, args, nargs) : -1;
}

/* The callable's C function where the raw stack accessors hold: the C paths, else
 * the Swift path behind the same protections as lf_trampoline (allocator disarmed,
 * error raised here). */
static int callable(lua_State *L) {
  const lf_Slot *args = lf_base(L);
  lf_Callable *c = (lf_Callable *)lf_udata(lf_upvalue(L, 1));
  int n = call_c(L, c, &c->function, args, (int)(lf_top(L) - args));
  if (n >= 0) return n;
  if (n == -2) return lf_runswift(L, c->raise); /* pushes the error, LF_RAISE */
  return lf_runswift(L, c->slow);
}

int lf_cdatacall(lua_State *L) {
  const lf_FastTypes *ft = (const lf_FastTypes *)lf_upvalue(L, 3)->value.p;
  if (*ft->metatypes) {
    int n = lf_metatypeevent(L, ft, LF_E_CALL);
    if (n >= 0) return n;
  }
  const lf_Slot *args = lf_base(L);
  const lf_CDataHeader *h = lf_slotcdata(&args[0], ft->metatables, ft->count);
  const lf_Callable *c = h != NULL && ft->types[h->type].shape == LF_T_POINTER ? ft->types[h->type].call : NULL;
  void *const *fn = c != NULL ? (void *const *)((const char *)h + h->offset) : NULL; /* the payload: anchored */
  if (fn == NULL || *fn == NULL || lf_ownerreleased(&args[0])) return lf_slowcall(L); /* NULL: the error */
  int n = call_c(L, c, fn, args + 1, (int)(lf_top(L) - args) - 1);
  if (n >= 0) return n;
  if (n == -2) return lf_runswift(L, c->raise);
  return lf_slowcall(L);
}

/* The callable's C function elsewhere: the Swift path only. */
static int callable_api(lua_State *L) {
  lf_Callable *c = (lf_Callable *)lua_touserdata(L, lua_upvalueindex(1));
  return lf_runswift(L, c->slow);
}

lf_Callable *lf_pushcallable(lua_State *L, int nup) {
  lf_Callable *c = (lf_Callable *)lua_newuserdatauv(L, sizeof(lf_Callable), 0);
  memset(c, 0, sizeof *c);
  if (nup > 0) lua_insert(L, -nup - 1);
  lua_pushcclosure(L, lf_stackprobe(L) ? callable : callable_api, nup + 1);
  return c;
}

lf_Callable *lf_tocallable(lua_State *L, int idx) {
  lua_CFunction f = lua_tocfunction(L, idx);
  if (f != callable && f != callable_api) return NULL;
  if (lua_getupvalue(L, idx, 1) == NULL) return NULL;
  lf_Callable *c = (lf_Callable *)lua_touserdata(L, -1);
  lua_pop(L, 1);
  return c;
}
