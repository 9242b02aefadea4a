/*
 * event_scenarios: app_event_t builders for tests, and the overflow scenarios that the backlog and every
 * executor (FreeRTOS, simulator) must pass alike: what is posted beyond a full queue, and what the
 * application must then be handed, in order.
 */
#ifndef EVENT_SCENARIOS_H
#define EVENT_SCENARIOS_H

#include <stddef.h>
#include <stdint.h>

#include "application/app_event.h"

/* Every field zero but the ones named. */
app_event_t event_scenarios_event(app_event_kind_t kind);
app_event_t event_scenarios_with_code(app_event_kind_t kind, int32_t code);
app_event_t event_scenarios_published(int32_t msg_id);
app_event_t event_scenarios_timer_fired(app_timer_id_t timer, uint32_t token);

typedef struct {
    const app_event_t *posts; /* in posting order */
    size_t post_count;
    const app_event_t *handled; /* what the application must see, in order */
    size_t handled_count;
    uint32_t coalesced; /* posts replaced by a later one of the same key */
} event_scenarios_t;

/* DISCONNECTED, PUBLISHED(7), TIMER_FIRED, CONNECTED: every outcome handled, in the order posted. */
event_scenarios_t event_scenarios_outcomes(void);
/* CONNECTED, DISCONNECTED, TIMER_FIRED and repeats of each: the latest value of each key, in the position
 * of its last post. */
event_scenarios_t event_scenarios_latest_wins(void);

/* cmocka assertions: seen[0..handled_count) are the scenario's handled events (kind, timer, msg_id, code,
 * token). */
void event_scenarios_assert_handled(const event_scenarios_t *scenario, const app_event_t *seen);

#endif
