/* Cached lookups in C: a namespace keeps resolved symbols in its user value 1;
 * reading one that is cached needs no Swift at all. */
#ifndef LF_INDEX_H
#define LF_INDEX_H

#include <lua5.4/lua.h>

/* Pushes an __index function: it returns user value 1 of its first argument
 * indexed (raw) with the key when that is not nil, and otherwise calls `slow`
 * (an lf_SwiftFunction, behind the trampoline's protections). The `nup` values on
 * the stack become upvalues 2... of `slow`'s closure. [-nup, +1, m] */
void lf_pushcachedindex(lua_State *L, int (*slow)(lua_State *L), int nup);

#endif
