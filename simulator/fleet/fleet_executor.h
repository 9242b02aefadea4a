/*
 * fleet_executor: the executor port for many devices in one process: a few worker threads shared by every
 * device, each device with its own bounded event queue.
 *
 * Each device's queue is one executor port context (fleet_executor_queue_t). post() copies the event into
 * that device's ring and, when the device is idle, appends the device to the pool's run list; it never
 * waits (false when the ring is full or the device has stopped). A worker takes the first device of the
 * run list, handles ONE event of it and puts the device back at the end of the list when it has more, so
 * a device's events run one at a time and in the order posted (never two of one device at once, which is
 * what the application task guarantees on the firmware), and a busy device cannot starve the others.
 * After a device has handled APP_EVENT_STOP it is finished: later posts are refused.
 *
 * One mutex guards the pool and every queue: events are few (a device handles a dozen at start-up) and the
 * handlers run outside it. Storage is the caller's (the queues live in the fleet's device array).
 */
#ifndef FLEET_EXECUTOR_H
#define FLEET_EXECUTOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "application/ports/executor_port.h"

#define FLEET_EXECUTOR_QUEUE_LEN   32
#define FLEET_EXECUTOR_MAX_WORKERS 64

struct fleet_executor_pool;

typedef struct fleet_executor_queue {
    struct fleet_executor_pool *pool;
    struct fleet_executor_queue *next; /* in the run list */
    app_event_t ring[FLEET_EXECUTOR_QUEUE_LEN];
    size_t head;  /* next to take */
    size_t count; /* events waiting */
    bool started;
    bool stopping;  /* STOP accepted: later posts are refused */
    bool finished;  /* STOP handled */
    bool scheduled; /* in the run list, or a worker is handling one of its events */
    app_event_handler_fn handler;
    void *user_arg;
    unsigned long dropped; /* posts refused because the ring was full */
} fleet_executor_queue_t;

typedef struct fleet_executor_pool {
    pthread_mutex_t mutex;
    pthread_cond_t ready;   /* the run list got a device, or the workers must end */
    pthread_cond_t changed; /* a device finished or made room in its ring */
    fleet_executor_queue_t *run_head;
    fleet_executor_queue_t *run_tail;
    size_t unfinished; /* started devices that have not handled STOP yet */
    bool stop;
    size_t workers;
    pthread_t threads[FLEET_EXECUTOR_MAX_WORKERS];
} fleet_executor_pool_t;

extern const executor_port_t fleet_executor_port;

/* Starts `workers` threads (1..FLEET_EXECUTOR_MAX_WORKERS). False when a thread or a primitive cannot be
 * created (then nothing runs). */
bool fleet_executor_pool_start(fleet_executor_pool_t *pool, size_t workers);
/* Ends and joins the workers; events still queued are not handled. Call fleet_executor_pool_wait_finished()
 * first for a clean stop. Idempotent. */
void fleet_executor_pool_stop(fleet_executor_pool_t *pool);

/* A device's queue on the pool; it serves as executor port context. */
void fleet_executor_queue_init(fleet_executor_queue_t *queue, fleet_executor_pool_t *pool);

/* Port functions (ctx = fleet_executor_queue_t *). start: APP_ERR_INVALID_ARG when already started. */
app_err_t fleet_executor_start(void *ctx, app_event_handler_fn handler, void *user_arg);
bool fleet_executor_post(void *ctx, const app_event_t *event);

/* Posts APP_EVENT_STOP to the device, waiting for room if its ring is full (shutdown must not be lost); does
 * not wait for it to be handled. A device never started counts as finished. Not from a worker. */
void fleet_executor_queue_stop(fleet_executor_queue_t *queue);
/* Waits until every started device has handled its STOP. */
void fleet_executor_pool_wait_finished(fleet_executor_pool_t *pool);

/* Posts refused because the device's ring was full. */
unsigned long fleet_executor_queue_dropped(fleet_executor_queue_t *queue);

#endif /* FLEET_EXECUTOR_H */
