/* The system libffi (Debian libffi-dev). */
#include <ffi.h>
