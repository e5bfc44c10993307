/* C fast paths of the ffi functions that measure, compare, copy and convert:
 * ffi.sizeof, istype, copy, fill, tonumber, typeof, offsetof, errno,
 * addressof and the compatible global tonumber. Each does the plain case from what lf_FastTypes knows and
 * leaves everything else, errors included, to its Swift function (lf_slowcall). */
#include "CFFIFast.h"
#include "internal.h"

#include <errno.h>
#include <lua5.4/lauxlib.h>

#define FAST_TYPES(L) ((const lf_FastTypes *)lf_upvalue(L, 3)->value.p)

/* ffi.sizeof(ct) of a fixed-size type, or of a `T[?]` cdata (its own length). */
static int op_sizeof(lua_State *L) {
  const lf_FastTypes *ft = FAST_TYPES(L);
  const lf_Slot *args = lf_base(L);
  const lf_CDataHeader *h;
  int32_t id = lf_top(L) - args == 1 ? lf_argtype(ft, &args[0], &h) : -1;
  if (id < 0) return lf_slowcall(L);
  const lf_TypeFast *t = &ft->types[id];
  int64_t size = t->size;
  if (h != NULL && (h->flags & LF_CDATA_COUNTED)) {
    int64_t count;
    memcpy(&count, h + 1, sizeof count);
    size = t->shape == LF_T_ARRAY && t->count < 0 && t->element_size > 0 ? count * t->element_size : -1;
  }
  if (size < 0 || t->shape == LF_T_REFERENCE) return lf_slowcall(L);
  lf_setint(L, size);
  return 1;
}

/* ffi.istype(ct, x): false for anything but a ctype or cdata, true for the very
 * same type; other pairs take CType.isLuaJITInstanceType in Swift. */
static int op_istype(lua_State *L) {
  const lf_FastTypes *ft = FAST_TYPES(L);
  const lf_Slot *args = lf_base(L);
  const lf_CDataHeader *h;
  int32_t id = lf_top(L) - args == 2 ? lf_argtype(ft, &args[0], &h) : -1;
  if (id < 0) return lf_slowcall(L);
  const lf_Slot *x = &args[1];
  const void *mt = x->tag == LF_TAG_USERDATA ? lf_udatametatable(x) : NULL;
  int32_t other = -1;
  if (mt != NULL && mt == ft->ctype_metatable) other = *(const int32_t *)lf_udata(x);
  else if (lf_iscdatametatable(mt, ft->metatables))
    other = ((const lf_CDataHeader *)lf_udata(x))->type; /* released ones too, as Swift */
  else {
    lf_setbool(L, 0);
    return 1;
  }
  if (other != id) return lf_slowcall(L);
  lf_setbool(L, 1);
  return 1;
}

/* The address of the pointer or array cdata in slot `s` and the bytes known to be
 * there (`*extent`; UINT64_MAX for a pointer's target); 0 for the slow path: other
 * values, NULL, a const target when `writable`, a released owner. */
static int buffer(const lf_FastTypes *ft, const lf_Slot *s, int writable, char **address, uint64_t *extent) {
  const lf_CDataHeader *h = lf_slotcdata(s, ft->metatables, ft->count);
  if (h == NULL) return 0;
  const lf_TypeFast *t = &ft->types[h->type];
  char *p = (char *)h + h->offset;
  if (writable && t->readonly) return 0;
  if (t->shape == LF_T_POINTER) {
    if (lf_ownerreleased(s)) return 0;
    memcpy(address, p, sizeof *address);
    *extent = UINT64_MAX;
    return *address != NULL;
  }
  if (t->shape != LF_T_ARRAY || t->element_size <= 0) return 0;
  int64_t count = t->count;
  if (count < 0) {
    if (!(h->flags & LF_CDATA_COUNTED)) return 0;
    memcpy(&count, h + 1, sizeof count);
  }
  *address = p;
  *extent = (uint64_t)count * (uint64_t)t->element_size;
  return 1;
}

/* ffi.copy(dst, src, len) and ffi.copy(dst, str) between pointers, arrays and Lua
 * strings, within the extents known. */
static int op_copy(lua_State *L) {
  const lf_FastTypes *ft = FAST_TYPES(L);
  const lf_Slot *args = lf_base(L);
  int n = (int)(lf_top(L) - args);
  char *dst, *src;
  uint64_t dst_extent, src_extent;
  int64_t count;
  if (n < 2 || n > 3 || !buffer(ft, &args[0], 1, &dst, &dst_extent)) return lf_slowcall(L);
  if (args[1].tag == LF_TAG_SHORTSTR || args[1].tag == LF_TAG_LONGSTR) {
    src = (char *)lf_strchars(&args[1]);
    src_extent = (uint64_t)lua_rawlen(L, 2) + 1; /* with its terminating zero */
  } else if (n != 3 || !buffer(ft, &args[1], 0, &src, &src_extent)) {
    return lf_slowcall(L);
  }
  if (n == 3) {
    if (!lf_integer(&args[2], &count) || count < 0) return lf_slowcall(L);
  } else {
    count = (int64_t)src_extent;
  }
  if ((uint64_t)count > dst_extent || (uint64_t)count > src_extent) return lf_slowcall(L); /* the error */
  if (count > LF_BUDGETED_CHUNK) return lf_slowcall(L); /* in pieces, under the state's limits */
  memmove(dst, src, (size_t)count);
  return 0;
}

/* ffi.fill(dst, len [, byte]) of a pointer or array, within its extent. */
static int op_fill(lua_State *L) {
  const lf_FastTypes *ft = FAST_TYPES(L);
  const lf_Slot *args = lf_base(L);
  int n = (int)(lf_top(L) - args);
  char *dst;
  uint64_t extent;
  int64_t count, byte = 0;
  if (n < 2 || n > 3 || !buffer(ft, &args[0], 1, &dst, &extent) || !lf_integer(&args[1], &count) || count < 0 ||
      (uint64_t)count > extent || count > LF_BUDGETED_CHUNK)
    return lf_slowcall(L);
  if (n == 3 && args[2].tag != LF_TAG_NIL) {
    if (args[2].tag != LF_TAG_INT) return lf_slowcall(L);
    byte = args[2].value.i;
  }
  memset(dst, (int)(int32_t)byte, (size_t)count);
  return 0;
}

/* Pushes the Lua number of the scalar cdata `h` as ffi.tonumber does (a uint64_t
 * above 2^63-1 as a float, a bool as 0 or 1); 0 for the slow path. */
static inline __attribute__((always_inline)) int push_number(lua_State *L, const lf_FastTypes *ft,
                                                             const lf_CDataHeader *h) {
  int kind = ft->types[h->type].shape;
  const char *p = (const char *)h + h->offset;
  if (kind == LF_K_BOOL) {
    lf_setint(L, *(const uint8_t *)p);
    return 1;
  }
  if (kind == LF_K_U64) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
    if (v > (uint64_t)INT64_MAX) {
      lf_setfloat(L, (double)v);
      return 1;
    }
  }
  return kind >= LF_K_I8 && kind <= LF_K_DOUBLE && lf_pushscalar(L, kind, p);
}

/* ffi.tonumber(v) of numbers and scalar cdata. */
static int op_tonumber(lua_State *L) {
  const lf_FastTypes *ft = FAST_TYPES(L);
  const lf_Slot *args = lf_base(L);
  if (lf_top(L) - args >= 1) {
    if (args[0].tag == LF_TAG_INT || args[0].tag == LF_TAG_FLOAT) {
      lf_setslot(L, &args[0]);
      return 1;
    }
    const lf_CDataHeader *h = lf_slotcdata(&args[0], ft->metatables, ft->count);
    if (h != NULL && push_number(L, ft, h)) return 1;
  }
  return lf_slowcall(L);
}

/* ffi.typeof(ct) of a ctype, a cdata or a type string seen before: the cached
 * ctype object. */
static int op_typeof(lua_State *L) {
  const lf_FastTypes *ft = FAST_TYPES(L);
  const lf_Slot *args = lf_base(L);
  const lf_CDataHeader *h;
  int32_t id = lf_top(L) - args == 1 ? lf_argtype(ft, &args[0], &h) : -1;
  if (id < 0) return lf_slowcall(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, ft->ctype_cache_ref);
  if (lua_rawgeti(L, -1, (lua_Integer)id + 1) == LUA_TUSERDATA) return 1;
  lua_settop(L, 1); /* not made yet: Swift makes it */
  return lf_slowcall(L);
}

/* ffi.offsetof(ct, name) of a field that is not a bitfield. */
static int op_offsetof(lua_State *L) {
  const lf_FastTypes *ft = FAST_TYPES(L);
  const lf_Slot *args = lf_base(L);
  const lf_CDataHeader *h;
  int32_t id = lf_top(L) - args == 2 && args[1].tag == LF_TAG_SHORTSTR ? lf_argtype(ft, &args[0], &h) : -1;
  if (id < 0 || ft->types[id].shape != LF_T_RECORD) return lf_slowcall(L);
  const lf_FieldSlot *f = lf_findfield(&ft->types[id], lf_strchars(&args[1]));
  if (f == NULL || f->bitfield) return lf_slowcall(L);
  lf_setint(L, f->offset);
  return 1;
}

/* ffi.errno([new]) with no argument or an integer: the errno saved after the last
 * C call (and errno and the saved one set to `new`). */
static __attribute__((noinline)) int set_errno(lua_State *L, const lf_FastTypes *ft, int value) {
  int old = *ft->saved_errno;
  errno = *ft->saved_errno = value;
  lf_setint(L, old);
  return 1;
}
/* (Setting is out of line: reading then makes no call and needs no stack frame.) */
static int op_errno(lua_State *L) {
  const lf_FastTypes *ft = FAST_TYPES(L);
  const lf_Slot *args = lf_base(L);
  int n = (int)(lf_top(L) - args);
  if (n == 1 && args[0].tag == LF_TAG_INT) return set_errno(L, ft, (int)(int32_t)args[0].value.i);
  if (n != 0) return lf_slowcall(L);
  lf_setint(L, *ft->saved_errno);
  return 1;
}

/* ffi.addressof(x) of a struct, array or scalar cdata: a pointer to its value that
 * keeps it alive (Owners.swift), once `T *` is interned. */
static int op_addressof(lua_State *L) {
  const lf_FastTypes *ft = FAST_TYPES(L);
  const lf_Slot *args = lf_base(L);
  const lf_CDataHeader *h = lf_top(L) - args == 1 ? lf_slotcdata(&args[0], ft->metatables, ft->count) : NULL;
  if (h == NULL) return lf_slowcall(L);
  const lf_TypeFast *t = &ft->types[h->type];
  int shape = t->shape;
  if (t->pointer < 0 || ft->types[t->pointer].gc || !(shape == LF_T_RECORD || shape == LF_T_ARRAY || (shape >= LF_K_I8 && shape <= LF_K_DOUBLE)))
    return lf_slowcall(L);
  /* The payload stays where it is (the object is anchored in slot 1); the owner
   * slot is copied before the allocation. */
  lf_pushnewpointer(L, ft, t->pointer, (uint64_t)(uintptr_t)((const char *)h + h->offset), args[0]);
  return 1;
}

/* Two lower-case hex digits per byte value. */
static const char hex_pairs[513] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/* tostring of the cdata in slot 1 of the ffi state `ft`: a metatype's __tostring
 * (its results), `123LL` or `123ULL` of a boxed 64-bit integer, `cdata<T *>: 0x...`
 * of a pointer, struct or array; -1 for the others (Swift describes them: other
 * numbers, enums, metatyped records without __tostring, very long type names). A
 * released cdata goes to lf_slowcall. */
static int cdata_tostring(lua_State *L, const lf_FastTypes *ft) {
  if (*ft->metatypes) {
    int n = lf_metatypeevent(L, ft, LF_E_TOSTRING);
    if (n >= 0) return n;
  }
  const lf_Slot *args = lf_base(L);
  int top = (int)(lf_top(L) - args);
  const lf_CDataHeader *h = top >= 1 ? lf_slotcdata(&args[0], ft->metatables, ft->count) : NULL;
  /* A metatyped cdata without __tostring: its __name, if any, is Swift's to show. */
  if (h == NULL || ft->types[h->type].metatype != 0) return -1;
  int shape = ft->types[h->type].shape;
  const void *address = (const char *)h + h->offset;
  if (shape == LF_K_I64 || shape == LF_K_U64) { /* as describe: 123LL, 123ULL */
    char text[32], *end = text + sizeof text, *q = end;
    uint64_t v;
    memcpy(&v, address, sizeof v);
    int negative = shape == LF_K_I64 && (int64_t)v < 0;
    *--q = 'L', *--q = 'L'; /* written backwards */
    if (shape == LF_K_U64) *--q = 'U';
    uint64_t magnitude = negative ? 0 - v : v;
    do *--q = (char)('0' + magnitude % 10); while ((magnitude /= 10) != 0);
    if (negative) *--q = '-';
    lua_pushlstring(L, q, (size_t)(end - q));
    return 1;
  }
  if (shape == LF_T_POINTER) memcpy(&address, address, sizeof address);
  else if (shape != LF_T_RECORD && shape != LF_T_ARRAY) return -1;
  const lf_TypeFast *t = &ft->types[h->type];
  size_t len = t->prefix_len;
  char text[256];
  if (t->prefix == NULL || len > sizeof text - 20) return -1; /* Swift makes it; very long names */
  memcpy(text, t->prefix, len);
  if (address == NULL) {
    memcpy(text + len, "NULL", 4);
    len += 4;
  } else { /* as describe's hexAddress: 0x and lower-case digits, no leading zeros */
    uintptr_t a = (uintptr_t)address;
    int n = (64 - __builtin_clzll((unsigned long long)a) + 3) / 4;
    text[len++] = '0';
    text[len++] = 'x';
    for (int i = n; i >= 2; i -= 2, a >>= 8) memcpy(text + len + i - 2, hex_pairs + 2 * (a & 0xff), 2);
    if (n & 1) text[len] = hex_pairs[2 * (a & 15) + 1];
    len += (size_t)n;
  }
  lua_pushlstring(L, text, len);
  return 1;
}

int lf_cdatatostring(lua_State *L) {
  int n = cdata_tostring(L, FAST_TYPES(L));
  return n >= 0 ? n : lf_slowcall(L);
}

void lf_pushcdataop(lua_State *L, int op, lf_FastTypes *types, int (*slow)(lua_State *L)) {
  static const lua_CFunction fast[] = {
    [LF_OP_SIZEOF] = op_sizeof, [LF_OP_ISTYPE] = op_istype, [LF_OP_COPY] = op_copy, [LF_OP_FILL] = op_fill,
    [LF_OP_TONUMBER] = op_tonumber, [LF_OP_TYPEOF] = op_typeof, [LF_OP_OFFSETOF] = op_offsetof,
    [LF_OP_ERRNO] = op_errno, [LF_OP_ADDRESSOF] = op_addressof,
  };
  lf_pushfastupvalues(L, types, slow);
  lua_pushcclosure(L, lf_choosefast(L, fast[op]), 3);
}

/* The ffi state of cdata whose metatable is `mt` (lf_registercdatametatable), or
 * NULL, from the registry. Upvalues 2 and 3 of the running closure cache the last
 * answer: the cdata metatables live as long as the state, so the pair stays true. */
static const lf_FastTypes *registered_state_of(lua_State *L, const void *mt) {
  const lf_FastTypes *ft = NULL;
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, mt) == LUA_TLIGHTUSERDATA) {
    ft = (const lf_FastTypes *)lua_touserdata(L, -1);
    lf_Slot *cache = (lf_Slot *)lf_upvalue(L, 2); /* light userdata: stored without a barrier */
    cache[0].value.p = (void *)mt;
    cache[1].value.p = (void *)ft;
  }
  lua_pop(L, 1);
  return ft;
}

/* The ffi state of cdata whose metatable is `mt`, or NULL: cached, else from the
 * registry. */
static inline const lf_FastTypes *state_of(lua_State *L, const void *mt) {
  const lf_Slot *cache = lf_upvalue(L, 2);
  return cache[0].value.p == mt ? (const lf_FastTypes *)cache[1].value.p : registered_state_of(L, mt);
}

/* tonumber of the userdata in slot 1, whose metatable is a cdata metatable of `ft`
 * (NULL: none): its number, or the slow path's answer. */
static inline __attribute__((always_inline)) int cdata_tonumber(lua_State *L, const lf_FastTypes *ft) {
  const lf_CDataHeader *h = ft != NULL ? (const lf_CDataHeader *)lf_udata(&lf_base(L)[0]) : NULL;
  if (h != NULL && !(h->flags & LF_CDATA_RELEASED) && (uint32_t)h->type < (uint32_t)ft->count &&
      push_number(L, ft, h))
    return 1;
  return lf_slowcall(L);
}

/* (Out of line: with the cached answer, compat_tonumber makes no call and needs no
 * stack frame.) */
static __attribute__((noinline)) int uncached_tonumber(lua_State *L, const void *mt) {
  return cdata_tonumber(L, registered_state_of(L, mt));
}

/* The global tonumber of the LuaJIT compatibility: a number, or a scalar cdata of
 * the ffi state its metatable belongs to. */
static int compat_tonumber(lua_State *L) {
  const lf_Slot *args = lf_base(L);
  int n = (int)(lf_top(L) - args);
  if (n == 1 || (n == 2 && args[1].tag == LF_TAG_NIL)) {
    if (args[0].tag == LF_TAG_INT || args[0].tag == LF_TAG_FLOAT) {
      lf_setslot(L, &args[0]);
      return 1;
    }
    const void *mt = args[0].tag == LF_TAG_USERDATA ? lf_udatametatable(&args[0]) : NULL;
    if (mt != NULL) {
      const lf_Slot *cache = lf_upvalue(L, 2);
      if (cache[0].value.p != mt) return uncached_tonumber(L, mt);
      return cdata_tonumber(L, (const lf_FastTypes *)cache[1].value.p);
    }
  }
  return lf_slowcall(L);
}

/* The global tostring of the LuaJIT compatibility, as LuaJIT's: the results of
 * the value's __tostring, unchecked (Lua 5.4's insists on one string), else Lua's
 * text of the value. By the API alone. */
static int luajit_tostring(lua_State *L) {
  luaL_checkany(L, 1);
  lua_settop(L, 1);
  if (luaL_getmetafield(L, 1, "__tostring") != LUA_TNIL) {
    lua_insert(L, 1);
    lua_call(L, 1, LUA_MULTRET);
    return lua_gettop(L);
  }
  luaL_tolstring(L, 1, NULL);
  return 1;
}

/* The same, with a cdata of a known ffi state described here: no lookup and call
 * of its __tostring, which is the same C function. */
static int compat_tostring(lua_State *L) {
  const lf_Slot *args = lf_base(L);
  if (lf_top(L) - args == 1 && args[0].tag == LF_TAG_USERDATA) {
    const void *mt = lf_udatametatable(&args[0]);
    const lf_FastTypes *ft = mt != NULL ? state_of(L, mt) : NULL;
    /* Not a released one: cdata_tostring leaves those to the Swift function of the
     * running closure (lf_slowcall), which this one has not. */
    int n = ft != NULL && lf_slotcdata(&args[0], ft->metatables, ft->count) != NULL ? cdata_tostring(L, ft) : -1;
    if (n >= 0) return n;
  }
  return luajit_tostring(L);
}

void lf_pushcompattonumber(lua_State *L, int (*slow)(lua_State *L)) {
  lua_pushlightuserdata(L, (void *)slow);
  lua_pushlightuserdata(L, NULL);
  lua_pushlightuserdata(L, NULL);
  lua_pushcclosure(L, lf_choosefast(L, compat_tonumber), 3);
}

void lf_pushcompattostring(lua_State *L) {
  lua_pushlightuserdata(L, NULL); /* upvalues 2 and 3: state_of's cache */
  lua_pushlightuserdata(L, NULL);
  lua_pushlightuserdata(L, NULL);
  lua_pushcclosure(L, lf_stackprobe(L) ? compat_tostring : luajit_tostring, 3);
}

void lf_registercdatametatable(lua_State *L, const void *metatable, lf_FastTypes *types) {
  lua_pushlightuserdata(L, types);
  lua_rawsetp(L, LUA_REGISTRYINDEX, metatable);
}
