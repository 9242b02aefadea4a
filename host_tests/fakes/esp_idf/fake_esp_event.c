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

typedef struct {
    esp_event_base_t base;
    int32_t id;
    bool has_data;
    unsigned char data[FAKE_ESP_EVENT_DATA_MAX];
} fake_posted_t;

static fake_posted_t s_posted[FAKE_ESP_EVENT_QUEUE_MAX];
static size_t s_posted_count;
static TickType_t s_last_post_ticks;
static esp_err_t s_post_error;

void fake_esp_event_reset(void)
{
    memset(s_handlers, 0, sizeof(s_handlers));
    s_default_loop = false;
    memset(s_posted, 0, sizeof(s_posted));
    s_posted_count = 0;
    s_last_post_ticks = 0;
    s_post_error = ESP_OK;
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

esp_err_t esp_event_post(esp_event_base_t event_base, int32_t event_id, const void *event_data,
                         size_t event_data_size, TickType_t ticks_to_wait)
{
    s_last_post_ticks = ticks_to_wait;
    if (!s_default_loop) {
        return ESP_ERR_INVALID_STATE;
    }
    if (s_post_error != ESP_OK) {
        esp_err_t err = s_post_error;
        s_post_error = ESP_OK;
        return err;
    }
    if (event_data_size > FAKE_ESP_EVENT_DATA_MAX) {
        return ESP_ERR_NO_MEM;
    }
    if (s_posted_count == FAKE_ESP_EVENT_QUEUE_MAX) {
        return ESP_ERR_TIMEOUT;
    }
    fake_posted_t *p = &s_posted[s_posted_count++];
    memset(p, 0, sizeof(*p));
    p->base = event_base;
    p->id = event_id;
    if (event_data != NULL && event_data_size > 0) {
        memcpy(p->data, event_data, event_data_size);
        p->has_data = true;
    }
    return ESP_OK;
}

size_t fake_esp_event_posted_count(void)
{
    return s_posted_count;
}

size_t fake_esp_event_run_posted(void)
{
    size_t ran = 0;
    while (s_posted_count > 0) {
        fake_posted_t event = s_posted[0];
        memmove(&s_posted[0], &s_posted[1], (s_posted_count - 1) * sizeof(s_posted[0]));
        s_posted_count--;
        (void)fake_esp_event_dispatch(event.base, event.id, event.has_data ? event.data : NULL);
        ran++;
    }
    return ran;
}

TickType_t fake_esp_event_last_post_ticks(void)
{
    return s_last_post_ticks;
}

void fake_esp_event_fail_next_post(esp_err_t err)
{
    s_post_error = err;
}
