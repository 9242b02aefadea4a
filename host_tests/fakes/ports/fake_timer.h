/*
 * fake_timer: in-memory timer_port with a clock the test sets. One slot per app_timer_id_t, each recording
 * every arm_once (delay, token) and cancel, re-armed by each arm_once as the port says.
 * fake_timer_expire(fake, id) advances the clock to that timer's armed expiry and posts
 * APP_EVENT_TIMER_FIRED with the id and armed token through the attached executor, as the real adapter does
 * from its timer context. random_u32 returns scripted values (then the fallback, 0 by default).
 */
#ifndef FAKE_TIMER_H
#define FAKE_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "application/ports/executor_port.h"
#include "application/ports/timer_port.h"
#include "fake_script.h"

#define FAKE_TIMER_MAX_ARMS    64
#define FAKE_TIMER_MAX_RANDOMS 16

typedef struct {
    uint32_t delay_ms;
    uint32_t token;
    uint64_t armed_at_ms;
} fake_timer_arm_t;

typedef struct {
    bool armed;
    fake_timer_arm_t current;
    unsigned arm_calls;
    fake_timer_arm_t arms[FAKE_TIMER_MAX_ARMS]; /* the first FAKE_TIMER_MAX_ARMS calls */
    fake_script_t arm_results;
    unsigned cancel_calls;
    fake_script_t cancel_results;
} fake_timer_slot_t;

typedef struct {
    uint64_t now_ms;
    fake_timer_slot_t timers[APP_TIMER_COUNT];
    uint32_t randoms[FAKE_TIMER_MAX_RANDOMS];
    size_t random_count;
    size_t random_next;
    uint32_t random_fallback;
    unsigned random_calls;
    const executor_port_t *executor;
    void *executor_ctx;
} fake_timer_t;

extern const timer_port_t fake_timer_port;

void fake_timer_init(fake_timer_t *fake);
/* Where fake_timer_expire() posts the expiry. */
void fake_timer_attach_executor(fake_timer_t *fake, const executor_port_t *executor, void *executor_ctx);
void fake_timer_set_now(fake_timer_t *fake, uint64_t now_ms);
void fake_timer_advance(fake_timer_t *fake, uint64_t ms);
/* Fires the armed timer id: false when it is not armed. */
bool fake_timer_expire(fake_timer_t *fake, app_timer_id_t id);
/* Values random_u32 returns next, in order. */
void fake_timer_script_random(fake_timer_t *fake, const uint32_t *values, size_t count);

#endif
