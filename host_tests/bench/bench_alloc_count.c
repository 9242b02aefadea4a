#include "bench_alloc_count.h"

#include <stddef.h>

/* glibc's allocator under its internal names: what the public names resolve to without this file. */
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void __libc_free(void *ptr);

/* Declared here rather than taken from <stdlib.h>, whose declarations carry attributes of glibc's own. */
void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void *realloc(void *ptr, size_t size);
void free(void *ptr);

/* The benchmark driver is single-threaded, so a plain counter is exact. */
static uint64_t calls;

uint64_t bench_alloc_count_calls(void)
{
    return calls;
}

void *malloc(size_t size)
{
    calls++;
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size)
{
    calls++;
    return __libc_calloc(count, size);
}

void *realloc(void *ptr, size_t size)
{
    calls++;
    return __libc_realloc(ptr, size);
}

void free(void *ptr)
{
    __libc_free(ptr);
}
