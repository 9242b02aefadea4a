/*
 * mqtt_ws_adapter against the ESP-MQTT fake: the client configuration, the event translation, publish
 * results, the start/reconnect sequence; and, with the application on top (port fakes for the other ports),
 * the WebSocket path rule, an init failure that disables MQTT, and a registration/reconnect cycle.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "application/application.h"
#include "application/settings.h"
#include "fake_esp_log.h"
#include "fake_esp_mqtt_client.h"
#include "fake_executor.h"
#include "fake_ports.h"
#include "mqtt_ws_adapter.h"

static mqtt_ws_adapter_t s_adapter;
static fake_executor_t s_executor;

static const mqtt_client_config_t s_config = {
    .uri = "ws://broker.example:8080/mqtt",
    .client_id = "ESP32_A1B2C3",
    .keepalive_s = 60,
    .network_timeout_ms = 7000,
    .buffer_size = 1024,
    .out_buffer_size = 2560,
    .task_stack_size = 6144,
    .task_priority = 5,
    .outbox_limit = 4096,
};

static int setup(void **state)
{
    (void)state;
    fake_esp_mqtt_reset();
    fake_esp_log_reset();
    fake_esp_log_set_echo(0);
    fake_executor_init(&s_executor);
    assert_int_equal(mqtt_ws_adapter_init(&s_adapter, &fake_executor_port, &s_executor), APP_OK);
    return 0;
}

static void configure(void)
{
    assert_int_equal(mqtt_ws_adapter_session_port.configure(&s_adapter, &s_config), APP_OK);
}

static const app_event_t *posted(size_t index)
{
    assert_true(index < s_executor.count);
    return &s_executor.queue[(s_executor.head + index) % FAKE_EXECUTOR_QUEUE_MAX];
}

/* ---- configuration ---- */

static void test_configure_passes_every_setting_to_esp_mqtt(void **state)
{
    (void)state;
    configure();
    const esp_mqtt_client_config_t *c = fake_esp_mqtt_last_config();
    assert_string_equal(c->broker.address.uri, "ws://broker.example:8080/mqtt");
    assert_string_equal(c->credentials.client_id, "ESP32_A1B2C3");
    assert_false(c->credentials.set_null_client_id);
    assert_false(c->session.disable_clean_session);
    assert_int_equal(c->session.keepalive, 60);
    assert_false(c->session.disable_keepalive);
    assert_int_equal(c->session.protocol_ver, MQTT_PROTOCOL_V_3_1_1);
    assert_int_equal(c->network.timeout_ms, 7000);
    assert_int_equal(c->buffer.size, 1024);
    assert_int_equal(c->buffer.out_size, 2560);
    assert_int_equal(c->task.stack_size, 6144);
    assert_int_equal(c->task.priority, 5);
    assert_int_equal(c->outbox.limit, 4096);
}

static void test_configure_disables_esp_mqtt_auto_reconnect(void **state)
{
    (void)state;
    configure();
    assert_true(fake_esp_mqtt_last_config()->network.disable_auto_reconnect);
}

static void test_configure_sets_the_reconnect_wait_that_bounds_a_stop(void **state)
{
    (void)state;
    configure();
    assert_int_equal(fake_esp_mqtt_last_config()->network.reconnect_timeout_ms,
                     MQTT_WS_ADAPTER_RECONNECT_WAIT_MS);
}

static void test_configure_registers_one_handler_for_every_event(void **state)
{
    (void)state;
    configure();
    assert_true(fake_esp_mqtt_handler_registered());
    assert_int_equal(fake_esp_mqtt_registered_event_id(), MQTT_EVENT_ANY);
}

static void test_configure_keeps_its_own_copy_of_the_strings(void **state)
{
    (void)state;
    char uri[] = "ws://broker.example:8080/mqtt";
    char id[] = "ESP32_A1B2C3";
    mqtt_client_config_t cfg = s_config;
    cfg.uri = uri;
    cfg.client_id = id;
    assert_int_equal(mqtt_ws_adapter_session_port.configure(&s_adapter, &cfg), APP_OK);
    memset(uri, 'x', sizeof(uri) - 1);
    memset(id, 'x', sizeof(id) - 1);
    assert_string_equal(s_adapter.uri, "ws://broker.example:8080/mqtt");
    assert_string_equal(s_adapter.client_id, "ESP32_A1B2C3");
}

static void test_configure_reports_an_init_failure(void **state)
{
    (void)state;
    fake_esp_mqtt_fail_next_init();
    assert_int_equal(mqtt_ws_adapter_session_port.configure(&s_adapter, &s_config), APP_ERR_PLATFORM);
    assert_false(fake_esp_mqtt_handler_registered());
    /* MQTT stays disabled: nothing can be started later. */
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_ERR_INVALID_ARG);
    assert_int_equal(fake_esp_mqtt_start_count(), 0);
}

static void test_configure_destroys_the_client_when_registration_fails(void **state)
{
    (void)state;
    fake_esp_mqtt_fail_next_register(ESP_ERR_NO_MEM);
    assert_int_equal(mqtt_ws_adapter_session_port.configure(&s_adapter, &s_config), APP_ERR_NO_MEMORY);
    assert_int_equal(fake_esp_mqtt_destroy_count(), 1);
    assert_null(s_adapter.client);
}

static void test_configure_rejects_a_uri_longer_than_the_domain_limit(void **state)
{
    (void)state;
    char uri[BROKER_URI_MAX_LEN + 2];
    memset(uri, 'a', sizeof(uri) - 1);
    uri[sizeof(uri) - 1] = '\0';
    mqtt_client_config_t cfg = s_config;
    cfg.uri = uri;
    assert_int_equal(mqtt_ws_adapter_session_port.configure(&s_adapter, &cfg), APP_ERR_BAD_URI);
    assert_int_equal(fake_esp_mqtt_init_count(), 0);
}

static void test_configure_twice_is_refused(void **state)
{
    (void)state;
    configure();
    assert_int_equal(mqtt_ws_adapter_session_port.configure(&s_adapter, &s_config), APP_ERR_INVALID_ARG);
    assert_int_equal(fake_esp_mqtt_init_count(), 1);
}

/* ---- connect / disconnect ---- */

static void test_first_connect_starts_the_client(void **state)
{
    (void)state;
    configure();
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    assert_int_equal(fake_esp_mqtt_start_count(), 1);
    assert_int_equal(fake_esp_mqtt_reconnect_count(), 0);
    assert_true(fake_esp_mqtt_task_running());
}

static void test_connect_after_disconnected_reconnects(void **state)
{
    (void)state;
    configure();
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    esp_mqtt_event_t event = {.event_id = MQTT_EVENT_DISCONNECTED};
    assert_true(fake_esp_mqtt_dispatch(&event));
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    assert_int_equal(fake_esp_mqtt_reconnect_count(), 1);
    assert_int_equal(fake_esp_mqtt_start_count(), 1);
    assert_int_equal(fake_esp_mqtt_state(), FAKE_ESP_MQTT_STATE_INIT); /* connecting again */
}

static void test_connect_while_connecting_is_refused_without_a_second_task(void **state)
{
    (void)state;
    configure();
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    assert_int_equal(fake_esp_mqtt_state(), FAKE_ESP_MQTT_STATE_INIT); /* the task is connecting */
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_ERR_PLATFORM);
    assert_int_equal(fake_esp_mqtt_start_count(), 1);
    assert_int_equal(fake_esp_mqtt_max_tasks(), 1);
    assert_int_equal(s_executor.count, 0);
}

static void test_connect_after_the_task_ended_on_its_own_is_refused_without_start(void **state)
{
    (void)state;
    configure();
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    fake_esp_mqtt_end_task();
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_ERR_PLATFORM);
    assert_int_equal(fake_esp_mqtt_start_count(), 1);
    assert_false(fake_esp_mqtt_task_running());
}

static void test_disconnect_then_connect_restarts_a_task_that_ended_on_its_own(void **state)
{
    (void)state;
    configure();
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    fake_esp_mqtt_end_task();
    /* ESP-MQTT's stop() answers ESP_FAIL ("not started"): the client is stopped all the same. */
    assert_int_equal(mqtt_ws_adapter_session_port.disconnect(&s_adapter), APP_OK);
    assert_int_equal(fake_esp_mqtt_stop_count(), 1);
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    assert_int_equal(fake_esp_mqtt_start_count(), 2);
    assert_true(fake_esp_mqtt_task_running());
    assert_int_equal(fake_esp_mqtt_max_tasks(), 1);
}

static void test_disconnect_before_any_connect_does_nothing(void **state)
{
    (void)state;
    configure();
    assert_int_equal(mqtt_ws_adapter_session_port.disconnect(&s_adapter), APP_OK);
    assert_int_equal(fake_esp_mqtt_stop_count(), 0);
    assert_int_equal(fake_esp_mqtt_disconnect_count(), 0);
}

static void test_disconnect_stops_the_client_task(void **state)
{
    (void)state;
    configure();
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    esp_mqtt_event_t connected = {.event_id = MQTT_EVENT_CONNECTED};
    assert_true(fake_esp_mqtt_dispatch(&connected));
    s_executor.count = 0;
    assert_int_equal(mqtt_ws_adapter_session_port.disconnect(&s_adapter), APP_OK);
    assert_int_equal(fake_esp_mqtt_stop_count(), 1);
    assert_false(fake_esp_mqtt_task_running());
    assert_int_equal(s_executor.count, 0); /* stop() dispatches no event */
}

static void test_publish_on_a_stopped_client_is_refused(void **state)
{
    (void)state;
    configure();
    int32_t msg_id = -1;
    /* Never started, then stopped: ESP-MQTT would queue either way, and nothing would ever send it. */
    assert_int_equal(mqtt_ws_adapter_publisher_port.publish(&s_adapter, "/t", "{}", 2, 1, &msg_id),
                     APP_ERR_NOT_CONNECTED);
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    assert_int_equal(mqtt_ws_adapter_session_port.disconnect(&s_adapter), APP_OK);
    assert_int_equal(mqtt_ws_adapter_publisher_port.publish(&s_adapter, "/t", "{}", 2, 1, &msg_id),
                     APP_ERR_NOT_CONNECTED);
    assert_int_equal(fake_esp_mqtt_last_enqueue()->calls, 0);
    assert_int_equal(msg_id, -1);
}

static void test_connect_after_disconnect_starts_the_client_again(void **state)
{
    (void)state;
    configure();
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    assert_int_equal(mqtt_ws_adapter_session_port.disconnect(&s_adapter),
                     APP_OK); /* a hung attempt, stopped */
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    assert_int_equal(fake_esp_mqtt_start_count(), 2);
    assert_int_equal(fake_esp_mqtt_reconnect_count(), 0);
    assert_int_equal(fake_esp_mqtt_max_tasks(), 1);
}

static void test_disconnect_twice_stops_once(void **state)
{
    (void)state;
    configure();
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    assert_int_equal(mqtt_ws_adapter_session_port.disconnect(&s_adapter), APP_OK);
    assert_int_equal(mqtt_ws_adapter_session_port.disconnect(&s_adapter), APP_OK);
    assert_int_equal(fake_esp_mqtt_stop_count(), 1);
}

static void test_a_failed_start_is_tried_again_by_the_next_connect(void **state)
{
    (void)state;
    configure();
    fake_esp_mqtt_fail_next_start();
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_ERR_PLATFORM);
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    assert_int_equal(fake_esp_mqtt_start_count(), 2);
    assert_true(fake_esp_mqtt_task_running());
}

static void test_a_task_that_survived_a_failed_stop_is_reconnected_not_duplicated(void **state)
{
    (void)state;
    configure();
    esp_mqtt_event_t connected = {.event_id = MQTT_EVENT_CONNECTED};
    esp_mqtt_event_t disconnected = {.event_id = MQTT_EVENT_DISCONNECTED};
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    assert_true(fake_esp_mqtt_dispatch(&connected));
    fake_esp_mqtt_fail_next_stop_while_connected();
    assert_int_equal(mqtt_ws_adapter_session_port.disconnect(&s_adapter), APP_OK);
    assert_true(fake_esp_mqtt_task_running());
    /* Still connected: start() and reconnect() are both refused. */
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_ERR_PLATFORM);
    /* Once the connection drops, the surviving task is resumed. */
    assert_true(fake_esp_mqtt_dispatch(&disconnected));
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    assert_int_equal(fake_esp_mqtt_state(), FAKE_ESP_MQTT_STATE_INIT);
    assert_int_equal(fake_esp_mqtt_max_tasks(), 1);
    /* From now on it is a started client again: the next connect reconnects. */
    assert_true(fake_esp_mqtt_dispatch(&disconnected));
    assert_int_equal(fake_esp_mqtt_start_count(), 3); /* first start, then two refused ones */
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    assert_int_equal(fake_esp_mqtt_start_count(), 3);
}

static void test_a_lost_connection_is_resumed_without_restarting_the_client(void **state)
{
    (void)state;
    configure();
    esp_mqtt_event_t disconnected = {.event_id = MQTT_EVENT_DISCONNECTED};
    esp_mqtt_event_t connected = {.event_id = MQTT_EVENT_CONNECTED};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
        assert_true(fake_esp_mqtt_dispatch(&connected));
        assert_true(fake_esp_mqtt_dispatch(&disconnected));
    }
    assert_int_equal(fake_esp_mqtt_start_count(), 1);
    assert_int_equal(fake_esp_mqtt_reconnect_count(), 2);
    assert_int_equal(fake_esp_mqtt_stop_count(), 0);
    assert_int_equal(fake_esp_mqtt_destroy_count(), 0);
}

/* ---- publish ---- */

typedef struct {
    int enqueue_result;
    app_err_t expected;
    int32_t expected_msg_id;
} publish_case_t;

static void test_publish_maps_every_enqueue_result(void **state)
{
    (void)state;
    static const publish_case_t cases[] = {
        {7, APP_OK, 7},
        {0, APP_OK, 0}, /* QoS 0 messages get id 0 */
        {-1, APP_ERR_PUBLISH, -99},
        {-2, APP_ERR_OUTBOX_FULL, -99},
    };
    configure();
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int32_t msg_id = -99;
        fake_esp_mqtt_set_enqueue_result(cases[i].enqueue_result);
        assert_int_equal(mqtt_ws_adapter_publisher_port.publish(&s_adapter, "/t", "{}", 2, 1, &msg_id),
                         cases[i].expected);
        assert_int_equal(msg_id, cases[i].expected_msg_id);
    }
}

static void test_publish_enqueues_in_the_outbox_without_retain(void **state)
{
    (void)state;
    static const char payload[] = "{\"event_type\":\"register\"}";
    int32_t msg_id = 0;
    configure();
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&s_adapter), APP_OK);
    assert_int_equal(mqtt_ws_adapter_publisher_port.publish(
                         &s_adapter, "/liwaisi/iot/smart-irrigation/device/registration", payload,
                         strlen(payload), 1, &msg_id),
                     APP_OK);
    const fake_esp_mqtt_enqueue_t *e = fake_esp_mqtt_last_enqueue();
    assert_int_equal(e->calls, 1);
    assert_string_equal(e->topic, "/liwaisi/iot/smart-irrigation/device/registration");
    assert_string_equal(e->data, payload);
    assert_int_equal(e->len, (int)strlen(payload));
    assert_int_equal(e->qos, 1);
    assert_int_equal(e->retain, 0);
    assert_true(e->store);
}

static void test_publish_before_configure_is_not_connected(void **state)
{
    (void)state;
    int32_t msg_id = 0;
    assert_int_equal(mqtt_ws_adapter_publisher_port.publish(&s_adapter, "/t", "{}", 2, 1, &msg_id),
                     APP_ERR_NOT_CONNECTED);
}

/* ---- event translation ---- */

typedef struct {
    const char *name;
    esp_mqtt_event_id_t id;
    int session_present;
    int msg_id;
    bool has_error;
    esp_mqtt_error_codes_t error;
    app_event_kind_t kind;
    bool flag;
    int32_t code;
    int32_t out_msg_id;
    app_mqtt_error_kind_t error_kind;
} translation_case_t;

static void test_every_esp_mqtt_event_is_translated(void **state)
{
    (void)state;
    static const translation_case_t cases[] = {
        {"before connect",
         MQTT_EVENT_BEFORE_CONNECT,
         0,
         0,
         false,
         {0},
         APP_EVENT_MQTT_BEFORE_CONNECT,
         false,
         0,
         0,
         APP_MQTT_ERROR_NONE},
        {"connected, new session",
         MQTT_EVENT_CONNECTED,
         0,
         0,
         false,
         {0},
         APP_EVENT_MQTT_CONNECTED,
         false,
         0,
         0,
         APP_MQTT_ERROR_NONE},
        {"connected, session present",
         MQTT_EVENT_CONNECTED,
         1,
         0,
         false,
         {0},
         APP_EVENT_MQTT_CONNECTED,
         true,
         0,
         0,
         APP_MQTT_ERROR_NONE},
        {"disconnected",
         MQTT_EVENT_DISCONNECTED,
         0,
         0,
         false,
         {0},
         APP_EVENT_MQTT_DISCONNECTED,
         false,
         0,
         0,
         APP_MQTT_ERROR_NONE},
        {"transport error with errno",
         MQTT_EVENT_ERROR,
         0,
         0,
         true,
         {.error_type = MQTT_ERROR_TYPE_TCP_TRANSPORT,
          .esp_transport_sock_errno = 104,
          .esp_tls_last_esp_err = 0x8006},
         APP_EVENT_MQTT_ERROR,
         false,
         104,
         0,
         APP_MQTT_ERROR_TRANSPORT},
        {"transport error from esp-tls only",
         MQTT_EVENT_ERROR,
         0,
         0,
         true,
         {.error_type = MQTT_ERROR_TYPE_TCP_TRANSPORT,
          .esp_transport_sock_errno = 0,
          .esp_tls_last_esp_err = 0x8001},
         APP_EVENT_MQTT_ERROR,
         false,
         0x8001,
         0,
         APP_MQTT_ERROR_TRANSPORT},
        {"connection refused",
         MQTT_EVENT_ERROR,
         0,
         0,
         true,
         {.error_type = MQTT_ERROR_TYPE_CONNECTION_REFUSED,
          .connect_return_code = MQTT_CONNECTION_REFUSE_NOT_AUTHORIZED},
         APP_EVENT_MQTT_ERROR,
         false,
         5,
         0,
         APP_MQTT_ERROR_CONNECTION_REFUSED},
        {"subscribe failed",
         MQTT_EVENT_ERROR,
         0,
         0,
         true,
         {.error_type = MQTT_ERROR_TYPE_SUBSCRIBE_FAILED},
         APP_EVENT_MQTT_ERROR,
         false,
         3,
         0,
         APP_MQTT_ERROR_OTHER},
        {"error without details",
         MQTT_EVENT_ERROR,
         0,
         0,
         false,
         {0},
         APP_EVENT_MQTT_ERROR,
         false,
         0,
         0,
         APP_MQTT_ERROR_OTHER},
        {"published",
         MQTT_EVENT_PUBLISHED,
         0,
         42,
         false,
         {0},
         APP_EVENT_MQTT_PUBLISHED,
         false,
         0,
         42,
         APP_MQTT_ERROR_NONE},
        {"deleted",
         MQTT_EVENT_DELETED,
         0,
         43,
         false,
         {0},
         APP_EVENT_MQTT_DELETED,
         false,
         0,
         43,
         APP_MQTT_ERROR_NONE},
    };
    configure();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const translation_case_t *c = &cases[i];
        esp_mqtt_error_codes_t codes = c->error;
        esp_mqtt_event_t event;
        memset(&event, 0, sizeof(event));
        event.event_id = c->id;
        event.session_present = c->session_present;
        event.msg_id = c->msg_id;
        event.error_handle = c->has_error ? &codes : NULL;
        fake_executor_init(&s_executor);
        assert_true(fake_esp_mqtt_dispatch(&event));
        print_message("case: %s\n", c->name);
        assert_int_equal(s_executor.count, 1);
        const app_event_t *out = posted(0);
        assert_int_equal(out->kind, c->kind);
        assert_int_equal(out->flag, c->flag);
        assert_int_equal(out->code, c->code);
        assert_int_equal(out->msg_id, c->out_msg_id);
        assert_int_equal(out->error_kind, c->error_kind);
    }
}

static void test_events_the_node_does_not_use_post_nothing(void **state)
{
    (void)state;
    static const esp_mqtt_event_id_t ignored[] = {MQTT_EVENT_SUBSCRIBED, MQTT_EVENT_UNSUBSCRIBED,
                                                  MQTT_EVENT_DATA, MQTT_USER_EVENT};
    configure();
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
        esp_mqtt_event_t event = {.event_id = ignored[i], .msg_id = 9};
        assert_true(fake_esp_mqtt_dispatch(&event));
    }
    assert_int_equal(s_executor.count, 0);
}

static void test_a_full_application_queue_loses_the_event_without_blocking(void **state)
{
    (void)state;
    configure();
    s_executor.refuse_posts = true;
    esp_mqtt_event_t event = {.event_id = MQTT_EVENT_PUBLISHED, .msg_id = 5};
    assert_true(fake_esp_mqtt_dispatch(&event));
    assert_int_equal(s_executor.refused, 1);
    assert_int_equal(atomic_load(&s_adapter.lost_events), 1);
    assert_int_equal(fake_esp_log_last()->level, ESP_LOG_ERROR);
}

static void test_an_error_logs_its_platform_codes_once(void **state)
{
    (void)state;
    configure();
    fake_esp_log_reset();
    esp_mqtt_error_codes_t codes = {.error_type = MQTT_ERROR_TYPE_TCP_TRANSPORT,
                                    .esp_transport_sock_errno = 113,
                                    .esp_tls_last_esp_err = 0x8006};
    esp_mqtt_event_t event = {.event_id = MQTT_EVENT_ERROR, .error_handle = &codes};
    assert_true(fake_esp_mqtt_dispatch(&event));
    assert_int_equal(fake_esp_log_count(), 1);
    assert_string_equal(fake_esp_log_last()->tag, "mqtt_ws");
    assert_non_null(strstr(fake_esp_log_last()->message, "errno 113"));
    assert_non_null(strstr(fake_esp_log_last()->message, "0x8006"));
}

/* ---- the adapter under the application ---- */

static fake_ports_t s_fakes;
static application_t s_app;

static void start_application_with_the_adapter(const app_settings_t *settings, app_err_t expected)
{
    fake_ports_init(&s_fakes);
    assert_int_equal(mqtt_ws_adapter_init(&s_adapter, &fake_executor_port, &s_fakes.executor), APP_OK);
    app_ports_t ports = s_fakes.ports;
    ports.mqtt_session = &mqtt_ws_adapter_session_port;
    ports.mqtt_session_ctx = &s_adapter;
    ports.mqtt_publisher = &mqtt_ws_adapter_publisher_port;
    ports.mqtt_publisher_ctx = &s_adapter;
    assert_int_equal(application_start(&s_app, &ports, settings), expected);
    fake_executor_run_all(&s_fakes.executor); /* START: the WiFi link starts the (fake) station */
}

/* The WiFi adapter's reports of a station that starts and gets ip. */
static void post_network_up(const char *ip)
{
    app_event_t up;
    memset(&up, 0, sizeof(up));
    up.kind = APP_EVENT_WIFI_STARTED;
    assert_true(fake_executor_post(&s_fakes.executor, &up));
    up.kind = APP_EVENT_WIFI_GOT_IP;
    assert_int_equal(ipv4_address_parse(ip, &up.ip), DOMAIN_OK);
    assert_true(fake_executor_post(&s_fakes.executor, &up));
}

static void dispatch_and_run(esp_mqtt_event_id_t id, int msg_id)
{
    esp_mqtt_event_t event;
    memset(&event, 0, sizeof(event));
    event.event_id = id;
    event.msg_id = msg_id;
    assert_true(fake_esp_mqtt_dispatch(&event));
    fake_executor_run_all(&s_fakes.executor);
}

/* ---- the WebSocket path rule, through the application ---- */

typedef struct {
    const char *broker_uri;
    const char *ws_path;
    const char *expected_uri;
} ws_path_case_t;

static void test_the_uri_given_to_esp_mqtt_carries_the_websocket_path(void **state)
{
    (void)state;
    static const ws_path_case_t cases[] = {
        {"ws://mqtt.iot.liwaisi.tech:80", "/mqtt", "ws://mqtt.iot.liwaisi.tech:80/mqtt"},
        {"ws://mqtt.iot.liwaisi.tech:80", "", "ws://mqtt.iot.liwaisi.tech:80/mqtt"},
        {"ws://10.0.0.2:8080", "/custom", "ws://10.0.0.2:8080/custom"},
        {"ws://10.0.0.2:8080/mqtt/v1", "/mqtt", "ws://10.0.0.2:8080/mqtt/v1"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        app_settings_t settings;
        app_settings_defaults(&settings);
        strcpy(settings.mqtt.broker_uri, cases[i].broker_uri);
        strcpy(settings.mqtt.ws_path, cases[i].ws_path);
        fake_esp_mqtt_reset();
        start_application_with_the_adapter(&settings, APP_OK);
        assert_int_equal(fake_esp_mqtt_init_count(), 1);
        assert_string_equal(fake_esp_mqtt_last_config()->broker.address.uri, cases[i].expected_uri);
    }
}

static void test_an_esp_mqtt_init_failure_disables_mqtt_and_the_application_runs_on(void **state)
{
    (void)state;
    app_settings_t settings;
    app_settings_defaults(&settings);
    fake_esp_mqtt_fail_next_init();
    start_application_with_the_adapter(&settings, APP_ERR_PLATFORM);
    assert_false(s_app.mqtt.enabled);
    assert_int_equal(s_fakes.executor.start_calls, 1);
    /* Network and HTTP come up: nothing is attempted. */
    assert_true(fake_executor_post_kind(&s_fakes.executor, APP_EVENT_HTTP_STARTED));
    post_network_up("192.168.1.20");
    fake_executor_run_all(&s_fakes.executor);
    assert_int_equal(fake_esp_mqtt_start_count(), 0);
}

static void test_a_registration_goes_through_esp_mqtt_and_a_retry_reconnects(void **state)
{
    (void)state;
    app_settings_t settings;
    app_status_snapshot_t status;
    app_settings_defaults(&settings);
    start_application_with_the_adapter(&settings, APP_OK);
    fake_network_set_ip(&s_fakes.network, "192.168.1.20");
    fake_esp_mqtt_set_enqueue_result(17);

    post_network_up("192.168.1.20");
    assert_true(fake_executor_post_kind(&s_fakes.executor, APP_EVENT_HTTP_STARTED));
    fake_executor_run_all(&s_fakes.executor);
    assert_int_equal(fake_esp_mqtt_start_count(), 1);

    dispatch_and_run(MQTT_EVENT_BEFORE_CONNECT, 0);
    dispatch_and_run(MQTT_EVENT_CONNECTED, 0);
    const fake_esp_mqtt_enqueue_t *e = fake_esp_mqtt_last_enqueue();
    assert_int_equal(e->calls, 1);
    assert_string_equal(e->topic, APP_DEFAULT_REGISTRATION_TOPIC);
    assert_int_equal(e->qos, 1);
    assert_non_null(strstr(e->data, "\"event_type\":\"register\""));
    assert_non_null(strstr(e->data, "\"ip_address\":\"192.168.1.20\""));

    dispatch_and_run(MQTT_EVENT_PUBLISHED, 17);
    assert_int_equal(application_get_status(&s_app, &status), APP_OK);
    assert_int_equal(status.state, MQTT_CONNECTION_REGISTERED);
    assert_int_equal(status.registrations, 1);

    /* The broker goes away: the application's timer, not ESP-MQTT, brings the connection back. */
    dispatch_and_run(MQTT_EVENT_DISCONNECTED, 0);
    assert_int_equal(fake_esp_mqtt_reconnect_count(), 0);
    assert_true(fake_timer_expire(&s_fakes.timer, APP_TIMER_CONNECTION));
    fake_executor_run_all(&s_fakes.executor);
    assert_int_equal(fake_esp_mqtt_reconnect_count(), 1);
    assert_int_equal(fake_esp_mqtt_start_count(), 1);
    assert_int_equal(fake_esp_mqtt_stop_count(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_configure_passes_every_setting_to_esp_mqtt, setup),
        cmocka_unit_test_setup(test_configure_disables_esp_mqtt_auto_reconnect, setup),
        cmocka_unit_test_setup(test_configure_sets_the_reconnect_wait_that_bounds_a_stop, setup),
        cmocka_unit_test_setup(test_configure_registers_one_handler_for_every_event, setup),
        cmocka_unit_test_setup(test_configure_keeps_its_own_copy_of_the_strings, setup),
        cmocka_unit_test_setup(test_configure_reports_an_init_failure, setup),
        cmocka_unit_test_setup(test_configure_destroys_the_client_when_registration_fails, setup),
        cmocka_unit_test_setup(test_configure_rejects_a_uri_longer_than_the_domain_limit, setup),
        cmocka_unit_test_setup(test_configure_twice_is_refused, setup),
        cmocka_unit_test_setup(test_first_connect_starts_the_client, setup),
        cmocka_unit_test_setup(test_connect_after_disconnected_reconnects, setup),
        cmocka_unit_test_setup(test_connect_while_connecting_is_refused_without_a_second_task, setup),
        cmocka_unit_test_setup(test_connect_after_the_task_ended_on_its_own_is_refused_without_start, setup),
        cmocka_unit_test_setup(test_disconnect_then_connect_restarts_a_task_that_ended_on_its_own, setup),
        cmocka_unit_test_setup(test_disconnect_before_any_connect_does_nothing, setup),
        cmocka_unit_test_setup(test_disconnect_stops_the_client_task, setup),
        cmocka_unit_test_setup(test_publish_on_a_stopped_client_is_refused, setup),
        cmocka_unit_test_setup(test_connect_after_disconnect_starts_the_client_again, setup),
        cmocka_unit_test_setup(test_disconnect_twice_stops_once, setup),
        cmocka_unit_test_setup(test_a_failed_start_is_tried_again_by_the_next_connect, setup),
        cmocka_unit_test_setup(test_a_task_that_survived_a_failed_stop_is_reconnected_not_duplicated, setup),
        cmocka_unit_test_setup(test_a_lost_connection_is_resumed_without_restarting_the_client, setup),
        cmocka_unit_test_setup(test_publish_maps_every_enqueue_result, setup),
        cmocka_unit_test_setup(test_publish_enqueues_in_the_outbox_without_retain, setup),
        cmocka_unit_test_setup(test_publish_before_configure_is_not_connected, setup),
        cmocka_unit_test_setup(test_every_esp_mqtt_event_is_translated, setup),
        cmocka_unit_test_setup(test_events_the_node_does_not_use_post_nothing, setup),
        cmocka_unit_test_setup(test_a_full_application_queue_loses_the_event_without_blocking, setup),
        cmocka_unit_test_setup(test_an_error_logs_its_platform_codes_once, setup),
        cmocka_unit_test_setup(test_the_uri_given_to_esp_mqtt_carries_the_websocket_path, setup),
        cmocka_unit_test_setup(test_an_esp_mqtt_init_failure_disables_mqtt_and_the_application_runs_on,
                               setup),
        cmocka_unit_test_setup(test_a_registration_goes_through_esp_mqtt_and_a_retry_reconnects, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
