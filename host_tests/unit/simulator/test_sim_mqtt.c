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
    app_mqtt_error_kind_t kind;
} classify_case_t;

#define GOOD  "ws://127.0.0.1:18080/mqtt"
#define WRONG "ws://127.0.0.1:18080/foo"

static void test_connect_failures_are_classified(void **state)
{
    (void)state;
    /* Messages as Paho 1.3.12 gives them (measured against NATS 2.9 and a closed port). */
    /* clang-format off */
    const classify_case_t cases[] = {
        {1, "CONNACK return code", GOOD, APP_MQTT_ERROR_CONNECTION_REFUSED},
        {5, NULL, GOOD, APP_MQTT_ERROR_CONNECTION_REFUSED},
        {MQTTASYNC_BAD_PROTOCOL, NULL, GOOD, APP_MQTT_ERROR_PROTOCOL},
        {MQTTASYNC_WRONG_MQTT_VERSION, NULL, GOOD, APP_MQTT_ERROR_PROTOCOL},
        /* NATS on a path other than /mqtt: Paho says one or the other */
        {MQTTASYNC_FAILURE, "TCP connect completion failure", WRONG, APP_MQTT_ERROR_PROTOCOL},
        {MQTTASYNC_FAILURE, "socket error", WRONG, APP_MQTT_ERROR_PROTOCOL},
        {MQTTASYNC_FAILURE, "socket error", "ws://h:1", APP_MQTT_ERROR_PROTOCOL},
        {MQTTASYNC_FAILURE, "socket error", GOOD, APP_MQTT_ERROR_TRANSPORT},
        {MQTTASYNC_FAILURE, "socket error", "ws://h:1/mqtt/x", APP_MQTT_ERROR_TRANSPORT},
        /* nothing listening, or no answer in time */
        {MQTTASYNC_FAILURE, "TCP/TLS connect failure", WRONG, APP_MQTT_ERROR_TRANSPORT},
        {MQTTASYNC_FAILURE, "TCP connect timeout", GOOD, APP_MQTT_ERROR_TRANSPORT},
        {MQTTASYNC_FAILURE, NULL, GOOD, APP_MQTT_ERROR_TRANSPORT},
        {MQTTASYNC_FAILURE, "socket error", NULL, APP_MQTT_ERROR_PROTOCOL},
        {0, NULL, GOOD, APP_MQTT_ERROR_TRANSPORT},
        /* NATS on a wrong path, third form: a byte of its INFO reply taken for a CONNACK return code */
        {97, "CONNACK return code", WRONG, APP_MQTT_ERROR_PROTOCOL},
        {49, "CONNACK return code", GOOD, APP_MQTT_ERROR_PROTOCOL},
        {6, NULL, GOOD, APP_MQTT_ERROR_PROTOCOL},
        {255, NULL, GOOD, APP_MQTT_ERROR_PROTOCOL},
    };
    /* clang-format on */
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        app_mqtt_error_kind_t kind = sim_mqtt_classify_failure(cases[i].code, cases[i].message, cases[i].uri);
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
    assert_true(sim_mqtt_init(&mqtt, &none, NULL));
    assert_false(sim_mqtt_init(NULL, &none, NULL));
    assert_false(sim_mqtt_init(&mqtt, NULL, NULL));
    int32_t msg_id = 0;
    assert_int_equal(sim_mqtt_connect(&mqtt), APP_ERR_INVALID_ARG);
    assert_int_equal(sim_mqtt_publish(&mqtt, "t", "p", 1, 1, &msg_id), APP_ERR_INVALID_ARG);
    assert_int_equal(sim_mqtt_disconnect(&mqtt), APP_ERR_INVALID_ARG);
    sim_mqtt_deinit(&mqtt);
}

static void test_configure_copies_the_settings(void **state)
{
    (void)state;
    sim_mqtt_t mqtt;
    static const executor_port_t none = {0};
    assert_true(sim_mqtt_init(&mqtt, &none, NULL));
    mqtt_client_config_t cfg = {.uri = "ws://127.0.0.1:1/mqtt",
                                .client_id = "ESP32_000001",
                                .keepalive_s = 15,
                                .network_timeout_ms = 2500};
    assert_int_equal(sim_mqtt_configure(&mqtt, &cfg), APP_OK);
    assert_string_equal(mqtt.uri, "ws://127.0.0.1:1/mqtt");
    assert_string_equal(mqtt.client_id, "ESP32_000001");
    assert_int_equal(mqtt.keepalive_s, 15);
    assert_int_equal(mqtt.network_timeout_ms, 2500);
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
