/*
 * Fake of ESP-IDF v5.4.2 esp_event.h for host tests: the default event loop's registration functions with
 * the real signatures. Handlers are kept in a table and called synchronously by fake_esp_event_dispatch()
 * (fake_esp_event.h), the way the default loop's task would call them. Bases are compared by pointer, as
 * ESP-IDF does. esp_event_post() is not provided (it takes a FreeRTOS TickType_t; nothing posts events
 * in the adapters).
 */
#ifndef FAKE_ESP_EVENT_H
#define FAKE_ESP_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "esp_event_base.h"
#include "freertos/FreeRTOS.h"

/* ESP_ERR_INVALID_STATE when it already exists (as in ESP-IDF). */
esp_err_t esp_event_loop_create_default(void);
esp_err_t esp_event_loop_delete_default(void);

esp_err_t esp_event_handler_register(esp_event_base_t event_base, int32_t event_id,
                                     esp_event_handler_t event_handler, void *event_handler_arg);
esp_err_t esp_event_handler_unregister(esp_event_base_t event_base, int32_t event_id,
                                       esp_event_handler_t event_handler);
esp_err_t esp_event_handler_instance_register(esp_event_base_t event_base, int32_t event_id,
                                              esp_event_handler_t event_handler, void *event_handler_arg,
                                              esp_event_handler_instance_t *instance);
esp_err_t esp_event_handler_instance_unregister(esp_event_base_t event_base, int32_t event_id,
                                                esp_event_handler_instance_t instance);
/* Posts to the default loop: queued (data copied), dispatched when the test runs the loop
 * (fake_esp_event_run_posted). ESP_ERR_INVALID_STATE without a default loop; ESP_ERR_TIMEOUT when the
 * queue is full (as the real one with ticks_to_wait 0). */
esp_err_t esp_event_post(esp_event_base_t event_base, int32_t event_id, const void *event_data,
                         size_t event_data_size, TickType_t ticks_to_wait);

#endif /* FAKE_ESP_EVENT_H */
