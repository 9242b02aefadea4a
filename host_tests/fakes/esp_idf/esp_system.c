/* Fake of esp_get_free_heap_size / esp_get_minimum_free_heap_size / esp_restart / esp_random / heap_caps. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "esp_heap_caps.h"
#include "esp_random.h"
#include "esp_system.h"
#include "fake_bootloader_random.h"
#include "fake_esp_system.h"

static uint32_t s_free;
static uint32_t s_min_free;
static uint32_t s_random;
static int s_restarts;
static int s_reset_reason = ESP_RST_POWERON;
static size_t s_largest_block;
static bool s_fail_heap_caps_malloc;
static int s_heap_caps_blocks;
static uint32_t s_heap_caps_last_caps;

void fake_esp_system_set_reset_reason(int reason)
{
    s_reset_reason = reason;
}

void fake_esp_system_set_largest_block(size_t bytes)
{
    s_largest_block = bytes;
}

esp_reset_reason_t esp_reset_reason(void)
{
    return (esp_reset_reason_t)s_reset_reason;
}

void *heap_caps_malloc(size_t size, uint32_t caps)
{
    s_heap_caps_last_caps = caps;
    if (s_fail_heap_caps_malloc) {
        s_fail_heap_caps_malloc = false;
        return NULL;
    }
    void *block = malloc(size);
    if (block != NULL) {
        s_heap_caps_blocks++;
    }
    return block;
}

void heap_caps_free(void *ptr)
{
    if (ptr != NULL) {
        s_heap_caps_blocks--;
    }
    free(ptr);
}

void fake_heap_caps_fail_next_malloc(void)
{
    s_fail_heap_caps_malloc = true;
}

int fake_heap_caps_live_blocks(void)
{
    return s_heap_caps_blocks;
}

uint32_t fake_heap_caps_last_caps(void)
{
    return s_heap_caps_last_caps;
}

size_t heap_caps_get_largest_free_block(uint32_t caps)
{
    (void)caps;
    return s_largest_block;
}

void fake_esp_system_reset(void)
{
    s_free = 0;
    s_min_free = 0;
    s_random = 0;
    s_restarts = 0;
    s_reset_reason = ESP_RST_POWERON;
    s_largest_block = 0;
    s_fail_heap_caps_malloc = false; /* the live-block count is kept: a leak shows across a reset */
    s_heap_caps_last_caps = 0;
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

void esp_fill_random(void *buf, size_t len)
{
    fake_bootloader_random_note_draw(len);
    uint8_t *bytes = buf;
    while (len > 0) {
        const uint32_t word = esp_random();
        const size_t n = len < sizeof(word) ? len : sizeof(word);
        memcpy(bytes, &word, n);
        bytes += n;
        len -= n;
    }
}
