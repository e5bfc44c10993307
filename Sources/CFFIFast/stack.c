/* The check behind lf_stack.h: the raw accessors are used only if they agree with
 * the C API on a real call made in this process. */
#include "lf_stack.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(void *) == 8 && sizeof(lua_Integer) == 8 && sizeof(lua_Number) == 8,
               "the raw stack accessors assume 64-bit pointers, integers and floats");
_Static_assert(sizeof(lf_Slot) == 16, "a Lua 5.4 stack slot is 16 bytes");

#define PROBE_ARGS 9
static const char sentinel = 0;

/* Called from Lua with (integer, float, true, false, nil, short string, userdata
 * without user values, long string, userdata with two) and a light userdata
 * upvalue; returns
 * whether every raw access matches the API. */
static int probe(lua_State *L) {
  int ok = lua_gettop(L) == PROBE_ARGS;
  lf_Slot *top = lf_top(L);
  ok = ok && top[-1].tag == LF_TAG_USERDATA && lf_udata(&top[-1]) == lua_touserdata(L, PROBE_ARGS);
  lf_Slot *base = ok ? lf_base(L) : NULL;
  ok = ok && base == top - PROBE_ARGS && base[-1].tag == LF_TAG_CCLOSURE;
  ok = ok && ((lf_CClosure *)base[-1].value.p)->f == probe;
  ok = ok && lf_upvalue(L, 1)->tag == LF_TAG_LIGHT && lf_upvalue(L, 1)->value.p == &sentinel;
  ok = ok && base[0].tag == LF_TAG_INT && base[0].value.i == lua_tointegerx(L, 1, NULL);
  ok = ok && base[1].tag == LF_TAG_FLOAT && base[1].value.n == lua_tonumberx(L, 2, NULL);
  ok = ok && base[2].tag == LF_TAG_TRUE && base[3].tag == LF_TAG_FALSE && base[4].tag == LF_TAG_NIL;
  ok = ok && base[5].tag == LF_TAG_SHORTSTR && lf_strchars(&base[5]) == lua_tolstring(L, 6, NULL);
  ok = ok && base[6].tag == LF_TAG_USERDATA && lf_udata(&base[6]) == lua_touserdata(L, 7);
  ok = ok && base[7].tag == LF_TAG_LONGSTR && lf_strchars(&base[7]) == lua_tolstring(L, 8, NULL);
  /* User value 1 of the last userdata is the short string (set with the API). */
  ok = ok && ((lf_Udata *)top[-1].value.p)->nuvalue == 2 && lf_uservalue(&top[-1], 1)->tag == LF_TAG_SHORTSTR &&
       lf_uservalue(&top[-1], 1)->value.p == base[5].value.p && lf_uservalue(&top[-1], 2)->tag == LF_TAG_NIL;
  if (ok && lua_getmetatable(L, 7)) {
    ok = lua_topointer(L, -1) == lf_udatametatable(&base[6]);
    lua_settop(L, PROBE_ARGS);
  } else {
    ok = 0;
  }
  if (ok) {
    lf_setint(L, -77);
    lf_setfloat(L, 1.5);
    lf_setbool(L, 1);
    lf_setbool(L, 0);
    int isint = 0;
    ok = lua_gettop(L) == PROBE_ARGS + 4 && lua_tointegerx(L, PROBE_ARGS + 1, &isint) == -77 && isint &&
         lua_type(L, PROBE_ARGS + 2) == LUA_TNUMBER && !lua_isinteger(L, PROBE_ARGS + 2) &&
         lua_tonumberx(L, PROBE_ARGS + 2, NULL) == 1.5 &&
         lua_type(L, PROBE_ARGS + 3) == LUA_TBOOLEAN && lua_toboolean(L, PROBE_ARGS + 3) &&
         lua_type(L, PROBE_ARGS + 4) == LUA_TBOOLEAN && !lua_toboolean(L, PROBE_ARGS + 4);
  }
  lua_pushboolean(L, ok);
  return 1;
}

static int verdict = -1; /* -1 not yet probed, 0 API, 1 raw; the same for every state */

static int run_probe(lua_State *L) {
  const char *off = getenv("LUAFFI_API_STACK");
  if (off != NULL && *off != '\0' && strcmp(off, "0") != 0) return 0;
  if (lua_version(L) != 504 || !lua_checkstack(L, PROBE_ARGS + 8)) return 0;
  int top = lua_gettop(L);
  lua_pushlightuserdata(L, (void *)&sentinel);
  lua_pushcclosure(L, probe, 1);
  lua_pushinteger(L, 0x123456789);
  lua_pushnumber(L, 0.25);
  lua_pushboolean(L, 1);
  lua_pushboolean(L, 0);
  lua_pushnil(L);
  lua_pushliteral(L, "lf_stackprobe");
  lua_newuserdatauv(L, 8, 0);
  lua_createtable(L, 0, 0);
  lua_setmetatable(L, -2);
  lua_pushliteral(L, "a string longer than the 40 bytes Lua interns: a long string");
  lua_newuserdatauv(L, 8, 2);
  lua_pushliteral(L, "lf_stackprobe");
  lua_setiuservalue(L, -2, 1);
  int ok = lua_pcall(L, PROBE_ARGS, 1, 0) == LUA_OK && lua_toboolean(L, -1);
  lua_settop(L, top);
  return ok;
}

int lf_stackprobe(lua_State *L) {
  int v = __atomic_load_n(&verdict, __ATOMIC_ACQUIRE);
  if (v < 0) {
    v = run_probe(L); /* two states racing here compute the same answer */
    __atomic_store_n(&verdict, v, __ATOMIC_RELEASE);
  }
  return v;
}

int lf_stackraw(void) { return __atomic_load_n(&verdict, __ATOMIC_ACQUIRE) == 1; }
