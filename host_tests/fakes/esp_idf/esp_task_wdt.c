/* Fake of the task watchdog: see esp_task_wdt.h and fake_esp_task_wdt.h. */
#include <string.h>

#include "fake_esp_task_wdt.h"

/* One per task seen; `resets` outlives the subscription so that tests can check it after the task ended. */
typedef struct {
    TaskHandle_t task;
    bool subscribed;
    int resets;
} wdt_entry_t;

static bool s_initialised = true;
static esp_err_t s_next_add_error = ESP_OK;
static wdt_entry_t s_entries[FAKE_ESP_TASK_WDT_MAX_TASKS];
static int s_adds;
static int s_resets;
static int s_deletes;

void fake_esp_task_wdt_reset(void)
{
    s_initialised = true;
    s_next_add_error = ESP_OK;
    memset(s_entries, 0, sizeof(s_entries));
    s_adds = 0;
    s_resets = 0;
    s_deletes = 0;
}

void fake_esp_task_wdt_set_initialised(bool initialised)
{
    s_initialised = initialised;
}

void fake_esp_task_wdt_fail_next_add(esp_err_t err)
{
    s_next_add_error = err;
}

static TaskHandle_t resolve(TaskHandle_t task)
{
    return task != NULL ? task : xTaskGetCurrentTaskHandle();
}

static wdt_entry_t *entry_of(TaskHandle_t task)
{
    for (size_t i = 0; i < FAKE_ESP_TASK_WDT_MAX_TASKS; i++) {
        if (s_entries[i].task == task) {
            return &s_entries[i];
        }
    }
    return NULL;
}

static wdt_entry_t *find(TaskHandle_t task)
{
    wdt_entry_t *entry = entry_of(task);
    return entry != NULL && entry->subscribed ? entry : NULL;
}

esp_err_t esp_task_wdt_add(TaskHandle_t task_handle)
{
    s_adds++;
    if (!s_initialised) {
        return ESP_ERR_INVALID_STATE; /* "TWDT was never initialized" */
    }
    if (s_next_add_error != ESP_OK) {
        esp_err_t err = s_next_add_error;
        s_next_add_error = ESP_OK;
        return err;
    }
    TaskHandle_t task = resolve(task_handle);
    if (find(task) != NULL) {
        return ESP_ERR_INVALID_ARG; /* "task is already subscribed" */
    }
    wdt_entry_t *entry = entry_of(task);
    if (entry == NULL) {
        entry = entry_of(NULL);
    }
    if (entry == NULL) {
        return ESP_ERR_NO_MEM; /* the real entry is calloc'ed */
    }
    entry->task = task;
    entry->subscribed = true;
    return ESP_OK;
}

esp_err_t esp_task_wdt_reset(void)
{
    s_resets++;
    if (!s_initialised) {
        return ESP_ERR_INVALID_STATE;
    }
    wdt_entry_t *entry = find(xTaskGetCurrentTaskHandle());
    if (entry == NULL) {
        return ESP_ERR_NOT_FOUND; /* "task not found" */
    }
    entry->resets++;
    return ESP_OK;
}

esp_err_t esp_task_wdt_delete(TaskHandle_t task_handle)
{
    s_deletes++;
    if (!s_initialised) {
        return ESP_ERR_INVALID_STATE;
    }
    wdt_entry_t *entry = find(resolve(task_handle));
    if (entry == NULL) {
        return ESP_ERR_NOT_FOUND;
    }
    entry->subscribed = false;
    return ESP_OK;
}

esp_err_t esp_task_wdt_status(TaskHandle_t task_handle)
{
    if (!s_initialised) {
        return ESP_ERR_INVALID_STATE;
    }
    return find(resolve(task_handle)) != NULL ? ESP_OK : ESP_ERR_NOT_FOUND;
}

int fake_esp_task_wdt_add_calls(void)
{
    return s_adds;
}

int fake_esp_task_wdt_reset_calls(void)
{
    return s_resets;
}

int fake_esp_task_wdt_delete_calls(void)
{
    return s_deletes;
}

int fake_esp_task_wdt_resets_of(TaskHandle_t task)
{
    const wdt_entry_t *entry = entry_of(resolve(task));
    return entry != NULL ? entry->resets : 0;
}

bool fake_esp_task_wdt_subscribed(TaskHandle_t task)
{
    return find(resolve(task)) != NULL;
}
