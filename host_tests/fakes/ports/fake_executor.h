/*
 * fake_executor: a synchronous executor_port for deterministic tests. post() copies the event into a
 * bounded FIFO (false when full, or while the test refuses posts); nothing runs until the test calls
 * fake_executor_run_one() / fake_executor_run_all(), which hand the events to the handler given to
 * start(), in order, on the test's thread. Events posted while running (e.g. by application_update_config
 * or a timer expiry) run in the same run_all.
 */
#ifndef FAKE_EXECUTOR_H
#define FAKE_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "application/ports/executor_port.h"
#include "fake_script.h"

#define FAKE_EXECUTOR_QUEUE_MAX 64

typedef struct {
    app_event_t queue[FAKE_EXECUTOR_QUEUE_MAX];
    size_t head;
    size_t count;
    bool refuse_posts; /* post() returns false: a full queue */
    unsigned posts;    /* accepted posts */
    unsigned refused;  /* refused posts */
    unsigned start_calls;
    fake_script_t start_results;
    app_event_handler_fn handler;
    void *user_arg;
    unsigned handled; /* events handed to the handler */
} fake_executor_t;

extern const executor_port_t fake_executor_port;

void fake_executor_init(fake_executor_t *fake);
/* Posts through the port, as an adapter would. */
bool fake_executor_post(fake_executor_t *fake, const app_event_t *event);
/* Shorthand: posts an event of kind with every other field zero. */
bool fake_executor_post_kind(fake_executor_t *fake, app_event_kind_t kind);
/* Runs the oldest queued event; false when none (or start() was not called). */
bool fake_executor_run_one(fake_executor_t *fake);
/* Runs queued events until the queue is empty; returns how many ran. */
size_t fake_executor_run_all(fake_executor_t *fake);

#endif
