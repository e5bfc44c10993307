/* The direct call path: see lf_call.h. */
#include "lf_call.h"
#include "lf_callback.h"
#include "lf_cdata.h"
#include "CLuaShims.h"
#include "internal.h"

#include <errno.h>
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
#define CDATA_RELEASED LF_CDATA_RELEASED

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
      x_->saved_errno = errno; \
      lf_leavec(x_, (L), e_); \
    } else { \
      __VA_ARGS__; \
      x_->saved_errno = errno; \
    } \
  } while (0)

/* Converts argument `idx` for parameter `i`; returns 0 when the slow path must do it. */
static int convert(lua_State *L, const lf_Callable *c, int i, int idx, uint64_t *slot) {
  int kind = c->kinds[i];
  int type = lua_type(L, idx);
  if (kind == LF_K_DOUBLE || kind == LF_K_FLOAT) {
    if (type != LUA_TNUMBER) return 0;
    double d = lua_tonumberx(L, idx, NULL);
    if (kind == LF_K_FLOAT) { float f = (float)d; uint32_t bits; memcpy(&bits, &f, 4); *slot = bits; }
    else memcpy(slot, &d, 8);
    return 1;
  }
  if (kind == LF_K_POINTER) {
    if (type == LUA_TNIL) { *slot = 0; return 1; }
    if (type != LUA_TUSERDATA || !lua_getmetatable(L, idx)) return 0;
    const void *mt = lua_topointer(L, -1);
    lua_pop(L, 1);
    if (mt != c->metatables[0] && mt != c->metatables[1]) return 0;
    cdata_header *h = (cdata_header *)lua_touserdata(L, idx);
    if (h->flags & CDATA_RELEASED) return 0;
    char *payload = (char *)h + h->offset;
    if (h->type == c->pointee[i]) { *slot = (uint64_t)(uintptr_t)payload; return 1; }
    if (h->type == c->pointer[i]) { memcpy(slot, payload, 8); return 1; }
    return 0;
  }
  int64_t v;
  if (type == LUA_TNUMBER) {
    int isint = 0;
    v = lua_tointegerx(L, idx, &isint);
    if (!isint) return 0; /* floats: truncation rules live in the slow path */
  } else if (type == LUA_TBOOLEAN && kind == LF_K_BOOL) {
    v = lua_toboolean(L, idx);
  } else {
    return 0;
  }
  switch (kind) {
  case LF_K_I8: v = (int8_t)v; break;
  case LF_K_U8: v = (uint8_t)v; break;
  case LF_K_I16: v = (int16_t)v; break;
  case LF_K_U16: v = (uint16_t)v; break;
  case LF_K_I32: v = (int32_t)v; break;
  case LF_K_U32: v = (uint32_t)v; break;
  case LF_K_BOOL: v = v != 0; break;
  default: break;
  }
  *slot = (uint64_t)v;
  return 1;
}

static int push_integer(lua_State *L, int kind, uint64_t x);

/* Calls a function returning a small struct in registers and pushes the result
 * as a new cdata (the Swift CDataHeader layout: no user value, the payload right
 * after the 8-byte header; these structs are aligned to at most 8). */
static void call_record(const lf_Callable *c, const uint64_t *r, const double *d, unsigned char *bytes) {
  void *f = c->function;
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

static int direct_record(lua_State *L, const lf_Callable *c, const uint64_t *r, const double *d) {
  unsigned char bytes[16];
  CALL_C(c, L, call_record(c, r, d, bytes));
  if (c->ctx->pending) return -2;
  memcpy(lf_pushnewcdata(L, c->record_type, (size_t)c->record_size, c->metatable_ref), bytes,
         (size_t)c->record_size);
  return 1;
}

/* The integers-only direct path (the commonest signatures): every argument a Lua
 * integer, an integer result. -1 when the general paths must take the call. */
static inline __attribute__((always_inline)) int direct_integers(lua_State *L, const lf_Callable *c) {
  int n = c->nparams;
  if (lua_gettop(L) != n) return -1;
  uint64_t r[6] = {0, 0, 0, 0, 0, 0};
  for (int i = 0; i < n; i++) {
    int isint = 0;
    if (lua_type(L, i + 1) != LUA_TNUMBER) return -1;
    uint64_t v = (uint64_t)lua_tointegerx(L, i + 1, &isint);
    if (!isint) return -1;
    r[i] = lf_extend(c->kinds[i], v);
  }
  uint64_t x;
  CALL_C(c, L, x = ((direct_int6)c->function)(r[0], r[1], r[2], r[3], r[4], r[5]));
  if (c->ctx->pending) return -2;
  if (c->result == LF_K_VOID) return 0;
  lua_pushinteger(L, (lua_Integer)lf_extend(c->result, x));
  return 1;
}

/* The direct path; -1 when the slow path must take the call (nothing happened),
 * -2 when a callback failed during the call (its error is to be raised). */
static int direct(lua_State *L, const lf_Callable *c) {
  int n = c->nparams;
  if (lua_gettop(L) != n || (c->record && *c->gc_types)) return -1;
  uint64_t r[14];
  for (int i = 0; i < 6; i++) r[i] = 0;
  if (c->floats) for (int i = 6; i < 14; i++) r[i] = 0;
  for (int i = 0; i < n; i++)
    if (!convert(L, c, i, i + 1, &r[c->slots[i]])) return -1;
  if (!c->floats && !c->record && c->result != LF_K_DOUBLE && c->result != LF_K_FLOAT) {
    /* Integer registers only: the short prototype. */
    uint64_t x;
    CALL_C(c, L, x = ((direct_int6)c->function)(r[0], r[1], r[2], r[3], r[4], r[5]));
    if (c->ctx->pending) return -2;
    return push_integer(L, c->result, x);
  }
  double d[8];
  memcpy(d, r + 6, sizeof d);
  if (c->record) return direct_record(L, c, r, d);
  if (c->result == LF_K_DOUBLE || c->result == LF_K_FLOAT) {
    double x;
    CALL_C(c, L, x = ((direct_double)c->function)(r[0], r[1], r[2], r[3], r[4], r[5],
                                                  d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]));
    if (c->ctx->pending) return -2;
    if (c->result == LF_K_FLOAT) { float f; memcpy(&f, &x, 4); x = f; }
    lua_pushnumber(L, x);
    return 1;
  }
  uint64_t x;
  CALL_C(c, L, x = ((direct_int)c->function)(r[0], r[1], r[2], r[3], r[4], r[5],
                                             d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]));
  if (c->ctx->pending) return -2;
  return push_integer(L, c->result, x);
}

/* Pushes an integer-class result of class `kind`; returns the result count. */
static int push_integer(lua_State *L, int kind, uint64_t x) {
  if (kind == LF_K_VOID) return 0;
  if (kind == LF_K_BOOL) lua_pushboolean(L, (uint8_t)x != 0);
  else lua_pushinteger(L, (lua_Integer)lf_extend(kind, x)); /* uint64_t: <= INT64_MAX only */
  return 1;
}

/* The callable's C function: the direct path, else the Swift path behind the
 * same protections as lf_trampoline (allocator disarmed, error raised here). */
static int callable(lua_State *L) {
  lf_Callable *c = (lf_Callable *)lua_touserdata(L, lua_upvalueindex(1));
  if (c->fast) {
    int n = c->fast == 2 ? direct_integers(L, c) : direct(L, c);
    if (n >= 0) return n;
    if (n == -2) return lf_runswift(L, c->raise); /* pushes the error, LF_RAISE */
  }
  return lf_runswift(L, c->slow);
}

lf_Callable *lf_pushcallable(lua_State *L, int nup) {
  lf_Callable *c = (lf_Callable *)lua_newuserdatauv(L, sizeof(lf_Callable), 0);
  memset(c, 0, sizeof *c);
  if (nup > 0) lua_insert(L, -nup - 1);
  lua_pushcclosure(L, callable, nup + 1);
  return c;
}

lf_Callable *lf_tocallable(lua_State *L, int idx) {
  if (lua_tocfunction(L, idx) != callable) return NULL;
  if (lua_getupvalue(L, idx, 1) == NULL) return NULL;
  lf_Callable *c = (lf_Callable *)lua_touserdata(L, -1);
  lua_pop(L, 1);
  return c;
}
