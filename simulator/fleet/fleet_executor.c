/*
 * fleet_executor: see fleet_executor.h.
 */
#include "fleet_executor.h"

#include <string.h>

const executor_port_t fleet_executor_port = {
    .start = fleet_executor_start,
    .post = fleet_executor_post,
};

/* Caller holds the mutex; the queue is not in the run list. */
static void schedule_locked(fleet_executor_pool_t *pool, fleet_executor_queue_t *queue)
{
    queue->scheduled = true;
    queue->next = NULL;
    if (pool->run_tail != NULL) {
        pool->run_tail->next = queue;
    } else {
        pool->run_head = queue;
    }
    pool->run_tail = queue;
    (void)pthread_cond_signal(&pool->ready);
}

static void *worker(void *arg)
{
    fleet_executor_pool_t *pool = arg;
    (void)pthread_mutex_lock(&pool->mutex);
    for (;;) {
        while (pool->run_head == NULL && !pool->stop) {
            (void)pthread_cond_wait(&pool->ready, &pool->mutex);
        }
        if (pool->stop) {
            break;
        }
        fleet_executor_queue_t *queue = pool->run_head;
        pool->run_head = queue->next;
        if (pool->run_head == NULL) {
            pool->run_tail = NULL;
        }
        app_event_t event = queue->ring[queue->head];
        queue->head = (queue->head + 1) % FLEET_EXECUTOR_QUEUE_LEN;
        queue->count--;
        (void)pthread_cond_broadcast(&pool->changed);
        (void)pthread_mutex_unlock(&pool->mutex);

        /* Outside the mutex: the handler posts follow-up events itself. The device stays "scheduled", so
         * no other worker takes it meanwhile. */
        queue->handler(&event, queue->user_arg);

        (void)pthread_mutex_lock(&pool->mutex);
        if (event.kind == APP_EVENT_STOP) {
            queue->finished = true;
            queue->scheduled = false;
            queue->count = 0; /* anything queued behind STOP is never handled */
            pool->unfinished--;
            (void)pthread_cond_broadcast(&pool->changed);
        } else if (queue->count > 0) {
            schedule_locked(pool, queue);
        } else {
            queue->scheduled = false;
        }
    }
    (void)pthread_mutex_unlock(&pool->mutex);
    return NULL;
}

bool fleet_executor_pool_start(fleet_executor_pool_t *pool, size_t workers)
{
    if (pool == NULL || workers == 0 || workers > FLEET_EXECUTOR_MAX_WORKERS) {
        return false;
    }
    memset(pool, 0, sizeof(*pool));
    if (pthread_mutex_init(&pool->mutex, NULL) != 0) {
        return false;
    }
    if (pthread_cond_init(&pool->ready, NULL) != 0) {
        (void)pthread_mutex_destroy(&pool->mutex);
        return false;
    }
    if (pthread_cond_init(&pool->changed, NULL) != 0) {
        (void)pthread_cond_destroy(&pool->ready);
        (void)pthread_mutex_destroy(&pool->mutex);
        return false;
    }
    for (size_t i = 0; i < workers; i++) {
        if (pthread_create(&pool->threads[i], NULL, worker, pool) != 0) {
            fleet_executor_pool_stop(pool);
            return false;
        }
        pool->workers++;
    }
    return true;
}

void fleet_executor_pool_stop(fleet_executor_pool_t *pool)
{
    if (pool == NULL || pool->workers == 0) {
        return;
    }
    (void)pthread_mutex_lock(&pool->mutex);
    pool->stop = true;
    (void)pthread_cond_broadcast(&pool->ready);
    (void)pthread_mutex_unlock(&pool->mutex);
    for (size_t i = 0; i < pool->workers; i++) {
        (void)pthread_join(pool->threads[i], NULL);
    }
    pool->workers = 0;
    (void)pthread_cond_destroy(&pool->changed);
    (void)pthread_cond_destroy(&pool->ready);
    (void)pthread_mutex_destroy(&pool->mutex);
}

void fleet_executor_queue_init(fleet_executor_queue_t *queue, fleet_executor_pool_t *pool)
{
    memset(queue, 0, sizeof(*queue));
    queue->pool = pool;
}

app_err_t fleet_executor_start(void *ctx, app_event_handler_fn handler, void *user_arg)
{
    fleet_executor_queue_t *queue = ctx;
    if (queue == NULL || queue->pool == NULL || handler == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    fleet_executor_pool_t *pool = queue->pool;
    app_err_t result = APP_OK;
    (void)pthread_mutex_lock(&pool->mutex);
    if (queue->started || queue->stopping) {
        result = APP_ERR_INVALID_ARG;
    } else {
        queue->handler = handler;
        queue->user_arg = user_arg;
        queue->started = true;
        pool->unfinished++;
        if (queue->count > 0) {
            schedule_locked(pool, queue); /* events posted before start wait for it */
        }
    }
    (void)pthread_mutex_unlock(&pool->mutex);
    return result;
}

/* Caller holds the mutex and has checked there is room. */
static void push_locked(fleet_executor_queue_t *queue, const app_event_t *event)
{
    size_t tail = (queue->head + queue->count) % FLEET_EXECUTOR_QUEUE_LEN;
    queue->ring[tail] = *event;
    queue->count++;
    if (event->kind == APP_EVENT_STOP) {
        queue->stopping = true;
    }
    if (queue->started && !queue->scheduled) {
        schedule_locked(queue->pool, queue);
    }
}

bool fleet_executor_post(void *ctx, const app_event_t *event)
{
    fleet_executor_queue_t *queue = ctx;
    if (queue == NULL || queue->pool == NULL || event == NULL) {
        return false;
    }
    fleet_executor_pool_t *pool = queue->pool;
    bool posted = false;
    (void)pthread_mutex_lock(&pool->mutex);
    if (!queue->stopping && queue->count < FLEET_EXECUTOR_QUEUE_LEN) {
        push_locked(queue, event);
        posted = true;
    } else if (!queue->stopping) {
        queue->dropped++;
    }
    (void)pthread_mutex_unlock(&pool->mutex);
    return posted;
}

void fleet_executor_queue_stop(fleet_executor_queue_t *queue)
{
    fleet_executor_pool_t *pool = queue->pool;
    (void)pthread_mutex_lock(&pool->mutex);
    if (!queue->started) {
        queue->stopping = true;
        queue->finished = true;
    } else if (!queue->stopping) {
        while (queue->count == FLEET_EXECUTOR_QUEUE_LEN) {
            (void)pthread_cond_wait(&pool->changed, &pool->mutex);
        }
        app_event_t stop;
        memset(&stop, 0, sizeof(stop));
        stop.kind = APP_EVENT_STOP;
        push_locked(queue, &stop);
    }
    (void)pthread_mutex_unlock(&pool->mutex);
}

void fleet_executor_pool_wait_finished(fleet_executor_pool_t *pool)
{
    (void)pthread_mutex_lock(&pool->mutex);
    while (pool->unfinished > 0) {
        (void)pthread_cond_wait(&pool->changed, &pool->mutex);
    }
    (void)pthread_mutex_unlock(&pool->mutex);
}

unsigned long fleet_executor_queue_dropped(fleet_executor_queue_t *queue)
{
    (void)pthread_mutex_lock(&queue->pool->mutex);
    unsigned long dropped = queue->dropped;
    (void)pthread_mutex_unlock(&queue->pool->mutex);
    return dropped;
}
