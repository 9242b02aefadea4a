/*
 * mqtt_ws_adapter_test_support: the fixture shared by the adapter's three test binaries. One adapter and one
 * application queue (fake executor), the ESP-IDF fakes reset before each test, and time passing in the
 * worker's vTaskDelay lets a stopped ESP-MQTT task finish (fake_esp_mqtt_finish_stopped_task).
 */
#ifndef MQTT_WS_ADAPTER_TEST_SUPPORT_H
#define MQTT_WS_ADAPTER_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "fake_esp_mqtt_client.h"
#include "fake_esp_transport.h"
#include "fake_executor.h"
#include "mqtt_ws_adapter.h"

#define MQTT_WS_TEST_URI          "ws://broker.example:8080/mqtt"
#define MQTT_WS_TEST_WILL_TOPIC   "/liwaisi/iot/smart-irrigation/device/A1B2C3D4E5F6/status"
#define MQTT_WS_TEST_WILL_PAYLOAD "{\"status\":\"offline\",\"ip_address\":\"192.168.1.20\"}"

extern mqtt_ws_adapter_t mqtt_ws_test_adapter;
extern fake_executor_t mqtt_ws_test_executor;
/* Every field set, each value distinct from ESP-MQTT's default. */
extern const mqtt_client_config_t mqtt_ws_test_config;
/* A retained QoS 1 last will, as the application's presence gives it. */
extern const mqtt_message_t mqtt_ws_test_will;

/* cmocka setup: resets the fakes and initialises the adapter without TLS material. */
int mqtt_ws_test_setup(void **state);
/* Initialises the adapter again with tls (may be NULL). */
void mqtt_ws_test_init(const mqtt_ws_adapter_tls_t *tls);
/* configure() with mqtt_ws_test_config, or with it and another URI; asserts APP_OK. */
void mqtt_ws_test_configure(void);
void mqtt_ws_test_configure_uri(const char *uri);

/* Asserts that c (given to esp_mqtt_client_init or esp_mqtt_set_config) carries every field of
 * mqtt_ws_test_config, the transport and auto-reconnect off. */
void mqtt_ws_test_assert_full_config(const esp_mqtt_client_config_t *c);

/* connect() through the session port (will may be NULL). */
app_err_t mqtt_ws_test_connect(const char *uri, const mqtt_message_t *will);
/* One worker step; true when a request was handled. */
bool mqtt_ws_test_process(void);
/* connect() then one worker step, both asserted. */
void mqtt_ws_test_connect_and_process(const char *uri, const mqtt_message_t *will);

/* The application events posted so far, oldest first, and forgetting them. */
size_t mqtt_ws_test_posted_count(void);
const app_event_t *mqtt_ws_test_posted(size_t index);
void mqtt_ws_test_forget_posted(void);

/* An ESP-MQTT event with only its id set (and msg_id), delivered by the client task. */
void mqtt_ws_test_dispatch(esp_mqtt_event_id_t id, int msg_id);

/* The transports configure() built. */
fake_transport_t *mqtt_ws_test_ws(void);
fake_transport_t *mqtt_ws_test_base(void);

#endif
