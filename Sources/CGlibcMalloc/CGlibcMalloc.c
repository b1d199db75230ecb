#include "CGlibcMalloc.h"

// <stdlib.h> defines __GLIBC__ on glibc (through <features.h>); <malloc.h> is glibc's.
#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int c_glibc_malloc_set_arena_max(int count) {
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
    return mallopt(M_ARENA_MAX, count);
#else
    (void)count;
    return 0;
#endif
}

int c_glibc_malloc_trim(void) {
#if defined(__GLIBC__)
    return malloc_trim(0);
#else
    return 0;
#endif
}
