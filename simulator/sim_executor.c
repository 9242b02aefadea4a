/*
 * sim_executor: see sim_executor.h.
 */
#include "sim_executor.h"

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

static void *executor_thread(void *arg)
{
    sim_executor_t *executor = arg;
    for (;;) {
        (void)pthread_mutex_lock(&executor->mutex);
        while (executor->count == 0) {
            (void)pthread_cond_wait(&executor->not_empty, &executor->mutex);
        }
        app_event_t event = executor->ring[executor->head];
        executor->head = (executor->head + 1) % SIM_EXECUTOR_QUEUE_LEN;
        executor->count--;
        (void)pthread_cond_signal(&executor->not_full);
        (void)pthread_mutex_unlock(&executor->mutex);

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

/* Caller holds the mutex and has checked there is room. */
static void push_locked(sim_executor_t *executor, const app_event_t *event)
{
    size_t tail = (executor->head + executor->count) % SIM_EXECUTOR_QUEUE_LEN;
    executor->ring[tail] = *event;
    executor->count++;
    if (event->kind == APP_EVENT_STOP) {
        executor->stopping = true;
    }
    (void)pthread_cond_signal(&executor->not_empty);
}

bool sim_executor_post(void *ctx, const app_event_t *event)
{
    sim_executor_t *executor = ctx;
    if (executor == NULL || event == NULL) {
        return false;
    }
    bool posted = false;
    (void)pthread_mutex_lock(&executor->mutex);
    if (!executor->stopping && executor->count < SIM_EXECUTOR_QUEUE_LEN) {
        push_locked(executor, event);
        posted = true;
    } else if (!executor->stopping) {
        executor->dropped++;
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
        while (executor->count == SIM_EXECUTOR_QUEUE_LEN) {
            (void)pthread_cond_wait(&executor->not_full, &executor->mutex);
        }
        app_event_t stop;
        memset(&stop, 0, sizeof(stop));
        stop.kind = APP_EVENT_STOP;
        push_locked(executor, &stop);
    }
    bool join = executor->started;
    executor->started = false;
    (void)pthread_mutex_unlock(&executor->mutex);
    if (join) {
        (void)pthread_join(executor->thread, NULL);
    }
}

unsigned long sim_executor_dropped(sim_executor_t *executor)
{
    (void)pthread_mutex_lock(&executor->mutex);
    unsigned long dropped = executor->dropped;
    (void)pthread_mutex_unlock(&executor->mutex);
    return dropped;
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
