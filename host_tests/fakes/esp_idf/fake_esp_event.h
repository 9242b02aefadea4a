/*
 * Control functions of the esp_event fake: reset between tests, deliver an event to the registered
 * handlers (what the default loop's task does), count registrations.
 */
#ifndef FAKE_ESP_EVENT_CONTROL_H
#define FAKE_ESP_EVENT_CONTROL_H

#include <stddef.h>

#include "esp_event.h"

#define FAKE_ESP_EVENT_MAX_HANDLERS 16
#define FAKE_ESP_EVENT_QUEUE_MAX    8
#define FAKE_ESP_EVENT_DATA_MAX     64

/* Forgets every handler and the default loop. */
void fake_esp_event_reset(void);

/* Calls every handler registered for (base, id) (or ANY_ID / ANY_BASE), in registration order.
 * Returns how many were called. */
size_t fake_esp_event_dispatch(esp_event_base_t base, int32_t id, void *data);

/* Number of registered handlers that would receive (base, id). */
size_t fake_esp_event_handler_count(esp_event_base_t base, int32_t id);

/* True after esp_event_loop_create_default() succeeded (and no delete since). */
int fake_esp_event_default_loop_created(void);

/* esp_event_post: events waiting in the default loop's queue; running them dispatches each, in order, as
 * the event-loop task would (returns how many ran, including ones posted meanwhile). */
size_t fake_esp_event_posted_count(void);
size_t fake_esp_event_run_posted(void);
/* The ticks_to_wait of the last esp_event_post call. */
TickType_t fake_esp_event_last_post_ticks(void);
/* esp_event_post returns err next time without queueing (e.g. ESP_ERR_TIMEOUT: the queue is full). */
void fake_esp_event_fail_next_post(esp_err_t err);

#endif /* FAKE_ESP_EVENT_CONTROL_H */
