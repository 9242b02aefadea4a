/* write_limiter: see the header. */
#include "application/write_limiter.h"

void write_limiter_init(write_limiter_t *limiter, uint32_t min_interval_ms)
{
    limiter->min_interval_ms = min_interval_ms;
    limiter->has_written = false;
    limiter->last_ms = 0;
}

bool write_limiter_try(write_limiter_t *limiter, uint64_t now_ms, uint32_t *retry_after_ms)
{
    *retry_after_ms = 0;
    if (limiter->min_interval_ms != 0 && limiter->has_written && now_ms >= limiter->last_ms) {
        const uint64_t since = now_ms - limiter->last_ms;
        if (since < limiter->min_interval_ms) {
            *retry_after_ms = (uint32_t)(limiter->min_interval_ms - since);
            return false;
        }
    }
    /* A clock that went backwards (it cannot on either platform) is not held against the caller. */
    limiter->has_written = true;
    limiter->last_ms = now_ms;
    return true;
}
