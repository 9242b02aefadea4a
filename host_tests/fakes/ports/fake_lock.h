/*
 * fake_lock: in-memory resource_lock_port (single-threaded). take() times out while the test says the lock
 * is busy (fake_lock_set_busy) or for the next N takes (fake_lock_fail_next, fake_lock_fail_after); otherwise
 * it marks the lock held. It counts misuse a real mutex would punish: a take while held (deadlock on a
 * FreeRTOS mutex) and a give while free.
 */
#ifndef FAKE_LOCK_H
#define FAKE_LOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "application/ports/resource_lock_port.h"

typedef struct {
    bool busy;
    unsigned pass_first; /* takes that succeed before fail_next applies */
    unsigned fail_next;
    bool held;
    unsigned takes; /* successful takes */
    unsigned gives;
    unsigned timeouts;
    uint32_t last_timeout_ms; /* timeout of the last take() call */
    unsigned nested_takes;    /* take() while already held: a bug */
    unsigned unbalanced_gives;
} fake_lock_t;

extern const resource_lock_port_t fake_lock_port;

void fake_lock_init(fake_lock_t *fake);
void fake_lock_set_busy(fake_lock_t *fake, bool busy);
void fake_lock_fail_next(fake_lock_t *fake, unsigned count);
/* Lets the next `passes` takes succeed, then times out the `failures` after them. */
void fake_lock_fail_after(fake_lock_t *fake, unsigned passes, unsigned failures);

#endif
