// The C test library of the call-layer tests (libffitest.so). Lua declares what it
// uses with ffi.cdef; this header only gives SwiftPM a public interface.
#ifndef FFITEST_H
#define FFITEST_H
#include <stdint.h>
/// FNV-1a over `n` bytes: the checksum the by-value tests compare.
uint64_t ft_fnv(const void *p, unsigned long n);
#endif
