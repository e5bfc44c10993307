/* CLibFFI: the system libffi (Debian libffi-dev), and accessors for its type
 * globals (Swift 6 rejects taking the address of C globals such as ffi_type_sint32). */
#ifndef CLIBFFI_H
#define CLIBFFI_H
#include <ffi.h>

/* The libffi type of a scalar: LF_FFI_* codes below. */
ffi_type *lf_ffi_type(int code);
enum {
  LF_FFI_VOID, LF_FFI_UINT8, LF_FFI_SINT8, LF_FFI_UINT16, LF_FFI_SINT16, LF_FFI_UINT32,
  LF_FFI_SINT32, LF_FFI_UINT64, LF_FFI_SINT64, LF_FFI_FLOAT, LF_FFI_DOUBLE,
  LF_FFI_LONGDOUBLE, LF_FFI_POINTER, LF_FFI_COMPLEX_FLOAT, LF_FFI_COMPLEX_DOUBLE
};

/* FFI_DEFAULT_ABI, a macro. */
ffi_abi lf_ffi_default_abi(void);
/* FFI_TYPE_STRUCT, a macro. */
unsigned short lf_ffi_type_struct(void);

/* A libffi closure for callbacks that is never freed: C may keep its address and
 * call it after the callback was freed or its Lua state closed, and must then get a
 * defined result, not a jump into freed memory. It keeps its own copy of the
 * signature (the state's type descriptions die with the state). While `bound`
 * (atomic) is set, a call runs `run(bound, result, arguments)`; unbound, or when
 * `run` returns 0 (its callback is not ready yet), it zeroes the result and writes
 * a message to stderr. Released closures are handed out
 * again, oldest first and only to the same signature, once many are free; never
 * one that was called after its callback was freed (`poisoned`). */
typedef struct lf_Closure {
  void *code;                                /* the entry point C calls */
  void *bound;                               /* the callback, NULL while unbound */
  int (*run)(void *bound, void *result, void **arguments);
  ffi_closure *closure;
  ffi_cif cif;                               /* the copy of the signature */
  size_t result_bytes;                       /* what an unbound call zeroes */
  int poisoned;                              /* called after its callback was freed */
  struct lf_Closure *next;                   /* the free list */
} lf_Closure;

/* A closure with the signature of `cif` (prepared), bound to `bound`: a free one
 * or a new one; NULL when out of memory. Thread-safe. */
lf_Closure *lf_closure_claim(const ffi_cif *cif, void *bound, int (*run)(void *, void *, void **));

/* Unbinds a closure (later calls get zero and a message) and frees it for reuse,
 * unless `poison` (it was called after its callback was freed: never reused). */
void lf_closure_release(lf_Closure *c, int poison);
#endif
