/*
 * esp_event fake: a fixed table of handlers, synchronous dispatch. Not thread-safe (tests are
 * single-threaded).
 */
#include <stdbool.h>
#include <string.h>

#include "esp_event.h"
#include "fake_esp_event.h"

typedef struct {
    bool used;
    esp_event_base_t base;
    int32_t id;
    esp_event_handler_t handler;
    void *arg;
} fake_handler_t;

static fake_handler_t s_handlers[FAKE_ESP_EVENT_MAX_HANDLERS];
static bool s_default_loop;

void fake_esp_event_reset(void)
{
    memset(s_handlers, 0, sizeof(s_handlers));
    s_default_loop = false;
}

int fake_esp_event_default_loop_created(void)
{
    return s_default_loop ? 1 : 0;
}

esp_err_t esp_event_loop_create_default(void)
{
    if (s_default_loop) {
        return ESP_ERR_INVALID_STATE;
    }
    s_default_loop = true;
    return ESP_OK;
}

esp_err_t esp_event_loop_delete_default(void)
{
    if (!s_default_loop) {
        return ESP_ERR_INVALID_STATE;
    }
    s_default_loop = false;
    return ESP_OK;
}

static fake_handler_t *add_handler(esp_event_base_t base, int32_t id, esp_event_handler_t handler, void *arg)
{
    for (size_t i = 0; i < FAKE_ESP_EVENT_MAX_HANDLERS; i++) {
        if (!s_handlers[i].used) {
            s_handlers[i] =
                (fake_handler_t){.used = true, .base = base, .id = id, .handler = handler, .arg = arg};
            return &s_handlers[i];
        }
    }
    return NULL;
}

esp_err_t esp_event_handler_register(esp_event_base_t event_base, int32_t event_id,
                                     esp_event_handler_t event_handler, void *event_handler_arg)
{
    if (event_handler == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    return add_handler(event_base, event_id, event_handler, event_handler_arg) != NULL ? ESP_OK
                                                                                       : ESP_ERR_NO_MEM;
}

esp_err_t esp_event_handler_unregister(esp_event_base_t event_base, int32_t event_id,
                                       esp_event_handler_t event_handler)
{
    for (size_t i = 0; i < FAKE_ESP_EVENT_MAX_HANDLERS; i++) {
        fake_handler_t *h = &s_handlers[i];
        if (h->used && h->base == event_base && h->id == event_id && h->handler == event_handler) {
            h->used = false;
        }
    }
    return ESP_OK;
}

esp_err_t esp_event_handler_instance_register(esp_event_base_t event_base, int32_t event_id,
                                              esp_event_handler_t event_handler, void *event_handler_arg,
                                              esp_event_handler_instance_t *instance)
{
    if (event_handler == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    fake_handler_t *h = add_handler(event_base, event_id, event_handler, event_handler_arg);
    if (h == NULL) {
        return ESP_ERR_NO_MEM;
    }
    if (instance != NULL) {
        *instance = h;
    }
    return ESP_OK;
}

esp_err_t esp_event_handler_instance_unregister(esp_event_base_t event_base, int32_t event_id,
                                                esp_event_handler_instance_t instance)
{
    fake_handler_t *h = instance;
    if (h == NULL || !h->used || h->base != event_base || h->id != event_id) {
        return ESP_ERR_INVALID_ARG;
    }
    h->used = false;
    return ESP_OK;
}

static bool matches(const fake_handler_t *h, esp_event_base_t base, int32_t id)
{
    return h->used && (h->base == ESP_EVENT_ANY_BASE || h->base == base) &&
           (h->id == ESP_EVENT_ANY_ID || h->id == id);
}

size_t fake_esp_event_dispatch(esp_event_base_t base, int32_t id, void *data)
{
    size_t called = 0;
    for (size_t i = 0; i < FAKE_ESP_EVENT_MAX_HANDLERS; i++) {
        if (matches(&s_handlers[i], base, id)) {
            s_handlers[i].handler(s_handlers[i].arg, base, id, data);
            called++;
        }
    }
    return called;
}

size_t fake_esp_event_handler_count(esp_event_base_t base, int32_t id)
{
    size_t count = 0;
    for (size_t i = 0; i < FAKE_ESP_EVENT_MAX_HANDLERS; i++) {
        if (matches(&s_handlers[i], base, id)) {
            count++;
        }
    }
    return count;
}
