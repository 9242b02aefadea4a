/* application_start: port and settings checks, and the start-up sequence. */
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

static void test_start_configures_the_client_and_starts_the_executor(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    const fake_mqtt_client_t *mqtt = &f->fakes.mqtt;
    assert_int_equal(mqtt->configure_calls, 1);
    assert_string_equal(mqtt->config.uri, "ws://mqtt.iot.liwaisi.tech:80/mqtt");
    assert_string_equal(mqtt->config.client_id, "ESP32_0B8E01");
    assert_int_equal(mqtt->config.keepalive_s, 60);
    assert_int_equal(mqtt->config.network_timeout_ms, 10000);
    assert_int_equal(mqtt->config.buffer_size, 1024);
    assert_int_equal(mqtt->config.out_buffer_size, 2560);
    assert_int_equal(mqtt->config.task_stack_size, 6144);
    assert_int_equal(mqtt->config.task_priority, 5);
    assert_int_equal(mqtt->config.outbox_limit, 0);
    assert_int_equal(f->fakes.executor.start_calls, 1);
    assert_ptr_equal(f->fakes.executor.user_arg, &f->app);
    assert_int_equal(mqtt->connect_calls, 0);
    assert_string_equal(f->app.mqtt.client_id, "ESP32_0B8E01");
}

static void test_start_publishes_the_first_snapshot_with_the_config_cache(void **state)
{
    app_fixture_t *f = *state;
    fake_config_repository_set(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME, "Riego Norte");
    assert_int_equal(app_fixture_start(f), APP_OK);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_true(s.mqtt_enabled);
    assert_int_equal(s.state, MQTT_CONNECTION_WAITING);
    assert_string_equal(s.device_name, "Riego Norte");
    assert_string_equal(s.location, "Sin ubicacion configurada");
    assert_int_equal(s.pending_msg_id, -1);
    assert_string_equal(s.last_error, "");
    char mac[MAC_ADDRESS_STR_SIZE];
    mac_address_format(&s.mac, mac);
    assert_string_equal(mac, TEST_MAC);
    /* the location fell back to its default, and said so */
    assert_non_null(fake_event_sink_find_notice(&f->fakes.events, "location_description: nothing stored"));
}

static void test_uri_with_its_own_path_keeps_it(void **state)
{
    app_fixture_t *f = *state;
    strcpy(f->settings.mqtt.broker_uri, "ws://127.0.0.1:18080/mqtt/v1");
    assert_int_equal(app_fixture_start(f), APP_OK);
    assert_string_equal(f->fakes.mqtt.config.uri, "ws://127.0.0.1:18080/mqtt/v1");
}

/* ---- missing ports ---- */

typedef void (*break_fn)(app_ports_t *p);

static void no_mqtt_session(app_ports_t *p)
{
    p->mqtt_session = NULL;
}
static void no_mqtt_publisher(app_ports_t *p)
{
    p->mqtt_publisher = NULL;
}
static void no_wifi(app_ports_t *p)
{
    p->wifi = NULL;
}
static void no_config(app_ports_t *p)
{
    p->config = NULL;
}
static void no_network(app_ports_t *p)
{
    p->network = NULL;
}
static void no_lock(app_ports_t *p)
{
    p->lock = NULL;
}
static void no_timer(app_ports_t *p)
{
    p->timer = NULL;
}
static void no_power(app_ports_t *p)
{
    p->power = NULL;
}
static void no_executor(app_ports_t *p)
{
    p->executor = NULL;
}
static void no_events(app_ports_t *p)
{
    p->events = NULL;
}
static void no_system(app_ports_t *p)
{
    p->system = NULL;
}

static mqtt_session_port_t mqtt_session_copy;
static mqtt_publisher_port_t mqtt_publisher_copy;
static wifi_station_port_t wifi_copy;
static config_repository_port_t config_copy;
static network_port_t network_copy;
static resource_lock_port_t lock_copy;
static timer_port_t timer_copy;
static power_port_t power_copy;
static executor_port_t executor_copy;
static event_sink_port_t events_copy;
static system_info_port_t system_copy;

#define BREAK_FN(port, type, member)                    \
    static void port##_without_##member(app_ports_t *p) \
    {                                                   \
        port##_copy = *p->port;                         \
        port##_copy.member = NULL;                      \
        p->port = &port##_copy;                         \
    }

BREAK_FN(mqtt_session, mqtt_session_port_t, configure)
BREAK_FN(mqtt_session, mqtt_session_port_t, connect)
BREAK_FN(mqtt_session, mqtt_session_port_t, disconnect)
BREAK_FN(mqtt_publisher, mqtt_publisher_port_t, publish)
BREAK_FN(wifi, wifi_station_port_t, has_credentials)
BREAK_FN(wifi, wifi_station_port_t, start_station)
BREAK_FN(wifi, wifi_station_port_t, start_access_point)
BREAK_FN(wifi, wifi_station_port_t, connect)
BREAK_FN(wifi, wifi_station_port_t, disconnect)
BREAK_FN(wifi, wifi_station_port_t, set_credentials)
BREAK_FN(wifi, wifi_station_port_t, persist_credentials)
BREAK_FN(wifi, wifi_station_port_t, stop_access_point)
BREAK_FN(wifi, wifi_station_port_t, scan)
BREAK_FN(wifi, wifi_station_port_t, forget_credentials)
BREAK_FN(config, config_repository_port_t, load)
BREAK_FN(config, config_repository_port_t, store)
BREAK_FN(network, network_port_t, get_mac)
BREAK_FN(network, network_port_t, get_ip)
BREAK_FN(lock, resource_lock_port_t, take)
BREAK_FN(lock, resource_lock_port_t, give)
BREAK_FN(timer, timer_port_t, arm_once)
BREAK_FN(timer, timer_port_t, cancel)
BREAK_FN(timer, timer_port_t, now_ms)
BREAK_FN(timer, timer_port_t, random_u32)
BREAK_FN(power, power_port_t, request_low_power)
BREAK_FN(power, power_port_t, release_low_power)
BREAK_FN(executor, executor_port_t, start)
BREAK_FN(executor, executor_port_t, post)
BREAK_FN(events, event_sink_port_t, on_domain_event)
BREAK_FN(events, event_sink_port_t, on_notice)
BREAK_FN(system, system_info_port_t, free_heap_bytes)
BREAK_FN(system, system_info_port_t, min_free_heap_bytes)

static const break_fn breakers[] = {
    no_mqtt_session,
    no_mqtt_publisher,
    no_wifi,
    no_config,
    no_network,
    no_lock,
    no_timer,
    no_power,
    no_executor,
    no_events,
    no_system,
    mqtt_session_without_configure,
    mqtt_session_without_connect,
    mqtt_session_without_disconnect,
    mqtt_publisher_without_publish,
    wifi_without_has_credentials,
    wifi_without_start_station,
    wifi_without_start_access_point,
    wifi_without_connect,
    wifi_without_disconnect,
    wifi_without_set_credentials,
    wifi_without_persist_credentials,
    wifi_without_stop_access_point,
    wifi_without_scan,
    wifi_without_forget_credentials,
    config_without_load,
    config_without_store,
    network_without_get_mac,
    network_without_get_ip,
    lock_without_take,
    lock_without_give,
    timer_without_arm_once,
    timer_without_cancel,
    timer_without_now_ms,
    timer_without_random_u32,
    power_without_request_low_power,
    power_without_release_low_power,
    executor_without_start,
    executor_without_post,
    events_without_on_domain_event,
    events_without_on_notice,
    system_without_free_heap_bytes,
    system_without_min_free_heap_bytes,
};

static void test_each_missing_port_or_function_is_refused_and_nothing_starts(void **state)
{
    app_fixture_t *f = *state;
    for (size_t i = 0; i < sizeof(breakers) / sizeof(breakers[0]); i++) {
        fake_ports_init(&f->fakes);
        app_ports_t ports = f->fakes.ports;
        breakers[i](&ports);
        assert_int_equal(app_ports_validate(&ports), APP_ERR_MISSING_PORT);
        assert_int_equal(application_start(&f->app, &ports, &f->settings), APP_ERR_MISSING_PORT);
        assert_int_equal(f->fakes.executor.start_calls, 0);
        assert_int_equal(f->fakes.mqtt.configure_calls, 0);
        assert_int_equal(f->fakes.config.load_calls[CONFIG_FIELD_DEVICE_NAME], 0);
    }
}

static void test_complete_fake_port_set_is_valid(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_ports_validate(&f->fakes.ports), APP_OK);
}

static void test_null_arguments_are_refused(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(application_start(NULL, &f->fakes.ports, &f->settings), APP_ERR_INVALID_ARG);
    assert_int_equal(application_start(&f->app, NULL, &f->settings), APP_ERR_INVALID_ARG);
    assert_int_equal(application_start(&f->app, &f->fakes.ports, NULL), APP_ERR_INVALID_ARG);
    assert_int_equal(f->fakes.executor.start_calls, 0);
}

/* ---- bad settings: MQTT disabled, HTTP side alive ---- */

typedef struct {
    const char *name;
    void (*mutate)(app_settings_t *s);
    app_err_t expected;
    const char *error_part;
} bad_settings_case_t;

static void bad_uri(app_settings_t *s)
{
    strcpy(s->mqtt.broker_uri, "http://broker/mqtt");
}
static void bad_topic(app_settings_t *s)
{
    strcpy(s->mqtt.topic, "a.b");
}
static void bad_qos(app_settings_t *s)
{
    s->mqtt.qos = 2;
}
static void bad_keepalive(app_settings_t *s)
{
    s->mqtt.keepalive_s = 0;
}
static void bad_out_buffer(app_settings_t *s)
{
    s->mqtt.out_buffer_size = 1024;
}
static void bad_retry(app_settings_t *s)
{
    s->mqtt.retry.multiplier = 0;
}

static const bad_settings_case_t bad_settings[] = {
    {"uri", bad_uri, APP_ERR_BAD_URI, "mqtt disabled: broker_uri: "},
    {"topic", bad_topic, APP_ERR_BAD_TOPIC, "mqtt disabled: topic contains '.'"},
    {"qos", bad_qos, APP_ERR_BAD_SETTINGS, "mqtt disabled: qos 2"},
    {"keepalive", bad_keepalive, APP_ERR_BAD_SETTINGS, "mqtt disabled: keepalive_s"},
    {"out buffer", bad_out_buffer, APP_ERR_BAD_SIZE, "mqtt disabled: out_buffer_size 1024"},
    {"retry", bad_retry, APP_ERR_BAD_SETTINGS, "mqtt disabled: retry: "},
};

static void test_bad_settings_disable_mqtt_but_keep_the_application_running(void **state)
{
    app_fixture_t *f = *state;
    for (size_t i = 0; i < sizeof(bad_settings) / sizeof(bad_settings[0]); i++) {
        fake_ports_init(&f->fakes);
        fake_network_set_ip(&f->fakes.network, TEST_IP);
        app_settings_defaults(&f->settings);
        bad_settings[i].mutate(&f->settings);

        assert_int_equal(app_fixture_start(f), bad_settings[i].expected);
        assert_int_equal(f->fakes.executor.start_calls, 1);
        assert_int_equal(f->fakes.mqtt.configure_calls, 0);
        app_status_snapshot_t s = app_fixture_status(f);
        assert_false(s.mqtt_enabled);
        if (strstr(s.last_error, bad_settings[i].error_part) != s.last_error) {
            print_error("case %s: last_error '%s'\n", bad_settings[i].name, s.last_error);
        }
        assert_ptr_equal(strstr(s.last_error, bad_settings[i].error_part), s.last_error);
        const fake_notice_t *n = fake_event_sink_find_notice(&f->fakes.events, "mqtt disabled: ");
        assert_non_null(n);
        assert_int_equal(n->level, APP_NOTICE_ERROR);

        /* network and HTTP come up: MQTT is never attempted, the state stays WAITING */
        app_fixture_network_up(f, TEST_IP);
        app_fixture_event(f, APP_EVENT_HTTP_STARTED);
        app_fixture_event(f, APP_EVENT_MQTT_CONNECTED);
        app_fixture_event_token(f, 0);
        app_fixture_event_msg(f, APP_EVENT_MQTT_DELETED, -1);
        assert_int_equal(f->fakes.mqtt.connect_calls, 0);
        assert_int_equal(f->fakes.mqtt.publish_calls, 0);
        s = app_fixture_status(f);
        assert_int_equal(s.state, MQTT_CONNECTION_WAITING);
        assert_true(s.has_ip);
        assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_CONNECTION_STATE_CHANGED), 0);
    }
}

static void test_unreadable_mac_disables_mqtt(void **state)
{
    app_fixture_t *f = *state;
    fake_script_push(&f->fakes.network.get_mac_results, APP_ERR_PLATFORM);
    assert_int_equal(app_fixture_start(f), APP_ERR_PLATFORM);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_false(s.mqtt_enabled);
    assert_string_equal(s.last_error, "mqtt disabled: cannot read the MAC address (platform error)");
    assert_int_equal(f->fakes.mqtt.configure_calls, 0);
    assert_int_equal(f->fakes.executor.start_calls, 1);
}

static void test_unreadable_mac_with_bad_settings_reports_the_settings_error(void **state)
{
    app_fixture_t *f = *state;
    fake_script_push(&f->fakes.network.get_mac_results, APP_ERR_PLATFORM);
    f->settings.mqtt.keepalive_s = 0;
    assert_int_equal(app_fixture_start(f), APP_ERR_BAD_SETTINGS);
}

static void test_client_configuration_failure_disables_mqtt(void **state)
{
    app_fixture_t *f = *state;
    fake_script_push(&f->fakes.mqtt.configure_results, APP_ERR_NO_MEMORY);
    assert_int_equal(app_fixture_start(f), APP_ERR_NO_MEMORY);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_false(s.mqtt_enabled);
    assert_string_equal(s.last_error, "mqtt disabled: client configuration failed (out of memory)");
    app_fixture_network_up(f, TEST_IP);
    app_fixture_event(f, APP_EVENT_HTTP_STARTED);
    assert_int_equal(f->fakes.mqtt.connect_calls, 0);
}

static void test_executor_start_failure_is_not_started(void **state)
{
    app_fixture_t *f = *state;
    fake_script_push(&f->fakes.executor.start_results, APP_ERR_NO_MEMORY);
    assert_int_equal(app_fixture_start(f), APP_ERR_NOT_STARTED);
    assert_string_equal(app_err_to_str(APP_ERR_NOT_STARTED), "the application task could not be started");
    const fake_notice_t *n = fake_event_sink_find_notice(&f->fakes.events, "application task not started");
    assert_non_null(n);
    assert_string_equal(n->message, "application task not started: out of memory");
    assert_int_equal(n->level, APP_NOTICE_ERROR);
}

/* The composition roots stop only on MISSING_PORT / NOT_STARTED (and INVALID_ARG for a NULL argument):
 * a port error with one of those codes must still read as "running with MQTT disabled". */
static void test_port_errors_never_read_as_not_running(void **state)
{
    app_fixture_t *f = *state;
    static const app_err_t reserved[] = {APP_ERR_INVALID_ARG, APP_ERR_MISSING_PORT, APP_ERR_NOT_STARTED};
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        fake_ports_init(&f->fakes);
        fake_network_set_mac(&f->fakes.network, TEST_MAC);
        fake_script_push(&f->fakes.mqtt.configure_results, reserved[i]);
        assert_int_equal(app_fixture_start(f), APP_ERR_PLATFORM);
        assert_false(app_fixture_status(f).mqtt_enabled);
        assert_int_equal(f->fakes.executor.start_calls, 1);

        fake_ports_init(&f->fakes);
        fake_script_push(&f->fakes.network.get_mac_results, reserved[i]);
        assert_int_equal(app_fixture_start(f), APP_ERR_PLATFORM);
        assert_false(app_fixture_status(f).mqtt_enabled);
        assert_int_equal(f->fakes.executor.start_calls, 1);
    }
}

static void test_attempt_timeout_is_four_network_timeouts_plus_fifteen_seconds(void **state)
{
    (void)state;
    assert_int_equal(mqtt_connection_use_case_attempt_timeout_ms(10000), 55000);
    assert_int_equal(mqtt_connection_use_case_attempt_timeout_ms(2500), 25000);
    assert_int_equal(mqtt_connection_use_case_attempt_timeout_ms(0),
                     55000); /* 0: the clients' default of 10 s */
    assert_int_equal(mqtt_connection_use_case_attempt_timeout_ms(UINT32_MAX), UINT32_MAX);
    assert_int_equal(mqtt_connection_use_case_attempt_timeout_ms(UINT32_MAX / 4u - 3750u), UINT32_MAX - 3u);
}

static void test_start_gives_the_entity_the_attempt_timeout(void **state)
{
    app_fixture_t *f = *state;
    f->settings.mqtt.network_timeout_ms = 4000;
    assert_int_equal(app_fixture_start(f), APP_OK);
    assert_int_equal(f->app.mqtt.connection.attempt_timeout_ms, 31000); /* 4 * 4000 + 15000 */
}

static void test_first_snapshot_waits_for_the_lock_on_the_next_event(void **state)
{
    app_fixture_t *f = *state;
    fake_lock_fail_next(&f->fakes.lock, 1);
    fake_config_repository_set(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME, "Riego Sur");
    /* Not app_fixture_start: its START event would publish at once. */
    assert_int_equal(application_start(&f->app, &f->fakes.ports, &f->settings), APP_OK);
    assert_true(f->app.store.stale);
    app_fixture_event(f, APP_EVENT_MQTT_BEFORE_CONNECT);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_string_equal(s.device_name, "Riego Sur");
    assert_true(s.mqtt_enabled);
    assert_false(f->app.store.stale);
}

static void test_uptime_comes_from_the_clock_port(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    fake_timer_set_now(&f->fakes.timer, 123456);
    assert_int_equal(application_uptime_ms(&f->app), 123456);
    assert_int_equal(application_uptime_ms(NULL), 0);
}

static void test_get_status_rejects_null_and_reports_lock_timeout(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    app_status_snapshot_t s;
    assert_int_equal(application_get_status(NULL, &s), APP_ERR_INVALID_ARG);
    assert_int_equal(application_get_status(&f->app, NULL), APP_ERR_INVALID_ARG);
    fake_lock_set_busy(&f->fakes.lock, true);
    assert_int_equal(application_get_status(&f->app, &s), APP_ERR_LOCK_TIMEOUT);
    assert_int_equal(f->fakes.lock.last_timeout_ms, 100);
}

static void test_handle_event_ignores_null(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    application_handle_event(NULL, &f->app);
    app_event_t event = {.kind = APP_EVENT_WIFI_GOT_IP};
    application_handle_event(&event, NULL);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_WAITING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_start_configures_the_client_and_starts_the_executor, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_start_publishes_the_first_snapshot_with_the_config_cache, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_uri_with_its_own_path_keeps_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_each_missing_port_or_function_is_refused_and_nothing_starts,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete_fake_port_set_is_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_arguments_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_settings_disable_mqtt_but_keep_the_application_running,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_mac_disables_mqtt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_mac_with_bad_settings_reports_the_settings_error,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_configuration_failure_disables_mqtt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_executor_start_failure_is_not_started, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_errors_never_read_as_not_running, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attempt_timeout_is_four_network_timeouts_plus_fifteen_seconds,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_gives_the_entity_the_attempt_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_snapshot_waits_for_the_lock_on_the_next_event, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_uptime_comes_from_the_clock_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_status_rejects_null_and_reports_lock_timeout, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_handle_event_ignores_null, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
