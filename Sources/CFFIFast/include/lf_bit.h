/* LuaJIT's `bit` module on Lua numbers (32 bits): the rule of each operation in one
 * place, for the C fast paths of the module's functions (bit.c) and for Swift's
 * BitModule.swift, which does the rest (cdata, strings, tohex, errors). */
#ifndef LF_BIT_H
#define LF_BIT_H

#include <lua5.4/lua.h>
#include <stdint.h>

enum {
  LF_BIT_TOBIT, LF_BIT_BNOT, LF_BIT_BSWAP, LF_BIT_BAND, LF_BIT_BOR, LF_BIT_BXOR,
  LF_BIT_LSHIFT, LF_BIT_RSHIFT, LF_BIT_ARSHIFT, LF_BIT_ROL, LF_BIT_ROR, LF_BIT_COUNT
};

/* x op y on 32 bits (the unary operations ignore y; shifts and rotations take y
 * modulo 32). */
uint32_t lf_bit32(int op, uint32_t x, uint32_t y);

/* Pushes bit function `op` (LF_BIT_*): C for arguments that are all Lua numbers,
 * `slow` (an lf_SwiftFunction, as upvalue 1) for everything else. [-0, +1, m] */
void lf_pushbitfunction(lua_State *L, int op, int (*slow)(lua_State *L));

#endif
