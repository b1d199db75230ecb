// glibc's allocator controls, for SyncEngine's GlibcMalloc (the only caller). Swift's Glibc module
// exposes neither mallopt nor malloc_trim, so they are reached here through <malloc.h>, as SwiftNIO
// reaches the platform through its C shims. On other C libraries both calls do nothing.
#ifndef C_GLIBC_MALLOC_H
#define C_GLIBC_MALLOC_H

// Limits the number of malloc arenas (mallopt(M_ARENA_MAX, count)). Returns 1 on success, 0 when
// refused or not glibc.
int c_glibc_malloc_set_arena_max(int count);

// Returns free memory at the top of every arena to the system (malloc_trim(0)). Returns 1 when
// memory was released, 0 otherwise or when not glibc.
int c_glibc_malloc_trim(void);

#endif
