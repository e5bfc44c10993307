/* 64-bit integer arithmetic on cdata: the rules (lf_arith.h) and the C fast path
 * of the metamethods for integer operands (boxed int64_t and uint64_t, other
 * integer cdata, Lua integers and integral floats), and the order of two pointers
 * of one type. Other pointers, floating operands, errors and metatypes are left
 * to the Swift metamethods (Arithmetic.swift). */
#include "lf_arith.h"
#include "CFFIFast.h"
#include "internal.h"

/* Signed division and remainder: / and % truncate (C, as LuaJIT), // floors (Lua
 * 5.4); y is not 0. */
static int64_t divide_signed(int e, int64_t x, int64_t y) {
  if (y == -1) return e == LF_E_MOD ? 0 : (int64_t)(0 - (uint64_t)x); /* INT64_MIN / -1 wraps */
  int64_t q = x / y, r = x % y;
  if (e == LF_E_DIV) return q;
  if (e == LF_E_IDIV) return r != 0 && (r < 0) != (y < 0) ? q - 1 : q;
  return r;
}

/* Integer power by squaring (wrapping); a negative signed exponent gives 0 (1 and
 * -1 to their powers, 0 to the largest int64_t, as LuaJIT). */
static int64_t power(int64_t base, int64_t exponent, int is_unsigned) {
  if (exponent < 0 && !is_unsigned) {
    if (base == 0) return INT64_MAX;
    return base == 1 ? 1 : base == -1 ? ((exponent & 1) == 0 ? 1 : -1) : 0;
  }
  uint64_t result = 1, b = (uint64_t)base, n = (uint64_t)exponent;
  for (; n > 0; n >>= 1) {
    if (n & 1) result *= b;
    b *= b;
  }
  return (int64_t)result;
}

/* Logical shift of x left by y (right for a negative y); 0 from 64 places on. */
static int64_t shift_left(uint64_t x, int64_t y) {
  if (y >= 64 || y <= -64) return 0;
  return (int64_t)(y >= 0 ? x << y : x >> -y);
}

int lf_int64arith(int e, int64_t x, int64_t y, int is_unsigned, int64_t *r) {
  uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
  switch (e) {
  case LF_E_ADD: *r = (int64_t)(ux + uy); return 1;
  case LF_E_SUB: *r = (int64_t)(ux - uy); return 1;
  case LF_E_MUL: *r = (int64_t)(ux * uy); return 1;
  case LF_E_UNM: *r = (int64_t)(0 - ux); return 1;
  case LF_E_DIV: case LF_E_IDIV: case LF_E_MOD:
    if (y == 0) return 0;
    if (is_unsigned) *r = (int64_t)(e == LF_E_MOD ? ux % uy : ux / uy);
    else *r = divide_signed(e, x, y);
    return 1;
  case LF_E_POW: *r = power(x, y, is_unsigned); return 1;
  case LF_E_BAND: *r = (int64_t)(ux & uy); return 1;
  case LF_E_BOR: *r = (int64_t)(ux | uy); return 1;
  case LF_E_BXOR: *r = (int64_t)(ux ^ uy); return 1;
  case LF_E_BNOT: *r = (int64_t)~ux; return 1;
  case LF_E_SHL: *r = shift_left(ux, y); return 1;
  case LF_E_SHR: *r = shift_left(ux, y == INT64_MIN ? 64 : -y); return 1;
  default: return 0;
  }
}

int lf_int64compare(int e, int64_t x, int64_t y, int is_unsigned) {
  if (e == LF_E_EQ) return x == y;
  if (is_unsigned) return e == LF_E_LT ? (uint64_t)x < (uint64_t)y : (uint64_t)x <= (uint64_t)y;
  return e == LF_E_LT ? x < y : x <= y;
}

/* The 64-bit value of an integer operand in slot `s` and whether it is unsigned
 * (uint64_t); 0 for anything else: floats that are not exact integers, floating
 * and pointer cdata, other values (their rules are Swift's). */
static inline __attribute__((always_inline)) int integer_operand(const lf_FastTypes *ft, const lf_Slot *s,
                                                                 int64_t *v, int *is_unsigned) {
  *is_unsigned = 0;
  if (s->tag != LF_TAG_USERDATA) return lf_integer(s, v);
  const lf_CDataHeader *h = lf_slotcdata(s, ft->metatables, ft->count);
  if (h == NULL) return 0;
  const char *p = (const char *)h + h->offset;
  switch (ft->types[h->type].shape) {
  case LF_K_I8: *v = *(const int8_t *)p; return 1;
  case LF_K_U8: case LF_K_BOOL: *v = *(const uint8_t *)p; return 1;
  case LF_K_I16: { int16_t x; memcpy(&x, p, 2); *v = x; return 1; }
  case LF_K_U16: { uint16_t x; memcpy(&x, p, 2); *v = x; return 1; }
  case LF_K_I32: { int32_t x; memcpy(&x, p, 4); *v = x; return 1; }
  case LF_K_U32: { uint32_t x; memcpy(&x, p, 4); *v = x; return 1; }
  case LF_K_I64: memcpy(v, p, 8); return 1;
  case LF_K_U64: memcpy(v, p, 8); *is_unsigned = 1; return 1;
  default: return 0;
  }
}

int lf_cdataintegerop(lua_State *L, const lf_FastTypes *ft, int e) {
  const lf_Slot *args = lf_base(L);
  int unary = e == LF_E_UNM || e == LF_E_BNOT;
  int64_t x, y;
  int ux, uy;
  if (lf_top(L) - args != 2 || !integer_operand(ft, &args[0], &x, &ux) ||
      !integer_operand(ft, &args[unary ? 0 : 1], &y, &uy))
    return -1;
  int is_unsigned = ux || uy;
  if (e == LF_E_EQ || e == LF_E_LT || e == LF_E_LE) {
    lf_setbool(L, lf_int64compare(e, x, y, is_unsigned));
    return 1;
  }
  int64_t r;
  int32_t type = is_unsigned ? ft->uint64_type : ft->int64_type;
  if (type < 0 || !lf_int64arith(e, x, y, is_unsigned, &r)) return -1; /* Swift raises 'n/0' */
  memcpy(lf_pushnewplain(L, ft, type, 8), &r, 8);
  return 1;
}

/* < and <= of two pointer cdata of one type: their addresses, unsigned (pointers
 * of other types, arrays: FFIState.compare's compatibility rule). -1 otherwise. */
static int pointer_order(lua_State *L, const lf_FastTypes *ft, int e) {
  const lf_Slot *args = lf_base(L);
  if (lf_top(L) - args != 2) return -1;
  const lf_CDataHeader *a = lf_slotcdata(&args[0], ft->metatables, ft->count);
  const lf_CDataHeader *b = lf_slotcdata(&args[1], ft->metatables, ft->count);
  if (a == NULL || b == NULL || a->type != b->type || ft->types[a->type].shape != LF_T_POINTER) return -1;
  uintptr_t p, q;
  memcpy(&p, (const char *)a + a->offset, sizeof p);
  memcpy(&q, (const char *)b + b->offset, sizeof q);
  lf_setbool(L, e == LF_E_LT ? p < q : p <= q);
  return 1;
}

/* A cdata operator metamethod (upvalue 4: the event): the metatype's handler of
 * a struct operand, else two integer operands or the order of two pointers in C,
 * else Swift. */
static int cdata_operator(lua_State *L) {
  const lf_FastTypes *ft = (const lf_FastTypes *)lf_upvalue(L, 3)->value.p;
  int e = (int)lf_upvalue(L, 4)->value.i;
  if (*ft->metatypes) {
    int n = lf_metatypeevent(L, ft, e);
    if (n >= 0) return n;
  }
  int n = lf_cdataintegerop(L, ft, e);
  if (n < 0 && (e == LF_E_LT || e == LF_E_LE)) n = pointer_order(L, ft, e);
  return n >= 0 ? n : lf_slowcall(L);
}

void lf_pushcdataoperator(lua_State *L, int e, lf_FastTypes *types, int (*slow)(lua_State *L)) {
  lf_pushfastupvalues(L, types, slow);
  lua_pushinteger(L, e);
  lua_pushcclosure(L, lf_choosefast(L, cdata_operator), 4);
}
