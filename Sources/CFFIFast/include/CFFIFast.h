/* CFFIFast: the ffi module's C fast paths (calls, callbacks, cdata access, the ffi
 * functions and metatypes in C) and the C functions of its LuaJIT compatibility
 * layer. Built on CLuaCore; used by the LuaFFI target only. */
#ifndef CFFIFAST_H
#define CFFIFAST_H

#include "CLuaCore.h"
#include "lf_call.h"
#include "lf_cdata.h"
#include "lf_callback.h"
#include "lf_arith.h"
#include "lf_bit.h"

/* `type(v)` of the LuaJIT compatibility layer: Lua 5.4's builtin, except that a
 * userdata whose metatable's __name is "cdata" or "ctype" (every cdata and ctype
 * object) answers "cdata", as in LuaJIT. A lua_CFunction (no Swift frames: it may raise as the builtin does). */
int lf_compattype(lua_State *L);

/* `ipairs(v)` of the LuaJIT compatibility layer (upvalue 1: the builtin ipairs):
 * a value whose metatable has `__ipairs` iterates as that function says, as in
 * LuaJIT (Lua 5.4 dropped __ipairs); other values get the builtin. A
 * lua_CFunction. */
int lf_compatipairs(lua_State *L);

/* ffi.verify: calls upvalue 1 (which returns luaopen_NAME and NAME), opens the
 * module and returns its lib. */
int lf_apiverify(lua_State *L);

/* 1 when the raw stack accessors of the ffi module's fast paths (lf_stack.h) agree
 * with the C API in this process (probed once, by a call made in L); 0 when they do
 * not, or LUAFFI_API_STACK is set in the environment: then the fast paths are off
 * and the API and Swift paths do everything. */
int lf_stackprobe(lua_State *L);

#endif
