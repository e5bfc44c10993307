/* LuaJIT's `bit` functions in C when every argument is a Lua number: see lf_bit.h.
 * Numbers become 32 bits as BitModule.swift's bitOperand makes them: an integer,
 * or a float with an integer value, by its low 32 bits; another float as LuaJIT's
 * lj_num2bit (rounded half to even, modulo 2^32). */
#include "lf_bit.h"
#include "internal.h"
#include "lf_stack.h"

#include <string.h>

uint32_t lf_bit32(int op, uint32_t x, uint32_t y) {
  uint32_t n = y & 31;
  switch (op) {
  case LF_BIT_TOBIT: return x;
  case LF_BIT_BNOT: return ~x;
  case LF_BIT_BSWAP: return __builtin_bswap32(x);
  case LF_BIT_BAND: return x & y;
  case LF_BIT_BOR: return x | y;
  case LF_BIT_BXOR: return x ^ y;
  case LF_BIT_LSHIFT: return x << n;
  case LF_BIT_RSHIFT: return x >> n;
  case LF_BIT_ARSHIFT: return (uint32_t)((int32_t)x >> n);
  case LF_BIT_ROL: return x << n | x >> ((32 - n) & 31);
  default: return x >> n | x << ((32 - n) & 31); /* LF_BIT_ROR */
  }
}

/* The 32 bits of the number in slot `s`; 0 for any other value. */
static inline int operand(const lf_Slot *s, uint32_t *bits) {
  if (s->tag == LF_TAG_INT) {
    *bits = (uint32_t)s->value.i;
    return 1;
  }
  if (s->tag != LF_TAG_FLOAT) return 0;
  double n = s->value.n;
  if (n >= -9223372036854775808.0 && n < 9223372036854775808.0 && n == (double)(int64_t)n) {
    *bits = (uint32_t)(int64_t)n; /* lua_tointegerx's exact conversion */
    return 1;
  }
  double t = n + 6755399441055744.0; /* 2^52 + 2^51 */
  uint64_t pattern;
  memcpy(&pattern, &t, 8);
  *bits = (uint32_t)pattern;
  return 1;
}

/* Pushes a 32-bit result as a signed Lua integer, as LuaJIT's bit functions. */
static inline int result(lua_State *L, uint32_t bits) {
  lf_setint(L, (int32_t)bits);
  return 1;
}

/* tobit, bnot, bswap: the first argument (others ignored, as in LuaJIT). */
static inline int unary(lua_State *L, int op) {
  const lf_Slot *args = lf_base(L);
  uint32_t x;
  if (lf_top(L) - args < 1 || !operand(&args[0], &x)) return lf_slowcall(L);
  return result(L, lf_bit32(op, x, 0));
}

/* band, bor, bxor over every argument (at least one). */
static inline int fold(lua_State *L, int op) {
  const lf_Slot *args = lf_base(L);
  int n = (int)(lf_top(L) - args);
  uint32_t r, x;
  if (n < 1 || !operand(&args[0], &r)) return lf_slowcall(L);
  for (int i = 1; i < n; i++) {
    if (!operand(&args[i], &x)) return lf_slowcall(L);
    r = lf_bit32(op, r, x);
  }
  return result(L, r);
}

/* The shifts and rotations: x and the count (others ignored). */
static inline int shift(lua_State *L, int op) {
  const lf_Slot *args = lf_base(L);
  uint32_t x, n;
  if (lf_top(L) - args < 2 || !operand(&args[0], &x) || !operand(&args[1], &n)) return lf_slowcall(L);
  return result(L, lf_bit32(op, x, n));
}

static int bit_tobit(lua_State *L) { return unary(L, LF_BIT_TOBIT); }
static int bit_bnot(lua_State *L) { return unary(L, LF_BIT_BNOT); }
static int bit_bswap(lua_State *L) { return unary(L, LF_BIT_BSWAP); }
static int bit_band(lua_State *L) { return fold(L, LF_BIT_BAND); }
static int bit_bor(lua_State *L) { return fold(L, LF_BIT_BOR); }
static int bit_bxor(lua_State *L) { return fold(L, LF_BIT_BXOR); }
static int bit_lshift(lua_State *L) { return shift(L, LF_BIT_LSHIFT); }
static int bit_rshift(lua_State *L) { return shift(L, LF_BIT_RSHIFT); }
static int bit_arshift(lua_State *L) { return shift(L, LF_BIT_ARSHIFT); }
static int bit_rol(lua_State *L) { return shift(L, LF_BIT_ROL); }
static int bit_ror(lua_State *L) { return shift(L, LF_BIT_ROR); }

void lf_pushbitfunction(lua_State *L, int op, int (*slow)(lua_State *L)) {
  static const lua_CFunction fast[LF_BIT_COUNT] = {
    [LF_BIT_TOBIT] = bit_tobit, [LF_BIT_BNOT] = bit_bnot, [LF_BIT_BSWAP] = bit_bswap,
    [LF_BIT_BAND] = bit_band, [LF_BIT_BOR] = bit_bor, [LF_BIT_BXOR] = bit_bxor,
    [LF_BIT_LSHIFT] = bit_lshift, [LF_BIT_RSHIFT] = bit_rshift, [LF_BIT_ARSHIFT] = bit_arshift,
    [LF_BIT_ROL] = bit_rol, [LF_BIT_ROR] = bit_ror,
  };
  lua_pushlightuserdata(L, (void *)slow);
  lua_pushcclosure(L, lf_choosefast(L, fast[op]), 1);
}
