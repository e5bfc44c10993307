/* Accessors for libffi's type globals and macros. */
#include "CLibFFI.h"

ffi_type *lf_ffi_type(int code) {
  switch (code) {
  case LF_FFI_UINT8: return &ffi_type_uint8;
  case LF_FFI_SINT8: return &ffi_type_sint8;
  case LF_FFI_UINT16: return &ffi_type_uint16;
  case LF_FFI_SINT16: return &ffi_type_sint16;
  case LF_FFI_UINT32: return &ffi_type_uint32;
  case LF_FFI_SINT32: return &ffi_type_sint32;
  case LF_FFI_UINT64: return &ffi_type_uint64;
  case LF_FFI_SINT64: return &ffi_type_sint64;
  case LF_FFI_FLOAT: return &ffi_type_float;
  case LF_FFI_DOUBLE: return &ffi_type_double;
  case LF_FFI_LONGDOUBLE: return &ffi_type_longdouble;
  case LF_FFI_POINTER: return &ffi_type_pointer;
  case LF_FFI_COMPLEX_FLOAT: return &ffi_type_complex_float;
  case LF_FFI_COMPLEX_DOUBLE: return &ffi_type_complex_double;
  default: return &ffi_type_void;
  }
}

ffi_abi lf_ffi_default_abi(void) { return FFI_DEFAULT_ABI; }
unsigned short lf_ffi_type_struct(void) { return FFI_TYPE_STRUCT; }
