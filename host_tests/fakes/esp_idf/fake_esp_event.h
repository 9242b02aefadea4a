/*
 * Control functions of the esp_event fake: reset between tests, deliver an event to the registered
 * handlers (what the default loop's task does), count registrations.
 */
#ifndef FAKE_ESP_EVENT_CONTROL_H
#define FAKE_ESP_EVENT_CONTROL_H

#include <stddef.h>

#include "esp_event.h"

#define FAKE_ESP_EVENT_MAX_HANDLERS 16

/* Forgets every handler and the default loop. */
void fake_esp_event_reset(void);

/* Calls every handler registered for (base, id) (or ANY_ID / ANY_BASE), in registration order.
 * Returns how many were called. */
size_t fake_esp_event_dispatch(esp_event_base_t base, int32_t id, void *data);

/* Number of registered handlers that would receive (base, id). */
size_t fake_esp_event_handler_count(esp_event_base_t base, int32_t id);

/* True after esp_event_loop_create_default() succeeded (and no delete since). */
int fake_esp_event_default_loop_created(void);

#endif /* FAKE_ESP_EVENT_CONTROL_H */
