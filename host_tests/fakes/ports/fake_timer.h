/*
 * fake_timer: in-memory timer_port with a clock the test sets. Records every arm_once (delay, token) and
 * cancel; one timer, re-armed by each arm_once as the port says. fake_timer_expire() advances the clock to
 * the armed expiry and posts APP_EVENT_RETRY_TIMER_FIRED with the armed token through the attached
 * executor, as the real adapter does from its timer context. random_u32 returns scripted values (then the
 * fallback, 0 by default).
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
    uint64_t now_ms;
    bool armed;
    fake_timer_arm_t current;
    unsigned arm_calls;
    fake_timer_arm_t arms[FAKE_TIMER_MAX_ARMS]; /* the first FAKE_TIMER_MAX_ARMS calls */
    fake_script_t arm_results;
    unsigned cancel_calls;
    fake_script_t cancel_results;
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
/* Fires the armed timer: false when none is armed. */
bool fake_timer_expire(fake_timer_t *fake);
/* Values random_u32 returns next, in order. */
void fake_timer_script_random(fake_timer_t *fake, const uint32_t *values, size_t count);

#endif
