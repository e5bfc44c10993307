/* The C callback entry: see lf_callback.h. */
#include "lf_callback.h"
#include "lf_call.h"
#include "lf_cdata.h"
#include "CFFIFast.h"
#include "internal.h"
#include "lf_stack.h"

#include <lua5.4/lauxlib.h>
#include <string.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the callback entry reads narrow arguments from the low bytes of register copies"
#endif

/* ---- The foreign-thread protocol ------------------------------------------------ */

int lf_callbackenter(lf_CallContext *x) {
  int s = 1; /* tried first: the owner inside a C call (a failed swap loads the state) */
  for (;;) {
    if (s & 1) {
      if (__atomic_compare_exchange_n(&x->state, &s, s + 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return 1;
    } else if (s == 0) {
      return 0;
    } else {
      sched_yield(); /* another callback runs Lua: wait until it calls C or leaves */
      s = __atomic_load_n(&x->state, __ATOMIC_RELAXED);
    }
  }
}

/* lf_callbackenter with its common case inline: the owner inside a C call (1 -> 2). */
static inline int enter(lf_CallContext *x) {
  int s = 1;
  if (__atomic_compare_exchange_n(&x->state, &s, 2, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return 1;
  return lf_callbackenter(x);
}

/* ---- Running a callback ----------------------------------------------------------- */

/* The general path: Swift's entry with libffi-style argument pointers into the
 * register copies (narrow values sit in their low bytes). Out of line: run keeps
 * a small frame. */
static __attribute__((noinline, cold)) uint64_t general(lf_CCallback *cb, uint64_t *r, double *d) {
  void *args[LF_MAX_REGISTERS];
  for (int i = 0; i < cb->nparams; i++) {
    int s = cb->slots[i];
    args[i] = s < 6 ? (void *)&r[s] : (void *)&d[s - 6];
  }
  uint64_t out[2] = {0, 0};
  cb->general(cb->data, out, args);
  return out[0];
}

/* Pushes a cdata of type `id` holding the 8 bytes `v` (a pointer or a boxed
 * uint64_t). */
static void push_boxed(lua_State *L, const lf_CCallback *cb, int32_t id, uint64_t v) {
  memcpy(lf_pushnewcdata(L, id, 8, cb->metatable_ref), &v, 8);
}

/* Converts the result on top of L; 0 when Swift must (other value types; floats
 * for integers, whose rules live there). */
static inline __attribute__((always_inline)) int convert_result(lua_State *L, int kind, uint64_t *out) {
  const lf_Slot *s = lf_top(L) - 1;
  if (kind == LF_K_I32 && s->tag == LF_TAG_INT) { /* int first: folded */
    *out = lf_extend(LF_K_I32, (uint64_t)s->value.i);
    return 1;
  }
  if (kind == LF_K_DOUBLE || kind == LF_K_FLOAT) {
    double x;
    if (s->tag == LF_TAG_FLOAT) x = s->value.n;
    else if (s->tag == LF_TAG_INT) x = (double)s->value.i;
    else return 0;
    if (kind == LF_K_FLOAT) { float f = (float)x; uint32_t bits; memcpy(&bits, &f, 4); *out = bits; }
    else memcpy(out, &x, 8);
    return 1;
  }
  int64_t v;
  if (kind == LF_K_BOOL) {
    if (!lf_boolean(s, &v)) return 0;
    *out = (uint64_t)v;
    return 1;
  }
  if (kind == LF_K_POINTER || s->tag != LF_TAG_INT) return 0;
  *out = lf_extend(kind, (uint64_t)s->value.i);
  return 1;
}

/* Runs the function and arguments pushed on L in protected mode with the allocator
 * armed (lf_pcallarmed inline); `info` was disarmed by the caller. */
static inline __attribute__((always_inline)) int pcall_armed(lua_State *L, lf_StateInfo *info, int n, int want) {
  if (info) info->armed = 1;
  int status = lua_pcall(L, n, want, 0);
  if (info) info->armed = 0;
  return status;
}

/* Runs callback `cb` with the argument registers `r` and `d` (NULL without floating
 * parameters); returns the result's bits (integers extended to 64 bits, a float in
 * the low 32 bits). */
static uint64_t run(lf_CCallback *cb, uint64_t *r, double *d) {
  lf_CallContext *x = cb->ctx;
  if (lf_threadid() != x->owner) return general(cb, r, d); /* Swift's rules */
  int took = enter(x); /* 0: the owner's own call, also ours */
  if (cb->function == LUA_NOREF) { /* freed (maybe while we waited): Swift reports it */
    if (took) lf_callbackleave(x);
    return general(cb, r, d);
  }
  lua_State *L = x->calling ? x->calling : x->main;
  /* Disarmed: a memory error while pushing arguments or converting the result must
   * not unwind through the C caller; armed only for the Lua function itself. */
  lf_StateInfo *info = x->info;
  int armed = info ? info->armed : 0;
  if (info) info->armed = 0;
  int n = cb->nparams;
  uint64_t out = cb->error_bits;
  /* The calling C function's frame usually has the room (LUA_MINSTACK). */
  if (lf_room(L) >= n + 4 || lua_checkstack(L, n + 4)) {
    lf_Slot function;
    memcpy(&function, cb->value, sizeof function);
    lf_setslot(L, &function);
    for (int i = 0; i < n; i++) {
      int kind = cb->kinds[i], s = cb->slots[i];
      switch (kind) { /* the room checked above takes the raw pushes */
      case LF_K_DOUBLE: lf_setfloat(L, d[s - 6]); break;
      case LF_K_FLOAT: { float f; memcpy(&f, &d[s - 6], 4); lf_setfloat(L, f); break; }
      case LF_K_BOOL: lf_setbool(L, (uint8_t)r[s] != 0); break;
      case LF_K_POINTER: push_boxed(L, cb, cb->types[i], r[s]); break;
      case LF_K_U64:
        if (r[s] > (uint64_t)INT64_MAX) { push_boxed(L, cb, cb->types[i], r[s]); break; }
        /* fall through */
      default: lf_setint(L, (lua_Integer)lf_extend(kind, r[s])); break;
      case LF_K_I32: lf_setint(L, (lua_Integer)lf_extend(LF_K_I32, r[s])); break; /* default with the kind a constant: the common int folds to one instruction */
      }
    }
    int want = cb->result != LF_K_VOID;
    int status = pcall_armed(L, info, n, want);
    if (status != LUA_OK) {
      cb->fail(cb->data, L);
    } else if (want && !convert_result(L, cb->result, &out)) {
      cb->store(cb->data, L, &out);
    }
    if (status != LUA_OK || want) lf_droptop(L); /* the result or the error */
  }
  if (info) info->armed = armed;
  if (took) lf_callbackleave(x);
  return out;
}

void lf_callbackbind(lf_CCallback *cb, lua_State *L) {
  _Static_assert(sizeof cb->value == sizeof(lf_Slot), "a callback keeps one stack value");
  if (lf_stackraw()) memcpy(cb->value, lf_top(L) - 1, sizeof cb->value);
  cb->function = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* ---- The static entry points ----------------------------------------------------- */

#define POOL 256
/* The callback bound to each entry (NULL: unbound); read atomically by the entries,
 * written under pool_lock. */
static lf_CCallback *slots[POOL];
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
/* The unbound entries, a FIFO ring: never-used ones first, then released ones in
 * the order they were released, so a released entry is handed out again as late
 * as possible (a call kept from its old callback finds it unbound meanwhile). */
static int unbound[POOL], first_unbound, unbound_count = -1; /* -1: not filled yet */
/* Entries called after their callback was freed: C keeps their address, so they
 * are never handed out again (set by the entry, or by Swift on release). */
static unsigned char poisoned[POOL];

/* A call through entry n while it is unbound: a defined zero, a message, and n
 * never serves another callback. */
static uint64_t unbound_call(int n) {
  __atomic_store_n(&poisoned[n], 1, __ATOMIC_RELAXED);
  lf_writeerr("luaffi: a callback was called after it was freed or its Lua state closed; it returned 0\n");
  return 0;
}

#define PARAMS uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, \
  double d0, double d1, double d2, double d3, double d4, double d5, double d6, double d7

/* Runs entry n's callback with copies of the argument registers (the floating ones
 * only when it takes any), or answers for an unbound entry. */
#define RUN(n) \
  lf_CCallback *cb = __atomic_load_n(&slots[0x##n], __ATOMIC_ACQUIRE); \
  uint64_t bits; \
  if (cb == NULL) { \
    bits = unbound_call(0x##n); \
  } else { \
    uint64_t r[6] = {a0, a1, a2, a3, a4, a5}; \
    if (cb->float_args) { \
      double d[8] = {d0, d1, d2, d3, d4, d5, d6, d7}; \
      bits = run(cb, r, d); \
    } else { \
      bits = run(cb, r, NULL); \
    } \
  }

/* Entry n, in two prototypes: integer result (RAX) and floating result (XMM0). */
#define ENTRY(n) \
  static uint64_t int_##n(PARAMS) { RUN(n); return bits; } \
  static double float_##n(PARAMS) { \
    RUN(n); \
    double x; \
    memcpy(&x, &bits, 8); \
    return x; \
  }
#define ENTRIES16(p) ENTRY(p##0) ENTRY(p##1) ENTRY(p##2) ENTRY(p##3) ENTRY(p##4) ENTRY(p##5) \
  ENTRY(p##6) ENTRY(p##7) ENTRY(p##8) ENTRY(p##9) ENTRY(p##a) ENTRY(p##b) ENTRY(p##c) \
  ENTRY(p##d) ENTRY(p##e) ENTRY(p##f)
ENTRIES16(0) ENTRIES16(1) ENTRIES16(2) ENTRIES16(3) ENTRIES16(4) ENTRIES16(5) ENTRIES16(6)
ENTRIES16(7) ENTRIES16(8) ENTRIES16(9) ENTRIES16(a) ENTRIES16(b) ENTRIES16(c) ENTRIES16(d)
ENTRIES16(e) ENTRIES16(f)

#define NAMES16(k, p) k##_##p##0, k##_##p##1, k##_##p##2, k##_##p##3, k##_##p##4, k##_##p##5, \
  k##_##p##6, k##_##p##7, k##_##p##8, k##_##p##9, k##_##p##a, k##_##p##b, k##_##p##c, \
  k##_##p##d, k##_##p##e, k##_##p##f
#define NAMES(k) NAMES16(k, 0), NAMES16(k, 1), NAMES16(k, 2), NAMES16(k, 3), NAMES16(k, 4), \
  NAMES16(k, 5), NAMES16(k, 6), NAMES16(k, 7), NAMES16(k, 8), NAMES16(k, 9), NAMES16(k, a), \
  NAMES16(k, b), NAMES16(k, c), NAMES16(k, d), NAMES16(k, e), NAMES16(k, f)

typedef uint64_t (*int_entry)(PARAMS);
typedef double (*float_entry)(PARAMS);
static const int_entry int_entries[POOL] = {NAMES(int)};
static const float_entry float_entries[POOL] = {NAMES(float)};

void *lf_claimtrampoline(lf_CCallback *cb) {
  if (!lf_stackraw()) return NULL; /* the entries use the raw stack accessors */
  int floating = cb->result == LF_K_DOUBLE || cb->result == LF_K_FLOAT;
  cb->float_args = 0;
  for (int i = 0; i < cb->nparams; i++) cb->float_args |= cb->slots[i] >= 6;
  void *code = NULL;
  pthread_mutex_lock(&pool_lock);
  if (unbound_count < 0) {
    for (int i = 0; i < POOL; i++) unbound[i] = i;
    unbound_count = POOL;
  }
  while (unbound_count > 0 && code == NULL) {
    int i = unbound[first_unbound];
    first_unbound = (first_unbound + 1) % POOL;
    unbound_count--;
    if (__atomic_load_n(&poisoned[i], __ATOMIC_RELAXED)) continue; /* called while unbound: dropped */
    __atomic_store_n(&slots[i], cb, __ATOMIC_RELEASE);
    code = floating ? (void *)float_entries[i] : (void *)int_entries[i];
  }
  pthread_mutex_unlock(&pool_lock);
  return code;
}

void lf_releasetrampoline(void *code, int poison) {
  pthread_mutex_lock(&pool_lock);
  for (int i = 0; i < POOL; i++) {
    if ((void *)int_entries[i] == code || (void *)float_entries[i] == code) {
      __atomic_store_n(&slots[i], NULL, __ATOMIC_RELEASE);
      if (poison) __atomic_store_n(&poisoned[i], 1, __ATOMIC_RELAXED);
      else if (!__atomic_load_n(&poisoned[i], __ATOMIC_RELAXED)) {
        unbound[(first_unbound + unbound_count) % POOL] = i;
        unbound_count++;
      }
      break;
    }
  }
  pthread_mutex_unlock(&pool_lock);
}
