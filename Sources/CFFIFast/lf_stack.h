/* Lua 5.4's stack read and written without the C API, for the hot paths (calls,
 * cdata access, ffi.new, ffi.string): the public API costs a call through the PLT
 * and an index decoding per value, several times what the access itself costs.
 *
 * The structs below mirror the start of Lua 5.4's internal ones (lobject.h,
 * lstate.h; the same offsets in 5.4.0-5.4.7 on 64-bit targets with the default
 * luaconf.h). Nothing here is trusted blindly: lf_stackprobe compares every access
 * with the C API in a real call when the ffi module opens, and on a mismatch
 * (another Lua build, or LUAFFI_API_STACK set in the environment) the fast paths
 * are not installed: the API and Swift paths do everything.
 * See docs/architecture.md. Internal to CFFIFast. */
#ifndef LF_STACK_H
#define LF_STACK_H

#include <lua5.4/lua.h>
#include "CFFIFast.h"
#include <stddef.h>
#include <stdint.h>

/* Type tags with variant bits (lobject.h: makevariant, ctb). */
enum {
  LF_TAG_NIL = 0x00, LF_TAG_FALSE = 0x01, LF_TAG_TRUE = 0x11,
  LF_TAG_INT = 0x03, LF_TAG_FLOAT = 0x13,
  LF_TAG_LIGHT = 0x02, LF_TAG_USERDATA = 0x47,
  LF_TAG_SHORTSTR = 0x44, LF_TAG_LONGSTR = 0x54, LF_TAG_CCLOSURE = 0x66
};

typedef union lf_Value {
  void *p;
  lua_Integer i;
  lua_Number n;
} lf_Value;

/* A stack slot (StackValue: a TValue plus padding). */
typedef struct lf_Slot {
  lf_Value value;
  uint8_t tag;
  uint8_t pad_[7];
} lf_Slot;

typedef struct lf_CallInfo {
  lf_Slot *func;
} lf_CallInfo;

typedef struct lf_State {
  void *next;
  uint8_t tt, marked, status, allowhook;
  unsigned short nci;
  lf_Slot *top;
  void *l_G;
  lf_CallInfo *ci;
} lf_State;

typedef struct lf_CClosure {
  void *next;
  uint8_t tt, marked, nupvalues;
  void *gclist;
  lua_CFunction f;
  lf_Slot upvalue[1]; /* TValue: 16 bytes, as lf_Slot */
} lf_CClosure;

/* Full userdata: the payload follows the header, after the user values if any. */
typedef struct lf_Udata {
  void *next;
  uint8_t tt, marked;
  unsigned short nuvalue;
  size_t len;
  void *metatable;
} lf_Udata;
#define LF_UDATA0_PAYLOAD 32 /* Udata0: no user values */
#define LF_UDATA_PAYLOAD(n) (40 + 16 * (size_t)(n))

/* TString (short and long strings alike): the characters at 24. */
#define LF_TSTRING_CONTENTS 24

/* lf_stackprobe (CFFIFast.h) checks the accessors below against the API. This
 * one answers 1 when a probe has run and passed (no probing here). */
int lf_stackraw(void);

/* The running C function's frame: its first argument and the top. */
static inline lf_Slot *lf_base(lua_State *L) { return ((lf_State *)L)->ci->func + 1; }
static inline lf_Slot *lf_top(lua_State *L) { return ((lf_State *)L)->top; }

/* Upvalue i (from 1) of the running C closure. */
static inline const lf_Slot *lf_upvalue(lua_State *L, int i) {
  return &((lf_CClosure *)((lf_State *)L)->ci->func->value.p)->upvalue[i - 1];
}

/* The payload of the full userdata in slot s (tag LF_TAG_USERDATA). */
static inline void *lf_udata(const lf_Slot *s) {
  lf_Udata *u = (lf_Udata *)s->value.p;
  return (char *)u + (u->nuvalue == 0 ? LF_UDATA0_PAYLOAD : LF_UDATA_PAYLOAD(u->nuvalue));
}

/* User value i (from 1) of the full userdata in slot s, which has at least i (a
 * TValue: 16 bytes, as lf_Slot). */
static inline lf_Slot *lf_uservalue(const lf_Slot *s, int i) {
  return (lf_Slot *)((char *)s->value.p + LF_UDATA_PAYLOAD(i - 1));
}

/* Its metatable, as lua_topointer gives it (NULL: none). */
static inline const void *lf_udatametatable(const lf_Slot *s) {
  return ((lf_Udata *)s->value.p)->metatable;
}

/* The characters of the string in slot s (tag LF_TAG_SHORTSTR or LF_TAG_LONGSTR):
 * the pointer lua_tolstring gives. */
static inline const char *lf_strchars(const lf_Slot *s) {
  return (const char *)s->value.p + LF_TSTRING_CONTENTS;
}

/* The value of slot s if it holds an integer, or a float with an exact integer
 * value (as lua_tointegerx converts numbers; strings are not converted). */
static inline int lf_integer(const lf_Slot *s, int64_t *v) {
  if (s->tag == LF_TAG_INT) { *v = s->value.i; return 1; }
  if (s->tag != LF_TAG_FLOAT) return 0;
  double d = s->value.n;
  if (!(d >= -0x1p63 && d < 0x1p63)) return 0;
  int64_t i = (int64_t)d;
  if ((double)i != d) return 0;
  *v = i;
  return 1;
}

/* 0 or 1 if slot s holds a boolean. */
static inline int lf_boolean(const lf_Slot *s, int64_t *v) {
  if (s->tag != LF_TAG_TRUE && s->tag != LF_TAG_FALSE) return 0;
  *v = s->tag == LF_TAG_TRUE;
  return 1;
}

/* Pushes without the API: a C function has LUA_MINSTACK free slots on entry. */
static inline void lf_setint(lua_State *L, lua_Integer v) {
  lf_Slot *t = ((lf_State *)L)->top;
  t->value.i = v;
  t->tag = LF_TAG_INT;
  ((lf_State *)L)->top = t + 1;
}
static inline void lf_setfloat(lua_State *L, lua_Number v) {
  lf_Slot *t = ((lf_State *)L)->top;
  t->value.n = v;
  t->tag = LF_TAG_FLOAT;
  ((lf_State *)L)->top = t + 1;
}
static inline void lf_setslot(lua_State *L, const lf_Slot *s) {
  lf_Slot *t = ((lf_State *)L)->top;
  t->value = s->value;
  t->tag = s->tag;
  ((lf_State *)L)->top = t + 1;
}
static inline void lf_droptop(lua_State *L) { ((lf_State *)L)->top -= 1; } /* never a to-be-closed slot */
static inline void lf_setbool(lua_State *L, int b) {
  lf_Slot *t = ((lf_State *)L)->top;
  t->tag = b ? LF_TAG_TRUE : LF_TAG_FALSE;
  ((lf_State *)L)->top = t + 1;
}

/* Gives the userdata on top, just made, the metatable `mt`, as lua_setmetatable
 * does for a metatable without __gc: the new object is white, so no barrier. */
static inline void lf_setnewmetatable(lua_State *L, void *mt) {
  ((lf_Udata *)((lf_State *)L)->top[-1].value.p)->metatable = mt;
}

#endif
