/*
 * mqtt_ws_adapter: connect() / disconnect() only queue; the worker step (mqtt_ws_adapter_process) applies the
 * broker and the last will and starts or stops ESP-MQTT, in the order asked; failures end in ERROR +
 * DISCONNECTED. publish() publishes (written at once while connected) only while a client task runs and maps
 * ESP-MQTT's answers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "fake_freertos.h"
#include "mqtt_ws_adapter_test_support.h"

#define OTHER_URI "ws://other.example:9001/mqtt/v2"

static int setup_configured(void **state)
{
    mqtt_ws_test_setup(state);
    mqtt_ws_test_configure();
    return 0;
}

static app_err_t disconnect(void)
{
    return mqtt_ws_adapter_session_port.disconnect(&mqtt_ws_test_adapter);
}

static bool is_connected(void)
{
    return mqtt_ws_adapter_session_port.is_connected(&mqtt_ws_test_adapter);
}

static app_err_t publish(const mqtt_message_t *message, int32_t *msg_id)
{
    return mqtt_ws_adapter_publisher_port.publish(&mqtt_ws_test_adapter, message, msg_id);
}

static const mqtt_message_t s_registration = {
    .topic = "/liwaisi/iot/smart-irrigation/device/registration",
    .payload = "{\"event_type\":\"register\"}",
    .payload_len = sizeof("{\"event_type\":\"register\"}") - 1,
    .qos = 1,
    .retain = false,
};

/* The worker's failure report: exactly ERROR (class OTHER, the esp_err_t) then DISCONNECTED. */
static void assert_failure_posted(esp_err_t err)
{
    assert_int_equal(mqtt_ws_test_posted_count(), 2);
    assert_int_equal(mqtt_ws_test_posted(0)->kind, APP_EVENT_MQTT_ERROR);
    assert_int_equal(mqtt_ws_test_posted(0)->error_kind, APP_MQTT_ERROR_OTHER);
    assert_int_equal(mqtt_ws_test_posted(0)->code, err);
    assert_int_equal(mqtt_ws_test_posted(1)->kind, APP_EVENT_MQTT_DISCONNECTED);
}

/* ---- connect ---- */

static void test_connect_before_configure_or_without_a_uri_is_refused(void **state)
{
    (void)state;
    assert_int_equal(mqtt_ws_test_connect(MQTT_WS_TEST_URI, NULL), APP_ERR_INVALID_ARG);
    mqtt_ws_test_configure();
    assert_int_equal(mqtt_ws_test_connect(NULL, NULL), APP_ERR_INVALID_ARG);
    assert_int_equal(mqtt_ws_adapter_session_port.connect(&mqtt_ws_test_adapter, NULL), APP_ERR_INVALID_ARG);
    assert_false(mqtt_ws_test_process());
}

static void test_connect_only_queues_and_the_worker_starts_the_client(void **state)
{
    (void)state;
    assert_int_equal(mqtt_ws_test_connect(MQTT_WS_TEST_URI, NULL), APP_OK);
    assert_string_equal(fake_esp_mqtt_journal(), "init register"); /* nothing on the caller's task */
    assert_int_equal(fake_freertos_critical_nesting(), 0);
    assert_true(mqtt_ws_test_process());
    /* Same broker, no will: nothing to apply before the start. */
    assert_string_equal(fake_esp_mqtt_journal(), "init register start");
    assert_true(fake_esp_mqtt_task_running());
    assert_string_equal(mqtt_ws_test_ws()->path, "/mqtt");
    assert_int_equal(mqtt_ws_test_posted_count(), 0);
    assert_false(mqtt_ws_test_process()); /* one request, one step */
}

static void test_connect_applies_the_will_with_the_whole_kept_configuration(void **state)
{
    (void)state;
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, &mqtt_ws_test_will);
    assert_string_equal(fake_esp_mqtt_journal(), "init register set_config start");
    const esp_mqtt_client_config_t *c = fake_esp_mqtt_last_config();
    assert_string_equal(c->broker.address.uri, MQTT_WS_TEST_URI);
    assert_string_equal(c->session.last_will.topic, MQTT_WS_TEST_WILL_TOPIC);
    assert_string_equal(c->session.last_will.msg, MQTT_WS_TEST_WILL_PAYLOAD);
    assert_int_equal(c->session.last_will.msg_len, (int)strlen(MQTT_WS_TEST_WILL_PAYLOAD));
    assert_int_equal(c->session.last_will.qos, 1);
    assert_int_equal(c->session.last_will.retain, 1);
    mqtt_ws_test_assert_full_config(c);
    /* What the client holds afterwards: the will, and none of the settings fallen back to a default. */
    const fake_esp_mqtt_settings_t *s = fake_esp_mqtt_settings();
    assert_string_equal(s->will_topic, MQTT_WS_TEST_WILL_TOPIC);
    assert_int_equal(s->will_qos, 1);
    assert_int_equal(s->will_retain, 1);
    assert_false(s->auto_reconnect);
    assert_int_equal(s->keepalive_s, 45);
    assert_int_equal(s->retransmit_ms, 5000);
    assert_int_equal(s->buffer_size, 1536);
    assert_int_equal(s->outbox_limit, 4096);
}

static void test_connect_copies_the_request(void **state)
{
    (void)state;
    char uri[] = OTHER_URI;
    char topic[] = MQTT_WS_TEST_WILL_TOPIC;
    char payload[] = MQTT_WS_TEST_WILL_PAYLOAD;
    const mqtt_message_t will = {
        .topic = topic, .payload = payload, .payload_len = strlen(payload), .qos = 1};
    assert_int_equal(mqtt_ws_test_connect(uri, &will), APP_OK);
    memset(uri, 'x', sizeof(uri) - 1);
    memset(topic, 'x', sizeof(topic) - 1);
    memset(payload, 'x', sizeof(payload) - 1);
    assert_true(mqtt_ws_test_process());
    assert_string_equal(fake_esp_mqtt_last_config()->broker.address.uri, OTHER_URI);
    assert_string_equal(fake_esp_mqtt_settings()->will_topic, MQTT_WS_TEST_WILL_TOPIC);
    assert_string_equal(fake_esp_mqtt_settings()->will_msg, MQTT_WS_TEST_WILL_PAYLOAD);
}

static void test_connect_refuses_a_bad_uri_or_will_without_queueing(void **state)
{
    (void)state;
    char long_topic[MQTT_WS_ADAPTER_WILL_TOPIC_MAX_LEN + 2];
    memset(long_topic, 't', sizeof(long_topic) - 1);
    long_topic[sizeof(long_topic) - 1] = '\0';
    mqtt_message_t will = mqtt_ws_test_will;
    assert_int_equal(mqtt_ws_test_connect("ws://", NULL), APP_ERR_BAD_URI);
    assert_int_equal(mqtt_ws_test_connect("mqtt://broker.example:1883", NULL), APP_ERR_BAD_URI);
    will.topic = long_topic;
    assert_int_equal(mqtt_ws_test_connect(MQTT_WS_TEST_URI, &will), APP_ERR_TOO_LONG);
    will = mqtt_ws_test_will;
    will.payload_len = DEVICE_PRESENCE_JSON_MAX_SIZE + 1;
    assert_int_equal(mqtt_ws_test_connect(MQTT_WS_TEST_URI, &will), APP_ERR_TOO_LONG);
    will = mqtt_ws_test_will;
    will.topic = NULL;
    assert_int_equal(mqtt_ws_test_connect(MQTT_WS_TEST_URI, &will), APP_ERR_INVALID_ARG);
    assert_false(mqtt_ws_test_process());
}

static void test_a_second_connect_stops_waits_the_restart_gap_and_starts_again(void **state)
{
    (void)state;
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, NULL);
    mqtt_ws_test_dispatch(MQTT_EVENT_CONNECTED, 0);
    assert_true(is_connected());
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, NULL);
    /* task_end: the stopped task's last write, made while the worker waited, before the new start. */
    assert_string_equal(fake_esp_mqtt_journal(), "init register start stop task_end start");
    assert_int_equal(fake_freertos_delay_count(), 1);
    assert_int_equal(fake_freertos_delayed_ticks(), pdMS_TO_TICKS(MQTT_WS_ADAPTER_RESTART_GAP_MS));
    assert_int_equal(fake_esp_mqtt_raced_starts(), 0);
    assert_int_equal(fake_esp_mqtt_max_tasks(), 1);
    assert_false(is_connected()); /* until the new task reports CONNECTED */
    assert_int_equal(fake_esp_mqtt_reconnect_count(), 0);
}

static void test_another_broker_gets_its_uri_port_and_websocket_path(void **state)
{
    (void)state;
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, NULL);
    mqtt_ws_test_connect_and_process(OTHER_URI, NULL);
    assert_int_equal(fake_esp_mqtt_set_uri_count(), 1);
    assert_int_equal(fake_esp_mqtt_set_config_count(), 0);
    assert_string_equal(fake_esp_mqtt_settings()->host, "other.example");
    assert_int_equal(fake_esp_mqtt_settings()->port, 9001);
    assert_string_equal(mqtt_ws_test_ws()->path, "/mqtt/v2");
    /* A broker given without a port is not reached on the previous one's. */
    mqtt_ws_test_connect_and_process("ws://third.example/mqtt", NULL);
    assert_string_equal(fake_esp_mqtt_settings()->host, "third.example");
    assert_int_equal(fake_esp_mqtt_settings()->port, 80);
    assert_string_equal(mqtt_ws_test_ws()->path, "/mqtt");
}

static void test_a_will_is_applied_again_only_when_it_changed(void **state)
{
    (void)state;
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, &mqtt_ws_test_will);
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, &mqtt_ws_test_will);
    assert_int_equal(fake_esp_mqtt_set_config_count(), 1);
    mqtt_message_t moved = mqtt_ws_test_will;
    moved.payload = "{\"status\":\"offline\",\"ip_address\":\"192.168.1.21\"}";
    moved.payload_len = strlen(moved.payload);
    mqtt_ws_test_connect_and_process(OTHER_URI, &moved);
    assert_int_equal(fake_esp_mqtt_set_config_count(), 2);
    assert_int_equal(fake_esp_mqtt_set_uri_count(), 0); /* the URI went with the configuration */
    assert_string_equal(fake_esp_mqtt_settings()->will_msg, moved.payload);
    assert_string_equal(fake_esp_mqtt_settings()->host, "other.example");
    assert_false(fake_esp_mqtt_settings()->auto_reconnect);
}

static void test_a_full_worker_queue_refuses_the_request(void **state)
{
    (void)state;
    for (int i = 0; i < MQTT_WS_ADAPTER_WORKER_QUEUE_LEN; i++) {
        assert_int_equal(mqtt_ws_test_connect(MQTT_WS_TEST_URI, NULL), APP_OK);
    }
    assert_int_equal(mqtt_ws_test_connect(MQTT_WS_TEST_URI, NULL), APP_ERR_QUEUE_FULL);
    assert_int_equal(disconnect(), APP_ERR_QUEUE_FULL);
    assert_int_equal(fake_freertos_last_send_ticks(), 0); /* never waits for room */
    assert_int_equal(fake_esp_mqtt_start_count(), 0);
}

static void test_a_failed_start_posts_error_then_disconnected(void **state)
{
    (void)state;
    int32_t msg_id = -1;
    fake_esp_mqtt_fail_next_start();
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, NULL);
    assert_failure_posted(ESP_FAIL);
    assert_int_equal(publish(&s_registration, &msg_id), APP_ERR_NOT_CONNECTED);
    /* The next connect() starts it (there is no task to stop). */
    mqtt_ws_test_forget_posted();
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, NULL);
    assert_int_equal(fake_esp_mqtt_start_count(), 2);
    assert_int_equal(fake_esp_mqtt_stop_count(), 0);
    assert_int_equal(mqtt_ws_test_posted_count(), 0);
}

static void test_a_stop_that_fails_leaves_the_running_task_alone_until_stopped(void **state)
{
    (void)state;
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, NULL);
    mqtt_ws_test_dispatch(MQTT_EVENT_CONNECTED, 0);
    mqtt_ws_test_forget_posted();
    fake_esp_mqtt_fail_next_stop_while_connected();
    mqtt_ws_test_connect_and_process(OTHER_URI, &mqtt_ws_test_will);
    assert_failure_posted(ESP_ERR_INVALID_STATE);
    /* Neither reconfigured nor started a second time while it runs. */
    assert_string_equal(fake_esp_mqtt_journal(), "init register start stop");
    assert_true(fake_esp_mqtt_task_running());
    /* The next request stops it again, and this time the switch goes through. */
    mqtt_ws_test_connect_and_process(OTHER_URI, &mqtt_ws_test_will);
    assert_string_equal(fake_esp_mqtt_journal(), "init register start stop stop task_end set_config start");
    assert_int_equal(fake_esp_mqtt_max_tasks(), 1);
}

static void test_a_failed_set_config_loses_the_client_and_never_touches_it_again(void **state)
{
    (void)state;
    fake_esp_mqtt_fail_next_set_config(ESP_ERR_NO_MEM);
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, &mqtt_ws_test_will);
    assert_failure_posted(ESP_ERR_NO_MEM);
    assert_int_equal(fake_esp_transport_nth(1)->destroys, 1); /* the ws transport, by ESP-MQTT */
    assert_int_equal(fake_esp_transport_nth(0)->destroys, 1); /* its parent, by the adapter */
    const char *journal = "init register set_config";
    assert_string_equal(fake_esp_mqtt_journal(), journal);
    /* Every later connect ends in ERROR + DISCONNECTED without a call into the freed client. */
    mqtt_ws_test_forget_posted();
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, &mqtt_ws_test_will);
    assert_failure_posted(ESP_ERR_INVALID_STATE);
    assert_int_equal(disconnect(), APP_OK);
    assert_true(mqtt_ws_test_process());
    assert_string_equal(fake_esp_mqtt_journal(), journal);
    assert_int_equal(fake_esp_mqtt_misuses(), 0);
}

/* ---- disconnect ---- */

static void test_disconnect_stops_the_client_without_posting_an_event(void **state)
{
    (void)state;
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, NULL);
    mqtt_ws_test_dispatch(MQTT_EVENT_CONNECTED, 0);
    mqtt_ws_test_forget_posted();
    assert_int_equal(disconnect(), APP_OK);
    assert_false(is_connected()); /* at once, on the caller's task */
    assert_int_equal(fake_esp_mqtt_stop_count(), 0);
    assert_true(mqtt_ws_test_process());
    assert_int_equal(fake_esp_mqtt_stop_count(), 1);
    assert_false(fake_esp_mqtt_task_running());
    assert_int_equal(mqtt_ws_test_posted_count(), 0);
    assert_int_equal(fake_esp_mqtt_disconnect_count(), 0);
}

static void test_disconnect_with_nothing_running_stops_nothing(void **state)
{
    (void)state;
    assert_int_equal(disconnect(), APP_OK); /* not configured: nothing queued */
    assert_false(mqtt_ws_test_process());
    mqtt_ws_test_configure();
    assert_int_equal(disconnect(), APP_OK);
    assert_true(mqtt_ws_test_process());
    assert_int_equal(fake_esp_mqtt_stop_count(), 0);
    assert_int_equal(fake_freertos_delay_count(), 0);
}

static void test_requests_run_in_the_order_asked(void **state)
{
    (void)state;
    assert_int_equal(mqtt_ws_test_connect(MQTT_WS_TEST_URI, NULL), APP_OK);
    assert_int_equal(disconnect(), APP_OK);
    assert_int_equal(mqtt_ws_test_connect(MQTT_WS_TEST_URI, NULL), APP_OK);
    while (mqtt_ws_test_process()) {
    }
    assert_string_equal(fake_esp_mqtt_journal(), "init register start stop task_end start");
    assert_int_equal(fake_esp_mqtt_raced_starts(), 0);
}

/* ---- publish ---- */

static void test_publish_is_refused_while_no_client_task_runs(void **state)
{
    (void)state;
    int32_t msg_id = -1;
    assert_int_equal(publish(&s_registration, &msg_id), APP_ERR_NOT_CONNECTED); /* not configured */
    mqtt_ws_test_configure();
    assert_int_equal(publish(&s_registration, &msg_id), APP_ERR_NOT_CONNECTED); /* never started */
    assert_int_equal(mqtt_ws_test_connect(MQTT_WS_TEST_URI, NULL), APP_OK);
    assert_int_equal(publish(&s_registration, &msg_id), APP_ERR_NOT_CONNECTED); /* not started yet */
    assert_true(mqtt_ws_test_process());
    assert_int_equal(disconnect(), APP_OK);
    assert_true(mqtt_ws_test_process());
    assert_int_equal(publish(&s_registration, &msg_id), APP_ERR_NOT_CONNECTED); /* stopped */
    assert_int_equal(fake_esp_mqtt_last_enqueue()->calls, 0);
    assert_int_equal(msg_id, -1);
}

static void test_publish_passes_qos_and_retain_through_and_returns_the_msg_id(void **state)
{
    (void)state;
    static const struct {
        uint8_t qos;
        bool retain;
    } cases[] = {{1, false}, {1, true}, {0, true}, {0, false}};
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, NULL);
    fake_esp_mqtt_set_enqueue_result(17);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mqtt_message_t message = s_registration;
        message.qos = cases[i].qos;
        message.retain = cases[i].retain;
        int32_t msg_id = -1;
        assert_int_equal(publish(&message, &msg_id), APP_OK);
        assert_int_equal(msg_id, 17);
        const fake_esp_mqtt_enqueue_t *e = fake_esp_mqtt_last_enqueue();
        assert_string_equal(e->topic, s_registration.topic);
        assert_string_equal(e->data, s_registration.payload);
        assert_int_equal(e->len, (int)s_registration.payload_len);
        assert_int_equal(e->qos, cases[i].qos);
        assert_int_equal(e->retain, cases[i].retain ? 1 : 0);
        /* written at once while connected: enqueue would wait for the MQTT task's next poll (up to 1 s) */
        assert_true(e->published);
    }
}

static void test_publish_maps_every_enqueue_result(void **state)
{
    (void)state;
    static const struct {
        int result;
        app_err_t expected;
        int32_t msg_id;
    } cases[] = {{7, APP_OK, 7}, {0, APP_OK, 0}, {-1, APP_ERR_PUBLISH, -99}, {-2, APP_ERR_OUTBOX_FULL, -99}};
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, NULL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int32_t msg_id = -99;
        fake_esp_mqtt_set_enqueue_result(cases[i].result);
        assert_int_equal(publish(&s_registration, &msg_id), cases[i].expected);
        assert_int_equal(msg_id, cases[i].msg_id);
    }
}

static void test_an_empty_payload_is_enqueued_as_null(void **state)
{
    (void)state;
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, NULL);
    mqtt_message_t message = s_registration;
    message.payload = "";
    message.payload_len = 0;
    int32_t msg_id = -1;
    assert_int_equal(publish(&message, &msg_id), APP_OK);
    assert_true(fake_esp_mqtt_last_enqueue()->data_null); /* "" with len 0 would be strlen'd anyway */
    assert_int_equal(fake_esp_mqtt_last_enqueue()->len, 0);
}

static void test_publish_refuses_bad_arguments(void **state)
{
    (void)state;
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, NULL);
    int32_t msg_id = -1;
    mqtt_message_t no_topic = s_registration;
    no_topic.topic = NULL;
    mqtt_message_t no_payload = s_registration;
    no_payload.payload = NULL;
    mqtt_message_t qos_3 = s_registration;
    qos_3.qos = 3;
    assert_int_equal(publish(NULL, &msg_id), APP_ERR_INVALID_ARG);
    assert_int_equal(publish(&s_registration, NULL), APP_ERR_INVALID_ARG);
    assert_int_equal(publish(&no_topic, &msg_id), APP_ERR_INVALID_ARG);
    assert_int_equal(publish(&no_payload, &msg_id), APP_ERR_INVALID_ARG);
    assert_int_equal(publish(&qos_3, &msg_id), APP_ERR_INVALID_ARG);
    assert_int_equal(fake_esp_mqtt_last_enqueue()->calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_connect_before_configure_or_without_a_uri_is_refused, mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_connect_only_queues_and_the_worker_starts_the_client, setup_configured),
        cmocka_unit_test_setup(test_connect_applies_the_will_with_the_whole_kept_configuration,
                               setup_configured),
        cmocka_unit_test_setup(test_connect_copies_the_request, setup_configured),
        cmocka_unit_test_setup(test_connect_refuses_a_bad_uri_or_will_without_queueing, setup_configured),
        cmocka_unit_test_setup(test_a_second_connect_stops_waits_the_restart_gap_and_starts_again,
                               setup_configured),
        cmocka_unit_test_setup(test_another_broker_gets_its_uri_port_and_websocket_path, setup_configured),
        cmocka_unit_test_setup(test_a_will_is_applied_again_only_when_it_changed, setup_configured),
        cmocka_unit_test_setup(test_a_full_worker_queue_refuses_the_request, setup_configured),
        cmocka_unit_test_setup(test_a_failed_start_posts_error_then_disconnected, setup_configured),
        cmocka_unit_test_setup(test_a_stop_that_fails_leaves_the_running_task_alone_until_stopped,
                               setup_configured),
        cmocka_unit_test_setup(test_a_failed_set_config_loses_the_client_and_never_touches_it_again,
                               setup_configured),
        cmocka_unit_test_setup(test_disconnect_stops_the_client_without_posting_an_event, setup_configured),
        cmocka_unit_test_setup(test_disconnect_with_nothing_running_stops_nothing, mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_requests_run_in_the_order_asked, setup_configured),
        cmocka_unit_test_setup(test_publish_is_refused_while_no_client_task_runs, mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_publish_passes_qos_and_retain_through_and_returns_the_msg_id,
                               setup_configured),
        cmocka_unit_test_setup(test_publish_maps_every_enqueue_result, setup_configured),
        cmocka_unit_test_setup(test_an_empty_payload_is_enqueued_as_null, setup_configured),
        cmocka_unit_test_setup(test_publish_refuses_bad_arguments, setup_configured),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
