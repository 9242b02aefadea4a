/*
 * app_event_backlog: where an executor keeps the events posted while its queue is full, so that no outcome
 * the state machine waits for (connected, disconnected, published, network up/down, a timer) is lost.
 *
 * A fixed-size ordered store of app_event_t (no heap, no lock: the executor guards it with its own lock and
 * calls it from any task). The rules:
 *   - Key of an event: its kind, plus `timer` for APP_EVENT_TIMER_FIRED, plus `msg_id` for
 *     APP_EVENT_MQTT_PUBLISHED and APP_EVENT_MQTT_DELETED. Every other field (ip, code, token, flag,
 *     error_kind) is a value, not part of the key.
 *   - add() of an event whose key is already stored removes the older copy and appends the new one at the
 *     end: the latest value wins, in the position of the latest post. The application still sees a valid
 *     order ending in the final state: CONNECTED, DISCONNECTED, CONNECTED is kept as DISCONNECTED,
 *     CONNECTED. Kinds added to app_event_kind_t later are keyed by kind alone until they say otherwise.
 *   - It holds APP_EVENT_BACKLOG_SIZE entries: one of every kind, one per timer and a few message ids. An
 *     event with a new key when full is refused (add() returns false) and counted as lost.
 *   - take() removes and returns the oldest entry.
 * The counters (accepted, coalesced, lost) run from init() and survive clear(). burst_report() tells the
 * executor, once the backlog has drained, what happened since the previous report, so that it logs one line
 * per overflow burst instead of one per event.
 */
#ifndef APPLICATION_APP_EVENT_BACKLOG_H
#define APPLICATION_APP_EVENT_BACKLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "application/app_event.h"

/* Message ids that can wait at the same time (PUBLISHED / DELETED), beyond one entry of every kind. */
#define APP_EVENT_BACKLOG_MSG_IDS 6
/* One entry of every kind, one more per extra timer, and the extra message ids (23 entries for 16 kinds). */
#define APP_EVENT_BACKLOG_SIZE \
    ((size_t)APP_EVENT_COUNT + ((size_t)APP_TIMER_COUNT - 1u) + APP_EVENT_BACKLOG_MSG_IDS)

typedef struct {
    uint32_t accepted;  /* add() calls that stored their event (appended or replacing) */
    uint32_t coalesced; /* older copies removed because a newer event had the same key */
    uint32_t lost;      /* add() calls refused because the backlog was full */
} app_event_backlog_stats_t;

typedef struct {
    app_event_t entries[APP_EVENT_BACKLOG_SIZE]; /* oldest first */
    size_t count;
    app_event_backlog_stats_t totals;
    app_event_backlog_stats_t reported; /* totals at the last burst_report() that returned true */
} app_event_backlog_t;

/* Empty, counters zero. */
void app_event_backlog_init(app_event_backlog_t *backlog);

/* Stores a copy of event by the rules above. False (and lost counted) only when the key is new and the
 * backlog is full. */
bool app_event_backlog_add(app_event_backlog_t *backlog, const app_event_t *event);

/* Copies the oldest entry to *event and removes it; false when empty. */
bool app_event_backlog_take(app_event_backlog_t *backlog, app_event_t *event);

size_t app_event_backlog_count(const app_event_backlog_t *backlog);

/* Drops every entry (not counted as lost); counters unchanged. */
void app_event_backlog_clear(app_event_backlog_t *backlog);

/* Totals since init(). */
app_event_backlog_stats_t app_event_backlog_stats(const app_event_backlog_t *backlog);

/* True once per burst: when the backlog is empty and anything was accepted or lost since the last report;
 * *burst gets those differences. False while entries wait (the burst is still going) or nothing new
 * happened. */
bool app_event_backlog_burst_report(app_event_backlog_t *backlog, app_event_backlog_stats_t *burst);

#endif /* APPLICATION_APP_EVENT_BACKLOG_H */
