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
#endif
