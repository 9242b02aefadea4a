/*
 * executor_port: the application task (FreeRTOS queue + task, statically allocated, on the ESP32; a
 * thread + bounded queue on Linux).
 *
 * start() begins calling handler(event, user_arg) on the application task, one event at a time, in the
 * order posted. post() may be called from any context (adapter callbacks, timers, other tasks), copies the
 * event and never blocks; an event that finds the queue full waits in the executor's backlog
 * (app_event_backlog.h: the latest value per key wins, in the order of the latest post), so no outcome the
 * state machines need is lost to a burst. false only when that backlog is full too (the caller logs it).
 */
#ifndef APPLICATION_PORTS_EXECUTOR_PORT_H
#define APPLICATION_PORTS_EXECUTOR_PORT_H

#include <stdbool.h>

#include "application/app_event.h"
#include "application/app_status.h"

typedef void (*app_event_handler_fn)(const app_event_t *event, void *user_arg);

typedef struct executor_port {
    app_err_t (*start)(void *ctx, app_event_handler_fn handler, void *user_arg);
    bool (*post)(void *ctx, const app_event_t *event);
} executor_port_t;

#endif
