/*
 * Control and inspection of the ESP-MQTT fake (mqtt_client.h). One client at a time; single-threaded
 * tests; call fake_esp_mqtt_reset() in each test's setup.
 *
 * Each modelled behaviour is ESP-MQTT's at the commit ESP-IDF v5.4.2 pins (mqtt_client.c unless said):
 *   - init / set_config store a configuration field by field (esp_mqtt_set_config): see
 * fake_esp_mqtt_settings_t; the URI is applied last, as esp_mqtt_client_set_uri does (scheme, host and path
 * replaced; the port only when the URI has one).
 *   - start() checks the state only: INIT or DISCONNECTED, else ESP_FAIL (esp_mqtt_client_start). The new
 * task takes the transport's default port when none is stored (esp_mqtt_task, MQTT_STATE_INIT).
 *   - stop() returns ESP_FAIL when no task runs, or when CONNECTED and the DISCONNECT packet cannot be built
 *     (the task then keeps running); otherwise it marks the client DISCONNECTED and waits for the task's
 *     STOPPED_BIT, after which the ending task still writes its state (esp_mqtt_client_stop, end of
 *     esp_mqtt_task). No event is dispatched and the outbox is dropped silently.
 *   - a failed set_config frees the client's configuration and destroys network.transport
 *     (esp_mqtt_destroy_config); the client must then never be used again (start and enqueue would read the
 *     freed configuration, another set_config would free the input buffer twice): such calls are counted as
 *     misuses instead of crashing.
 *   - esp_mqtt_client_destroy destroys network.transport (esp_mqtt_destroy_config); a failed init destroys it
 *     only when set_config had already stored it (the failure path of esp_mqtt_client_init).
 *   - every event carries the client's error_handle, never NULL (create_client_data).
 */
#ifndef FAKE_ESP_MQTT_CLIENT_CONTROL_H
#define FAKE_ESP_MQTT_CLIENT_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqtt_client.h"

#define FAKE_ESP_MQTT_STRING_MAX  256
#define FAKE_ESP_MQTT_JOURNAL_MAX 512

/* ESP-MQTT's client states (lib/include/mqtt_client_priv.h), as far as the fake models them. */
typedef enum {
    FAKE_ESP_MQTT_STATE_INIT = 0,     /* created, or the task is connecting */
    FAKE_ESP_MQTT_STATE_DISCONNECTED, /* stopped */
    FAKE_ESP_MQTT_STATE_CONNECTED,
    FAKE_ESP_MQTT_STATE_WAIT_RECONNECT, /* after a failure or a lost connection (auto-reconnect off: waits) */
} fake_esp_mqtt_state_t;

/*
 * The configuration the client holds (esp_mqtt_set_config). Left 0 / NULL in a set_config call:
 *   back to the default: buffer sizes (1024; out = size), retransmit (1000 ms), task priority (5) and stack
 *     (6144), network timeout (10000 ms), reconnect timeout (10000 ms), auto_reconnect (on), outbox limit
 * (0); kept from before: scheme/host/path/port, client id, username, password, will topic and message, will
 * QoS and retain, keepalive, protocol version, transport.
 */
typedef struct {
    char scheme[16];
    char host[FAKE_ESP_MQTT_STRING_MAX];
    uint32_t port; /* 0 until a URI with a port, or the first start, stores one */
    char path[FAKE_ESP_MQTT_STRING_MAX];
    char client_id[FAKE_ESP_MQTT_STRING_MAX];
    bool has_username;
    char username[FAKE_ESP_MQTT_STRING_MAX];
    bool has_password;
    char password[FAKE_ESP_MQTT_STRING_MAX];
    char will_topic[FAKE_ESP_MQTT_STRING_MAX];
    char will_msg[FAKE_ESP_MQTT_STRING_MAX];
    int will_len;
    int will_qos;
    int will_retain;
    bool clean_session;
    int keepalive_s;
    esp_mqtt_protocol_ver_t protocol_ver;
    int network_timeout_ms;
    bool auto_reconnect;
    int reconnect_timeout_ms;
    int retransmit_ms;
    int task_priority;
    int task_stack;
    int buffer_size;
    int out_buffer_size;
    uint64_t outbox_limit;
    esp_transport_handle_t transport;
} fake_esp_mqtt_settings_t;

typedef struct {
    int calls;
    char topic[FAKE_ESP_MQTT_STRING_MAX];
    char data[FAKE_ESP_MQTT_STRING_MAX];
    bool data_null;
    int len;
    int qos;
    int retain;
    bool store;
    bool published; /* the call was esp_mqtt_client_publish (written at once when connected) */
} fake_esp_mqtt_enqueue_t;

/* Where esp_mqtt_client_init fails. */
typedef enum {
    FAKE_ESP_MQTT_INIT_OK = 0,
    FAKE_ESP_MQTT_INIT_FAILS_BEFORE_TRANSPORT, /* e.g. no memory for a string: network.transport untouched */
    FAKE_ESP_MQTT_INIT_FAILS_AFTER_TRANSPORT,  /* e.g. the URI does not parse: network.transport destroyed */
} fake_esp_mqtt_init_failure_t;

void fake_esp_mqtt_reset(void);

void fake_esp_mqtt_fail_next_init(fake_esp_mqtt_init_failure_t where);
/* esp_mqtt_client_register_event returns err next time. */
void fake_esp_mqtt_fail_next_register(esp_err_t err);
/* esp_mqtt_set_config takes its failure path next time and returns err (ESP_ERR_NO_MEM or ESP_FAIL). */
void fake_esp_mqtt_fail_next_set_config(esp_err_t err);
/* esp_mqtt_client_start fails next time with the state allowing it (xTaskCreate failed: ESP_FAIL). */
void fake_esp_mqtt_fail_next_start(void);
/* esp_mqtt_client_stop returns ESP_FAIL next time the client is CONNECTED, and the task keeps running. */
void fake_esp_mqtt_fail_next_stop_while_connected(void);
/* What esp_mqtt_client_enqueue returns from now on: a msg id, -1 (refused) or -2 (outbox full: the limit is
 * checked first, esp_mqtt_client_enqueue). 1 after a reset. */
void fake_esp_mqtt_set_enqueue_result(int result);

int fake_esp_mqtt_init_count(void);
int fake_esp_mqtt_set_config_count(void);
int fake_esp_mqtt_set_uri_count(void);
int fake_esp_mqtt_start_count(void);
int fake_esp_mqtt_stop_count(void);
int fake_esp_mqtt_reconnect_count(void);
int fake_esp_mqtt_disconnect_count(void);
int fake_esp_mqtt_destroy_count(void);
/* The ESP-MQTT calls since the reset, in order, space-separated: "init register start stop task_end ...".
 * task_end is the stopped task's last write (fake_esp_mqtt_finish_stopped_task). */
const char *fake_esp_mqtt_journal(void);

/* The configuration last given to esp_mqtt_client_init or esp_mqtt_set_config, as given (strings point at the
 * fake's copies). */
const esp_mqtt_client_config_t *fake_esp_mqtt_last_config(void);
/* What the client holds now. */
const fake_esp_mqtt_settings_t *fake_esp_mqtt_settings(void);
const fake_esp_mqtt_enqueue_t *fake_esp_mqtt_last_enqueue(void);

bool fake_esp_mqtt_handler_registered(void);
esp_mqtt_event_id_t fake_esp_mqtt_registered_event_id(void);
fake_esp_mqtt_state_t fake_esp_mqtt_state(void);
bool fake_esp_mqtt_task_running(void);
/* The most client tasks alive at once since the reset (must stay 1). */
int fake_esp_mqtt_max_tasks(void);

/* The stopped task's last step: it writes DISCONNECTED after stop() has returned. A start() before this step
 * is a race (the new task's INIT is overwritten and it idles forever): counted by fake_esp_mqtt_raced_starts.
 * The signature suits fake_freertos_set_delay_hook (time passing while the worker waits). */
void fake_esp_mqtt_finish_stopped_task(void *unused);
int fake_esp_mqtt_raced_starts(void);
/* Calls the real client would crash on or be corrupted by (see the top of this file). */
int fake_esp_mqtt_misuses(void);
/* ESP-MQTT calls made from inside the event handler (it runs on the MQTT task: stop() refuses, others stall).
 */
int fake_esp_mqtt_calls_from_handler(void);

/*
 * Delivers event to the registered handler as the client task would (event_data points at event), after
 * moving the modelled state as ESP-MQTT does: CONNECTED -> CONNECTED, DISCONNECTED -> WAIT_RECONNECT.
 * event->client is set to the fake client, and a NULL error_handle to the client's (zeroed) one. Returns
 * false when no handler is registered.
 */
bool fake_esp_mqtt_dispatch(esp_mqtt_event_t *event);

#endif
