#include "fake_system_info.h"

static uint32_t fake_free_heap(void *ctx)
{
    const fake_system_info_t *fake = ctx;
    return fake->free_heap;
}

static uint32_t fake_min_free_heap(void *ctx)
{
    const fake_system_info_t *fake = ctx;
    return fake->min_free_heap;
}

static void fake_runtime(void *ctx, system_info_runtime_t *out)
{
    const fake_system_info_t *fake = ctx;
    *out = fake->runtime;
}

const system_info_port_t fake_system_info_port = {
    .free_heap_bytes = fake_free_heap,
    .min_free_heap_bytes = fake_min_free_heap,
    .runtime = fake_runtime,
};

void fake_system_info_init(fake_system_info_t *fake)
{
    fake->free_heap = 200000;
    fake->min_free_heap = 150000;
    fake->runtime.largest_free_block = 110592;
    fake->runtime.stack_high_water[SYSTEM_INFO_TASK_APP] = 2100;
    fake->runtime.stack_high_water[SYSTEM_INFO_TASK_MQTT] = 2600;
    fake->runtime.stack_high_water[SYSTEM_INFO_TASK_HTTP] = -1;
    fake->runtime.reset_reason = "power_on";
}
