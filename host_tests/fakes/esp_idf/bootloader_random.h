/*
 * Fake of ESP-IDF v5.4.2 bootloader_random.h (component bootloader_support): turning the SAR ADC entropy
 * source on and off, which the application does when it needs true random numbers before WiFi runs. The
 * fake only records the state (fake_bootloader_random.h).
 */
#ifndef FAKE_BOOTLOADER_RANDOM_H
#define FAKE_BOOTLOADER_RANDOM_H

void bootloader_random_enable(void);
void bootloader_random_disable(void);

#endif
