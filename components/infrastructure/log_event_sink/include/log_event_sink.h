/*
 * log_event_sink: the event_sink_port_t on ESP_LOG, for the firmware's serial console.
 *
 * One TAG (LOG_EVENT_SINK_TAG) and one line per domain event or notice, so the console reads as the
 * device's story ("state connecting -> registering", "retry in 30000 ms ..."). Levels: a registration
 * failure is a warning, other domain events are info; notices keep their own level. The line is built by
 * log_event_sink_format() into a stack buffer (no heap) and cut to LOG_EVENT_SINK_LINE_MAX - 1 bytes.
 *
 * Called from the application task and, for notices, from HTTP handlers: ESP_LOG serialises its output
 * itself and does not block for long. The ctx argument is unused (pass NULL). Never given secrets: the
 * application does not put any into events or notices.
 */
#ifndef LOG_EVENT_SINK_H
#define LOG_EVENT_SINK_H

#include <stddef.h>

#include "application/ports/event_sink_port.h"
#include "domain/domain_events.h"

#define LOG_EVENT_SINK_TAG      "irrigation"
#define LOG_EVENT_SINK_LINE_MAX 160

extern const event_sink_port_t log_event_sink_port;

/*
 * Writes the one-line text of event into buf (always NUL-terminated when buf_size > 0; cut when too long)
 * and returns the length it wanted, as snprintf does. Forms:
 *   state <old> -> <new>
 *   connect attempt <n>
 *   retry in <ms> ms (consecutive failures: <n>)
 *   registered: msg_id <id>, ip <a.b.c.d>
 *   registration failed: <reason> (<domain status text> | code <n>)
 */
int log_event_sink_format(const domain_event_t *event, char *buf, size_t buf_size);

#endif /* LOG_EVENT_SINK_H */
