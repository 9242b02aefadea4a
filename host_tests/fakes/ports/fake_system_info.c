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

const system_info_port_t fake_system_info_port = {
    .free_heap_bytes = fake_free_heap,
    .min_free_heap_bytes = fake_min_free_heap,
};

void fake_system_info_init(fake_system_info_t *fake)
{
    fake->free_heap = 200000;
    fake->min_free_heap = 150000;
}
