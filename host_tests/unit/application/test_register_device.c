/* RegisterDeviceUseCase: config fallbacks (with notices), message building and the QoS 1 publish. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "app_test_support.h"
#include "application/register_device.h"

typedef struct {
    app_fixture_t *f;
    register_device_t uc;
} rd_fixture_t;

static int setup(void **state)
{
    static rd_fixture_t fx;
    fx.f = app_fixture_new();
    register_device_init(&fx.uc, &fx.f->fakes.ports, &fx.f->settings);
    *state = &fx;
    return 0;
}

static int teardown(void **state)
{
    rd_fixture_t *fx = *state;
    app_fixture_free(fx->f);
    return 0;
}

static void test_init_has_no_pending_message(void **state)
{
    rd_fixture_t *fx = *state;
    assert_int_equal(fx->uc.pending_msg_id, -1);
    register_device_init(NULL, NULL, NULL); /* ignored */
}

static void test_stored_value_is_used(void **state)
{
    rd_fixture_t *fx = *state;
    fake_config_repository_set(&fx->f->fakes.config, CONFIG_FIELD_DEVICE_NAME, "Riego Norte");
    char out[DEVICE_NAME_MAX_BYTES + 1];
    assert_int_equal(register_device_read_field(&fx->uc, CONFIG_FIELD_DEVICE_NAME, out, sizeof(out)), APP_OK);
    assert_string_equal(out, "Riego Norte");
    assert_int_equal(fx->f->fakes.events.notice_count, 0);
}

typedef struct {
    const char *name;
    config_field_t field;
    const char *stored;      /* NULL: nothing stored */
    app_err_t scripted_load; /* APP_OK: answer from the stored value */
    app_err_t expected;
    app_notice_level_t level;
    const char *notice_part;
} fallback_case_t;

static char too_long_name[DEVICE_NAME_MAX_BYTES + 2];
static char too_long_location[DEVICE_LOCATION_MAX_BYTES + 2];

static void test_fallbacks_use_the_default_and_say_why(void **state)
{
    rd_fixture_t *fx = *state;
    memset(too_long_name, 'n', DEVICE_NAME_MAX_BYTES + 1);
    memset(too_long_location, 'l', DEVICE_LOCATION_MAX_BYTES + 1);
    const fallback_case_t cases[] = {
        {"name missing", CONFIG_FIELD_DEVICE_NAME, NULL, APP_OK, APP_ERR_NOT_FOUND, APP_NOTICE_INFO,
         "device_name: nothing stored; using the default"},
        {"location missing", CONFIG_FIELD_LOCATION, NULL, APP_OK, APP_ERR_NOT_FOUND, APP_NOTICE_INFO,
         "location_description: nothing stored; using the default"},
        {"name empty", CONFIG_FIELD_DEVICE_NAME, "", APP_OK, APP_ERR_INVALID_VALUE, APP_NOTICE_WARNING,
         "device_name: stored value rejected (device_name is empty or only white space)"},
        {"name blank", CONFIG_FIELD_DEVICE_NAME, " \t ", APP_OK, APP_ERR_INVALID_VALUE, APP_NOTICE_WARNING,
         "device_name is empty or only white space"},
        {"name too long", CONFIG_FIELD_DEVICE_NAME, too_long_name, APP_OK, APP_ERR_TOO_LONG,
         APP_NOTICE_WARNING, "device_name: stored value is longer than 100 bytes; using the default"},
        {"location too long", CONFIG_FIELD_LOCATION, too_long_location, APP_OK, APP_ERR_TOO_LONG,
         APP_NOTICE_WARNING, "location_description: stored value is longer than 250 bytes"},
        {"name invalid utf8", CONFIG_FIELD_DEVICE_NAME, "Riego \xC3\x28", APP_OK, APP_ERR_INVALID_VALUE,
         APP_NOTICE_WARNING, "device_name: stored value rejected (device_name is not valid UTF-8)"},
        {"location invalid utf8", CONFIG_FIELD_LOCATION, "\xFF", APP_OK, APP_ERR_INVALID_VALUE,
         APP_NOTICE_WARNING, "location_description is not valid UTF-8"},
        {"name storage error", CONFIG_FIELD_DEVICE_NAME, "Riego", APP_ERR_STORAGE, APP_ERR_STORAGE,
         APP_NOTICE_ERROR, "device_name: reading storage failed; using the default"},
        {"location platform error", CONFIG_FIELD_LOCATION, "Lote", APP_ERR_PLATFORM, APP_ERR_STORAGE,
         APP_NOTICE_ERROR, "location_description: reading storage failed"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const fallback_case_t *c = &cases[i];
        fake_config_repository_set(&fx->f->fakes.config, c->field, c->stored);
        if (c->scripted_load != APP_OK) {
            fake_script_push(&fx->f->fakes.config.load_results[c->field], c->scripted_load);
        }
        fake_event_sink_clear(&fx->f->fakes.events);
        /* Each case is a first finding: a fresh use case has reported nothing yet. */
        register_device_init(&fx->uc, fx->uc.ports, fx->uc.settings);
        char out[DEVICE_LOCATION_MAX_BYTES + 1];
        app_err_t rc = register_device_read_field(&fx->uc, c->field, out, sizeof(out));
        if (rc != c->expected) {
            print_error("case '%s' returned %d\n", c->name, rc);
        }
        assert_int_equal(rc, c->expected);
        assert_string_equal(out, c->field == CONFIG_FIELD_DEVICE_NAME ? "ESP32-Riego"
                                                                      : "Sin ubicacion configurada");
        assert_int_equal(fx->f->fakes.events.notice_count, 1);
        assert_int_equal(fx->f->fakes.events.notices[0].level, c->level);
        if (strstr(fx->f->fakes.events.notices[0].message, c->notice_part) == NULL) {
            print_error("case '%s' notice '%s'\n", c->name, fx->f->fakes.events.notices[0].message);
        }
        assert_non_null(strstr(fx->f->fakes.events.notices[0].message, c->notice_part));
    }
}

static void test_same_fallback_is_reported_once_until_it_changes(void **state)
{
    rd_fixture_t *fx = *state;
    char out[DEVICE_NAME_MAX_BYTES + 1];
    fake_config_repository_set(&fx->f->fakes.config, CONFIG_FIELD_DEVICE_NAME, NULL);
    fake_event_sink_clear(&fx->f->fakes.events);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(register_device_read_field(&fx->uc, CONFIG_FIELD_DEVICE_NAME, out, sizeof(out)),
                         APP_ERR_NOT_FOUND);
    }
    assert_int_equal(fx->f->fakes.events.notice_count, 1);

    /* A valid value is stored, then removed again: the fallback is news once more. */
    fake_config_repository_set(&fx->f->fakes.config, CONFIG_FIELD_DEVICE_NAME, "Riego Norte");
    assert_int_equal(register_device_read_field(&fx->uc, CONFIG_FIELD_DEVICE_NAME, out, sizeof(out)), APP_OK);
    assert_string_equal(out, "Riego Norte");
    assert_int_equal(fx->f->fakes.events.notice_count, 1);
    fake_config_repository_set(&fx->f->fakes.config, CONFIG_FIELD_DEVICE_NAME, NULL);
    assert_int_equal(register_device_read_field(&fx->uc, CONFIG_FIELD_DEVICE_NAME, out, sizeof(out)),
                     APP_ERR_NOT_FOUND);
    assert_int_equal(fx->f->fakes.events.notice_count, 2);
}

static void test_notice_never_quotes_the_stored_bytes(void **state)
{
    rd_fixture_t *fx = *state;
    fake_config_repository_set(&fx->f->fakes.config, CONFIG_FIELD_DEVICE_NAME, "bad\xFFvalue");
    char out[DEVICE_NAME_MAX_BYTES + 1];
    register_device_read_field(&fx->uc, CONFIG_FIELD_DEVICE_NAME, out, sizeof(out));
    assert_null(strstr(fx->f->fakes.events.notices[0].message, "bad"));
}

static void test_read_field_rejects_bad_arguments(void **state)
{
    rd_fixture_t *fx = *state;
    char out[8];
    assert_int_equal(register_device_read_field(NULL, CONFIG_FIELD_DEVICE_NAME, out, sizeof(out)),
                     APP_ERR_INVALID_ARG);
    assert_int_equal(register_device_read_field(&fx->uc, CONFIG_FIELD_COUNT, out, sizeof(out)),
                     APP_ERR_INVALID_ARG);
    assert_int_equal(register_device_read_field(&fx->uc, CONFIG_FIELD_DEVICE_NAME, NULL, 8),
                     APP_ERR_INVALID_ARG);
    assert_int_equal(register_device_read_field(&fx->uc, CONFIG_FIELD_DEVICE_NAME, out, 0),
                     APP_ERR_INVALID_ARG);
}

static void test_read_field_into_a_too_small_buffer_is_reported(void **state)
{
    rd_fixture_t *fx = *state;
    char out[4] = "xyz";
    fake_config_repository_set(&fx->f->fakes.config, CONFIG_FIELD_DEVICE_NAME, "Riego Norte");
    assert_int_equal(register_device_read_field(&fx->uc, CONFIG_FIELD_DEVICE_NAME, out, sizeof(out)),
                     APP_ERR_BUFFER_TOO_SMALL);
    assert_string_equal(out, "");
    fake_config_repository_set(&fx->f->fakes.config, CONFIG_FIELD_DEVICE_NAME, NULL);
    assert_int_equal(register_device_read_field(&fx->uc, CONFIG_FIELD_DEVICE_NAME, out, sizeof(out)),
                     APP_ERR_BUFFER_TOO_SMALL);
}

static void test_publish_queues_the_exact_registration_with_qos1(void **state)
{
    rd_fixture_t *fx = *state;
    fake_config_repository_set(&fx->f->fakes.config, CONFIG_FIELD_DEVICE_NAME, "  Riego \"Norte\"  ");
    fake_config_repository_set(&fx->f->fakes.config, CONFIG_FIELD_LOCATION, "Vereda El Ca\xC3\xB1on\\Lote 3");
    fake_mqtt_client_set_next_msg_id(&fx->f->fakes.mqtt, 42);
    int32_t msg_id = 0;
    registration_failure_t failure;
    int32_t detail;
    assert_int_equal(register_device_publish(&fx->uc, &msg_id, &failure, &detail), APP_OK);
    assert_int_equal(msg_id, 42);
    assert_int_equal(fx->uc.pending_msg_id, 42);
    const fake_mqtt_publish_t *pub = fake_mqtt_client_last_publish(&fx->f->fakes.mqtt);
    assert_non_null(pub);
    assert_string_equal(pub->topic, "/liwaisi/iot/smart-irrigation/device/registration");
    assert_int_equal(pub->qos, 1);
    const char *expected = "{\"event_type\":\"register\",\"mac_address\":\"A4:CF:12:0B:8E:01\","
                           "\"device_name\":\"Riego \\\"Norte\\\"\",\"ip_address\":\"192.168.1.50\","
                           "\"location_description\":\"Vereda El Ca\xC3\xB1on\\\\Lote 3\"}";
    assert_int_equal(pub->payload_len, strlen(expected));
    assert_memory_equal(pub->payload, expected, pub->payload_len);
    assert_memory_equal(fx->uc.payload, expected, fx->uc.payload_len);
    char ip[IPV4_ADDRESS_STR_SIZE];
    ipv4_address_format(&fx->uc.last_message.ip, ip);
    assert_string_equal(ip, "192.168.1.50");
}

static void test_publish_uses_defaults_when_storage_is_empty(void **state)
{
    rd_fixture_t *fx = *state;
    int32_t msg_id = 0;
    assert_int_equal(register_device_publish(&fx->uc, &msg_id, NULL, NULL), APP_OK);
    char expected[512];
    app_fixture_expected_payload(expected, sizeof(expected), "ESP32-Riego", TEST_IP,
                                 "Sin ubicacion configurada");
    assert_string_equal(fake_mqtt_client_last_publish(&fx->f->fakes.mqtt)->payload, expected);
    assert_int_equal(fx->f->fakes.events.notice_count, 2);
}

static void test_publish_without_ip_fails_with_no_ip(void **state)
{
    rd_fixture_t *fx = *state;
    fake_network_set_ip(&fx->f->fakes.network, NULL);
    int32_t msg_id = 7;
    registration_failure_t failure;
    int32_t detail;
    assert_int_equal(register_device_publish(&fx->uc, &msg_id, &failure, &detail), APP_ERR_NOT_CONNECTED);
    assert_int_equal(failure, REGISTRATION_FAILURE_NO_IP);
    assert_int_equal(detail, APP_ERR_NOT_CONNECTED);
    assert_int_equal(msg_id, 7);
    assert_int_equal(fx->f->fakes.mqtt.publish_calls, 0);
}

static void test_publish_with_unspecified_ip_fails_with_no_ip(void **state)
{
    rd_fixture_t *fx = *state;
    fake_network_set_ip(&fx->f->fakes.network, "0.0.0.0");
    int32_t msg_id = 0;
    registration_failure_t failure;
    int32_t detail;
    assert_int_equal(register_device_publish(&fx->uc, &msg_id, &failure, &detail), APP_ERR_NOT_CONNECTED);
    assert_int_equal(failure, REGISTRATION_FAILURE_NO_IP);
    assert_int_equal(detail, DOMAIN_ERR_IP_UNSPECIFIED);
    assert_int_equal(fx->f->fakes.mqtt.publish_calls, 0);
}

static void test_publish_when_mac_unreadable_fails_as_invalid_message(void **state)
{
    rd_fixture_t *fx = *state;
    fake_script_push(&fx->f->fakes.network.get_mac_results, APP_ERR_PLATFORM);
    int32_t msg_id = 0;
    registration_failure_t failure;
    int32_t detail;
    assert_int_equal(register_device_publish(&fx->uc, &msg_id, &failure, &detail), APP_ERR_PLATFORM);
    assert_int_equal(failure, REGISTRATION_FAILURE_INVALID_MESSAGE);
    assert_int_equal(detail, DOMAIN_ERR_MAC_INVALID);
}

static void test_publish_with_invalid_defaults_fails_as_invalid_message(void **state)
{
    rd_fixture_t *fx = *state;
    strcpy(fx->f->settings.defaults.device_name, " ");
    int32_t msg_id = 0;
    registration_failure_t failure;
    int32_t detail;
    assert_int_equal(register_device_publish(&fx->uc, &msg_id, &failure, &detail), APP_ERR_INVALID_VALUE);
    assert_int_equal(failure, REGISTRATION_FAILURE_INVALID_MESSAGE);
    assert_int_equal(detail, DOMAIN_ERR_NAME_EMPTY);
    assert_int_equal(fx->f->fakes.mqtt.publish_calls, 0);
}

static void test_publish_refused_reports_the_client_error(void **state)
{
    rd_fixture_t *fx = *state;
    fake_script_push(&fx->f->fakes.mqtt.publish_results, APP_ERR_OUTBOX_FULL);
    int32_t msg_id = 0;
    registration_failure_t failure;
    int32_t detail;
    assert_int_equal(register_device_publish(&fx->uc, &msg_id, &failure, &detail), APP_ERR_OUTBOX_FULL);
    assert_int_equal(failure, REGISTRATION_FAILURE_PUBLISH_REFUSED);
    assert_int_equal(detail, APP_ERR_OUTBOX_FULL);
    assert_int_equal(fx->uc.pending_msg_id, -1);
}

static void test_largest_registration_fits_the_payload_buffer(void **state)
{
    rd_fixture_t *fx = *state;
    char name[DEVICE_NAME_MAX_BYTES + 1];
    char location[DEVICE_LOCATION_MAX_BYTES + 1];
    memset(name, '\x01', DEVICE_NAME_MAX_BYTES);
    name[0] = 'N'; /* not only white space */
    name[DEVICE_NAME_MAX_BYTES] = '\0';
    memset(location, '\x1F', DEVICE_LOCATION_MAX_BYTES);
    location[0] = 'L';
    location[DEVICE_LOCATION_MAX_BYTES] = '\0';
    fake_config_repository_set(&fx->f->fakes.config, CONFIG_FIELD_DEVICE_NAME, name);
    fake_config_repository_set(&fx->f->fakes.config, CONFIG_FIELD_LOCATION, location);
    int32_t msg_id = 0;
    assert_int_equal(register_device_publish(&fx->uc, &msg_id, NULL, NULL), APP_OK);
    const fake_mqtt_publish_t *pub = fake_mqtt_client_last_publish(&fx->f->fakes.mqtt);
    assert_true(pub->payload_len + 1 <= DEVICE_REGISTRATION_JSON_MAX_SIZE);
    assert_true(pub->payload_len + strlen(pub->topic) + APP_MQTT_PUBLISH_OVERHEAD_BYTES <=
                fx->f->settings.mqtt.out_buffer_size);
}

static void test_publish_rejects_bad_arguments(void **state)
{
    rd_fixture_t *fx = *state;
    registration_failure_t failure;
    int32_t detail;
    assert_int_equal(register_device_publish(&fx->uc, NULL, &failure, &detail), APP_ERR_INVALID_ARG);
    int32_t msg_id;
    assert_int_equal(register_device_publish(NULL, &msg_id, NULL, NULL), APP_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_has_no_pending_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stored_value_is_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fallbacks_use_the_default_and_say_why, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_fallback_is_reported_once_until_it_changes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_notice_never_quotes_the_stored_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_field_rejects_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_field_into_a_too_small_buffer_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_publish_queues_the_exact_registration_with_qos1, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_publish_uses_defaults_when_storage_is_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_publish_without_ip_fails_with_no_ip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_publish_with_unspecified_ip_fails_with_no_ip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_publish_when_mac_unreadable_fails_as_invalid_message, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_publish_with_invalid_defaults_fails_as_invalid_message, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_publish_refused_reports_the_client_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_largest_registration_fits_the_payload_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_publish_rejects_bad_arguments, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
