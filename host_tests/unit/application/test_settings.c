/* Settings: the product defaults and every rule settings_validation_check() enforces. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "application/application.h"
#include "application/settings_validation.h"
#include "application/settings.h"

static void test_defaults_are_the_product_values(void **state)
{
    (void)state;
    app_settings_t s;
    memset(&s, 0xA5, sizeof(s));
    app_settings_defaults(&s);
    assert_string_equal(s.mqtt.broker_uri, "ws://mqtt.iot.liwaisi.tech:80");
    assert_string_equal(s.mqtt.ws_path, "/mqtt");
    assert_string_equal(s.mqtt.topic, "/liwaisi/iot/smart-irrigation/device/registration");
    assert_int_equal(s.mqtt.qos, 1);
    assert_int_equal(s.mqtt.keepalive_s, 60);
    assert_int_equal(s.mqtt.network_timeout_ms, 10000);
    assert_int_equal(s.mqtt.buffer_size, 1024);
    assert_int_equal(s.mqtt.out_buffer_size, 2560);
    assert_int_equal(s.mqtt.task_stack_size, 6144);
    assert_int_equal(s.mqtt.task_priority, 5);
    assert_int_equal(s.mqtt.outbox_limit, 0);
    assert_int_equal(s.mqtt.retry.initial_ms, 30000);
    assert_int_equal(s.mqtt.retry.max_ms, 3600000);
    assert_int_equal(s.mqtt.retry.multiplier, 2);
    assert_int_equal(s.mqtt.retry.jitter_percent, 0);
    assert_string_equal(s.defaults.device_name, "ESP32-Riego");
    assert_string_equal(s.defaults.location, "Sin ubicacion configurada");
    assert_string_equal(s.firmware_version, "0.1.0");
    assert_int_equal(s.lock_timeout_ms, 100);
}

static void test_defaults_pass_validation(void **state)
{
    (void)state;
    app_settings_t s;
    app_settings_defaults(&s);
    char reason[128] = "x";
    assert_int_equal(settings_validation_check(&s, reason, sizeof(reason)), APP_OK);
    assert_string_equal(reason, "");
}

static void test_default_out_buffer_holds_the_largest_registration_on_the_longest_topic(void **state)
{
    (void)state;
    char topic[APP_TOPIC_MAX_LEN + 1];
    memset(topic, 'a', APP_TOPIC_MAX_LEN);
    topic[APP_TOPIC_MAX_LEN] = '\0';
    assert_true(app_settings_min_out_buffer_size(topic) <= APP_DEFAULT_OUT_BUFFER_SIZE);
    assert_int_equal(app_settings_min_out_buffer_size("/t"),
                     DEVICE_REGISTRATION_JSON_MAX_SIZE + APP_MQTT_PUBLISH_OVERHEAD_BYTES + 2);
    assert_int_equal(app_settings_min_out_buffer_size(NULL),
                     DEVICE_REGISTRATION_JSON_MAX_SIZE + APP_MQTT_PUBLISH_OVERHEAD_BYTES);
}

static void test_defaults_ignores_null(void **state)
{
    (void)state;
    app_settings_defaults(NULL);
    assert_int_equal(settings_validation_check(NULL, NULL, 0), APP_ERR_INVALID_ARG);
}

typedef void (*mutate_fn)(app_settings_t *s);

static void uri_no_scheme(app_settings_t *s)
{
    strcpy(s->mqtt.broker_uri, "mqtt.iot.liwaisi.tech:80");
}
static void uri_tcp_scheme(app_settings_t *s)
{
    strcpy(s->mqtt.broker_uri, "mqtt://broker:1883");
}
static void uri_bad_port(app_settings_t *s)
{
    strcpy(s->mqtt.broker_uri, "ws://broker:99999/mqtt");
}
static void uri_empty(app_settings_t *s)
{
    s->mqtt.broker_uri[0] = '\0';
}
static void uri_unterminated(app_settings_t *s)
{
    memset(s->mqtt.broker_uri, 'a', sizeof(s->mqtt.broker_uri));
}
static void uri_list_mixing_schemes(app_settings_t *s)
{
    strcpy(s->mqtt.broker_uri, "ws://a:8080/mqtt,wss://b:443/mqtt");
}
static void uri_list_with_a_bad_entry(app_settings_t *s)
{
    strcpy(s->mqtt.broker_uri, "ws://a:8080/mqtt,ws://b:99999/mqtt");
}
static void uri_list_too_long(app_settings_t *s)
{
    strcpy(s->mqtt.broker_uri, "ws://a:1,ws://b:2,ws://c:3,ws://d:4,ws://e:5");
}
static void ws_path_no_slash(app_settings_t *s)
{
    strcpy(s->mqtt.ws_path, "mqtt");
}
static void ws_path_space(app_settings_t *s)
{
    strcpy(s->mqtt.ws_path, "/mq tt");
}
static void ws_path_unterminated(app_settings_t *s)
{
    memset(s->mqtt.ws_path, 'a', sizeof(s->mqtt.ws_path));
}
static void topic_empty(app_settings_t *s)
{
    s->mqtt.topic[0] = '\0';
}
static void topic_dot(app_settings_t *s)
{
    strcpy(s->mqtt.topic, "/liwaisi/iot.v2/registration");
}
static void topic_space(app_settings_t *s)
{
    strcpy(s->mqtt.topic, "/liwaisi/smart irrigation");
}
static void topic_plus(app_settings_t *s)
{
    strcpy(s->mqtt.topic, "/liwaisi/+/registration");
}
static void topic_hash(app_settings_t *s)
{
    strcpy(s->mqtt.topic, "/liwaisi/#");
}
static void topic_invalid_utf8(app_settings_t *s)
{
    strcpy(s->mqtt.topic, "/liwaisi/\xC3");
}
static void topic_unterminated(app_settings_t *s)
{
    memset(s->mqtt.topic, 'a', sizeof(s->mqtt.topic));
}
static void qos_two(app_settings_t *s)
{
    s->mqtt.qos = 2;
}
static void keepalive_zero(app_settings_t *s)
{
    s->mqtt.keepalive_s = 0;
}
static void buffer_zero(app_settings_t *s)
{
    s->mqtt.buffer_size = 0;
}
static void stack_zero(app_settings_t *s)
{
    s->mqtt.task_stack_size = 0;
}
static void out_buffer_zero(app_settings_t *s)
{
    s->mqtt.out_buffer_size = 0;
}
static void out_buffer_esp_mqtt_default(app_settings_t *s)
{
    s->mqtt.out_buffer_size = 1024;
}
static void out_buffer_one_short(app_settings_t *s)
{
    s->mqtt.out_buffer_size = app_settings_min_out_buffer_size(s->mqtt.topic) - 1;
}
static void retry_initial_zero(app_settings_t *s)
{
    s->mqtt.retry.initial_ms = 0;
}
static void retry_max_below_initial(app_settings_t *s)
{
    s->mqtt.retry.max_ms = s->mqtt.retry.initial_ms - 1;
}
static void retry_multiplier_zero(app_settings_t *s)
{
    s->mqtt.retry.multiplier = 0;
}
static void retry_jitter_over_100(app_settings_t *s)
{
    s->mqtt.retry.jitter_percent = 101;
}
static void default_name_empty(app_settings_t *s)
{
    strcpy(s->defaults.device_name, "   ");
}
static void default_location_invalid_utf8(app_settings_t *s)
{
    strcpy(s->defaults.location, "Finca \xFF");
}

typedef struct {
    const char *name;
    mutate_fn mutate;
    app_err_t expected;
    const char *reason_part;
} settings_case_t;

static const settings_case_t cases[] = {
    {"uri without scheme", uri_no_scheme, APP_ERR_BAD_URI, "broker_uri: broker URI must start with ws://"},
    {"uri with mqtt scheme", uri_tcp_scheme, APP_ERR_BAD_URI, "broker_uri: "},
    {"uri with bad port", uri_bad_port, APP_ERR_BAD_URI, "port"},
    {"uri empty", uri_empty, APP_ERR_BAD_URI, "broker_uri: "},
    {"uri unterminated", uri_unterminated, APP_ERR_BAD_URI, "broker_uri: broker URI is too long"},
    {"list mixing ws and wss", uri_list_mixing_schemes, APP_ERR_BAD_URI,
     "broker_uri (entry 2): every broker of a list must use the same scheme"},
    {"list with a bad entry", uri_list_with_a_bad_entry, APP_ERR_BAD_URI, "broker_uri (entry 2): "},
    {"list of five", uri_list_too_long, APP_ERR_BAD_URI, "more than 4 brokers"},
    {"ws_path without slash", ws_path_no_slash, APP_ERR_BAD_URI, "ws_path: "},
    {"ws_path with space", ws_path_space, APP_ERR_BAD_URI, "ws_path: "},
    {"ws_path unterminated", ws_path_unterminated, APP_ERR_BAD_URI, "ws_path: "},
    {"topic empty", topic_empty, APP_ERR_BAD_TOPIC, "topic is empty"},
    {"topic with dot", topic_dot, APP_ERR_BAD_TOPIC, "NATS refuses"},
    {"topic with space", topic_space, APP_ERR_BAD_TOPIC, "NATS refuses"},
    {"topic with +", topic_plus, APP_ERR_BAD_TOPIC, "wildcard '+'"},
    {"topic with #", topic_hash, APP_ERR_BAD_TOPIC, "wildcard '#'"},
    {"topic invalid utf8", topic_invalid_utf8, APP_ERR_BAD_TOPIC, "UTF-8"},
    {"topic unterminated", topic_unterminated, APP_ERR_BAD_TOPIC, "longer than 127 bytes"},
    {"qos 2", qos_two, APP_ERR_BAD_SETTINGS, "qos 2"},
    {"keepalive 0", keepalive_zero, APP_ERR_BAD_SETTINGS, "keepalive_s"},
    {"buffer 0", buffer_zero, APP_ERR_BAD_SIZE, "buffer_size"},
    {"stack 0", stack_zero, APP_ERR_BAD_SIZE, "task_stack_size"},
    {"out buffer 0", out_buffer_zero, APP_ERR_BAD_SIZE, "out_buffer_size 0"},
    {"out buffer 1024", out_buffer_esp_mqtt_default, APP_ERR_BAD_SIZE,
     "out_buffer_size 1024 is smaller than the largest registration (2318 bytes)"},
    {"out buffer one short", out_buffer_one_short, APP_ERR_BAD_SIZE, "out_buffer_size 2317"},
    {"retry initial 0", retry_initial_zero, APP_ERR_BAD_SETTINGS, "retry: retry policy needs"},
    {"retry max < initial", retry_max_below_initial, APP_ERR_BAD_SETTINGS, "retry: "},
    {"retry multiplier 0", retry_multiplier_zero, APP_ERR_BAD_SETTINGS, "retry: "},
    {"retry jitter 101", retry_jitter_over_100, APP_ERR_BAD_SETTINGS, "retry: "},
    {"default name blank", default_name_empty, APP_ERR_BAD_SETTINGS, "default device_name is empty"},
    {"default location invalid", default_location_invalid_utf8, APP_ERR_BAD_SETTINGS,
     "default location_description is not valid UTF-8"},
};

static void test_each_bad_setting_is_rejected_with_a_reason(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        app_settings_t s;
        app_settings_defaults(&s);
        cases[i].mutate(&s);
        char reason[128];
        app_err_t rc = settings_validation_check(&s, reason, sizeof(reason));
        if (rc != cases[i].expected || strstr(reason, cases[i].reason_part) == NULL) {
            print_error("case '%s': got %d '%s'\n", cases[i].name, rc, reason);
        }
        assert_int_equal(rc, cases[i].expected);
        assert_non_null(strstr(reason, cases[i].reason_part));
    }
}

static void test_out_buffer_exactly_the_minimum_is_accepted(void **state)
{
    (void)state;
    app_settings_t s;
    app_settings_defaults(&s);
    s.mqtt.out_buffer_size = app_settings_min_out_buffer_size(s.mqtt.topic);
    assert_int_equal(settings_validation_check(&s, NULL, 0), APP_OK);
}

static void test_qos_zero_and_a_ws_path_given_by_the_uri_are_accepted(void **state)
{
    (void)state;
    app_settings_t s;
    app_settings_defaults(&s);
    s.mqtt.qos = 0;
    strcpy(s.mqtt.broker_uri, "ws://127.0.0.1:18080/mqtt");
    s.mqtt.ws_path[0] = '\0';
    assert_int_equal(settings_validation_check(&s, NULL, 0), APP_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_the_product_values),
        cmocka_unit_test(test_defaults_pass_validation),
        cmocka_unit_test(test_default_out_buffer_holds_the_largest_registration_on_the_longest_topic),
        cmocka_unit_test(test_defaults_ignores_null),
        cmocka_unit_test(test_each_bad_setting_is_rejected_with_a_reason),
        cmocka_unit_test(test_out_buffer_exactly_the_minimum_is_accepted),
        cmocka_unit_test(test_qos_zero_and_a_ws_path_given_by_the_uri_are_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
