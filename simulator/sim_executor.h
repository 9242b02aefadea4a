/*
 * sim_executor: the executor port on Linux, one application thread fed by a bounded ring queue with a
 * backlog behind it (the same rules as the firmware's executor, freertos_adapter.h).
 *
 * post() may be called from any thread (Paho callbacks, the timer thread, microhttpd, the control reader,
 * main): it copies the event under the mutex and never waits for space. While the ring is full, or the
 * backlog holds anything, the event goes to the backlog (app_event_backlog.h: a repeated key replaces its
 * older copy, latest wins), so nothing posted later overtakes what waits there. post() returns false only
 * when the backlog refuses a new key (counted as lost), or once the executor has stopped. The thread
 * handles the ring first and the backlog whenever the ring is empty, one event at a time, and prints one
 * warning line to stderr per overflow burst once the backlog has drained; after it has handled
 * APP_EVENT_STOP it ends. Storage is the caller's (static or in main's frame): no heap.
 */
#ifndef SIM_EXECUTOR_H
#define SIM_EXECUTOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "application/app_event_backlog.h"
#include "application/ports/executor_port.h"

#define SIM_EXECUTOR_QUEUE_LEN 32

typedef struct {
    pthread_mutex_t mutex;
    pthread_cond_t not_empty;
    pthread_cond_t not_full; /* signalled on every take; only sim_executor_stop() waits on it */
    app_event_t ring[SIM_EXECUTOR_QUEUE_LEN];
    size_t head;                 /* next to take */
    size_t count;                /* events waiting in the ring */
    app_event_backlog_t backlog; /* events posted while the ring was full, and after them */
    bool started;
    bool stopping; /* STOP accepted: later posts are refused */
    bool finished; /* the thread has handled STOP */
    app_event_handler_fn handler;
    void *user_arg;
    pthread_t thread;
} sim_executor_t;

extern const executor_port_t sim_executor_port;

bool sim_executor_init(sim_executor_t *executor);
/* Joins the thread when it was started (post APP_EVENT_STOP first), then frees the primitives. */
void sim_executor_deinit(sim_executor_t *executor);

/* Port functions (ctx = sim_executor_t *). start: APP_ERR_PLATFORM when the thread cannot be created. */
app_err_t sim_executor_start(void *ctx, app_event_handler_fn handler, void *user_arg);
bool sim_executor_post(void *ctx, const app_event_t *event);

/* Posts APP_EVENT_STOP (waiting for room if the backlog is full: shutdown must not be lost) and joins. */
void sim_executor_stop(sim_executor_t *executor);

/* Events that went through the backlog: accepted, coalesced, lost (post() returned false). */
app_event_backlog_stats_t sim_executor_stats(sim_executor_t *executor);
/* Posts refused because ring and backlog were full (the stats' lost). */
unsigned long sim_executor_dropped(sim_executor_t *executor);

#endif /* SIM_EXECUTOR_H */
