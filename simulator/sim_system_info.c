/*
 * sim_system_info: see sim_system_info.h.
 */
#include "sim_system_info.h"

#include <malloc.h>
#include <string.h>

/* A process has no fixed heap to fragment nor fixed task stacks: those figures are unknown (null in /status);
 * every start of the simulator is a fresh process, a power-on. */
static void sim_system_info_runtime(void *ctx, system_info_runtime_t *out)
{
    (void)ctx;
    out->largest_free_block = -1;
    for (size_t i = 0; i < SYSTEM_INFO_TASK_COUNT; i++) {
        out->stack_high_water[i] = -1;
    }
    out->reset_reason = "power_on";
}

const system_info_port_t sim_system_info_port = {
    .free_heap_bytes = sim_system_info_free_heap_bytes,
    .min_free_heap_bytes = sim_system_info_min_free_heap_bytes,
    .runtime = sim_system_info_runtime,
};

bool sim_system_info_init(sim_system_info_t *info)
{
    if (info == NULL) {
        return false;
    }
    memset(info, 0, sizeof(*info));
    return pthread_mutex_init(&info->mutex, NULL) == 0;
}

void sim_system_info_deinit(sim_system_info_t *info)
{
    if (info != NULL) {
        (void)pthread_mutex_destroy(&info->mutex);
    }
}

static uint32_t current_free(void)
{
    struct mallinfo2 mi = mallinfo2();
    size_t free_bytes = mi.arena > mi.uordblks ? mi.arena - mi.uordblks : 0;
    return free_bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)free_bytes;
}

/* Samples the free figure and folds it into the minimum. */
static uint32_t sample(sim_system_info_t *info, uint32_t *min_out)
{
    uint32_t free_now = current_free();
    (void)pthread_mutex_lock(&info->mutex);
    if (!info->has_min || free_now < info->min_free) {
        info->min_free = free_now;
        info->has_min = true;
    }
    *min_out = info->min_free;
    (void)pthread_mutex_unlock(&info->mutex);
    return free_now;
}

uint32_t sim_system_info_free_heap_bytes(void *ctx)
{
    sim_system_info_t *info = ctx;
    if (info == NULL) {
        return current_free();
    }
    uint32_t min = 0;
    return sample(info, &min);
}

uint32_t sim_system_info_min_free_heap_bytes(void *ctx)
{
    sim_system_info_t *info = ctx;
    if (info == NULL) {
        return current_free();
    }
    uint32_t min = 0;
    (void)sample(info, &min);
    return min;
}
