/* Fake of esp_get_free_heap_size / esp_get_minimum_free_heap_size / esp_restart / esp_random. */
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
