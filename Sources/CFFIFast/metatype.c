/* Metatypes (ffi.metatype) in C: a member from the metatype's __index table or
 * function, and the handler of any other event, found without Swift and called
 * unprotected (no Swift frame is on the C stack, so an error unwinds C frames
 * only). Whatever is not plain (a released cdata, an __index table with a
 * metatable, a key that is a field or constant) is left to the Swift metamethods,
 * which do the same in protected mode (CDataMetatable.swift). */
#include "CFFIFast.h"
#include "internal.h"

#include <string.h>

static const char *const names[LF_E_COUNT] = {
  "__index", "__newindex", "__eq", "__add", "__sub", "__tostring", "__lt", "__le",
  "__mul", "__div", "__mod", "__pow", "__unm", "__idiv", "__band", "__bor", "__bxor",
  "__shl", "__shr", "__bnot", "__len", "__concat", "__call", "__close", "__pairs", "__ipairs",
};
_Static_assert(LF_E_COUNT <= sizeof(((lf_FastTypes *)0)->events) / sizeof(void *), "lf_FastTypes.events");

/* How the Swift `dispatch` calls each event's handler: the operands searched for a
 * metatype, the arguments passed (-1: all), the results kept. */
static const struct { int8_t among, nargs, nresults; } spec[LF_E_COUNT] = {
  [LF_E_EQ] = {2, 2, 1}, [LF_E_ADD] = {2, 2, 1}, [LF_E_SUB] = {2, 2, 1}, [LF_E_TOSTRING] = {1, 1, LUA_MULTRET},
  [LF_E_LT] = {2, 2, 1}, [LF_E_LE] = {2, 2, 1}, [LF_E_MUL] = {2, 2, 1}, [LF_E_DIV] = {2, 2, 1},
  [LF_E_MOD] = {2, 2, 1}, [LF_E_POW] = {2, 2, 1}, [LF_E_UNM] = {2, 2, 1}, [LF_E_IDIV] = {2, 2, 1},
  [LF_E_BAND] = {2, 2, 1}, [LF_E_BOR] = {2, 2, 1}, [LF_E_BXOR] = {2, 2, 1}, [LF_E_SHL] = {2, 2, 1},
  [LF_E_SHR] = {2, 2, 1}, [LF_E_BNOT] = {2, 2, 1}, [LF_E_LEN] = {1, 2, 1}, [LF_E_CONCAT] = {2, 2, 1},
  [LF_E_CALL] = {1, -1, LUA_MULTRET}, [LF_E_CLOSE] = {1, 2, 0}, [LF_E_PAIRS] = {1, 1, 3},
  [LF_E_IPAIRS] = {1, 1, 3},
};

const char *lf_eventname(int e) { return names[e]; }

void lf_noteevents(lua_State *L, lf_FastTypes *types) {
  if (!lf_stackraw()) return;
  for (int e = 0; e < LF_E_COUNT; e++) {
    lua_pushstring(L, names[e]);
    types->events[e] = lf_top(L)[-1].value.p;
    lua_pop(L, 1);
  }
}

/* Pushes event `e` of the metatype table of registry reference `ref`; its type. */
static int push_handler(lua_State *L, const lf_FastTypes *ft, int32_t ref, int e) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
  lf_Slot name = {{.p = (void *)ft->events[e]}, LF_TAG_SHORTSTR, {0}};
  lf_setslot(L, &name);
  int type = lua_rawget(L, -2);
  lua_remove(L, -2);
  return type;
}

int lf_metatypeindex(lua_State *L, const lf_FastTypes *ft) {
  const lf_Slot *args = lf_base(L);
  if (lf_top(L) - args != 2 || args[1].tag != LF_TAG_SHORTSTR) return lf_slowcall(L);
  const lf_CDataHeader *h = lf_slotcdata(&args[0], ft->metatables, ft->count);
  if (h == NULL || ft->types[h->type].metatype == 0) return lf_slowcall(L);
  const lf_TypeFast *t = &ft->types[h->type];
  int32_t index_ref = t->metatype_index;
  if (t->shape == LF_T_POINTER || t->shape == LF_T_REFERENCE) {
    void *q;
    memcpy(&q, (const char *)h + h->offset, sizeof q);
    if (q == NULL || lf_ownerreleased(&args[0]) || (uint32_t)t->target >= (uint32_t)ft->count) return lf_slowcall(L);
    t = &ft->types[t->target];
  }
  if (t->shape != LF_T_RECORD || !t->members_known || lf_findfield(t, lf_strchars(&args[1])) != NULL)
    return lf_slowcall(L);
  int type = index_ref != 0 ? lua_rawgeti(L, LUA_REGISTRYINDEX, index_ref) : (lua_pushnil(L), LUA_TNIL);
  if (type == LUA_TFUNCTION) {
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_call(L, 2, 1);
    return 1;
  }
  if (type == LUA_TTABLE && !lua_getmetatable(L, -1)) {
    lua_pushvalue(L, 2);
    if (lua_rawget(L, -2) != LUA_TNIL) return 1;
  }
  lua_settop(L, 2); /* a missing member (the error), an __index with metamethods */
  return lf_slowcall(L);
}

/* Whether event `e` may go to a metatype handler before any built-in: not for an
 * operator with a cdata operand that is no struct or union. Numbers and pointers
 * (to a metatyped struct too) take the built-in arithmetic and comparisons first,
 * as in LuaJIT (areBuiltinOperands, CDataMetatable.swift); the callers then try
 * their built-in and leave the rest to Swift. */
static int operands_are_records(lua_State *L, const lf_FastTypes *ft, int e) {
  if (!(e == LF_E_EQ || e == LF_E_LT || e == LF_E_LE || (e >= LF_E_ADD && e <= LF_E_SUB) ||
        (e >= LF_E_MUL && e <= LF_E_BNOT)))
    return 1; /* not an operator: no built-in to come first */
  const lf_Slot *args = lf_base(L);
  int top = (int)(lf_top(L) - args);
  for (int i = 0; i < top && i < 2; i++) {
    const lf_CDataHeader *h = lf_slotcdata(&args[i], ft->metatables, ft->count);
    if (h != NULL && ft->types[h->type].shape != LF_T_RECORD) return 0;
  }
  return 1;
}

int lf_metatypeevent(lua_State *L, const lf_FastTypes *ft, int e) {
  if (!operands_are_records(L, ft, e)) return -1;
  const lf_Slot *args = lf_base(L);
  int top = (int)(lf_top(L) - args);
  int among = spec[e].among < top ? spec[e].among : top;
  for (int i = 0; i < among; i++) {
    const lf_Slot *s = &args[i];
    if (s->tag != LF_TAG_USERDATA) continue;
    const void *mt = lf_udatametatable(s);
    if (!lf_iscdatametatable(mt, ft->metatables)) continue;
    const lf_CDataHeader *h = (const lf_CDataHeader *)lf_udata(s);
    if (h->flags & LF_CDATA_RELEASED) return lf_slowcall(L); /* Swift sees it; C does not */
    if ((uint32_t)h->type >= (uint32_t)ft->count || ft->types[h->type].metatype == 0) continue;
    if (push_handler(L, ft, ft->types[h->type].metatype, e) == LUA_TNIL) {
      lua_pop(L, 1);
      args = lf_base(L);
      continue;
    }
    int n = spec[e].nargs < 0 ? top : spec[e].nargs;
    if (!lua_checkstack(L, n)) return lf_slowcall(L);
    for (int j = 1; j <= n; j++) lua_pushvalue(L, j);
    lua_call(L, n, spec[e].nresults);
    return lua_gettop(L) - top;
  }
  return -1;
}

/* A cdata metamethod without a built-in fast path: the metatype's handler, else
 * Swift (upvalue 4: the event). */
static int cdata_event(lua_State *L) {
  const lf_FastTypes *ft = (const lf_FastTypes *)lf_upvalue(L, 3)->value.p;
  if (*ft->metatypes) {
    int n = lf_metatypeevent(L, ft, (int)lf_upvalue(L, 4)->value.i);
    if (n >= 0) return n;
  }
  return lf_slowcall(L);
}

void lf_pushcdataevent(lua_State *L, int e, lf_FastTypes *types, int (*slow)(lua_State *L)) {
  lf_pushfastupvalues(L, types, slow);
  lua_pushinteger(L, e);
  lua_CFunction fast = e == LF_E_TOSTRING ? lf_cdatatostring : e == LF_E_CALL ? lf_cdatacall : cdata_event;
  lua_pushcclosure(L, lf_choosefast(L, fast), 4);
}
