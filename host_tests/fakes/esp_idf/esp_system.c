/* Fake of esp_get_free_heap_size / esp_get_minimum_free_heap_size / esp_restart / esp_random. */
#include "esp_random.h"
#include "esp_system.h"
#include "fake_esp_system.h"

static uint32_t s_free;
static uint32_t s_min_free;
static uint32_t s_random;
static int s_restarts;

void fake_esp_system_reset(void)
{
    s_free = 0;
    s_min_free = 0;
    s_random = 0;
    s_restarts = 0;
}

void fake_esp_system_set_heap(uint32_t free_bytes, uint32_t min_free_bytes)
{
    s_free = free_bytes;
    s_min_free = min_free_bytes;
}

void fake_esp_random_set(uint32_t value)
{
    s_random = value;
}

int fake_esp_restart_count(void)
{
    return s_restarts;
}

uint32_t esp_get_free_heap_size(void)
{
    return s_free;
}

uint32_t esp_get_minimum_free_heap_size(void)
{
    return s_min_free;
}

void esp_restart(void)
{
    s_restarts++;
}

uint32_t esp_random(void)
{
    return s_random;
}
