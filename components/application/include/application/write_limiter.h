/*
 * write_limiter: a minimum interval between two accepted configuration writes (POST /config, POST
 * /provision), so that nobody on the network can wear the flash out or flood the broker with registrations.
 *
 * Pure: the caller gives the time and holds the shared lock (status_store_try_write). A write that is about
 * to be stored takes the slot; one that comes sooner is refused with the time left, which HTTP answers as
 * 429 with Retry-After. A refused or invalid request takes nothing. 0 turns the limit off.
 */
#ifndef APPLICATION_WRITE_LIMITER_H
#define APPLICATION_WRITE_LIMITER_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint32_t min_interval_ms;
    bool has_written;
    uint64_t last_ms; /* when the last accepted write was taken */
} write_limiter_t;

void write_limiter_init(write_limiter_t *limiter, uint32_t min_interval_ms);

/* True: allowed, taken at now_ms. False: *retry_after_ms gets the time left (>= 1). */
bool write_limiter_try(write_limiter_t *limiter, uint64_t now_ms, uint32_t *retry_after_ms);

#endif
