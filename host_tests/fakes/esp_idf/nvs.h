/*
 * Fake of ESP-IDF v5.4.2 nvs.h for host tests: handle type, open modes, error codes (same values) and the
 * string functions the adapters use, with the documented semantics (see fake_nvs.h for the store). Every
 * partition is modelled by its label, as nvs_open_from_partition() addresses it; nvs_open() is the default
 * partition "nvs".
 */
#ifndef FAKE_NVS_H
#define FAKE_NVS_H

#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"

typedef uint32_t nvs_handle_t;

#define ESP_ERR_NVS_BASE              0x1100
#define ESP_ERR_NVS_NOT_INITIALIZED   (ESP_ERR_NVS_BASE + 0x01)
#define ESP_ERR_NVS_NOT_FOUND         (ESP_ERR_NVS_BASE + 0x02)
#define ESP_ERR_NVS_TYPE_MISMATCH     (ESP_ERR_NVS_BASE + 0x03)
#define ESP_ERR_NVS_READ_ONLY         (ESP_ERR_NVS_BASE + 0x04)
#define ESP_ERR_NVS_NOT_ENOUGH_SPACE  (ESP_ERR_NVS_BASE + 0x05)
#define ESP_ERR_NVS_INVALID_NAME      (ESP_ERR_NVS_BASE + 0x06)
#define ESP_ERR_NVS_INVALID_HANDLE    (ESP_ERR_NVS_BASE + 0x07)
#define ESP_ERR_NVS_REMOVE_FAILED     (ESP_ERR_NVS_BASE + 0x08)
#define ESP_ERR_NVS_KEY_TOO_LONG      (ESP_ERR_NVS_BASE + 0x09)
#define ESP_ERR_NVS_INVALID_STATE     (ESP_ERR_NVS_BASE + 0x0b)
#define ESP_ERR_NVS_INVALID_LENGTH    (ESP_ERR_NVS_BASE + 0x0c)
#define ESP_ERR_NVS_NO_FREE_PAGES     (ESP_ERR_NVS_BASE + 0x0d)
#define ESP_ERR_NVS_VALUE_TOO_LONG    (ESP_ERR_NVS_BASE + 0x0e)
#define ESP_ERR_NVS_PART_NOT_FOUND    (ESP_ERR_NVS_BASE + 0x0f)
#define ESP_ERR_NVS_NEW_VERSION_FOUND (ESP_ERR_NVS_BASE + 0x10)

#define NVS_KEY_NAME_MAX_SIZE  16
#define NVS_NS_NAME_MAX_SIZE   NVS_KEY_NAME_MAX_SIZE
#define NVS_PART_NAME_MAX_SIZE 16 /* a partition label, excluding the NUL */
#define NVS_DEFAULT_PART_NAME  "nvs"

typedef enum { NVS_READONLY, NVS_READWRITE } nvs_open_mode_t;

/* The entry types, same values as v5.4.2 (nvs_find_key reports a blob as NVS_TYPE_BLOB). */
typedef enum {
    NVS_TYPE_U8 = 0x01,
    NVS_TYPE_I8 = 0x11,
    NVS_TYPE_U16 = 0x02,
    NVS_TYPE_I16 = 0x12,
    NVS_TYPE_U32 = 0x04,
    NVS_TYPE_I32 = 0x14,
    NVS_TYPE_U64 = 0x08,
    NVS_TYPE_I64 = 0x18,
    NVS_TYPE_STR = 0x21,
    NVS_TYPE_BLOB = 0x42,
    NVS_TYPE_ANY = 0xff,
} nvs_type_t;

/* ESP_ERR_NVS_NOT_FOUND for a namespace never created when opened NVS_READONLY (NVS_READWRITE creates it);
 * ESP_ERR_NVS_NOT_INITIALIZED when no partition is initialised, ESP_ERR_NVS_PART_NOT_FOUND when this one is
 * not (nvs_partition_manager.cpp, open_handle). */
esp_err_t nvs_open(const char *namespace_name, nvs_open_mode_t open_mode, nvs_handle_t *out_handle);
/* nvs_open() on the partition labelled part_name (which nvs_flash_init_partition() must have initialised). */
esp_err_t nvs_open_from_partition(const char *part_name, const char *namespace_name,
                                  nvs_open_mode_t open_mode, nvs_handle_t *out_handle);
esp_err_t nvs_set_str(nvs_handle_t handle, const char *key, const char *value);
/* out_value NULL: *length gets the size needed including the NUL. Otherwise *length is the buffer size;
 * when too small, ESP_ERR_NVS_INVALID_LENGTH and *length gets the size needed; on success *length is the
 * size including the NUL. length NULL: ESP_ERR_NVS_INVALID_LENGTH (nvs_api.cpp, nvs_get_str_or_blob). */
esp_err_t nvs_get_str(nvs_handle_t handle, const char *key, char *out_value, size_t *length);
/* ESP_OK when key exists in the handle's namespace, whatever its type (*out_type, when not NULL);
 * ESP_ERR_NVS_NOT_FOUND otherwise. nvs_get_str() finds only strings: a key of another type is
 * ESP_ERR_NVS_NOT_FOUND there (Storage::findItem by type), while nvs_set_str() replaces it. */
esp_err_t nvs_find_key(nvs_handle_t handle, const char *key, nvs_type_t *out_type);
esp_err_t nvs_commit(nvs_handle_t handle);
void nvs_close(nvs_handle_t handle);

#endif /* FAKE_NVS_H */
