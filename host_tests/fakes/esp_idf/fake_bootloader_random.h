/*
 * Control of the bootloader_random fake: whether the entropy source is on, how often it was turned on and
 * off, and how many random bytes esp_fill_random() drew with it on and with it off, so a test can check
 * that a secret was drawn with the source on and that it was turned off again.
 */
#ifndef FAKE_BOOTLOADER_RANDOM_CONTROL_H
#define FAKE_BOOTLOADER_RANDOM_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    bool enabled;
    size_t enable_calls;
    size_t disable_calls;
    size_t bytes_drawn_enabled;
    size_t bytes_drawn_disabled;
} fake_bootloader_random_stats_t;

void fake_bootloader_random_reset(void);
const fake_bootloader_random_stats_t *fake_bootloader_random_stats(void);
/* Called by the esp_fill_random() fake for every draw of len bytes. */
void fake_bootloader_random_note_draw(size_t len);

#endif
