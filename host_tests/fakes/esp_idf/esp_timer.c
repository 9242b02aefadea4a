/* Fake of esp_timer: see esp_timer.h and fake_esp_timer.h. */
#include <string.h>

#include "fake_esp_timer.h"

struct esp_timer {
    bool used;
    bool armed;
    bool periodic;
    esp_timer_create_args_t args;
    int64_t deadline_us;
    uint64_t last_timeout_us;
    int starts;
    int stops;
};

static struct esp_timer s_timers[FAKE_ESP_TIMER_MAX];
static size_t s_count;
static int64_t s_now_us;
static esp_err_t s_create_error;

void fake_esp_timer_reset(void)
{
    memset(s_timers, 0, sizeof(s_timers));
    s_count = 0;
    s_now_us = 0;
    s_create_error = ESP_OK;
}

esp_err_t esp_timer_create(const esp_timer_create_args_t *create_args, esp_timer_handle_t *out_handle)
{
    if (create_args == NULL || create_args->callback == NULL || out_handle == NULL ||
        create_args->dispatch_method >= ESP_TIMER_MAX) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s_create_error != ESP_OK) {
        esp_err_t err = s_create_error;
        s_create_error = ESP_OK;
        return err;
    }
    if (s_count == FAKE_ESP_TIMER_MAX) {
        return ESP_ERR_NO_MEM;
    }
    s_timers[s_count].used = true;
    s_timers[s_count].args = *create_args;
    *out_handle = &s_timers[s_count];
    s_count++;
    return ESP_OK;
}

esp_err_t esp_timer_start_once(esp_timer_handle_t timer, uint64_t timeout_us)
{
    if (timer == NULL || !timer->used) {
        return ESP_ERR_INVALID_ARG;
    }
    if (timer->armed) {
        return ESP_ERR_INVALID_STATE;
    }
    timer->armed = true;
    timer->periodic = false;
    timer->deadline_us = s_now_us + (int64_t)timeout_us;
    timer->last_timeout_us = timeout_us;
    timer->starts++;
    return ESP_OK;
}

esp_err_t esp_timer_start_periodic(esp_timer_handle_t timer, uint64_t period)
{
    const esp_err_t err = esp_timer_start_once(timer, period);
    if (err == ESP_OK) {
        timer->periodic = true;
    }
    return err;
}

esp_err_t esp_timer_stop(esp_timer_handle_t timer)
{
    if (timer == NULL || !timer->used) {
        return ESP_ERR_INVALID_ARG;
    }
    timer->stops++;
    if (!timer->armed) {
        return ESP_ERR_INVALID_STATE;
    }
    timer->armed = false;
    return ESP_OK;
}

esp_err_t esp_timer_delete(esp_timer_handle_t timer)
{
    if (timer == NULL || !timer->used) {
        return ESP_ERR_INVALID_ARG;
    }
    if (timer->armed) {
        return ESP_ERR_INVALID_STATE;
    }
    timer->used = false;
    return ESP_OK;
}

int64_t esp_timer_get_time(void)
{
    return s_now_us;
}

void fake_esp_timer_set_time_us(int64_t now_us)
{
    s_now_us = now_us;
}

void fake_esp_timer_advance_us(int64_t delta_us)
{
    s_now_us += delta_us;
    for (size_t i = 0; i < s_count; i++) {
        struct esp_timer *t = &s_timers[i];
        if (t->used && t->armed && t->deadline_us <= s_now_us && !t->periodic) {
            t->armed = false;
            t->args.callback(t->args.arg);
        }
        /* A periodic timer stays armed; its callback may stop it. A zero period would never end. */
        while (t->used && t->armed && t->periodic && t->last_timeout_us > 0 && t->deadline_us <= s_now_us) {
            t->deadline_us += (int64_t)t->last_timeout_us;
            t->args.callback(t->args.arg);
        }
    }
}

void fake_esp_timer_fire(esp_timer_handle_t timer)
{
    timer->armed = timer->armed && timer->periodic;
    timer->args.callback(timer->args.arg);
}

void fake_esp_timer_fail_next_create(esp_err_t err)
{
    s_create_error = err;
}

size_t fake_esp_timer_count(void)
{
    return s_count;
}

esp_timer_handle_t fake_esp_timer_handle(size_t index)
{
    return index < s_count ? &s_timers[index] : NULL;
}

bool fake_esp_timer_periodic(esp_timer_handle_t timer)
{
    return timer->periodic;
}

bool fake_esp_timer_armed(esp_timer_handle_t timer)
{
    return timer->armed;
}

uint64_t fake_esp_timer_last_timeout_us(esp_timer_handle_t timer)
{
    return timer->last_timeout_us;
}

int fake_esp_timer_start_count(esp_timer_handle_t timer)
{
    return timer->starts;
}

int fake_esp_timer_stop_count(esp_timer_handle_t timer)
{
    return timer->stops;
}

const esp_timer_create_args_t *fake_esp_timer_args(esp_timer_handle_t timer)
{
    return &timer->args;
}
