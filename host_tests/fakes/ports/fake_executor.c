#include "fake_executor.h"

#include <string.h>

static app_err_t fake_start(void *ctx, app_event_handler_fn handler, void *user_arg)
{
    fake_executor_t *fake = ctx;
    fake->start_calls++;
    app_err_t result = fake_script_next(&fake->start_results);
    if (result == APP_OK) {
        fake->handler = handler;
        fake->user_arg = user_arg;
    }
    return result;
}

static bool fake_post(void *ctx, const app_event_t *event)
{
    fake_executor_t *fake = ctx;
    if (fake->refuse_posts || fake->count >= FAKE_EXECUTOR_QUEUE_MAX) {
        fake->refused++;
        return false;
    }
    fake->queue[(fake->head + fake->count) % FAKE_EXECUTOR_QUEUE_MAX] = *event;
    fake->count++;
    fake->posts++;
    return true;
}

const executor_port_t fake_executor_port = {
    .start = fake_start,
    .post = fake_post,
};

void fake_executor_init(fake_executor_t *fake)
{
    memset(fake, 0, sizeof(*fake));
    fake_script_init(&fake->start_results);
}

bool fake_executor_post(fake_executor_t *fake, const app_event_t *event)
{
    return fake_executor_port.post(fake, event);
}

bool fake_executor_post_kind(fake_executor_t *fake, app_event_kind_t kind)
{
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = kind;
    return fake_post(fake, &event);
}

bool fake_executor_run_one(fake_executor_t *fake)
{
    if (fake->count == 0 || fake->handler == NULL) {
        return false;
    }
    app_event_t event = fake->queue[fake->head];
    fake->head = (fake->head + 1) % FAKE_EXECUTOR_QUEUE_MAX;
    fake->count--;
    fake->handled++;
    fake->handler(&event, fake->user_arg);
    return true;
}

size_t fake_executor_run_all(fake_executor_t *fake)
{
    size_t ran = 0;
    while (fake_executor_run_one(fake)) {
        ran++;
    }
    return ran;
}
