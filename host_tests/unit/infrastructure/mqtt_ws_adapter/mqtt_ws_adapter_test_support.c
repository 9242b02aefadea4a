/* The adapter tests' fixture: see mqtt_ws_adapter_test_support.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "fake_esp_log.h"
#include "fake_freertos.h"
#include "mqtt_ws_adapter_test_support.h"

mqtt_ws_adapter_t mqtt_ws_test_adapter;
fake_executor_t mqtt_ws_test_executor;

const mqtt_client_config_t mqtt_ws_test_config = {
    .uri = MQTT_WS_TEST_URI,
    .client_id = "ESP32_A1B2C3",
    .username = "node-7",
    .password = "s3cret",
    .keepalive_s = 45,
    .network_timeout_ms = 7000,
    .retransmit_ms = 5000,
    .buffer_size = 1536,
    .out_buffer_size = 2560,
    .task_stack_size = 7168,
    .task_priority = 6,
    .outbox_limit = 4096,
};

const mqtt_message_t mqtt_ws_test_will = {
    .topic = MQTT_WS_TEST_WILL_TOPIC,
    .payload = MQTT_WS_TEST_WILL_PAYLOAD,
    .payload_len = sizeof(MQTT_WS_TEST_WILL_PAYLOAD) - 1,
    .qos = 1,
    .retain = true,
};

int mqtt_ws_test_setup(void **state)
{
    (void)state;
    fake_esp_mqtt_reset();
    fake_esp_transport_reset();
    fake_freertos_reset();
    fake_freertos_set_delay_hook(fake_esp_mqtt_finish_stopped_task, NULL);
    fake_esp_log_reset();
    fake_esp_log_set_echo(0);
    mqtt_ws_test_init(NULL);
    return 0;
}

void mqtt_ws_test_init(const mqtt_ws_adapter_tls_t *tls)
{
    fake_executor_init(&mqtt_ws_test_executor);
    assert_int_equal(
        mqtt_ws_adapter_init(&mqtt_ws_test_adapter, &fake_executor_port, &mqtt_ws_test_executor, tls),
        APP_OK);
}

void mqtt_ws_test_configure_uri(const char *uri)
{
    mqtt_client_config_t cfg = mqtt_ws_test_config;
    cfg.uri = uri;
    assert_int_equal(mqtt_ws_adapter_session_port.configure(&mqtt_ws_test_adapter, &cfg), APP_OK);
}

void mqtt_ws_test_configure(void)
{
    mqtt_ws_test_configure_uri(mqtt_ws_test_config.uri);
}

void mqtt_ws_test_assert_full_config(const esp_mqtt_client_config_t *c)
{
    assert_string_equal(c->credentials.client_id, "ESP32_A1B2C3");
    assert_false(c->credentials.set_null_client_id);
    assert_string_equal(c->credentials.username, "node-7");
    assert_string_equal(c->credentials.authentication.password, "s3cret");
    assert_false(c->session.disable_clean_session);
    assert_int_equal(c->session.keepalive, 45);
    assert_false(c->session.disable_keepalive);
    assert_int_equal(c->session.protocol_ver, MQTT_PROTOCOL_V_3_1_1);
    assert_int_equal(c->session.message_retransmit_timeout, 5000);
    assert_int_equal(c->network.timeout_ms, 7000);
    assert_true(c->network.disable_auto_reconnect);
    assert_ptr_equal(c->network.transport, mqtt_ws_test_adapter.ws);
    assert_int_equal(c->buffer.size, 1536);
    assert_int_equal(c->buffer.out_size, 2560);
    assert_int_equal(c->task.stack_size, 7168);
    assert_int_equal(c->task.priority, 6);
    assert_int_equal(c->outbox.limit, 4096);
}

app_err_t mqtt_ws_test_connect(const char *uri, const mqtt_message_t *will)
{
    const mqtt_connect_request_t req = {.uri = uri, .will = will};
    return mqtt_ws_adapter_session_port.connect(&mqtt_ws_test_adapter, &req);
}

bool mqtt_ws_test_process(void)
{
    return mqtt_ws_adapter_process(&mqtt_ws_test_adapter, 0);
}

void mqtt_ws_test_connect_and_process(const char *uri, const mqtt_message_t *will)
{
    assert_int_equal(mqtt_ws_test_connect(uri, will), APP_OK);
    assert_true(mqtt_ws_test_process());
}

size_t mqtt_ws_test_posted_count(void)
{
    return mqtt_ws_test_executor.count;
}

const app_event_t *mqtt_ws_test_posted(size_t index)
{
    assert_true(index < mqtt_ws_test_executor.count);
    return &mqtt_ws_test_executor.queue[(mqtt_ws_test_executor.head + index) % FAKE_EXECUTOR_QUEUE_MAX];
}

void mqtt_ws_test_forget_posted(void)
{
    mqtt_ws_test_executor.head = 0;
    mqtt_ws_test_executor.count = 0;
}

void mqtt_ws_test_dispatch(esp_mqtt_event_id_t id, int msg_id)
{
    esp_mqtt_event_t event;
    memset(&event, 0, sizeof(event));
    event.event_id = id;
    event.msg_id = msg_id;
    assert_true(fake_esp_mqtt_dispatch(&event));
}

fake_transport_t *mqtt_ws_test_ws(void)
{
    return mqtt_ws_test_adapter.ws;
}

fake_transport_t *mqtt_ws_test_base(void)
{
    return mqtt_ws_test_adapter.base;
}
