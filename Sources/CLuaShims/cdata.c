/* The fast paths of cdata access: see lf_cdata.h. */
#include "lf_cdata.h"
#include "CLuaShims.h"

#include <string.h>

typedef struct { int32_t type; uint16_t flags; uint16_t offset; int64_t count; } cdata_header;
#define CDATA_RELEASED 2

/* The field of `t` named by the short string `key`, or NULL. */
static const lf_FieldSlot *find_field(const lf_TypeFast *t, const char *key) {
  if (t->fields == NULL) return NULL;
  uint32_t i = (uint32_t)((uintptr_t)key >> 4) & t->mask;
  for (;;) {
    const lf_FieldSlot *slot = &t->fields[i];
    if (slot->key == key) return slot;
    if (slot->key == NULL) return NULL;
    i = (i + 1) & t->mask;
  }
}

/* Pushes the scalar of class `kind` at `p`; 0 when the slow path must do it. */
static int push_scalar(lua_State *L, int kind, const char *p) {
  switch (kind) {
  case LF_K_I8: lua_pushinteger(L, *(const int8_t *)p); return 1;
  case LF_K_U8: lua_pushinteger(L, *(const uint8_t *)p); return 1;
  case LF_K_I16: { int16_t v; memcpy(&v, p, 2); lua_pushinteger(L, v); return 1; }
  case LF_K_U16: { uint16_t v; memcpy(&v, p, 2); lua_pushinteger(L, v); return 1; }
  case LF_K_I32: { int32_t v; memcpy(&v, p, 4); lua_pushinteger(L, v); return 1; }
  case LF_K_U32: { uint32_t v; memcpy(&v, p, 4); lua_pushinteger(L, v); return 1; }
  case LF_K_I64: { int64_t v; memcpy(&v, p, 8); lua_pushinteger(L, v); return 1; }
  case LF_K_U64: {
    uint64_t v; memcpy(&v, p, 8);
    if (v > (uint64_t)INT64_MAX) return 0; /* boxed: the slow path */
    lua_pushinteger(L, (lua_Integer)v); return 1;
  }
  case LF_K_BOOL: lua_pushboolean(L, *(const uint8_t *)p != 0); return 1;
  case LF_K_FLOAT: { float v; memcpy(&v, p, 4); lua_pushnumber(L, v); return 1; }
  case LF_K_DOUBLE: { double v; memcpy(&v, p, 8); lua_pushnumber(L, v); return 1; }
  default: return 0;
  }
}

/* Stores Lua value 3 as a scalar of class `kind` at `p`; 0 for the slow path
 * (non-numbers, floats into integers: their rules live in Swift). */
static int store_scalar(lua_State *L, int kind, char *p) {
  int type = lua_type(L, 3);
  if (kind == LF_K_DOUBLE || kind == LF_K_FLOAT) {
    if (type != LUA_TNUMBER) return 0;
    double d = lua_tonumberx(L, 3, NULL);
    if (kind == LF_K_FLOAT) { float f = (float)d; memcpy(p, &f, 4); } else memcpy(p, &d, 8);
    return 1;
  }
  if (kind == LF_K_BOOL) {
    if (type != LUA_TBOOLEAN) return 0;
    *(uint8_t *)p = (uint8_t)lua_toboolean(L, 3);
    return 1;
  }
  if (type != LUA_TNUMBER) return 0;
  int isint = 0;
  lua_Integer v = lua_tointegerx(L, 3, &isint);
  if (!isint) return 0;
  switch (kind) {
  case LF_K_I8: case LF_K_U8: { uint8_t x = (uint8_t)v; memcpy(p, &x, 1); return 1; }
  case LF_K_I16: case LF_K_U16: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); return 1; }
  case LF_K_I32: case LF_K_U32: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); return 1; }
  case LF_K_I64: case LF_K_U64: memcpy(p, &v, 8); return 1;
  default: return 0;
  }
}

/* Resolves cdata[key] to a scalar location; NULL for the slow path. */
static char *locate(lua_State *L, const lf_FastTypes *ft, int *kind, int *readonly) {
  cdata_header *h = (cdata_header *)lua_touserdata(L, 1);
  if (h == NULL || (h->flags & CDATA_RELEASED) || h->type < 0 || h->type >= ft->count) return NULL;
  const lf_TypeFast *t = &ft->types[h->type];
  char *p = (char *)h + h->offset;
  if (t->shape == LF_T_REFERENCE) {
    memcpy(&p, p, sizeof p);
    if (t->target < 0 || t->target >= ft->count) return NULL;
    t = &ft->types[t->target];
  }
  int keytype = lua_type(L, 2);
  if (t->shape == LF_T_POINTER) {
    memcpy(&p, p, sizeof p);
    if (p == NULL) return NULL; /* the slow path raises the NULL error */
    if (keytype == LUA_TSTRING) {
      if (t->target < 0 || t->target >= ft->count) return NULL;
      t = &ft->types[t->target];
      if (t->shape != LF_T_RECORD) return NULL;
    }
  }
  if (keytype == LUA_TSTRING) {
    if (t->shape != LF_T_RECORD) return NULL;
    const lf_FieldSlot *f = find_field(t, lua_tolstring(L, 2, NULL));
    if (f == NULL || f->kind == LF_K_NONE) return NULL;
    *kind = f->kind;
    *readonly = f->readonly;
    return p + f->offset;
  }
  if (keytype != LUA_TNUMBER || (t->shape != LF_T_ARRAY && t->shape != LF_T_POINTER)) return NULL;
  if (t->element == LF_K_NONE) return NULL;
  int isint = 0;
  lua_Integer i = lua_tointegerx(L, 2, &isint);
  if (!isint) return NULL;
  if (t->shape == LF_T_ARRAY) {
    int64_t count = t->count >= 0 ? t->count : h->count;
    if (count < 0 || i < 0 || i >= count) return NULL; /* the slow path raises */
  }
  *kind = t->element;
  *readonly = t->readonly;
  return p + (ptrdiff_t)i * t->element_size;
}

static int slow_call(lua_State *L) {
  lf_SwiftFunction slow = (lf_SwiftFunction)lua_touserdata(L, lua_upvalueindex(1));
  lf_StateInfo *info = lf_stateinfo(L);
  int armed = info ? info->armed : 0;
  if (info) info->armed = 0;
  int n = slow(L);
  if (info) info->armed = armed;
  return n == LF_RAISE ? lua_error(L) : n;
}

static int cdata_index(lua_State *L) {
  const lf_FastTypes *ft = (const lf_FastTypes *)lua_touserdata(L, lua_upvalueindex(3));
  int kind = 0, readonly = 0;
  const char *p = locate(L, ft, &kind, &readonly);
  if (p != NULL && push_scalar(L, kind, p)) return 1;
  return slow_call(L);
}

static int cdata_newindex(lua_State *L) {
  const lf_FastTypes *ft = (const lf_FastTypes *)lua_touserdata(L, lua_upvalueindex(3));
  int kind = 0, readonly = 0;
  char *p = locate(L, ft, &kind, &readonly);
  if (p != NULL && !readonly && store_scalar(L, kind, p)) return 0;
  return slow_call(L);
}

void lf_pushcdataaccess(lua_State *L, int newindex, lf_FastTypes *types, int (*slow)(lua_State *L)) {
  lua_pushlightuserdata(L, (void *)slow);
  lua_insert(L, -2);
  lua_pushlightuserdata(L, types);
  lua_pushcclosure(L, newindex ? cdata_newindex : cdata_index, 3);
}

/* ffi.string(ptr [, len]) for pointer and array cdata with a non-NULL address. */
static int cdata_string(lua_State *L) {
  const lf_FastTypes *ft = (const lf_FastTypes *)lua_touserdata(L, lua_upvalueindex(3));
  const void *const *metatables = (const void *const *)lua_touserdata(L, lua_upvalueindex(4));
  if (lua_type(L, 1) == LUA_TUSERDATA && lua_getmetatable(L, 1)) {
    const void *mt = lua_topointer(L, -1);
    lua_pop(L, 1);
    cdata_header *h = (cdata_header *)lua_touserdata(L, 1);
    if ((mt == metatables[0] || mt == metatables[1]) && !(h->flags & CDATA_RELEASED) &&
        h->type >= 0 && h->type < ft->count) {
      const lf_TypeFast *t = &ft->types[h->type];
      char *p = (char *)h + h->offset;
      if (t->shape == LF_T_POINTER) memcpy(&p, p, sizeof p);
      int len_type = lua_type(L, 2);
      if ((t->shape == LF_T_POINTER || t->shape == LF_T_ARRAY) && p != NULL && len_type <= LUA_TNIL) {
        lua_pushstring(L, p);
        return 1;
      }
      if ((t->shape == LF_T_POINTER || t->shape == LF_T_ARRAY) && p != NULL && len_type == LUA_TNUMBER) {
        int isint = 0;
        lua_Integer n = lua_tointegerx(L, 2, &isint);
        if (isint && n >= 0) {
          lua_pushlstring(L, p, (size_t)n);
          return 1;
        }
      }
    }
  }
  return slow_call(L);
}

void lf_pushcdatastring(lua_State *L, lf_FastTypes *types, const void *const *metatables,
                        int (*slow)(lua_State *L)) {
  lua_pushlightuserdata(L, (void *)slow);
  lua_insert(L, -2);
  lua_pushlightuserdata(L, types);
  lua_pushlightuserdata(L, (void *)metatables);
  lua_pushcclosure(L, cdata_string, 4);
}

/* ffi.new(ct, numbers...) for a struct of scalar fields initialized by position. */
static int cdata_new(lua_State *L) {
  const lf_FastTypes *ft = (const lf_FastTypes *)lua_touserdata(L, lua_upvalueindex(3));
  const void *ctype_metatable = lua_touserdata(L, lua_upvalueindex(4));
  int metatable_ref = (int)lua_tointegerx(L, lua_upvalueindex(5), NULL);
  const int *gc_types = (const int *)lua_touserdata(L, lua_upvalueindex(6));
  int n = lua_gettop(L) - 1;
  if (*gc_types || lua_type(L, 1) != LUA_TUSERDATA || !lua_getmetatable(L, 1)) return slow_call(L);
  const void *mt = lua_topointer(L, -1);
  lua_pop(L, 1);
  if (mt != ctype_metatable) return slow_call(L);
  int32_t id = *(const int32_t *)lua_touserdata(L, 1);
  if (id < 0 || id >= ft->count) return slow_call(L);
  const lf_TypeFast *t = &ft->types[id];
  if (t->positional == NULL || n > t->npositional) return slow_call(L);
  for (int i = 0; i < n; i++)
    if (lua_type(L, i + 2) != LUA_TNUMBER) return slow_call(L);
  cdata_header *h = (cdata_header *)lua_newuserdatauv(L, 16 + (size_t)t->size, 1);
  h->type = id;
  h->flags = 0;
  h->offset = 16;
  h->count = -1;
  char *p = (char *)h + 16;
  memset(p, 0, (size_t)t->size);
  lua_rawgeti(L, LUA_REGISTRYINDEX, metatable_ref);
  lua_setmetatable(L, -2);
  for (int i = 0; i < n; i++) {
    const lf_FieldSlot *f = &t->positional[i];
    int kind = f->kind, idx = i + 2;
    if (kind == LF_K_DOUBLE || kind == LF_K_FLOAT) {
      double d = lua_tonumberx(L, idx, NULL);
      if (kind == LF_K_FLOAT) { float x = (float)d; memcpy(p + f->offset, &x, 4); }
      else memcpy(p + f->offset, &d, 8);
      continue;
    }
    int isint = 0;
    lua_Integer v = lua_tointegerx(L, idx, &isint);
    if (!isint) { lua_pop(L, 1); return slow_call(L); } /* floats into integers: Swift's rules */
    switch (kind) {
    case LF_K_I8: case LF_K_U8: case LF_K_BOOL: { uint8_t x = kind == LF_K_BOOL ? v != 0 : (uint8_t)v; memcpy(p + f->offset, &x, 1); break; }
    case LF_K_I16: case LF_K_U16: { uint16_t x = (uint16_t)v; memcpy(p + f->offset, &x, 2); break; }
    case LF_K_I32: case LF_K_U32: { uint32_t x = (uint32_t)v; memcpy(p + f->offset, &x, 4); break; }
    default: memcpy(p + f->offset, &v, 8); break;
    }
  }
  return 1;
}

void lf_pushcdatanew(lua_State *L, lf_FastTypes *types, const void *ctype_metatable,
                     int metatable_ref, const int *gc_types, int (*slow)(lua_State *L)) {
  lua_pushlightuserdata(L, (void *)slow);
  lua_insert(L, -2);
  lua_pushlightuserdata(L, types);
  lua_pushlightuserdata(L, (void *)ctype_metatable);
  lua_pushinteger(L, metatable_ref);
  lua_pushlightuserdata(L, (void *)gc_types);
  lua_pushcclosure(L, cdata_new, 6);
}
