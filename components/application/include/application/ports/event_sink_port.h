/*
 * event_sink_port: where the application reports what happened (ESP_LOG on the ESP32; JSON lines on the
 * simulator's standard output, which the end-to-end tests read).
 *
 * Called from the application task (and notices also from HTTP handlers). Must not block for long.
 */
#ifndef APPLICATION_PORTS_EVENT_SINK_PORT_H
#define APPLICATION_PORTS_EVENT_SINK_PORT_H

#include "domain/domain_events.h"

typedef enum {
    APP_NOTICE_INFO = 0,
    APP_NOTICE_WARNING,
    APP_NOTICE_ERROR,
} app_notice_level_t;

typedef struct event_sink_port {
    void (*on_domain_event)(void *ctx, const domain_event_t *event);
    /* A one-line human message (no secrets), e.g. a default used instead of an invalid stored name. */
    void (*on_notice)(void *ctx, app_notice_level_t level, const char *message);
} event_sink_port_t;

const char *app_notice_level_to_str(app_notice_level_t level);

#endif
