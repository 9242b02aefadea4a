#include "fake_timer.h"

#include <string.h>

static app_err_t fake_arm_once(void *ctx, app_timer_id_t id, uint32_t delay_ms, uint32_t token)
{
    if ((unsigned)id >= (unsigned)APP_TIMER_COUNT) {
        return APP_ERR_INVALID_ARG;
    }
    fake_timer_slot_t *fake = &((fake_timer_t *)ctx)->timers[id];
    fake_timer_arm_t arm = {
        .delay_ms = delay_ms, .token = token, .armed_at_ms = ((fake_timer_t *)ctx)->now_ms};
    if (fake->arm_calls < FAKE_TIMER_MAX_ARMS) {
        fake->arms[fake->arm_calls] = arm;
    }
    fake->arm_calls++;
    app_err_t result = fake_script_next(&fake->arm_results);
    if (result == APP_OK) {
        fake->armed = true;
        fake->current = arm;
    }
    return result;
}

static app_err_t fake_cancel(void *ctx, app_timer_id_t id)
{
    if ((unsigned)id >= (unsigned)APP_TIMER_COUNT) {
        return APP_ERR_INVALID_ARG;
    }
    fake_timer_slot_t *fake = &((fake_timer_t *)ctx)->timers[id];
    fake->cancel_calls++;
    fake->armed = false;
    return fake_script_next(&fake->cancel_results);
}

static uint64_t fake_now_ms(void *ctx)
{
    fake_timer_t *fake = ctx;
    return fake->now_ms;
}

static uint32_t fake_random_u32(void *ctx)
{
    fake_timer_t *fake = ctx;
    fake->random_calls++;
    if (fake->random_next < fake->random_count) {
        return fake->randoms[fake->random_next++];
    }
    return fake->random_fallback;
}

const timer_port_t fake_timer_port = {
    .arm_once = fake_arm_once,
    .cancel = fake_cancel,
    .now_ms = fake_now_ms,
    .random_u32 = fake_random_u32,
};

void fake_timer_init(fake_timer_t *fake)
{
    memset(fake, 0, sizeof(*fake));
    for (int i = 0; i < APP_TIMER_COUNT; i++) {
        fake_script_init(&fake->timers[i].arm_results);
        fake_script_init(&fake->timers[i].cancel_results);
    }
}

void fake_timer_attach_executor(fake_timer_t *fake, const executor_port_t *executor, void *executor_ctx)
{
    fake->executor = executor;
    fake->executor_ctx = executor_ctx;
}

void fake_timer_set_now(fake_timer_t *fake, uint64_t now_ms)
{
    fake->now_ms = now_ms;
}

void fake_timer_advance(fake_timer_t *fake, uint64_t ms)
{
    fake->now_ms += ms;
}

bool fake_timer_expire(fake_timer_t *fake, app_timer_id_t id)
{
    if ((unsigned)id >= (unsigned)APP_TIMER_COUNT || !fake->timers[id].armed) {
        return false;
    }
    fake_timer_slot_t *slot = &fake->timers[id];
    slot->armed = false;
    uint64_t due = slot->current.armed_at_ms + slot->current.delay_ms;
    if (due > fake->now_ms) {
        fake->now_ms = due;
    }
    if (fake->executor != NULL) {
        app_event_t event;
        memset(&event, 0, sizeof(event));
        event.kind = APP_EVENT_TIMER_FIRED;
        event.timer = id;
        event.token = slot->current.token;
        (void)fake->executor->post(fake->executor_ctx, &event);
    }
    return true;
}

void fake_timer_script_random(fake_timer_t *fake, const uint32_t *values, size_t count)
{
    if (count > FAKE_TIMER_MAX_RANDOMS) {
        count = FAKE_TIMER_MAX_RANDOMS;
    }
    memcpy(fake->randoms, values, count * sizeof(values[0]));
    fake->random_count = count;
    fake->random_next = 0;
}
