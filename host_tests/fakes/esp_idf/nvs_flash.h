/*
 * Fake of ESP-IDF v5.4.2 nvs_flash.h for host tests: init, erase and deinit of the default partition and of
 * a partition by label. Init results are scripted through fake_nvs.h; which labels exist is the fake's
 * partition table (fake_nvs_add_partition).
 */
#ifndef FAKE_NVS_FLASH_H
#define FAKE_NVS_FLASH_H

#include "esp_err.h"
#include "nvs.h"

esp_err_t nvs_flash_init(void);
esp_err_t nvs_flash_erase(void);
esp_err_t nvs_flash_deinit(void);

/* ESP_OK at once when the partition is already initialised (nvs_partition_manager.cpp, init_partition);
 * ESP_ERR_NOT_FOUND when the partition table has no NVS partition of that label (nvs_partition_lookup.cpp);
 * ESP_ERR_INVALID_ARG for a label over NVS_PART_NAME_MAX_SIZE; otherwise the scripted result (e.g.
 * ESP_ERR_NVS_NO_FREE_PAGES, ESP_ERR_NVS_NEW_VERSION_FOUND). nvs_flash_init() is this on "nvs". */
esp_err_t nvs_flash_init_partition(const char *partition_label);
/* Deinitialises the partition when initialised, then erases its content; ESP_ERR_NOT_FOUND when the table
 * has no such partition (nvs_api.cpp, nvs_flash_erase_partition). nvs_flash_erase() is this on "nvs". */
esp_err_t nvs_flash_erase_partition(const char *part_name);
/* ESP_ERR_NVS_NOT_INITIALIZED when not initialised; closes the partition's handles. */
esp_err_t nvs_flash_deinit_partition(const char *partition_label);

#endif /* FAKE_NVS_FLASH_H */
