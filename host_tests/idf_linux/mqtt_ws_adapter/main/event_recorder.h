/*
 * event_recorder: the executor port as the test app needs it. The adapter under test posts its app events
 * here (from the ESP-MQTT task, without blocking, like the firmware's executor); the test case reads them
 * back in order on its own task, with a timeout, and asserts on the sequence.
 */
#ifndef EVENT_RECORDER_H
#define EVENT_RECORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "application/ports/executor_port.h"
#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"

typedef struct {
    QueueHandle_t queue;
} event_recorder_t;

/* The port; ctx is an event_recorder_t. start() is accepted and does nothing (no handler task here). */
extern const executor_port_t event_recorder_port;

/* A queue of `depth` events. False when FreeRTOS could not create it. */
bool event_recorder_init(event_recorder_t *recorder, uint32_t depth);

/* The next posted event, waiting up to timeout_ms; false when none came. */
bool event_recorder_next(event_recorder_t *recorder, uint32_t timeout_ms, app_event_t *out);

/* Drops every event already posted (between test phases). */
void event_recorder_clear(event_recorder_t *recorder);

#endif /* EVENT_RECORDER_H */
