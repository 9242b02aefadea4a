/* application_update_config and APP_EVENT_CONFIG_CHANGED: store, cache, register again. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "app_test_support.h"

static int setup(void **state)
{
    *state = app_fixture_new();
    return 0;
}

static int teardown(void **state)
{
    app_fixture_free(*state);
    return 0;
}

static void test_valid_name_is_stored_cached_and_announced(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    char reason[128];
    assert_int_equal(application_update_config(&f->app, "Riego Norte", NULL, reason, sizeof(reason), NULL),
                     APP_OK);
    assert_string_equal(reason, "");
    assert_string_equal(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME),
                        "Riego Norte");
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_LOCATION], 0);
    /* cached before the application task even ran */
    assert_string_equal(app_fixture_status(f).device_name, "Riego Norte");
    assert_int_equal(f->fakes.executor.count, 1);
    assert_int_equal(f->fakes.executor.queue[f->fakes.executor.head].kind, APP_EVENT_CONFIG_CHANGED);
    assert_false(f->fakes.lock.held);
}

static void test_both_values_are_stored(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    assert_int_equal(application_update_config(&f->app, "Riego", "Lote \xC3\x91", NULL, 0, NULL), APP_OK);
    fake_executor_run_all(&f->fakes.executor);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_string_equal(s.device_name, "Riego");
    assert_string_equal(s.location, "Lote \xC3\x91");
}

typedef struct {
    const char *name;
    const char *location;
    app_err_t expected;
    const char *reason;
} invalid_case_t;

static char name_101[DEVICE_NAME_MAX_BYTES + 2];
static char location_251[DEVICE_LOCATION_MAX_BYTES + 2];

static void test_invalid_values_are_refused_with_the_reason_and_nothing_is_stored(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    memset(name_101, 'n', DEVICE_NAME_MAX_BYTES + 1);
    memset(location_251, 'l', DEVICE_LOCATION_MAX_BYTES + 1);
    const invalid_case_t cases[] = {
        {name_101, NULL, APP_ERR_TOO_LONG, "device_name is longer than 100 bytes"},
        {"", NULL, APP_ERR_INVALID_VALUE, "device_name is empty or only white space"},
        {"\xC3", NULL, APP_ERR_INVALID_VALUE, "device_name is not valid UTF-8"},
        {NULL, location_251, APP_ERR_TOO_LONG, "location_description is longer than 250 bytes"},
        {NULL, " ", APP_ERR_INVALID_VALUE, "location_description is empty or only white space"},
        {"Valid", "\xFF", APP_ERR_INVALID_VALUE, "location_description is not valid UTF-8"},
        {NULL, NULL, APP_ERR_INVALID_ARG, "device_name or location_description required"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char reason[128];
        assert_int_equal(application_update_config(&f->app, cases[i].name, cases[i].location, reason,
                                                   sizeof(reason), NULL),
                         cases[i].expected);
        assert_string_equal(reason, cases[i].reason);
    }
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_DEVICE_NAME], 0);
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_LOCATION], 0);
    assert_int_equal(f->fakes.executor.count, 0);
    assert_int_equal(application_update_config(NULL, "x", NULL, NULL, 0, NULL), APP_ERR_INVALID_ARG);
}

static void test_hundred_byte_name_is_accepted(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    char name[DEVICE_NAME_MAX_BYTES + 1];
    memset(name, 'n', DEVICE_NAME_MAX_BYTES);
    name[DEVICE_NAME_MAX_BYTES] = '\0';
    assert_int_equal(application_update_config(&f->app, name, NULL, NULL, 0, NULL), APP_OK);
    assert_string_equal(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME), name);
}

static void test_storage_error_is_reported_and_nothing_cached(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    fake_script_push(&f->fakes.config.store_results[CONFIG_FIELD_DEVICE_NAME], APP_ERR_STORAGE);
    char reason[128];
    assert_int_equal(application_update_config(&f->app, "Riego", "Lote", reason, sizeof(reason), NULL),
                     APP_ERR_STORAGE);
    assert_string_equal(reason, "storing the configuration failed");
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_LOCATION], 0);
    assert_string_equal(app_fixture_status(f).device_name, "ESP32-Riego");
    assert_int_equal(f->fakes.executor.count, 0);
    assert_non_null(fake_event_sink_find_notice(&f->fakes.events, "storing the configuration failed"));
}

static void test_location_storage_error_keeps_the_stored_name(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    fake_script_push(&f->fakes.config.store_results[CONFIG_FIELD_LOCATION], APP_ERR_STORAGE);
    assert_int_equal(application_update_config(&f->app, "Riego", "Lote", NULL, 0, NULL), APP_ERR_STORAGE);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_string_equal(s.device_name, "Riego");
    assert_string_equal(s.location, "Sin ubicacion configurada");
    assert_int_equal(f->fakes.executor.count, 1);
}

static void test_lock_timeout_after_storing_is_a_success_and_the_task_refreshes_the_cache(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    /* comparing with the cache and taking the write slot get the lock; caching the stored value does not */
    fake_lock_fail_after(&f->fakes.lock, 2, 1);
    char reason[128];
    assert_int_equal(application_update_config(&f->app, "Riego", NULL, reason, sizeof(reason), NULL), APP_OK);
    assert_string_equal(reason, "");
    assert_string_equal(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME), "Riego");
    const fake_notice_t *n = fake_event_sink_find_notice(&f->fakes.events, "shared lock busy");
    assert_non_null(n);
    assert_int_equal(n->level, APP_NOTICE_WARNING);
    assert_int_equal(f->fakes.executor.count, 1);
    /* the application task reloads the cache from storage */
    fake_executor_run_all(&f->fakes.executor);
    assert_string_equal(app_fixture_status(f).device_name, "Riego");
}

static void test_a_busy_lock_before_storing_refuses_the_write_and_stores_nothing(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    fake_lock_set_busy(&f->fakes.lock, true);
    char reason[128];
    assert_int_equal(application_update_config(&f->app, "Riego", NULL, reason, sizeof(reason), NULL),
                     APP_ERR_LOCK_TIMEOUT);
    assert_string_equal(reason, "busy");
    assert_null(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME));
    assert_int_equal(f->fakes.executor.count, 0);
}

static void test_full_queue_is_warned_about_and_the_value_is_kept(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    f->fakes.executor.refuse_posts = true;
    assert_int_equal(application_update_config(&f->app, "Riego", NULL, NULL, 0, NULL), APP_OK);
    assert_non_null(fake_event_sink_find_notice(&f->fakes.events, "change event lost"));
    assert_string_equal(app_fixture_status(f).device_name, "Riego");
}

static void test_config_change_while_registered_publishes_the_new_values(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    assert_int_equal(application_update_config(&f->app, "Huerta \"Sur\"",
                                               "Vereda Ca\xC3\xB1"
                                               "on",
                                               NULL, 0, NULL),
                     APP_OK);
    fake_executor_run_all(&f->fakes.executor);
    assert_int_equal(app_fixture_registrations_sent(f), 2);
    const fake_mqtt_publish_t *pub = app_fixture_last_registration(f);
    char expected[512];
    app_fixture_expected_payload(expected, sizeof(expected), "Huerta \\\"Sur\\\"", TEST_IP,
                                 "Vereda Ca\xC3\xB1"
                                 "on");
    assert_int_equal(pub->payload_len, strlen(expected));
    assert_memory_equal(pub->payload, expected, pub->payload_len);
    assert_int_equal(app_fixture_status(f).pending_msg_id, 3); /* msg 2 was the presence message */

    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 3);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_DEVICE_REGISTERED), 2);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_int_equal(s.registrations, 2);
    assert_int_equal(s.pending_msg_id, -1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
}

static void test_config_change_while_registering_replaces_the_pending_message(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);
    assert_int_equal(application_update_config(&f->app, "Riego", NULL, NULL, 0, NULL), APP_OK);
    fake_executor_run_all(&f->fakes.executor);
    assert_int_equal(f->fakes.mqtt.publish_calls, 2);
    assert_int_equal(app_fixture_status(f).pending_msg_id, 2);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 2);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
}

static void test_old_name_acknowledged_after_the_new_one_is_registered_again(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f); /* msg 1 with the default name */
    assert_int_equal(application_update_config(&f->app, "Riego", NULL, NULL, 0, NULL), APP_OK);
    fake_executor_run_all(&f->fakes.executor); /* msg 2 with "Riego" */
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 2);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1); /* msg 1 may have reached the server last */
    assert_int_equal(app_fixture_registrations_sent(f), 3);
    char expected[512];
    app_fixture_expected_payload(expected, sizeof(expected), "Riego", TEST_IP, "Sin ubicacion configurada");
    assert_string_equal(app_fixture_last_registration(f)->payload, expected);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, app_fixture_last_registration(f)->msg_id);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
}

static void test_refused_re_registration_backs_off_and_registers_on_the_next_connect(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    fake_script_push(&f->fakes.mqtt.publish_results, APP_ERR_OUTBOX_FULL);
    assert_int_equal(application_update_config(&f->app, "Riego Norte", NULL, NULL, 0, NULL), APP_OK);
    fake_executor_run_all(&f->fakes.executor);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 1);
    assert_int_equal(fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_REGISTRATION_FAILED)
                         ->data.registration_failed.reason,
                     REGISTRATION_FAILURE_PUBLISH_REFUSED);
    app_fixture_expire_timer(f);
    app_fixture_event(f, APP_EVENT_MQTT_CONNECTED);
    char expected[512];
    app_fixture_expected_payload(expected, sizeof(expected), "Riego Norte", TEST_IP,
                                 "Sin ubicacion configurada");
    assert_string_equal(fake_mqtt_client_last_publish(&f->fakes.mqtt)->payload, expected);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, app_fixture_last_registration(f)->msg_id);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
}

static void test_dropped_re_registration_backs_off(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    assert_int_equal(application_update_config(&f->app, "Riego Norte", NULL, NULL, 0, NULL), APP_OK);
    fake_executor_run_all(&f->fakes.executor); /* msg 3 (msg 2 was the presence message) */
    app_fixture_event_msg(f, APP_EVENT_MQTT_DELETED, app_fixture_last_registration(f)->msg_id);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_REGISTRATION_FAILED)
                         ->data.registration_failed.reason,
                     REGISTRATION_FAILURE_DELETED);
}

static void test_config_change_with_mqtt_disabled_only_updates_the_cache(void **state)
{
    app_fixture_t *f = *state;
    f->settings.mqtt.topic[0] = '\0';
    assert_int_equal(app_fixture_start(f), APP_ERR_BAD_TOPIC);
    assert_int_equal(application_update_config(&f->app, "Riego", NULL, NULL, 0, NULL), APP_OK);
    fake_executor_run_all(&f->fakes.executor);
    assert_string_equal(app_fixture_status(f).device_name, "Riego");
    assert_int_equal(f->fakes.mqtt.publish_calls, 0);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_WAITING);
}

static void test_config_change_while_registering_with_refused_publish_backs_off(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);
    fake_script_push(&f->fakes.mqtt.publish_results, APP_ERR_OUTBOX_FULL);
    assert_int_equal(application_update_config(&f->app, "Riego", NULL, NULL, 0, NULL), APP_OK);
    fake_executor_run_all(&f->fakes.executor);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 1);
}

static void test_config_change_while_not_connected_waits_for_the_next_connect(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    assert_int_equal(application_update_config(&f->app, "Riego Nuevo", NULL, NULL, 0, NULL), APP_OK);
    fake_executor_run_all(&f->fakes.executor);
    assert_int_equal(f->fakes.mqtt.publish_calls, 0);
    app_fixture_event(f, APP_EVENT_MQTT_CONNECTED);
    char expected[512];
    app_fixture_expected_payload(expected, sizeof(expected), "Riego Nuevo", TEST_IP,
                                 "Sin ubicacion configurada");
    assert_string_equal(fake_mqtt_client_last_publish(&f->fakes.mqtt)->payload, expected);
}

static void test_config_changed_event_reloads_a_value_changed_in_storage(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    fake_config_repository_set(&f->fakes.config, CONFIG_FIELD_LOCATION, "Finca La Esperanza");
    app_fixture_event(f, APP_EVENT_CONFIG_CHANGED);
    assert_string_equal(app_fixture_status(f).location, "Finca La Esperanza");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_valid_name_is_stored_cached_and_announced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_both_values_are_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_values_are_refused_with_the_reason_and_nothing_is_stored,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_hundred_byte_name_is_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storage_error_is_reported_and_nothing_cached, setup, teardown),
        cmocka_unit_test_setup_teardown(test_location_storage_error_keeps_the_stored_name, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_lock_timeout_after_storing_is_a_success_and_the_task_refreshes_the_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_busy_lock_before_storing_refuses_the_write_and_stores_nothing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_queue_is_warned_about_and_the_value_is_kept, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_config_change_while_registered_publishes_the_new_values, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_config_change_while_registering_replaces_the_pending_message,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_name_acknowledged_after_the_new_one_is_registered_again,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_refused_re_registration_backs_off_and_registers_on_the_next_connect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_re_registration_backs_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_change_with_mqtt_disabled_only_updates_the_cache, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_config_change_while_registering_with_refused_publish_backs_off,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_change_while_not_connected_waits_for_the_next_connect,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_changed_event_reloads_a_value_changed_in_storage, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
