/*
 * fleet_timer: see fleet_timer.h.
 */
#include "fleet_timer.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

const timer_port_t fleet_timer_port = {
    .arm_once = fleet_timer_arm_once,
    .cancel = fleet_timer_cancel,
    .now_ms = fleet_timer_now_ms,
    .random_u32 = fleet_timer_random_u32,
};

static uint64_t elapsed_ms(const fleet_timer_t *timer)
{
    struct timespec now;
    (void)clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ns = ((int64_t)now.tv_sec - (int64_t)timer->start.tv_sec) * 1000000000 +
                 ((int64_t)now.tv_nsec - (int64_t)timer->start.tv_nsec);
    return ns > 0 ? (uint64_t)ns / 1000000u : 0;
}

static struct timespec absolute_deadline(const fleet_timer_t *timer, uint64_t deadline_ms)
{
    struct timespec at = timer->start;
    at.tv_sec += (time_t)(deadline_ms / 1000u);
    at.tv_nsec += (long)(deadline_ms % 1000u) * 1000000L;
    if (at.tv_nsec >= 1000000000L) {
        at.tv_sec++;
        at.tv_nsec -= 1000000000L;
    }
    return at;
}

/* ---- the heap (caller holds the mutex) ------------------------------------------------------------------
 */

static uint64_t deadline_of(const fleet_timer_entry_t *entry)
{
    return entry->slot->timers[entry->id].deadline_ms;
}

static void place(fleet_timer_t *timer, size_t index, fleet_timer_entry_t entry)
{
    timer->heap[index] = entry;
    entry.slot->timers[entry.id].heap_index = index;
}

static void sift_up(fleet_timer_t *timer, size_t index)
{
    fleet_timer_entry_t entry = timer->heap[index];
    while (index > 0) {
        size_t parent = (index - 1) / 2;
        if (deadline_of(&timer->heap[parent]) <= deadline_of(&entry)) {
            break;
        }
        place(timer, index, timer->heap[parent]);
        index = parent;
    }
    place(timer, index, entry);
}

static void sift_down(fleet_timer_t *timer, size_t index)
{
    fleet_timer_entry_t entry = timer->heap[index];
    for (;;) {
        size_t child = 2 * index + 1;
        if (child >= timer->count) {
            break;
        }
        if (child + 1 < timer->count &&
            deadline_of(&timer->heap[child + 1]) < deadline_of(&timer->heap[child])) {
            child++;
        }
        if (deadline_of(&entry) <= deadline_of(&timer->heap[child])) {
            break;
        }
        place(timer, index, timer->heap[child]);
        index = child;
    }
    place(timer, index, entry);
}

static void heap_remove(fleet_timer_t *timer, fleet_timer_slot_t *slot, app_timer_id_t id)
{
    size_t index = slot->timers[id].heap_index;
    slot->timers[id].heap_index = FLEET_TIMER_NOT_ARMED;
    timer->count--;
    if (index == timer->count) {
        return;
    }
    /* The last entry fills the hole, then moves down or up to where its deadline belongs. */
    fleet_timer_entry_t moved = timer->heap[timer->count];
    place(timer, index, moved);
    sift_down(timer, index);
    sift_up(timer, moved.slot->timers[moved.id].heap_index);
}

/* ---- the thread -----------------------------------------------------------------------------------------
 */

#define FLEET_TIMER_BATCH 64

static void *timer_thread(void *arg)
{
    fleet_timer_t *timer = arg;
    (void)pthread_mutex_lock(&timer->mutex);
    while (!timer->stop) {
        if (timer->count == 0) {
            (void)pthread_cond_wait(&timer->changed, &timer->mutex);
            continue;
        }
        uint64_t first = deadline_of(&timer->heap[0]);
        if (elapsed_ms(timer) < first) {
            struct timespec at = absolute_deadline(timer, first);
            /* Waits on CLOCK_MONOTONIC whatever the condition variable's clock: wall-clock jumps do not
             * move deadlines (glibc >= 2.30). */
            (void)pthread_cond_clockwait(&timer->changed, &timer->mutex, CLOCK_MONOTONIC, &at);
            continue; /* re-check: woken early by arm/cancel/stop, or the deadline passed */
        }
        /* Every timer due now, in deadline order, posted after the mutex is released. */
        struct {
            fleet_timer_slot_t *slot;
            app_event_t event;
        } due[FLEET_TIMER_BATCH];
        size_t n = 0;
        uint64_t now = elapsed_ms(timer);
        while (n < FLEET_TIMER_BATCH && timer->count > 0 && deadline_of(&timer->heap[0]) <= now) {
            fleet_timer_entry_t entry = timer->heap[0];
            heap_remove(timer, entry.slot, entry.id);
            due[n].slot = entry.slot;
            memset(&due[n].event, 0, sizeof(due[n].event));
            due[n].event.kind = APP_EVENT_TIMER_FIRED;
            due[n].event.timer = entry.id;
            due[n].event.token = entry.slot->timers[entry.id].token;
            n++;
        }
        (void)pthread_mutex_unlock(&timer->mutex);
        unsigned long posted = 0;
        for (size_t i = 0; i < n; i++) {
            posted += due[i].slot->executor->post(due[i].slot->executor_ctx, &due[i].event) ? 1u : 0u;
        }
        (void)pthread_mutex_lock(&timer->mutex);
        timer->fired += posted;
        timer->dropped += n - posted;
    }
    (void)pthread_mutex_unlock(&timer->mutex);
    return NULL;
}

/* ---- lifecycle ------------------------------------------------------------------------------------------
 */

bool fleet_timer_init(fleet_timer_t *timer, size_t slots)
{
    if (timer == NULL || slots == 0 || slots > SIZE_MAX / APP_TIMER_COUNT / sizeof(fleet_timer_entry_t)) {
        return false;
    }
    memset(timer, 0, sizeof(*timer));
    (void)clock_gettime(CLOCK_MONOTONIC, &timer->start);
    timer->capacity = slots * APP_TIMER_COUNT;
    timer->heap = calloc(timer->capacity, sizeof(fleet_timer_entry_t));
    if (timer->heap == NULL) {
        return false;
    }
    bool ok = pthread_mutex_init(&timer->mutex, NULL) == 0;
    if (ok && pthread_cond_init(&timer->changed, NULL) != 0) {
        (void)pthread_mutex_destroy(&timer->mutex);
        ok = false;
    }
    /* Running from the start: arming needs no thread, so nothing is lost before the devices exist. */
    timer->thread_running = ok && pthread_create(&timer->thread, NULL, timer_thread, timer) == 0;
    if (ok && !timer->thread_running) {
        (void)pthread_cond_destroy(&timer->changed);
        (void)pthread_mutex_destroy(&timer->mutex);
        ok = false;
    }
    if (!ok) {
        free(timer->heap);
        timer->heap = NULL;
    }
    return ok;
}

void fleet_timer_stop(fleet_timer_t *timer)
{
    if (timer == NULL || timer->heap == NULL) {
        return;
    }
    (void)pthread_mutex_lock(&timer->mutex);
    timer->stop = true;
    bool join = timer->thread_running;
    timer->thread_running = false;
    (void)pthread_cond_signal(&timer->changed);
    (void)pthread_mutex_unlock(&timer->mutex);
    if (join) {
        (void)pthread_join(timer->thread, NULL);
    }
}

void fleet_timer_deinit(fleet_timer_t *timer)
{
    if (timer == NULL || timer->heap == NULL) {
        return;
    }
    fleet_timer_stop(timer);
    (void)pthread_cond_destroy(&timer->changed);
    (void)pthread_mutex_destroy(&timer->mutex);
    free(timer->heap);
    timer->heap = NULL;
}

void fleet_timer_slot_init(fleet_timer_slot_t *slot, fleet_timer_t *timer, const executor_port_t *executor,
                           void *executor_ctx, uint64_t seed)
{
    memset(slot, 0, sizeof(*slot));
    slot->timer = timer;
    slot->executor = executor;
    slot->executor_ctx = executor_ctx;
    for (int id = 0; id < APP_TIMER_COUNT; id++) {
        slot->timers[id].heap_index = FLEET_TIMER_NOT_ARMED;
    }
    if (seed == 0 && getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed)) {
        /* No entropy source: distinct per slot is all retry jitter needs. */
        seed = (uint64_t)(uintptr_t)slot ^ ((uint64_t)timer->start.tv_nsec << 20);
    }
    atomic_init(&slot->rng_state, seed);
}

/* ---- port -----------------------------------------------------------------------------------------------
 */

uint64_t fleet_timer_uptime_ms(void *ctx)
{
    return ctx != NULL ? elapsed_ms(ctx) : 0;
}

app_err_t fleet_timer_arm_once(void *ctx, app_timer_id_t id, uint32_t delay_ms, uint32_t token)
{
    fleet_timer_slot_t *slot = ctx;
    if (slot == NULL || (unsigned)id >= (unsigned)APP_TIMER_COUNT) {
        return APP_ERR_INVALID_ARG;
    }
    fleet_timer_t *timer = slot->timer;
    app_err_t result = APP_OK;
    (void)pthread_mutex_lock(&timer->mutex);
    if (slot->timers[id].heap_index != FLEET_TIMER_NOT_ARMED) {
        heap_remove(timer, slot, id);
    }
    if (timer->count == timer->capacity) {
        result = APP_ERR_NO_MEMORY;
    } else {
        slot->timers[id].deadline_ms = elapsed_ms(timer) + delay_ms;
        slot->timers[id].token = token;
        timer->count++;
        place(timer, timer->count - 1, (fleet_timer_entry_t){.slot = slot, .id = id});
        sift_up(timer, timer->count - 1);
        if (slot->timers[id].heap_index == 0) {
            (void)pthread_cond_signal(&timer->changed); /* a new earliest deadline */
        }
    }
    (void)pthread_mutex_unlock(&timer->mutex);
    return result;
}

app_err_t fleet_timer_cancel(void *ctx, app_timer_id_t id)
{
    fleet_timer_slot_t *slot = ctx;
    if (slot == NULL || (unsigned)id >= (unsigned)APP_TIMER_COUNT) {
        return APP_ERR_INVALID_ARG;
    }
    fleet_timer_t *timer = slot->timer;
    (void)pthread_mutex_lock(&timer->mutex);
    if (slot->timers[id].heap_index != FLEET_TIMER_NOT_ARMED) {
        heap_remove(timer, slot, id);
    }
    (void)pthread_mutex_unlock(&timer->mutex);
    return APP_OK;
}

uint64_t fleet_timer_now_ms(void *ctx)
{
    const fleet_timer_slot_t *slot = ctx;
    return slot != NULL ? elapsed_ms(slot->timer) : 0;
}

uint32_t fleet_timer_random_u32(void *ctx)
{
    fleet_timer_slot_t *slot = ctx;
    if (slot == NULL) {
        return 0;
    }
    /* splitmix64: one atomic step per call, so any thread may draw without a lock. */
    uint64_t z = atomic_fetch_add(&slot->rng_state, 0x9E3779B97F4A7C15ull) + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (uint32_t)(z >> 32);
}
