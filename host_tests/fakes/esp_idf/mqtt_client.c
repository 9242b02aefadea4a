/* Fake of the ESP-MQTT client: see mqtt_client.h and fake_esp_mqtt_client.h. */
#include <stdio.h>
#include <string.h>

#include "fake_esp_mqtt_client.h"

struct esp_mqtt_client {
    bool created;
    fake_esp_mqtt_state_t state;
    bool run;  /* ESP-MQTT's client->run: a task is alive */
    int tasks; /* client tasks alive; more than one is the bug the adapter must never cause */
};

static struct esp_mqtt_client s_client;
static esp_mqtt_client_config_t s_config;
static char s_uri[FAKE_ESP_MQTT_STRING_MAX];
static char s_client_id[FAKE_ESP_MQTT_STRING_MAX];
static bool s_fail_init;
static esp_err_t s_register_error;
static int s_enqueue_result;
static int s_inits;
static int s_starts;
static int s_reconnects;
static int s_disconnects;
static int s_stops;
static int s_destroys;
static int s_max_tasks;
static bool s_fail_start;
static bool s_fail_stop;
static fake_esp_mqtt_enqueue_t s_enqueue;
static esp_event_handler_t s_handler;
static void *s_handler_arg;
static esp_mqtt_event_id_t s_handler_event;

static const char s_mqtt_events_base[] = "MQTT_EVENTS";

void fake_esp_mqtt_reset(void)
{
    memset(&s_client, 0, sizeof(s_client));
    memset(&s_config, 0, sizeof(s_config));
    memset(s_uri, 0, sizeof(s_uri));
    memset(s_client_id, 0, sizeof(s_client_id));
    s_fail_init = false;
    s_register_error = ESP_OK;
    s_enqueue_result = 1;
    s_inits = 0;
    s_starts = 0;
    s_reconnects = 0;
    s_disconnects = 0;
    s_stops = 0;
    s_destroys = 0;
    s_max_tasks = 0;
    s_fail_start = false;
    s_fail_stop = false;
    memset(&s_enqueue, 0, sizeof(s_enqueue));
    s_handler = NULL;
    s_handler_arg = NULL;
    s_handler_event = MQTT_EVENT_ANY;
}

static bool valid(const struct esp_mqtt_client *client)
{
    return client == &s_client && s_client.created;
}

esp_mqtt_client_handle_t esp_mqtt_client_init(const esp_mqtt_client_config_t *config)
{
    s_inits++;
    if (s_fail_init || config == NULL) {
        s_fail_init = false;
        return NULL;
    }
    s_config = *config;
    if (config->broker.address.uri != NULL) {
        snprintf(s_uri, sizeof(s_uri), "%s", config->broker.address.uri);
        s_config.broker.address.uri = s_uri;
    }
    if (config->credentials.client_id != NULL) {
        snprintf(s_client_id, sizeof(s_client_id), "%s", config->credentials.client_id);
        s_config.credentials.client_id = s_client_id;
    }
    memset(&s_client, 0, sizeof(s_client));
    s_client.created = true;
    s_client.state = FAKE_ESP_MQTT_STATE_INIT;
    return &s_client;
}

esp_err_t esp_mqtt_client_start(esp_mqtt_client_handle_t client)
{
    s_starts++;
    if (!valid(client)) {
        return ESP_ERR_INVALID_ARG;
    }
    /* ESP-MQTT checks the state only: "Client has started" unless INIT or DISCONNECTED. INIT is also the
     * state of a running task that is connecting, so a start then creates a second task, as here. */
    if (s_client.state != FAKE_ESP_MQTT_STATE_INIT && s_client.state != FAKE_ESP_MQTT_STATE_DISCONNECTED) {
        return ESP_FAIL;
    }
    if (s_fail_start) {
        s_fail_start = false;
        return ESP_FAIL; /* xTaskCreate failed ("Error create mqtt task") */
    }
    s_client.tasks++;
    if (s_client.tasks > s_max_tasks) {
        s_max_tasks = s_client.tasks;
    }
    /* The new task sets run and INIT, then dispatches BEFORE_CONNECT and connects. */
    s_client.run = true;
    s_client.state = FAKE_ESP_MQTT_STATE_INIT;
    return ESP_OK;
}

esp_err_t esp_mqtt_client_reconnect(esp_mqtt_client_handle_t client)
{
    s_reconnects++;
    if (!valid(client)) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s_client.state != FAKE_ESP_MQTT_STATE_WAIT_RECONNECT) {
        return ESP_FAIL;
    }
    s_client.state = FAKE_ESP_MQTT_STATE_INIT;
    return ESP_OK;
}

esp_err_t esp_mqtt_client_disconnect(esp_mqtt_client_handle_t client)
{
    s_disconnects++;
    return valid(client) ? ESP_OK : ESP_ERR_INVALID_ARG;
}

esp_err_t esp_mqtt_client_stop(esp_mqtt_client_handle_t client)
{
    s_stops++;
    if (!valid(client)) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!s_client.run) {
        return ESP_FAIL; /* "Client asked to stop, but was not started": nothing changes */
    }
    if (s_fail_stop && s_client.state == FAKE_ESP_MQTT_STATE_CONNECTED) {
        s_fail_stop = false;
        return ESP_FAIL; /* the DISCONNECT packet could not be built: the task keeps running */
    }
    /* run = false, state DISCONNECTED, then waits until the task has ended; no event is dispatched. */
    s_client.run = false;
    s_client.tasks = 0;
    s_client.state = FAKE_ESP_MQTT_STATE_DISCONNECTED;
    return ESP_OK;
}

int esp_mqtt_client_enqueue(esp_mqtt_client_handle_t client, const char *topic, const char *data, int len,
                            int qos, int retain, bool store)
{
    if (!valid(client)) {
        return -1;
    }
    s_enqueue.calls++;
    snprintf(s_enqueue.topic, sizeof(s_enqueue.topic), "%s", topic != NULL ? topic : "");
    if (data != NULL && len > 0) {
        size_t n = (size_t)len < sizeof(s_enqueue.data) - 1 ? (size_t)len : sizeof(s_enqueue.data) - 1;
        memcpy(s_enqueue.data, data, n);
        s_enqueue.data[n] = '\0';
    } else {
        snprintf(s_enqueue.data, sizeof(s_enqueue.data), "%s", data != NULL ? data : "");
    }
    s_enqueue.len = len;
    s_enqueue.qos = qos;
    s_enqueue.retain = retain;
    s_enqueue.store = store;
    return s_enqueue_result;
}

esp_err_t esp_mqtt_client_destroy(esp_mqtt_client_handle_t client)
{
    s_destroys++;
    if (!valid(client)) {
        return ESP_ERR_INVALID_ARG;
    }
    memset(&s_client, 0, sizeof(s_client));
    s_handler = NULL;
    return ESP_OK;
}

esp_err_t esp_mqtt_client_register_event(esp_mqtt_client_handle_t client, esp_mqtt_event_id_t event,
                                         esp_event_handler_t event_handler, void *event_handler_arg)
{
    if (!valid(client)) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s_register_error != ESP_OK) {
        esp_err_t err = s_register_error;
        s_register_error = ESP_OK;
        return err;
    }
    s_handler = event_handler;
    s_handler_arg = event_handler_arg;
    s_handler_event = event;
    return ESP_OK;
}

void fake_esp_mqtt_fail_next_init(void)
{
    s_fail_init = true;
}

void fake_esp_mqtt_fail_next_register(esp_err_t err)
{
    s_register_error = err;
}

void fake_esp_mqtt_set_enqueue_result(int result)
{
    s_enqueue_result = result;
}

int fake_esp_mqtt_init_count(void)
{
    return s_inits;
}

const esp_mqtt_client_config_t *fake_esp_mqtt_last_config(void)
{
    return &s_config;
}

int fake_esp_mqtt_start_count(void)
{
    return s_starts;
}

int fake_esp_mqtt_reconnect_count(void)
{
    return s_reconnects;
}

int fake_esp_mqtt_disconnect_count(void)
{
    return s_disconnects;
}

int fake_esp_mqtt_stop_count(void)
{
    return s_stops;
}

int fake_esp_mqtt_destroy_count(void)
{
    return s_destroys;
}

const fake_esp_mqtt_enqueue_t *fake_esp_mqtt_last_enqueue(void)
{
    return &s_enqueue;
}

bool fake_esp_mqtt_handler_registered(void)
{
    return s_handler != NULL;
}

esp_mqtt_event_id_t fake_esp_mqtt_registered_event_id(void)
{
    return s_handler_event;
}

fake_esp_mqtt_state_t fake_esp_mqtt_state(void)
{
    return s_client.state;
}

bool fake_esp_mqtt_task_running(void)
{
    return s_client.run && s_client.tasks > 0;
}

int fake_esp_mqtt_max_tasks(void)
{
    return s_max_tasks;
}

void fake_esp_mqtt_fail_next_start(void)
{
    s_fail_start = true;
}

void fake_esp_mqtt_fail_next_stop_while_connected(void)
{
    s_fail_stop = true;
}

void fake_esp_mqtt_end_task(void)
{
    s_client.run = false;
    s_client.tasks = 0;
    s_client.state = FAKE_ESP_MQTT_STATE_DISCONNECTED;
}

bool fake_esp_mqtt_dispatch(esp_mqtt_event_t *event)
{
    if (s_handler == NULL) {
        return false;
    }
    if (s_handler_event != MQTT_EVENT_ANY && s_handler_event != event->event_id) {
        return true;
    }
    if (event->event_id == MQTT_EVENT_CONNECTED) {
        s_client.state = FAKE_ESP_MQTT_STATE_CONNECTED;
    } else if (event->event_id == MQTT_EVENT_DISCONNECTED) {
        s_client.state = FAKE_ESP_MQTT_STATE_WAIT_RECONNECT;
    }
    event->client = &s_client;
    s_handler(s_handler_arg, s_mqtt_events_base, (int32_t)event->event_id, event);
    return true;
}
