/*
 * bench_alloc_count: counts the heap allocation calls of the whole benchmark process.
 *
 * malloc, calloc and realloc are defined here and forward to glibc's allocator. A definition in the
 * executable takes precedence over libc's for every shared library too, so the allocations cJSON makes
 * inside libcjson.so are counted like those of code linked statically (-Wl,--wrap would miss them).
 * Benchmark-only: never linked into product code, and not built under AddressSanitizer (which has its
 * own allocator).
 */
#ifndef BENCH_ALLOC_COUNT_H
#define BENCH_ALLOC_COUNT_H

#include <stdint.h>

/* Calls to malloc, calloc and realloc since the process started. */
uint64_t bench_alloc_count_calls(void);

#endif /* BENCH_ALLOC_COUNT_H */
