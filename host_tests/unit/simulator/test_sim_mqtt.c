/* sim_mqtt: how Paho connect failures are classified for the application (kind of MQTT_ERROR). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <MQTTAsync.h>

#include "sim_mqtt.h"

typedef struct {
    int code;
    const char *message;
    const char *uri;
    bool tls_error;
    app_mqtt_error_kind_t kind;
} classify_case_t;

#define GOOD  "ws://127.0.0.1:18080/mqtt"
#define WRONG "ws://127.0.0.1:18080/foo"

static void test_connect_failures_are_classified(void **state)
{
    (void)state;
    /* Messages as Paho gives them (1.3.12 against NATS 2.9; 1.3.11 against a closed port, a name that does
     * not resolve and a TLS server with an unknown CA). */
    /* clang-format off */
    const classify_case_t cases[] = {
        {1, "CONNACK return code", GOOD, false, APP_MQTT_ERROR_CONNECTION_REFUSED},
        {5, NULL, GOOD, false, APP_MQTT_ERROR_CONNECTION_REFUSED},
        {MQTTASYNC_BAD_PROTOCOL, NULL, GOOD, false, APP_MQTT_ERROR_PROTOCOL},
        {MQTTASYNC_WRONG_MQTT_VERSION, NULL, GOOD, false, APP_MQTT_ERROR_PROTOCOL},
        /* NATS on a path other than /mqtt: Paho says one or the other */
        {MQTTASYNC_FAILURE, "TCP connect completion failure", WRONG, false, APP_MQTT_ERROR_PROTOCOL},
        /* closed before CONNACK on the MQTT path (a NATS cluster node without its JetStream leader) */
        {MQTTASYNC_FAILURE, "TCP connect completion failure", GOOD, false, APP_MQTT_ERROR_TRANSPORT},
        {MQTTASYNC_FAILURE, "socket error", WRONG, false, APP_MQTT_ERROR_PROTOCOL},
        {MQTTASYNC_FAILURE, "socket error", "ws://h:1", false, APP_MQTT_ERROR_PROTOCOL},
        {MQTTASYNC_FAILURE, "socket error", GOOD, false, APP_MQTT_ERROR_TRANSPORT},
        {MQTTASYNC_FAILURE, "socket error", "ws://h:1/mqtt/x", false, APP_MQTT_ERROR_TRANSPORT},
        {MQTTASYNC_FAILURE, "socket error", NULL, false, APP_MQTT_ERROR_PROTOCOL},
        /* nothing listening, a name that does not resolve, no answer in time */
        {MQTTASYNC_FAILURE, "TCP/TLS connect failure", WRONG, false, APP_MQTT_ERROR_TCP_REFUSED},
        {MQTTASYNC_FAILURE, "TCP/TLS connect failure", "wss://h:1/mqtt", false, APP_MQTT_ERROR_TCP_REFUSED},
        {MQTTASYNC_FAILURE, NULL, GOOD, false, APP_MQTT_ERROR_HOST_NOT_FOUND},
        {MQTTASYNC_FAILURE, "TCP connect timeout", GOOD, false, APP_MQTT_ERROR_TIMEOUT},
        {0, NULL, GOOD, false, APP_MQTT_ERROR_TRANSPORT},
        /* the same words after OpenSSL reported a failed handshake: the certificate */
        {MQTTASYNC_FAILURE, "TCP/TLS connect failure", "wss://h:1/mqtt", true, APP_MQTT_ERROR_TLS},
        /* NATS on a wrong path, third form: a byte of its INFO reply taken for a CONNACK return code */
        {97, "CONNACK return code", WRONG, false, APP_MQTT_ERROR_PROTOCOL},
        {49, "CONNACK return code", GOOD, false, APP_MQTT_ERROR_PROTOCOL},
        {6, NULL, GOOD, false, APP_MQTT_ERROR_PROTOCOL},
        {255, NULL, GOOD, false, APP_MQTT_ERROR_PROTOCOL},
    };
    /* clang-format on */
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        app_mqtt_error_kind_t kind =
            sim_mqtt_classify_failure(cases[i].code, cases[i].message, cases[i].uri, cases[i].tls_error);
        if (kind != cases[i].kind) {
            fail_msg("code %d \"%s\": got %d, want %d", cases[i].code,
                     cases[i].message != NULL ? cases[i].message : "(null)", (int)kind, (int)cases[i].kind);
        }
    }
}

static void test_port_calls_before_configure_are_refused(void **state)
{
    (void)state;
    sim_mqtt_t mqtt;
    static const executor_port_t none = {0};
    assert_true(sim_mqtt_init(&mqtt, &none, NULL, NULL));
    assert_false(sim_mqtt_init(NULL, &none, NULL, NULL));
    assert_false(sim_mqtt_init(&mqtt, NULL, NULL, NULL));
    int32_t msg_id = 0;
    const mqtt_connect_request_t req = {.uri = "ws://127.0.0.1:1/mqtt", .will = NULL};
    const mqtt_message_t message = {
        .topic = "t", .payload = "p", .payload_len = 1, .qos = 1, .retain = false};
    assert_int_equal(sim_mqtt_connect(&mqtt, &req), APP_ERR_INVALID_ARG);
    assert_int_equal(sim_mqtt_publish(&mqtt, &message, &msg_id), APP_ERR_INVALID_ARG);
    assert_false(sim_mqtt_is_connected(&mqtt));
    assert_int_equal(sim_mqtt_disconnect(&mqtt), APP_ERR_INVALID_ARG);
    sim_mqtt_deinit(&mqtt);
}

static void test_configure_copies_the_settings(void **state)
{
    (void)state;
    sim_mqtt_t mqtt;
    static const executor_port_t none = {0};
    assert_true(sim_mqtt_init(&mqtt, &none, NULL, "ca.pem"));
    assert_string_equal(mqtt.ca_file, "ca.pem");
    mqtt_client_config_t cfg = {.uri = "ws://127.0.0.1:1/mqtt",
                                .client_id = "ESP32_000001",
                                .username = "node",
                                .password = "pw",
                                .keepalive_s = 15,
                                .network_timeout_ms = 2500,
                                .retransmit_ms = 5000};
    assert_int_equal(sim_mqtt_configure(&mqtt, &cfg), APP_OK);
    assert_string_equal(mqtt.uri, "ws://127.0.0.1:1/mqtt");
    assert_string_equal(mqtt.client_id, "ESP32_000001");
    assert_string_equal(mqtt.username, "node");
    assert_string_equal(mqtt.password, "pw");
    assert_int_equal(mqtt.keepalive_s, 15);
    assert_int_equal(mqtt.network_timeout_ms, 2500);
    assert_int_equal(mqtt.retry_interval_s, 5);
    assert_int_equal(sim_mqtt_configure(&mqtt, &cfg), APP_ERR_INVALID_ARG); /* once */
    sim_mqtt_deinit(&mqtt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_failures_are_classified),
        cmocka_unit_test(test_port_calls_before_configure_are_refused),
        cmocka_unit_test(test_configure_copies_the_settings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
