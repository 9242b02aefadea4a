/*
 * Fake of ESP-IDF v5.4.2 nvs_flash.h for host tests: init and erase of the default partition. Results are
 * scripted through fake_nvs.h.
 */
#ifndef FAKE_NVS_FLASH_H
#define FAKE_NVS_FLASH_H

#include "esp_err.h"
#include "nvs.h"

esp_err_t nvs_flash_init(void);
esp_err_t nvs_flash_erase(void);
esp_err_t nvs_flash_deinit(void);

#endif /* FAKE_NVS_FLASH_H */
