/* The C call paths of the ffi module: for functions whose arguments are plain Lua
 * numbers, booleans, nil, strings or pointer cdata, the C function is called straight
 * from here through one register prototype (the direct path) or, for more arguments,
 * structs by value and results in memory, through the plan's libffi cif (the libffi
 * path; variadic functions too, for variadic arguments that are Lua numbers,
 * booleans, strings, nil or pointers). Anything else falls back to the Swift path
 * (`slow`), which handles every conversion and callbacks. */
#ifndef LF_CALL_H
#define LF_CALL_H

#include <lua5.4/lua.h>
#include <stdint.h>

/* Argument and result classes of the C paths (LF_K_RECORD: a struct or union by
 * value, on the libffi path only). */
enum {
  LF_K_NONE, LF_K_I8, LF_K_U8, LF_K_I16, LF_K_U16, LF_K_I32, LF_K_U32, LF_K_I64, LF_K_U64,
  LF_K_BOOL, LF_K_FLOAT, LF_K_DOUBLE, LF_K_POINTER, LF_K_VOID, LF_K_RECORD
};

/* Extends a value of integer class `kind` (LF_K_*) from its low bytes to 64 bits,
 * as C passes and returns it. The one implementation of the rule: the Swift
 * paths call it too (`extend` in Call.swift). */
static inline uint64_t lf_extend(int kind, uint64_t v) {
  /* Sized for every class (LF_K_VOID is the last): the others extend by 0. */
  static const uint8_t shift[LF_K_VOID + 1] = {
    [LF_K_I8] = 56, [LF_K_U8] = 56, [LF_K_I16] = 48, [LF_K_U16] = 48,
    [LF_K_I32] = 32, [LF_K_U32] = 32, [LF_K_I64] = 0, [LF_K_U64] = 0,
  };
  static const uint8_t is_signed[LF_K_VOID + 1] = {
    [LF_K_I8] = 1, [LF_K_I16] = 1, [LF_K_I32] = 1, [LF_K_I64] = 1,
  };
  int s = shift[kind];
  return is_signed[kind] ? (uint64_t)((int64_t)(v << s) >> s) : (v << s) >> s;
}

#define LF_MAX_DIRECT 8
/* Parameters of a function that the C libffi path calls, at most. */
#define LF_MAX_PARAMS 16
/* Struct results of the C libffi path, in bytes at most (a buffer on the C stack). */
#define LF_MAX_FFI_RECORD 256

/* Classes of struct results of up to 16 bytes (x86-64 SysV): the eightbytes
 * returned in floating (S) or integer (I) registers. */
enum { LF_R_NONE, LF_R_I, LF_R_S, LF_R_II, LF_R_SS, LF_R_IS, LF_R_SI };

/* The cifs of one variadic function type, prepared per sequence of variadic
 * argument classes (LF_V_*) on first use and kept for the state's life (a call in
 * progress may use any of them: none is ever replaced). Owned by the call plan. */
#define LF_VARARG_CIFS 8
enum { LF_V_POINTER, LF_V_INT64, LF_V_DOUBLE, LF_V_INT32 };
typedef struct lf_VarargCifs {
  void *result_type;   /* ffi_type * */
  int nfixed;
  void **fixed_types;  /* ffi_type *[nfixed] */
  int count;           /* entries prepared */
  struct {
    int nargs;
    uint64_t key;      /* 2 bits per variadic argument: its LF_V_* class */
    void *cif;         /* ffi_cif * */
    void **types;
  } entry[LF_VARARG_CIFS];
} lf_VarargCifs;

/* A cache for a variadic function of `nfixed` fixed parameters of libffi types
 * `fixed_types` (copied) returning `result_type`; NULL when out of memory. */
lf_VarargCifs *lf_newvarargcifs(void *result_type, int nfixed, void *const *fixed_types);
void lf_freevarargcifs(lf_VarargCifs *cifs);

/* Everything a callable needs, in its upvalue 1 (a full userdata). */
typedef struct lf_Callable {
  /* What every call reads first, together (one or two cache lines). */
  void *function;                 /* the C function */
  int fast;                       /* 1: the direct path applies; 2: integers only;
                                     3: libffi (`cif` or `varargs`) */
  int nparams;
  int floats;                     /* number of floating arguments */
  int result;                     /* LF_K_* of the result (LF_K_RECORD: libffi path) */
  const struct lf_FastTypes *ft;  /* the state's type facts, cdata metatables, __gc flag */
  struct lf_CallContext *ctx;     /* errno, callbacks alive, a callback's error */
  int32_t result_type;            /* its type id (pointer and record results become cdata) */
  int record;                     /* small struct results of the direct path: LF_R_* (0: none) */
  int32_t record_size;            /* the size of a struct result (either path) */
  int32_t boxed_type;             /* uint64_t results above INT64_MAX: the box's type id */
  uint8_t kinds[LF_MAX_PARAMS];   /* LF_K_* per parameter */
  uint8_t slots[LF_MAX_PARAMS];   /* direct path: register slot, 0-5 integer, 6-13 floating;
                                     libffi path: i, or i + 6 for a floating parameter i */
  /* Pointer arguments. */
  uint8_t strings[LF_MAX_PARAMS]; /* pointers: 1 if a Lua string converts (const char/void *) */
  uint8_t consts[LF_MAX_PARAMS];  /* pointers: 1 if the target is const (const data may pass) */
  int32_t pointee[LF_MAX_PARAMS]; /* pointers: type id of a cdata whose address is passed;
                                     LF_K_RECORD: the record's type id */
  int32_t pointer[LF_MAX_PARAMS]; /* pointers: type ids of pointer cdata passed as they are: */
  int32_t declared[LF_MAX_PARAMS]; /* the unqualified target's pointer, the parameter's type */
  /* The libffi path. */
  void *cif;                      /* the plan's prepared ffi_cif, */
  lf_VarargCifs *varargs;         /* or for a variadic function its cifs */
  /* The slow paths. */
  int (*raise)(lua_State *L);     /* pushes a callback's error, returns LF_RAISE (Swift) */
  int (*slow)(lua_State *L);      /* the Swift path: an lf_SwiftFunction */
  void *swift[3];                 /* the Swift path's own data */
} lf_Callable;

/* Pushes a callable: a C closure whose upvalue 1 is a new lf_Callable block
 * (returned, zero-filled, for the caller to fill) and whose upvalues 2...nup+1
 * are the `nup` values on the stack. [-nup, +1, m] */
lf_Callable *lf_pushcallable(lua_State *L, int nup);

/* The lf_Callable of the value at `idx` if it is a callable, else NULL. */
lf_Callable *lf_tocallable(lua_State *L, int idx);

#endif
