/* event_recorder: see the header. */
#include "event_recorder.h"

static app_err_t event_recorder_start(void *ctx, app_event_handler_fn handler, void *user_arg)
{
    (void)ctx;
    (void)handler;
    (void)user_arg;
    return APP_OK;
}

static bool event_recorder_post(void *ctx, const app_event_t *event)
{
    event_recorder_t *recorder = ctx;
    /* 0 ticks, as the firmware's executor: the MQTT task never waits for the test. */
    return xQueueSend(recorder->queue, event, 0) == pdTRUE;
}

const executor_port_t event_recorder_port = {
    .start = event_recorder_start,
    .post = event_recorder_post,
};

bool event_recorder_init(event_recorder_t *recorder, uint32_t depth)
{
    recorder->queue = xQueueCreate(depth, sizeof(app_event_t));
    return recorder->queue != NULL;
}

bool event_recorder_next(event_recorder_t *recorder, uint32_t timeout_ms, app_event_t *out)
{
    return xQueueReceive(recorder->queue, out, pdMS_TO_TICKS(timeout_ms)) == pdTRUE;
}

void event_recorder_clear(event_recorder_t *recorder)
{
    xQueueReset(recorder->queue);
}
