/*
 * NVS fake: a small table of string entries, each in a partition (by label) and a namespace. Writes are
 * visible to reads at once (as in ESP-IDF, where nvs_commit only guarantees durability); "committed" marks
 * what nvs_commit() made durable, so tests can check that the adapter commits. The behaviours modelled are
 * the ones of ESP-IDF v5.4.2, read in nvs_flash/src/nvs_api.cpp, nvs_partition_manager.cpp and
 * nvs_partition_lookup.cpp (cited where each is implemented).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fake_nvs.h"
#include "nvs_flash.h"

#define FAKE_NVS_MAX_HANDLES 8
#define FAKE_NVS_SCRIPT_MAX  8

typedef struct {
    bool used;
    bool committed;
    nvs_type_t type;
    char part[NVS_PART_NAME_MAX_SIZE + 1];
    char ns[NVS_NS_NAME_MAX_SIZE];
    char key[NVS_KEY_NAME_MAX_SIZE];
    char value[FAKE_NVS_VALUE_MAX];
    char committed_value[FAKE_NVS_VALUE_MAX];
} fake_entry_t;

typedef struct {
    bool used;
    char part[NVS_PART_NAME_MAX_SIZE + 1];
    char ns[NVS_NS_NAME_MAX_SIZE];
} fake_namespace_t;

typedef struct {
    bool open;
    nvs_open_mode_t mode;
    char part[NVS_PART_NAME_MAX_SIZE + 1];
    char ns[NVS_NS_NAME_MAX_SIZE];
} fake_handle_t;

typedef struct {
    bool used; /* in the partition table */
    bool initialised;
    char label[NVS_PART_NAME_MAX_SIZE + 1];
    esp_err_t script[FAKE_NVS_SCRIPT_MAX];
    size_t script_len;
    size_t script_pos;
} fake_partition_t;

static fake_entry_t s_entries[FAKE_NVS_MAX_ENTRIES];
static fake_namespace_t s_namespaces[FAKE_NVS_MAX_NAMESPACES];
static fake_handle_t s_handles[FAKE_NVS_MAX_HANDLES];
static fake_partition_t s_partitions[FAKE_NVS_MAX_PARTITIONS];
static fake_nvs_stats_t s_stats;
static esp_err_t s_open_error;
static esp_err_t s_get_error;
static esp_err_t s_set_error;
static esp_err_t s_commit_error;

static fake_partition_t *find_partition(const char *label)
{
    for (size_t i = 0; label != NULL && i < FAKE_NVS_MAX_PARTITIONS; i++) {
        if (s_partitions[i].used && strcmp(s_partitions[i].label, label) == 0) {
            return &s_partitions[i];
        }
    }
    return NULL;
}

void fake_nvs_add_partition(const char *label)
{
    if (label == NULL || strlen(label) > NVS_PART_NAME_MAX_SIZE || find_partition(label) != NULL) {
        return;
    }
    for (size_t i = 0; i < FAKE_NVS_MAX_PARTITIONS; i++) {
        if (!s_partitions[i].used) {
            memset(&s_partitions[i], 0, sizeof(s_partitions[i]));
            s_partitions[i].used = true;
            snprintf(s_partitions[i].label, sizeof(s_partitions[i].label), "%s", label);
            return;
        }
    }
}

void fake_nvs_reset(void)
{
    memset(s_entries, 0, sizeof(s_entries));
    memset(s_namespaces, 0, sizeof(s_namespaces));
    memset(s_handles, 0, sizeof(s_handles));
    memset(s_partitions, 0, sizeof(s_partitions));
    memset(&s_stats, 0, sizeof(s_stats));
    s_open_error = ESP_OK;
    s_get_error = ESP_OK;
    s_set_error = ESP_OK;
    s_commit_error = ESP_OK;
    fake_nvs_add_partition(NVS_DEFAULT_PART_NAME);
}

const fake_nvs_stats_t *fake_nvs_stats(void)
{
    return &s_stats;
}

bool fake_nvs_partition_initialised(const char *label)
{
    const fake_partition_t *p = find_partition(label);
    return p != NULL && p->initialised;
}

bool fake_nvs_initialised(void)
{
    return fake_nvs_partition_initialised(NVS_DEFAULT_PART_NAME);
}

void fake_nvs_set_open_error(esp_err_t err)
{
    s_open_error = err;
}

void fake_nvs_set_get_error(esp_err_t err)
{
    s_get_error = err;
}

void fake_nvs_set_set_error(esp_err_t err)
{
    s_set_error = err;
}

void fake_nvs_set_commit_error(esp_err_t err)
{
    s_commit_error = err;
}

void fake_nvs_script_flash_init_partition(const char *label, const esp_err_t *results, size_t count)
{
    fake_partition_t *p = find_partition(label);
    if (p == NULL) {
        return;
    }
    if (count > FAKE_NVS_SCRIPT_MAX) {
        count = FAKE_NVS_SCRIPT_MAX;
    }
    memcpy(p->script, results, count * sizeof(results[0]));
    p->script_len = count;
    p->script_pos = 0;
}

void fake_nvs_script_flash_init(const esp_err_t *results, size_t count)
{
    fake_nvs_script_flash_init_partition(NVS_DEFAULT_PART_NAME, results, count);
}

static fake_entry_t *find_entry(const char *part, const char *ns, const char *key)
{
    for (size_t i = 0; i < FAKE_NVS_MAX_ENTRIES; i++) {
        const fake_entry_t *e = &s_entries[i];
        if (e->used && strcmp(e->part, part) == 0 && strcmp(e->ns, ns) == 0 && strcmp(e->key, key) == 0) {
            return &s_entries[i];
        }
    }
    return NULL;
}

static fake_entry_t *new_entry(const char *part, const char *ns, const char *key)
{
    for (size_t i = 0; i < FAKE_NVS_MAX_ENTRIES; i++) {
        if (!s_entries[i].used) {
            fake_entry_t *e = &s_entries[i];
            memset(e, 0, sizeof(*e));
            e->used = true;
            e->type = NVS_TYPE_STR;
            snprintf(e->part, sizeof(e->part), "%s", part);
            snprintf(e->ns, sizeof(e->ns), "%s", ns);
            snprintf(e->key, sizeof(e->key), "%s", key);
            return e;
        }
    }
    return NULL;
}

static bool namespace_exists(const char *part, const char *ns)
{
    for (size_t i = 0; i < FAKE_NVS_MAX_NAMESPACES; i++) {
        if (s_namespaces[i].used && strcmp(s_namespaces[i].part, part) == 0 &&
            strcmp(s_namespaces[i].ns, ns) == 0) {
            return true;
        }
    }
    return false;
}

/* A read-write open creates the namespace at once, before any key is written (nvs_storage.cpp,
 * Storage::createOrOpenNamespace writes the namespace entry), so a later read-only open finds it even when
 * nothing else was stored. */
static bool create_namespace(const char *part, const char *ns)
{
    if (namespace_exists(part, ns)) {
        return true;
    }
    for (size_t i = 0; i < FAKE_NVS_MAX_NAMESPACES; i++) {
        if (!s_namespaces[i].used) {
            s_namespaces[i].used = true;
            snprintf(s_namespaces[i].part, sizeof(s_namespaces[i].part), "%s", part);
            snprintf(s_namespaces[i].ns, sizeof(s_namespaces[i].ns), "%s", ns);
            return true;
        }
    }
    return false;
}

size_t fake_nvs_item_count(const char *partition)
{
    size_t count = 0;
    for (size_t i = 0; i < FAKE_NVS_MAX_ENTRIES; i++) {
        count += (s_entries[i].used && strcmp(s_entries[i].part, partition) == 0) ? 1u : 0u;
    }
    for (size_t i = 0; i < FAKE_NVS_MAX_NAMESPACES; i++) {
        count += (s_namespaces[i].used && strcmp(s_namespaces[i].part, partition) == 0) ? 1u : 0u;
    }
    return count;
}

void fake_nvs_put_typed_in(const char *partition, const char *namespace_name, const char *key,
                           nvs_type_t type, const char *value)
{
    create_namespace(partition, namespace_name);
    fake_entry_t *e = find_entry(partition, namespace_name, key);
    if (e == NULL) {
        e = new_entry(partition, namespace_name, key);
    }
    if (e != NULL) {
        e->type = type;
        snprintf(e->value, sizeof(e->value), "%s", value);
        snprintf(e->committed_value, sizeof(e->committed_value), "%s", value);
        e->committed = true;
    }
}

void fake_nvs_put_in(const char *partition, const char *namespace_name, const char *key, const char *value)
{
    fake_nvs_put_typed_in(partition, namespace_name, key, NVS_TYPE_STR, value);
}

void fake_nvs_put(const char *namespace_name, const char *key, const char *value)
{
    fake_nvs_put_in(NVS_DEFAULT_PART_NAME, namespace_name, key, value);
}

const char *fake_nvs_committed_in(const char *partition, const char *namespace_name, const char *key)
{
    const fake_entry_t *e = find_entry(partition, namespace_name, key);
    return (e != NULL && e->committed) ? e->committed_value : NULL;
}

const char *fake_nvs_committed(const char *namespace_name, const char *key)
{
    return fake_nvs_committed_in(NVS_DEFAULT_PART_NAME, namespace_name, key);
}

static fake_handle_t *handle_of(nvs_handle_t handle)
{
    if (handle == 0 || handle > FAKE_NVS_MAX_HANDLES || !s_handles[handle - 1].open) {
        return NULL;
    }
    return &s_handles[handle - 1];
}

static void close_handles_of(const char *part)
{
    for (size_t i = 0; i < FAKE_NVS_MAX_HANDLES; i++) {
        if (s_handles[i].open && strcmp(s_handles[i].part, part) == 0) {
            s_handles[i].open = false;
            s_stats.open_handles--;
        }
    }
}

esp_err_t nvs_flash_init_partition(const char *partition_label)
{
    s_stats.flash_init_calls++;
    snprintf(s_stats.last_init_partition, sizeof(s_stats.last_init_partition), "%s",
             partition_label ? partition_label : "");
    /* NVSPartitionManager::init_partition: label length checked first, then an initialised partition is
     * ESP_OK without touching flash, then the partition table lookup (ESP_ERR_NOT_FOUND), then
     * Storage::init (the scripted result). */
    if (partition_label == NULL || strlen(partition_label) > NVS_PART_NAME_MAX_SIZE) {
        return ESP_ERR_INVALID_ARG;
    }
    fake_partition_t *p = find_partition(partition_label);
    if (p != NULL && p->initialised) {
        return ESP_OK;
    }
    if (p == NULL) {
        return ESP_ERR_NOT_FOUND;
    }
    esp_err_t err = ESP_OK;
    if (p->script_pos < p->script_len) {
        err = p->script[p->script_pos++];
    }
    p->initialised = (err == ESP_OK);
    return err;
}

esp_err_t nvs_flash_init(void)
{
    /* nvs_api.cpp without CONFIG_NVS_ENCRYPTION: nvs_flash_init_partition(NVS_DEFAULT_PART_NAME). */
    return nvs_flash_init_partition(NVS_DEFAULT_PART_NAME);
}

esp_err_t nvs_flash_deinit_partition(const char *partition_label)
{
    fake_partition_t *p = find_partition(partition_label);
    if (p == NULL || !p->initialised) {
        return ESP_ERR_NVS_NOT_INITIALIZED;
    }
    close_handles_of(p->label);
    p->initialised = false;
    return ESP_OK;
}

esp_err_t nvs_flash_deinit(void)
{
    return nvs_flash_deinit_partition(NVS_DEFAULT_PART_NAME);
}

esp_err_t nvs_flash_erase_partition(const char *part_name)
{
    s_stats.flash_erase_calls++;
    fake_partition_t *p = find_partition(part_name);
    if (p == NULL) {
        return ESP_ERR_NOT_FOUND;
    }
    if (p->initialised) {
        (void)nvs_flash_deinit_partition(part_name);
    }
    for (size_t i = 0; i < FAKE_NVS_MAX_ENTRIES; i++) {
        if (s_entries[i].used && strcmp(s_entries[i].part, part_name) == 0) {
            memset(&s_entries[i], 0, sizeof(s_entries[i]));
        }
    }
    for (size_t i = 0; i < FAKE_NVS_MAX_NAMESPACES; i++) {
        if (s_namespaces[i].used && strcmp(s_namespaces[i].part, part_name) == 0) {
            memset(&s_namespaces[i], 0, sizeof(s_namespaces[i]));
        }
    }
    return ESP_OK;
}

esp_err_t nvs_flash_erase(void)
{
    return nvs_flash_erase_partition(NVS_DEFAULT_PART_NAME);
}

static bool any_partition_initialised(void)
{
    for (size_t i = 0; i < FAKE_NVS_MAX_PARTITIONS; i++) {
        if (s_partitions[i].used && s_partitions[i].initialised) {
            return true;
        }
    }
    return false;
}

esp_err_t nvs_open_from_partition(const char *part_name, const char *namespace_name,
                                  nvs_open_mode_t open_mode, nvs_handle_t *out_handle)
{
    s_stats.open_calls++;
    s_stats.last_open_mode = open_mode;
    snprintf(s_stats.last_open_partition, sizeof(s_stats.last_open_partition), "%s",
             part_name ? part_name : "");
    snprintf(s_stats.last_namespace, sizeof(s_stats.last_namespace), "%s",
             namespace_name ? namespace_name : "");
    if (s_open_error != ESP_OK) {
        return s_open_error;
    }
    /* NVSPartitionManager::open_handle: NULL handle, then no storage at all, then this partition not
     * initialised, then the namespace (Storage::createOrOpenNamespace). */
    if (part_name == NULL || namespace_name == NULL || out_handle == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!any_partition_initialised()) {
        return ESP_ERR_NVS_NOT_INITIALIZED;
    }
    if (!fake_nvs_partition_initialised(part_name)) {
        return ESP_ERR_NVS_PART_NOT_FOUND;
    }
    if (namespace_name[0] == '\0' || strlen(namespace_name) > NVS_NS_NAME_MAX_SIZE - 1) {
        return ESP_ERR_NVS_INVALID_NAME;
    }
    if (open_mode == NVS_READONLY && !namespace_exists(part_name, namespace_name)) {
        return ESP_ERR_NVS_NOT_FOUND;
    }
    for (size_t i = 0; i < FAKE_NVS_MAX_HANDLES; i++) {
        if (!s_handles[i].open) {
            if (open_mode == NVS_READWRITE && !create_namespace(part_name, namespace_name)) {
                return ESP_ERR_NVS_NOT_ENOUGH_SPACE;
            }
            s_handles[i].open = true;
            s_handles[i].mode = open_mode;
            snprintf(s_handles[i].part, sizeof(s_handles[i].part), "%s", part_name);
            snprintf(s_handles[i].ns, sizeof(s_handles[i].ns), "%s", namespace_name);
            *out_handle = (nvs_handle_t)(i + 1);
            s_stats.open_handles++;
            return ESP_OK;
        }
    }
    return ESP_ERR_NVS_NOT_ENOUGH_SPACE;
}

esp_err_t nvs_open(const char *namespace_name, nvs_open_mode_t open_mode, nvs_handle_t *out_handle)
{
    return nvs_open_from_partition(NVS_DEFAULT_PART_NAME, namespace_name, open_mode, out_handle);
}

static esp_err_t check_key(const char *key)
{
    if (key == NULL || key[0] == '\0') {
        return ESP_ERR_NVS_INVALID_NAME;
    }
    if (strlen(key) > NVS_KEY_NAME_MAX_SIZE - 1) {
        return ESP_ERR_NVS_KEY_TOO_LONG;
    }
    return ESP_OK;
}

esp_err_t nvs_set_str(nvs_handle_t handle, const char *key, const char *value)
{
    s_stats.set_calls++;
    snprintf(s_stats.last_key, sizeof(s_stats.last_key), "%s", key ? key : "");
    fake_handle_t *h = handle_of(handle);
    if (h == NULL) {
        return ESP_ERR_NVS_INVALID_HANDLE;
    }
    if (h->mode == NVS_READONLY) {
        return ESP_ERR_NVS_READ_ONLY;
    }
    esp_err_t err = check_key(key);
    if (err != ESP_OK) {
        return err;
    }
    if (value == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s_set_error != ESP_OK) {
        return s_set_error;
    }
    if (strlen(value) + 1 > FAKE_NVS_VALUE_MAX) {
        return ESP_ERR_NVS_VALUE_TOO_LONG;
    }
    fake_entry_t *e = find_entry(h->part, h->ns, key);
    if (e == NULL) {
        e = new_entry(h->part, h->ns, key);
        if (e == NULL) {
            return ESP_ERR_NVS_NOT_ENOUGH_SPACE;
        }
    }
    e->type = NVS_TYPE_STR; /* Storage::writeItem replaces an entry of another type under the same key */
    snprintf(e->value, sizeof(e->value), "%s", value);
    return ESP_OK;
}

esp_err_t nvs_get_str(nvs_handle_t handle, const char *key, char *out_value, size_t *length)
{
    s_stats.get_calls++;
    if (out_value == NULL) {
        s_stats.get_length_queries++;
    } else if (length != NULL) {
        s_stats.last_get_buffer_size = *length;
    }
    snprintf(s_stats.last_key, sizeof(s_stats.last_key), "%s", key ? key : "");
    fake_handle_t *h = handle_of(handle);
    if (h == NULL) {
        return ESP_ERR_NVS_INVALID_HANDLE;
    }
    esp_err_t err = check_key(key);
    if (err != ESP_OK) {
        return err;
    }
    if (s_get_error != ESP_OK) {
        return s_get_error;
    }
    /* nvs_get_str_or_blob: the item's size is looked up first (ESP_ERR_NVS_NOT_FOUND), then length is
     * checked; a buffer too small gets the size needed in *length along with ESP_ERR_NVS_INVALID_LENGTH. */
    const fake_entry_t *e = find_entry(h->part, h->ns, key);
    if (e == NULL || e->type != NVS_TYPE_STR) {
        return ESP_ERR_NVS_NOT_FOUND;
    }
    size_t needed = strlen(e->value) + 1;
    if (length == NULL) {
        return ESP_ERR_NVS_INVALID_LENGTH;
    }
    if (out_value == NULL) {
        *length = needed;
        return ESP_OK;
    }
    if (*length < needed) {
        *length = needed;
        return ESP_ERR_NVS_INVALID_LENGTH;
    }
    memcpy(out_value, e->value, needed);
    *length = needed;
    return ESP_OK;
}

esp_err_t nvs_find_key(nvs_handle_t handle, const char *key, nvs_type_t *out_type)
{
    const fake_handle_t *h = handle_of(handle);
    if (h == NULL) {
        return ESP_ERR_NVS_INVALID_HANDLE;
    }
    const esp_err_t err = check_key(key);
    if (err != ESP_OK) {
        return err;
    }
    const fake_entry_t *e = find_entry(h->part, h->ns, key);
    if (e == NULL) {
        return ESP_ERR_NVS_NOT_FOUND;
    }
    if (out_type != NULL) {
        *out_type = e->type;
    }
    return ESP_OK;
}

esp_err_t nvs_commit(nvs_handle_t handle)
{
    s_stats.commit_calls++;
    fake_handle_t *h = handle_of(handle);
    if (h == NULL) {
        return ESP_ERR_NVS_INVALID_HANDLE;
    }
    if (s_commit_error != ESP_OK) {
        return s_commit_error;
    }
    for (size_t i = 0; i < FAKE_NVS_MAX_ENTRIES; i++) {
        fake_entry_t *e = &s_entries[i];
        if (e->used && strcmp(e->part, h->part) == 0 && strcmp(e->ns, h->ns) == 0) {
            memcpy(e->committed_value, e->value, sizeof(e->value));
            e->committed = true;
        }
    }
    return ESP_OK;
}

void nvs_close(nvs_handle_t handle)
{
    s_stats.close_calls++;
    fake_handle_t *h = handle_of(handle);
    if (h != NULL) {
        h->open = false;
        s_stats.open_handles--;
    }
}
