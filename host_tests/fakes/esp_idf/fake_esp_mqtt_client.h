/*
 * Control and inspection of the ESP-MQTT fake (mqtt_client.h). One client at a time; single-threaded
 * tests; call fake_esp_mqtt_reset() in each test's setup.
 */
#ifndef FAKE_ESP_MQTT_CLIENT_CONTROL_H
#define FAKE_ESP_MQTT_CLIENT_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "mqtt_client.h"

#define FAKE_ESP_MQTT_STRING_MAX 256

/* ESP-MQTT's internal client states (mqtt_client_priv.h), as far as the fake models them. */
typedef enum {
    FAKE_ESP_MQTT_STATE_INIT = 0,     /* created, or the task is (re)connecting */
    FAKE_ESP_MQTT_STATE_DISCONNECTED, /* the task has ended (stopped, or could not create its transport) */
    FAKE_ESP_MQTT_STATE_CONNECTED,
    FAKE_ESP_MQTT_STATE_WAIT_RECONNECT, /* after a failure or disconnect: waits for
                                           esp_mqtt_client_reconnect() */
} fake_esp_mqtt_state_t;

typedef struct {
    int calls;
    char topic[FAKE_ESP_MQTT_STRING_MAX];
    char data[FAKE_ESP_MQTT_STRING_MAX];
    int len;
    int qos;
    int retain;
    bool store;
} fake_esp_mqtt_enqueue_t;

void fake_esp_mqtt_reset(void);

/* esp_mqtt_client_init returns NULL next time (what a malformed URI or no memory does). */
void fake_esp_mqtt_fail_next_init(void);
/* esp_mqtt_client_register_event returns err next time. */
void fake_esp_mqtt_fail_next_register(esp_err_t err);
/* esp_mqtt_client_enqueue returns result from now on (a msg id, -1 or -2). */
void fake_esp_mqtt_set_enqueue_result(int result);

int fake_esp_mqtt_init_count(void);
/* The last configuration given to esp_mqtt_client_init; its strings point at the fake's own copies. */
const esp_mqtt_client_config_t *fake_esp_mqtt_last_config(void);
int fake_esp_mqtt_start_count(void);
int fake_esp_mqtt_reconnect_count(void);
int fake_esp_mqtt_disconnect_count(void);
int fake_esp_mqtt_stop_count(void);
int fake_esp_mqtt_destroy_count(void);
const fake_esp_mqtt_enqueue_t *fake_esp_mqtt_last_enqueue(void);
bool fake_esp_mqtt_handler_registered(void);
esp_mqtt_event_id_t fake_esp_mqtt_registered_event_id(void);
fake_esp_mqtt_state_t fake_esp_mqtt_state(void);
bool fake_esp_mqtt_task_running(void);
/* The most client tasks alive at once since the reset (ESP-MQTT's start() creates a second one when called
 * on a running task that is connecting; must stay 1). */
int fake_esp_mqtt_max_tasks(void);

/* esp_mqtt_client_start fails next time with the state allowing it (xTaskCreate failed: ESP_FAIL). */
void fake_esp_mqtt_fail_next_start(void);
/* esp_mqtt_client_stop returns ESP_FAIL next time the client is CONNECTED, and the task keeps running
 * (ESP-MQTT does this when it cannot build the DISCONNECT packet). */
void fake_esp_mqtt_fail_next_stop_while_connected(void);

/* The client task ends on its own, without any event (ESP-MQTT does this when it cannot create its
 * transport): run false, state DISCONNECTED. */
void fake_esp_mqtt_end_task(void);

/*
 * Delivers event to the registered handler as the client task would (event_data points at event), after
 * moving the modelled state as ESP-MQTT does: CONNECTED -> CONNECTED, DISCONNECTED -> WAIT_RECONNECT.
 * event->client is set to the fake client. Returns false when no handler is registered.
 */
bool fake_esp_mqtt_dispatch(esp_mqtt_event_t *event);

#endif
