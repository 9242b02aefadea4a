#include "fake_lock.h"

#include <string.h>

static app_err_t fake_take(void *ctx, uint32_t timeout_ms)
{
    fake_lock_t *fake = ctx;
    fake->last_timeout_ms = timeout_ms;
    if (fake->pass_first > 0) {
        fake->pass_first--;
    } else if (fake->busy || fake->fail_next > 0) {
        if (fake->fail_next > 0) {
            fake->fail_next--;
        }
        fake->timeouts++;
        return APP_ERR_LOCK_TIMEOUT;
    }
    if (fake->held) {
        fake->nested_takes++;
        fake->timeouts++;
        return APP_ERR_LOCK_TIMEOUT;
    }
    fake->held = true;
    fake->takes++;
    return APP_OK;
}

static void fake_give(void *ctx)
{
    fake_lock_t *fake = ctx;
    if (!fake->held) {
        fake->unbalanced_gives++;
        return;
    }
    fake->held = false;
    fake->gives++;
}

const resource_lock_port_t fake_lock_port = {
    .take = fake_take,
    .give = fake_give,
};

void fake_lock_init(fake_lock_t *fake)
{
    memset(fake, 0, sizeof(*fake));
}

void fake_lock_set_busy(fake_lock_t *fake, bool busy)
{
    fake->busy = busy;
}

void fake_lock_fail_next(fake_lock_t *fake, unsigned count)
{
    fake->pass_first = 0;
    fake->fail_next = count;
}

void fake_lock_fail_after(fake_lock_t *fake, unsigned passes, unsigned failures)
{
    fake->pass_first = passes;
    fake->fail_next = failures;
}
