/*
 * nvs_config_adapter: sized string I/O on NVS for the device configuration (see the header for the rules).
 */
#include "nvs_config_adapter.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "domain/bounded_text.h"
#include "domain/device_registration.h"
#include "esp_log.h"
#include "nvs.h"
#include "nvs_flash.h"

static const char *TAG = "nvs_config";

typedef struct {
    const char *key;
    size_t max_bytes; /* the contract's limit, excluding the NUL */
} field_layout_t;

static const field_layout_t s_layout[CONFIG_FIELD_COUNT] = {
    [CONFIG_FIELD_DEVICE_NAME] = {NVS_CONFIG_ADAPTER_KEY_NAME, DEVICE_NAME_MAX_BYTES},
    [CONFIG_FIELD_LOCATION] = {NVS_CONFIG_ADAPTER_KEY_LOCATION, DEVICE_LOCATION_MAX_BYTES},
};

static const field_layout_t *layout_of(config_field_t field)
{
    if ((int)field < 0 || field >= CONFIG_FIELD_COUNT) {
        return NULL;
    }
    return &s_layout[field];
}

esp_err_t nvs_config_adapter_init_flash(void)
{
    esp_err_t err = nvs_flash_init();
    if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        /* The partition is full of stale pages or was written by a newer NVS format: it cannot be used as it
         * is. Erasing loses the stored name, location and WiFi credentials, which is the only way back to a
         * working device (it then starts in provisioning mode). */
        ESP_LOGW(TAG, "nvs_flash_init: %s (0x%x), erasing the NVS partition", esp_err_to_name(err), err);
        err = nvs_flash_erase();
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "nvs_flash_erase: %s (0x%x)", esp_err_to_name(err), err);
            return err;
        }
        err = nvs_flash_init();
    }
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "nvs_flash_init: %s (0x%x)", esp_err_to_name(err), err);
    }
    return err;
}

static app_err_t load(void *ctx, config_field_t field, char *buf, size_t buf_size)
{
    (void)ctx;
    const field_layout_t *layout = layout_of(field);
    if (layout == NULL || buf == NULL || buf_size == 0) {
        return APP_ERR_INVALID_ARG;
    }
    buf[0] = '\0';

    nvs_handle_t handle;
    esp_err_t err = nvs_open(NVS_CONFIG_ADAPTER_NAMESPACE, NVS_READONLY, &handle);
    if (err == ESP_ERR_NVS_NOT_FOUND) {
        /* Read-only open of a namespace never written: nothing stored yet (a new device). */
        return APP_ERR_NOT_FOUND;
    }
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "nvs_open(%s): %s (0x%x)", NVS_CONFIG_ADAPTER_NAMESPACE, esp_err_to_name(err), err);
        return APP_ERR_STORAGE;
    }

    app_err_t result = APP_OK;
    size_t needed = 0; /* bytes including the NUL */
    err = nvs_get_str(handle, layout->key, NULL, &needed);
    if (err == ESP_OK && (needed > buf_size || needed > layout->max_bytes + 1)) {
        ESP_LOGW(TAG, "%s: stored value of %u bytes exceeds %u", layout->key, (unsigned)(needed - 1),
                 (unsigned)((buf_size - 1) < layout->max_bytes ? (buf_size - 1) : layout->max_bytes));
        result = APP_ERR_TOO_LONG;
    } else if (err == ESP_OK) {
        size_t length = buf_size;
        err = nvs_get_str(handle, layout->key, buf, &length);
        if (err == ESP_ERR_NVS_INVALID_LENGTH) {
            /* Rewritten longer between the two calls (another task stored a new value). */
            ESP_LOGW(TAG, "%s: stored value grew past %u bytes", layout->key, (unsigned)(buf_size - 1));
            result = APP_ERR_TOO_LONG;
        } else if (err != ESP_OK) {
            ESP_LOGE(TAG, "nvs_get_str(%s): %s (0x%x)", layout->key, esp_err_to_name(err), err);
            result = APP_ERR_STORAGE;
        }
    } else if (err == ESP_ERR_NVS_NOT_FOUND) {
        result = APP_ERR_NOT_FOUND;
    } else {
        ESP_LOGE(TAG, "nvs_get_str(%s) length: %s (0x%x)", layout->key, esp_err_to_name(err), err);
        result = APP_ERR_STORAGE;
    }
    nvs_close(handle);
    if (result != APP_OK) {
        buf[0] = '\0'; /* never a partial value */
    }
    return result;
}

static app_err_t store(void *ctx, config_field_t field, const char *value)
{
    (void)ctx;
    const field_layout_t *layout = layout_of(field);
    if (layout == NULL || value == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (bounded_text_len(value, layout->max_bytes + 1) > layout->max_bytes) {
        ESP_LOGW(TAG, "%s: refusing to store a value over %u bytes", layout->key,
                 (unsigned)layout->max_bytes);
        return APP_ERR_TOO_LONG;
    }

    nvs_handle_t handle;
    esp_err_t err = nvs_open(NVS_CONFIG_ADAPTER_NAMESPACE, NVS_READWRITE, &handle);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "nvs_open(%s, rw): %s (0x%x)", NVS_CONFIG_ADAPTER_NAMESPACE, esp_err_to_name(err), err);
        return APP_ERR_STORAGE;
    }
    err = nvs_set_str(handle, layout->key, value);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "nvs_set_str(%s): %s (0x%x)", layout->key, esp_err_to_name(err), err);
    } else {
        err = nvs_commit(handle);
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "nvs_commit(%s): %s (0x%x)", layout->key, esp_err_to_name(err), err);
        }
    }
    nvs_close(handle);
    return err == ESP_OK ? APP_OK : APP_ERR_STORAGE;
}

static const config_repository_port_t s_port = {
    .load = load,
    .store = store,
};

const config_repository_port_t *nvs_config_adapter_port(void)
{
    return &s_port;
}
