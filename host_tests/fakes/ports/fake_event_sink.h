/*
 * fake_event_sink: in-memory event_sink_port. Records every domain event and notice (level + message) in
 * order, with lookup helpers for assertions.
 */
#ifndef FAKE_EVENT_SINK_H
#define FAKE_EVENT_SINK_H

#include <stdbool.h>
#include <stddef.h>

#include "application/ports/event_sink_port.h"

#define FAKE_EVENT_SINK_MAX_EVENTS  256
#define FAKE_EVENT_SINK_MAX_NOTICES 128
#define FAKE_EVENT_SINK_NOTICE_LEN  255

typedef struct {
    app_notice_level_t level;
    char message[FAKE_EVENT_SINK_NOTICE_LEN + 1];
} fake_notice_t;

typedef struct {
    domain_event_t events[FAKE_EVENT_SINK_MAX_EVENTS];
    size_t event_count; /* recorded (at most FAKE_EVENT_SINK_MAX_EVENTS) */
    fake_notice_t notices[FAKE_EVENT_SINK_MAX_NOTICES];
    size_t notice_count;
} fake_event_sink_t;

extern const event_sink_port_t fake_event_sink_port;

void fake_event_sink_init(fake_event_sink_t *fake);
/* Forgets everything recorded so far. */
void fake_event_sink_clear(fake_event_sink_t *fake);
size_t fake_event_sink_count(const fake_event_sink_t *fake, domain_event_kind_t kind);
/* The n-th (0-based) recorded event of kind, or NULL. */
const domain_event_t *fake_event_sink_nth(const fake_event_sink_t *fake, domain_event_kind_t kind, size_t n);
/* The last recorded event of kind, or NULL. */
const domain_event_t *fake_event_sink_last(const fake_event_sink_t *fake, domain_event_kind_t kind);
/* The first notice whose message contains text (any level), or NULL. */
const fake_notice_t *fake_event_sink_find_notice(const fake_event_sink_t *fake, const char *text);
size_t fake_event_sink_notice_count(const fake_event_sink_t *fake, app_notice_level_t level);

#endif
