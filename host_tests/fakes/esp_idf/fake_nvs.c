/*
 * NVS fake: a small table of string entries. Writes are visible to reads at once (as in ESP-IDF, where
 * nvs_commit only guarantees durability); "committed" marks what nvs_commit() made durable, so tests can
 * check that the adapter commits.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fake_nvs.h"
#include "nvs_flash.h"

#define FAKE_NVS_MAX_HANDLES 8

typedef struct {
    bool used;
    bool committed;
    char ns[NVS_NS_NAME_MAX_SIZE];
    char key[NVS_KEY_NAME_MAX_SIZE];
    char value[FAKE_NVS_VALUE_MAX];
    char committed_value[FAKE_NVS_VALUE_MAX];
} fake_entry_t;

typedef struct {
    bool open;
    nvs_open_mode_t mode;
    char ns[NVS_NS_NAME_MAX_SIZE];
} fake_handle_t;

static fake_entry_t s_entries[FAKE_NVS_MAX_ENTRIES];
static fake_handle_t s_handles[FAKE_NVS_MAX_HANDLES];
static fake_nvs_stats_t s_stats;
static bool s_initialised;
static esp_err_t s_open_error;
static esp_err_t s_get_error;
static esp_err_t s_set_error;
static esp_err_t s_commit_error;
static esp_err_t s_init_script[8];
static size_t s_init_script_len;
static size_t s_init_script_pos;

void fake_nvs_reset(void)
{
    memset(s_entries, 0, sizeof(s_entries));
    memset(s_handles, 0, sizeof(s_handles));
    memset(&s_stats, 0, sizeof(s_stats));
    s_initialised = false;
    s_open_error = ESP_OK;
    s_get_error = ESP_OK;
    s_set_error = ESP_OK;
    s_commit_error = ESP_OK;
    s_init_script_len = 0;
    s_init_script_pos = 0;
}

const fake_nvs_stats_t *fake_nvs_stats(void)
{
    return &s_stats;
}

bool fake_nvs_initialised(void)
{
    return s_initialised;
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

void fake_nvs_script_flash_init(const esp_err_t *results, size_t count)
{
    if (count > sizeof(s_init_script) / sizeof(s_init_script[0])) {
        count = sizeof(s_init_script) / sizeof(s_init_script[0]);
    }
    memcpy(s_init_script, results, count * sizeof(results[0]));
    s_init_script_len = count;
    s_init_script_pos = 0;
}

static fake_entry_t *find_entry(const char *ns, const char *key)
{
    for (size_t i = 0; i < FAKE_NVS_MAX_ENTRIES; i++) {
        if (s_entries[i].used && strcmp(s_entries[i].ns, ns) == 0 && strcmp(s_entries[i].key, key) == 0) {
            return &s_entries[i];
        }
    }
    return NULL;
}

static fake_entry_t *new_entry(const char *ns, const char *key)
{
    for (size_t i = 0; i < FAKE_NVS_MAX_ENTRIES; i++) {
        if (!s_entries[i].used) {
            fake_entry_t *e = &s_entries[i];
            memset(e, 0, sizeof(*e));
            e->used = true;
            snprintf(e->ns, sizeof(e->ns), "%s", ns);
            snprintf(e->key, sizeof(e->key), "%s", key);
            return e;
        }
    }
    return NULL;
}

static bool namespace_exists(const char *ns)
{
    for (size_t i = 0; i < FAKE_NVS_MAX_ENTRIES; i++) {
        if (s_entries[i].used && strcmp(s_entries[i].ns, ns) == 0) {
            return true;
        }
    }
    return false;
}

void fake_nvs_put(const char *namespace_name, const char *key, const char *value)
{
    fake_entry_t *e = find_entry(namespace_name, key);
    if (e == NULL) {
        e = new_entry(namespace_name, key);
    }
    if (e != NULL) {
        snprintf(e->value, sizeof(e->value), "%s", value);
        snprintf(e->committed_value, sizeof(e->committed_value), "%s", value);
        e->committed = true;
    }
}

const char *fake_nvs_committed(const char *namespace_name, const char *key)
{
    const fake_entry_t *e = find_entry(namespace_name, key);
    return (e != NULL && e->committed) ? e->committed_value : NULL;
}

static fake_handle_t *handle_of(nvs_handle_t handle)
{
    if (handle == 0 || handle > FAKE_NVS_MAX_HANDLES || !s_handles[handle - 1].open) {
        return NULL;
    }
    return &s_handles[handle - 1];
}

esp_err_t nvs_flash_init(void)
{
    s_stats.flash_init_calls++;
    esp_err_t err = ESP_OK;
    if (s_init_script_pos < s_init_script_len) {
        err = s_init_script[s_init_script_pos++];
    }
    s_initialised = (err == ESP_OK);
    return err;
}

esp_err_t nvs_flash_erase(void)
{
    s_stats.flash_erase_calls++;
    memset(s_entries, 0, sizeof(s_entries));
    s_initialised = false;
    return ESP_OK;
}

esp_err_t nvs_flash_deinit(void)
{
    if (!s_initialised) {
        return ESP_ERR_NVS_NOT_INITIALIZED;
    }
    s_initialised = false;
    return ESP_OK;
}

esp_err_t nvs_open(const char *namespace_name, nvs_open_mode_t open_mode, nvs_handle_t *out_handle)
{
    s_stats.open_calls++;
    s_stats.last_open_mode = open_mode;
    snprintf(s_stats.last_namespace, sizeof(s_stats.last_namespace), "%s",
             namespace_name ? namespace_name : "");
    if (s_open_error != ESP_OK) {
        return s_open_error;
    }
    if (!s_initialised) {
        return ESP_ERR_NVS_NOT_INITIALIZED;
    }
    if (namespace_name == NULL || out_handle == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (namespace_name[0] == '\0' || strlen(namespace_name) > NVS_NS_NAME_MAX_SIZE - 1) {
        return ESP_ERR_NVS_INVALID_NAME;
    }
    if (open_mode == NVS_READONLY && !namespace_exists(namespace_name)) {
        return ESP_ERR_NVS_NOT_FOUND;
    }
    for (size_t i = 0; i < FAKE_NVS_MAX_HANDLES; i++) {
        if (!s_handles[i].open) {
            s_handles[i].open = true;
            s_handles[i].mode = open_mode;
            snprintf(s_handles[i].ns, sizeof(s_handles[i].ns), "%s", namespace_name);
            *out_handle = (nvs_handle_t)(i + 1);
            s_stats.open_handles++;
            return ESP_OK;
        }
    }
    return ESP_ERR_NVS_NOT_ENOUGH_SPACE;
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
    fake_entry_t *e = find_entry(h->ns, key);
    if (e == NULL) {
        e = new_entry(h->ns, key);
        if (e == NULL) {
            return ESP_ERR_NVS_NOT_ENOUGH_SPACE;
        }
    }
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
    if (length == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s_get_error != ESP_OK) {
        return s_get_error;
    }
    const fake_entry_t *e = find_entry(h->ns, key);
    if (e == NULL) {
        return ESP_ERR_NVS_NOT_FOUND;
    }
    size_t needed = strlen(e->value) + 1;
    if (out_value == NULL) {
        *length = needed;
        return ESP_OK;
    }
    if (*length < needed) {
        return ESP_ERR_NVS_INVALID_LENGTH;
    }
    memcpy(out_value, e->value, needed);
    *length = needed;
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
        if (e->used && strcmp(e->ns, h->ns) == 0) {
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
