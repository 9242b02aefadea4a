/*
 * sim_executor: see sim_executor.h.
 */
#include "sim_executor.h"

#include <stdio.h>
#include <string.h>

const executor_port_t sim_executor_port = {
    .start = sim_executor_start,
    .post = sim_executor_post,
};

bool sim_executor_init(sim_executor_t *executor)
{
    if (executor == NULL) {
        return false;
    }
    memset(executor, 0, sizeof(*executor));
    app_event_backlog_init(&executor->backlog);
    if (pthread_mutex_init(&executor->mutex, NULL) != 0) {
        return false;
    }
    if (pthread_cond_init(&executor->not_empty, NULL) != 0) {
        (void)pthread_mutex_destroy(&executor->mutex);
        return false;
    }
    if (pthread_cond_init(&executor->not_full, NULL) != 0) {
        (void)pthread_cond_destroy(&executor->not_empty);
        (void)pthread_mutex_destroy(&executor->mutex);
        return false;
    }
    return true;
}

/* The next event, the mutex held and something waiting: the ring first (whatever it holds was posted
 * before anything in the backlog), then the backlog. Reports the end of an overflow burst in *burst. */
static app_event_t take_locked(sim_executor_t *executor, bool *burst_over, app_event_backlog_stats_t *burst)
{
    app_event_t event;
    if (executor->count > 0) {
        event = executor->ring[executor->head];
        executor->head = (executor->head + 1) % SIM_EXECUTOR_QUEUE_LEN;
        executor->count--;
    } else {
        (void)app_event_backlog_take(&executor->backlog, &event);
    }
    *burst_over = app_event_backlog_burst_report(&executor->backlog, burst);
    (void)pthread_cond_signal(&executor->not_full);
    return event;
}

static void *executor_thread(void *arg)
{
    sim_executor_t *executor = arg;
    for (;;) {
        bool burst_over = false;
        app_event_backlog_stats_t burst;
        (void)pthread_mutex_lock(&executor->mutex);
        /* Posts add under this mutex and signal: no wakeup can fall between the check and the wait. */
        while (executor->count == 0 && app_event_backlog_count(&executor->backlog) == 0) {
            (void)pthread_cond_wait(&executor->not_empty, &executor->mutex);
        }
        app_event_t event = take_locked(executor, &burst_over, &burst);
        (void)pthread_mutex_unlock(&executor->mutex);

        if (burst_over) {
            (void)fprintf(
                stderr,
                "irrigation-sim: executor: application queue was full: %u events went to the backlog "
                "(%u replaced an older copy), %u lost\n",
                (unsigned)burst.accepted, (unsigned)burst.coalesced, (unsigned)burst.lost);
        }
        /* The handler runs outside the mutex: it may post follow-up events itself. */
        executor->handler(&event, executor->user_arg);
        if (event.kind == APP_EVENT_STOP) {
            (void)pthread_mutex_lock(&executor->mutex);
            executor->finished = true;
            (void)pthread_mutex_unlock(&executor->mutex);
            return NULL;
        }
    }
}

app_err_t sim_executor_start(void *ctx, app_event_handler_fn handler, void *user_arg)
{
    sim_executor_t *executor = ctx;
    if (executor == NULL || handler == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    (void)pthread_mutex_lock(&executor->mutex);
    if (executor->started) {
        (void)pthread_mutex_unlock(&executor->mutex);
        return APP_ERR_INVALID_ARG;
    }
    executor->handler = handler;
    executor->user_arg = user_arg;
    int rc = pthread_create(&executor->thread, NULL, executor_thread, executor);
    executor->started = rc == 0;
    (void)pthread_mutex_unlock(&executor->mutex);
    return rc == 0 ? APP_OK : APP_ERR_PLATFORM;
}

/* Caller holds the mutex. The ring while it has room and nothing waits in the backlog, else the backlog;
 * false when the backlog refuses (counted there as lost). */
static bool enqueue_locked(sim_executor_t *executor, const app_event_t *event)
{
    if (executor->count < SIM_EXECUTOR_QUEUE_LEN && app_event_backlog_count(&executor->backlog) == 0) {
        size_t tail = (executor->head + executor->count) % SIM_EXECUTOR_QUEUE_LEN;
        executor->ring[tail] = *event;
        executor->count++;
    } else if (!app_event_backlog_add(&executor->backlog, event)) {
        return false;
    }
    if (event->kind == APP_EVENT_STOP) {
        executor->stopping = true;
    }
    (void)pthread_cond_signal(&executor->not_empty);
    return true;
}

bool sim_executor_post(void *ctx, const app_event_t *event)
{
    sim_executor_t *executor = ctx;
    if (executor == NULL || event == NULL) {
        return false;
    }
    bool posted = false;
    (void)pthread_mutex_lock(&executor->mutex);
    if (!executor->stopping) {
        posted = enqueue_locked(executor, event);
    }
    (void)pthread_mutex_unlock(&executor->mutex);
    return posted;
}

void sim_executor_stop(sim_executor_t *executor)
{
    if (executor == NULL) {
        return;
    }
    (void)pthread_mutex_lock(&executor->mutex);
    if (!executor->started) {
        executor->stopping = true;
        (void)pthread_mutex_unlock(&executor->mutex);
        return;
    }
    if (!executor->stopping) {
        /* STOP is a key of its own, not yet stored (stopping is false): it fits once the backlog has room. */
        while (app_event_backlog_count(&executor->backlog) == APP_EVENT_BACKLOG_SIZE) {
            (void)pthread_cond_wait(&executor->not_full, &executor->mutex);
        }
        app_event_t stop;
        memset(&stop, 0, sizeof(stop));
        stop.kind = APP_EVENT_STOP;
        (void)enqueue_locked(executor, &stop);
    }
    bool join = executor->started;
    executor->started = false;
    (void)pthread_mutex_unlock(&executor->mutex);
    if (join) {
        (void)pthread_join(executor->thread, NULL);
    }
}

app_event_backlog_stats_t sim_executor_stats(sim_executor_t *executor)
{
    (void)pthread_mutex_lock(&executor->mutex);
    app_event_backlog_stats_t stats = app_event_backlog_stats(&executor->backlog);
    (void)pthread_mutex_unlock(&executor->mutex);
    return stats;
}

unsigned long sim_executor_dropped(sim_executor_t *executor)
{
    return sim_executor_stats(executor).lost;
}

void sim_executor_deinit(sim_executor_t *executor)
{
    if (executor == NULL) {
        return;
    }
    sim_executor_stop(executor);
    (void)pthread_cond_destroy(&executor->not_full);
    (void)pthread_cond_destroy(&executor->not_empty);
    (void)pthread_mutex_destroy(&executor->mutex);
}
