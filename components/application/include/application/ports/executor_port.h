/*
 * executor_port: the application task (FreeRTOS queue + task, statically allocated, on the ESP32; a
 * thread + bounded queue on Linux).
 *
 * start() begins calling handler(event, user_arg) on the application task, one event at a time, in the
 * order posted. post() may be called from any context (adapter callbacks, timers, other tasks), copies the
 * event and never blocks: false when the queue is full (the caller logs the loss).
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
