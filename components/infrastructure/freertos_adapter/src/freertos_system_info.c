/* Heap figures for /status (see freertos_adapter.h). */
#include "esp_system.h"
#include "freertos_adapter.h"

static uint32_t freertos_system_free_heap_bytes(void *ctx)
{
    (void)ctx;
    return esp_get_free_heap_size();
}

static uint32_t freertos_system_min_free_heap_bytes(void *ctx)
{
    (void)ctx;
    return esp_get_minimum_free_heap_size();
}

const system_info_port_t freertos_adapter_system_info_port = {
    .free_heap_bytes = freertos_system_free_heap_bytes,
    .min_free_heap_bytes = freertos_system_min_free_heap_bytes,
};
