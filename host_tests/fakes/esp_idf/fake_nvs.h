/*
 * Control functions of the NVS fake: an in-memory store of (partition, namespace, key) -> string with
 * committed and uncommitted values, a partition table, call counters, and injected errors. The functions
 * without a partition argument act on the default partition "nvs". Single-threaded tests only.
 */
#ifndef FAKE_NVS_CONTROL_H
#define FAKE_NVS_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "nvs.h"

#define FAKE_NVS_MAX_ENTRIES    16
#define FAKE_NVS_MAX_NAMESPACES 8
#define FAKE_NVS_MAX_PARTITIONS 4
#define FAKE_NVS_VALUE_MAX      4000 /* NVS strings are at most 4000 bytes including the NUL */

/* Empty store, not initialised, no injected errors, counters zero; the partition table holds only "nvs". */
void fake_nvs_reset(void);

/* Adds an NVS partition of that label to the partition table (as partitions.csv would), not initialised. */
void fake_nvs_add_partition(const char *label);
/* nvs_flash_init_partition(label) results, used in order, then ESP_OK. */
void fake_nvs_script_flash_init_partition(const char *label, const esp_err_t *results, size_t count);
bool fake_nvs_partition_initialised(const char *label);
/* Keys plus namespaces stored in the partition: 0 when nothing was ever written there. */
size_t fake_nvs_item_count(const char *partition);
/* fake_nvs_put / fake_nvs_committed on the partition of that label. */
void fake_nvs_put_in(const char *partition, const char *namespace_name, const char *key, const char *value);
const char *fake_nvs_committed_in(const char *partition, const char *namespace_name, const char *key);
/* fake_nvs_put_in of an entry of another type (its content kept as text), e.g. NVS_TYPE_BLOB. */
void fake_nvs_put_typed_in(const char *partition, const char *namespace_name, const char *key,
                           nvs_type_t type, const char *value);

/* Puts a committed value (as if written on an earlier boot). */
void fake_nvs_put(const char *namespace_name, const char *key, const char *value);
/* The committed value, NULL when none. */
const char *fake_nvs_committed(const char *namespace_name, const char *key);

/* Errors the next calls return (ESP_OK = none); each stays until changed. */
void fake_nvs_set_open_error(esp_err_t err);
void fake_nvs_set_get_error(esp_err_t err);
void fake_nvs_set_set_error(esp_err_t err);
void fake_nvs_set_commit_error(esp_err_t err);
/* nvs_flash_init() results, used in order, then ESP_OK. */
void fake_nvs_script_flash_init(const esp_err_t *results, size_t count);

typedef struct {
    size_t open_calls;
    size_t get_calls;
    size_t get_length_queries; /* nvs_get_str with out_value NULL */
    size_t set_calls;
    size_t commit_calls;
    size_t close_calls;
    size_t open_handles;      /* opened and not closed yet */
    size_t flash_init_calls;  /* any partition */
    size_t flash_erase_calls; /* any partition */
    nvs_open_mode_t last_open_mode;
    char last_open_partition[NVS_PART_NAME_MAX_SIZE + 8];
    char last_init_partition[NVS_PART_NAME_MAX_SIZE + 8];
    char last_namespace[NVS_NS_NAME_MAX_SIZE + 8];
    char last_key[NVS_KEY_NAME_MAX_SIZE + 8];
    size_t last_get_buffer_size; /* *length given with a buffer */
} fake_nvs_stats_t;

const fake_nvs_stats_t *fake_nvs_stats(void);
/* The default partition "nvs" is initialised. */
bool fake_nvs_initialised(void);

#endif /* FAKE_NVS_CONTROL_H */
