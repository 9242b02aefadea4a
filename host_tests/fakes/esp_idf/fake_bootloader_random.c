/* bootloader_random fake: records the entropy source's state (see fake_bootloader_random.h). */
#include <string.h>

#include "bootloader_random.h"
#include "fake_bootloader_random.h"

static fake_bootloader_random_stats_t s_stats;

void fake_bootloader_random_reset(void)
{
    memset(&s_stats, 0, sizeof(s_stats));
}

const fake_bootloader_random_stats_t *fake_bootloader_random_stats(void)
{
    return &s_stats;
}

void fake_bootloader_random_note_draw(size_t len)
{
    if (s_stats.enabled) {
        s_stats.bytes_drawn_enabled += len;
    } else {
        s_stats.bytes_drawn_disabled += len;
    }
}

void bootloader_random_enable(void)
{
    s_stats.enable_calls++;
    s_stats.enabled = true;
}

void bootloader_random_disable(void)
{
    s_stats.disable_calls++;
    s_stats.enabled = false;
}
