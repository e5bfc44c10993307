/* The 64-bit integer rules of cdata arithmetic and comparisons (LuaJIT's, with Lua
 * 5.4's // and bitwise operators), in one place: the C fast path of the cdata
 * metamethods (arith.c) and Swift's Arithmetic.swift both call these. */
#ifndef LF_ARITH_H
#define LF_ARITH_H

#include <stdint.h>

/* x op y for the arithmetic or bitwise event `e` (LF_E_ADD ... LF_E_BNOT; the
 * unary ones ignore y), wrapping, unsigned when `is_unsigned`; the result in `*r`.
 * 0 for a division or remainder by zero (the caller raises). */
int lf_int64arith(int e, int64_t x, int64_t y, int is_unsigned, int64_t *r);

/* x op y for the comparison event `e` (LF_E_EQ, LF_E_LT, LF_E_LE). */
int lf_int64compare(int e, int64_t x, int64_t y, int is_unsigned);

#endif
