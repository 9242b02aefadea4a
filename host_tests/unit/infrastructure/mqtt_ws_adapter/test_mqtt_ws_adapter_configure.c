/*
 * mqtt_ws_adapter: init's argument checks, configure()'s mapping of mqtt_client_config_t into ESP-MQTT (what
 * is passed and what the client then holds), its refusals, the transport it builds for ws:// and wss://, and
 * its failure paths (nothing freed twice, nothing left running).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "fake_freertos.h"
#include "mqtt_ws_adapter_test_support.h"

static const char s_ca_pem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

static esp_err_t fake_bundle_attach(void *conf)
{
    (void)conf;
    return ESP_OK;
}

static app_err_t configure_with(const mqtt_client_config_t *cfg)
{
    return mqtt_ws_adapter_session_port.configure(&mqtt_ws_test_adapter, cfg);
}

/* ---- init ---- */

static void test_init_refuses_a_missing_adapter_executor_or_post_function(void **state)
{
    (void)state;
    static const executor_port_t no_post = {.start = NULL, .post = NULL};
    assert_int_equal(mqtt_ws_adapter_init(NULL, &fake_executor_port, &mqtt_ws_test_executor, NULL),
                     APP_ERR_INVALID_ARG);
    assert_int_equal(mqtt_ws_adapter_init(&mqtt_ws_test_adapter, NULL, &mqtt_ws_test_executor, NULL),
                     APP_ERR_INVALID_ARG);
    assert_int_equal(mqtt_ws_adapter_init(&mqtt_ws_test_adapter, &no_post, &mqtt_ws_test_executor, NULL),
                     APP_ERR_INVALID_ARG);
}

static void test_init_calls_nothing_of_esp_mqtt_and_reports_not_connected(void **state)
{
    (void)state;
    assert_string_equal(fake_esp_mqtt_journal(), "");
    assert_int_equal(fake_esp_transport_count(), 0);
    assert_int_equal(fake_freertos_task_count(), 0);
    assert_false(mqtt_ws_adapter_session_port.is_connected(&mqtt_ws_test_adapter));
}

/* ---- what configure() gives ESP-MQTT ---- */

static void test_configure_passes_every_setting_to_esp_mqtt_client_init(void **state)
{
    (void)state;
    mqtt_ws_test_configure();
    assert_int_equal(fake_esp_mqtt_init_count(), 1);
    const esp_mqtt_client_config_t *c = fake_esp_mqtt_last_config();
    assert_string_equal(c->broker.address.uri, MQTT_WS_TEST_URI);
    assert_null(c->session.last_will.topic);
    mqtt_ws_test_assert_full_config(c);
}

static void test_configure_leaves_the_client_holding_the_settings_with_auto_reconnect_off(void **state)
{
    (void)state;
    mqtt_ws_test_configure();
    const fake_esp_mqtt_settings_t *s = fake_esp_mqtt_settings();
    assert_string_equal(s->scheme, "ws");
    assert_string_equal(s->host, "broker.example");
    assert_int_equal(s->port, 8080);
    assert_string_equal(s->path, "/mqtt");
    assert_false(s->auto_reconnect);
    assert_true(s->clean_session);
    assert_int_equal(s->keepalive_s, 45);
    assert_int_equal(s->network_timeout_ms, 7000);
    assert_int_equal(s->retransmit_ms, 5000);
    assert_true(s->has_username);
    assert_string_equal(s->password, "s3cret");
    assert_ptr_equal(s->transport, mqtt_ws_test_ws());
}

static void test_configure_without_credentials_gives_esp_mqtt_none(void **state)
{
    (void)state;
    mqtt_client_config_t cfg = mqtt_ws_test_config;
    cfg.username = "";
    cfg.password = "";
    assert_int_equal(configure_with(&cfg), APP_OK);
    assert_null(fake_esp_mqtt_last_config()->credentials.username);
    assert_null(fake_esp_mqtt_last_config()->credentials.authentication.password);
    assert_false(fake_esp_mqtt_settings()->has_username);
    assert_false(fake_esp_mqtt_settings()->has_password);
}

static void test_a_uri_without_a_port_reaches_esp_mqtt_with_its_scheme_port(void **state)
{
    (void)state;
    mqtt_ws_test_configure_uri("ws://broker.example/mqtt");
    assert_string_equal(fake_esp_mqtt_last_config()->broker.address.uri, "ws://broker.example:80/mqtt");

    mqtt_ws_test_setup(NULL);
    const mqtt_ws_adapter_tls_t tls = {.crt_bundle_attach = fake_bundle_attach};
    mqtt_ws_test_init(&tls);
    mqtt_ws_test_configure_uri("wss://broker.example/mqtt");
    assert_string_equal(fake_esp_mqtt_last_config()->broker.address.uri, "wss://broker.example:443/mqtt");
}

static void test_configure_keeps_its_own_copies_of_the_strings(void **state)
{
    (void)state;
    char id[] = "ESP32_A1B2C3";
    char user[] = "node-7";
    char password[] = "s3cret";
    mqtt_client_config_t cfg = mqtt_ws_test_config;
    cfg.client_id = id;
    cfg.username = user;
    cfg.password = password;
    assert_int_equal(configure_with(&cfg), APP_OK);
    memset(id, 'x', sizeof(id) - 1);
    memset(user, 'x', sizeof(user) - 1);
    memset(password, 'x', sizeof(password) - 1);
    /* The next set_config (a last will to apply) sends the kept configuration again. */
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, &mqtt_ws_test_will);
    const esp_mqtt_client_config_t *c = fake_esp_mqtt_last_config();
    assert_int_equal(fake_esp_mqtt_set_config_count(), 1);
    assert_string_equal(c->credentials.client_id, "ESP32_A1B2C3");
    assert_string_equal(c->credentials.username, "node-7");
    assert_string_equal(c->credentials.authentication.password, "s3cret");
}

static void test_configure_registers_one_handler_for_every_event(void **state)
{
    (void)state;
    mqtt_ws_test_configure();
    assert_true(fake_esp_mqtt_handler_registered());
    assert_int_equal(fake_esp_mqtt_registered_event_id(), MQTT_EVENT_ANY);
}

static void test_configure_creates_the_worker_task_at_the_client_priority(void **state)
{
    (void)state;
    mqtt_ws_test_configure();
    assert_int_equal(fake_freertos_task_count(), 1);
    const fake_freertos_task_t *task = fake_freertos_task(0);
    assert_string_equal(task->name, "mqtt_ws_ctl");
    assert_int_equal(task->stack_depth, MQTT_WS_ADAPTER_WORKER_STACK_BYTES);
    assert_int_equal(task->priority, 6);
    assert_ptr_equal(task->parameters, &mqtt_ws_test_adapter);
    /* Nothing is started before the first connect(). */
    assert_int_equal(fake_esp_mqtt_start_count(), 0);
}

/* ---- refusals ---- */

typedef struct {
    const char *name;
    void (*change)(mqtt_client_config_t *cfg);
    app_err_t expected;
} refusal_case_t;

static char s_long_id[MQTT_WS_ADAPTER_CLIENT_ID_MAX_LEN + 2];
static char s_long_credential[APP_CREDENTIAL_MAX_LEN + 2];

static void no_uri(mqtt_client_config_t *c)
{
    c->uri = NULL;
}
static void no_client_id(mqtt_client_config_t *c)
{
    c->client_id = NULL;
}
static void no_username(mqtt_client_config_t *c)
{
    c->username = NULL;
}
static void no_password(mqtt_client_config_t *c)
{
    c->password = NULL;
}
static void empty_client_id(mqtt_client_config_t *c)
{
    c->client_id = "";
}
static void long_client_id(mqtt_client_config_t *c)
{
    c->client_id = s_long_id;
}
static void long_password(mqtt_client_config_t *c)
{
    c->password = s_long_credential;
}
static void http_uri(mqtt_client_config_t *c)
{
    c->uri = "http://broker.example/mqtt";
}
static void uri_without_host(mqtt_client_config_t *c)
{
    c->uri = "ws://";
}
static void uri_with_space(mqtt_client_config_t *c)
{
    c->uri = "ws://broker example/mqtt";
}
static void huge_timeout(mqtt_client_config_t *c)
{
    c->network_timeout_ms = (uint32_t)INT_MAX + 1u;
}
static void huge_buffer(mqtt_client_config_t *c)
{
    c->out_buffer_size = UINT32_MAX;
}

static void test_configure_refuses_missing_and_bad_fields_before_building_anything(void **state)
{
    (void)state;
    static const refusal_case_t cases[] = {
        {"no uri", no_uri, APP_ERR_INVALID_ARG},
        {"no client id", no_client_id, APP_ERR_INVALID_ARG},
        {"no username", no_username, APP_ERR_INVALID_ARG},
        {"no password", no_password, APP_ERR_INVALID_ARG},
        {"empty client id", empty_client_id, APP_ERR_INVALID_ARG},
        {"client id too long", long_client_id, APP_ERR_INVALID_ARG},
        {"password too long", long_password, APP_ERR_INVALID_ARG},
        {"http scheme", http_uri, APP_ERR_BAD_URI},
        {"no host", uri_without_host, APP_ERR_BAD_URI},
        {"space in host", uri_with_space, APP_ERR_BAD_URI},
        {"timeout beyond int", huge_timeout, APP_ERR_BAD_SIZE},
        {"buffer beyond int", huge_buffer, APP_ERR_BAD_SIZE},
    };
    memset(s_long_id, 'a', sizeof(s_long_id) - 1);
    memset(s_long_credential, 'p', sizeof(s_long_credential) - 1);
    assert_int_equal(configure_with(NULL), APP_ERR_INVALID_ARG);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mqtt_client_config_t cfg = mqtt_ws_test_config;
        cases[i].change(&cfg);
        print_message("case: %s\n", cases[i].name);
        assert_int_equal(configure_with(&cfg), cases[i].expected);
    }
    assert_int_equal(fake_esp_mqtt_init_count(), 0);
    assert_int_equal(fake_esp_transport_count(), 0);
    assert_int_equal(fake_freertos_task_count(), 0);
}

static void test_a_wss_broker_without_bundle_or_ca_is_refused(void **state)
{
    (void)state;
    mqtt_client_config_t cfg = mqtt_ws_test_config;
    cfg.uri = "wss://broker.example/mqtt";
    assert_int_equal(configure_with(&cfg), APP_ERR_BAD_SETTINGS);
    assert_int_equal(fake_esp_transport_count(), 0);
    assert_int_equal(fake_esp_mqtt_init_count(), 0);
}

static void test_configure_twice_is_refused(void **state)
{
    (void)state;
    mqtt_ws_test_configure();
    assert_int_equal(configure_with(&mqtt_ws_test_config), APP_ERR_INVALID_ARG);
    assert_int_equal(fake_esp_mqtt_init_count(), 1);
    assert_int_equal(fake_esp_transport_count(), 2);
}

static void test_a_list_mixing_ws_and_wss_is_refused_at_the_odd_broker(void **state)
{
    (void)state;
    mqtt_ws_test_configure();
    assert_int_equal(mqtt_ws_test_connect("wss://other.example/mqtt", NULL), APP_ERR_BAD_URI);
    assert_false(mqtt_ws_test_process());

    mqtt_ws_test_setup(NULL);
    const mqtt_ws_adapter_tls_t tls = {.ca_pem = s_ca_pem};
    mqtt_ws_test_init(&tls);
    mqtt_ws_test_configure_uri("wss://broker.example/mqtt");
    assert_int_equal(mqtt_ws_test_connect("ws://other.example:8080/mqtt", NULL), APP_ERR_BAD_URI);
    assert_false(mqtt_ws_test_process());
    assert_string_equal(fake_esp_mqtt_journal(), "init register");
}

/* ---- the transport ---- */

static void test_a_ws_broker_gets_a_websocket_over_tcp(void **state)
{
    (void)state;
    mqtt_ws_test_configure();
    assert_int_equal(fake_esp_transport_count(), 2);
    const fake_transport_t *base = mqtt_ws_test_base();
    const fake_transport_t *ws = mqtt_ws_test_ws();
    assert_ptr_equal(base, fake_esp_transport_nth(0));
    assert_int_equal(base->kind, FAKE_TRANSPORT_TCP);
    assert_int_equal(base->default_port, 80);
    assert_int_equal(ws->kind, FAKE_TRANSPORT_WS);
    assert_ptr_equal(ws->parent, base);
    assert_int_equal(ws->default_port, 80);
    assert_string_equal(ws->subprotocol, "mqtt");
    assert_int_equal(ws->destroys + base->destroys, 0);
}

static void test_a_wss_broker_gets_a_websocket_over_tls_verified_by_the_bundle(void **state)
{
    (void)state;
    const mqtt_ws_adapter_tls_t tls = {.crt_bundle_attach = fake_bundle_attach, .ca_pem = s_ca_pem};
    mqtt_ws_test_init(&tls);
    mqtt_ws_test_configure_uri("wss://broker.example/mqtt");
    const fake_transport_t *base = mqtt_ws_test_base();
    assert_int_equal(base->kind, FAKE_TRANSPORT_SSL);
    assert_true(base->bundle_attached);
    assert_null(base->cert_data);
    assert_int_equal(base->default_port, 443);
    assert_int_equal(mqtt_ws_test_ws()->default_port, 443);
    assert_ptr_equal(mqtt_ws_test_ws()->parent, base);
}

static void test_a_wss_broker_gets_a_websocket_over_tls_verified_by_the_ca(void **state)
{
    (void)state;
    const mqtt_ws_adapter_tls_t tls = {.ca_pem = s_ca_pem};
    mqtt_ws_test_init(&tls);
    mqtt_ws_test_configure_uri("wss://broker.example:8443/mqtt");
    const fake_transport_t *base = mqtt_ws_test_base();
    assert_int_equal(base->kind, FAKE_TRANSPORT_SSL);
    assert_false(base->bundle_attached);
    assert_ptr_equal(base->cert_data, s_ca_pem);
    assert_int_equal(base->cert_len, (int)sizeof(s_ca_pem)); /* PEM: the NUL counts */
    assert_int_equal(fake_esp_mqtt_settings()->port, 8443);
}

/* ---- failure paths ---- */

static void test_a_transport_that_cannot_be_built_is_out_of_memory(void **state)
{
    (void)state;
    fake_esp_transport_fail_next_init();
    assert_int_equal(configure_with(&mqtt_ws_test_config), APP_ERR_NO_MEMORY);
    assert_int_equal(fake_esp_transport_count(), 0);

    fake_esp_transport_fail_next_ws_init();
    assert_int_equal(configure_with(&mqtt_ws_test_config), APP_ERR_NO_MEMORY);
    assert_int_equal(fake_esp_transport_count(), 1);
    assert_int_equal(fake_esp_transport_nth(0)->destroys, 1);
    assert_int_equal(fake_esp_mqtt_init_count(), 0);
}

static void test_an_init_failure_disables_mqtt_and_frees_no_transport_twice(void **state)
{
    (void)state;
    static const fake_esp_mqtt_init_failure_t where[] = {FAKE_ESP_MQTT_INIT_FAILS_BEFORE_TRANSPORT,
                                                         FAKE_ESP_MQTT_INIT_FAILS_AFTER_TRANSPORT};
    for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
        mqtt_ws_test_setup(NULL);
        fake_esp_mqtt_fail_next_init(where[i]);
        assert_int_equal(configure_with(&mqtt_ws_test_config), APP_ERR_PLATFORM);
        const fake_transport_t *base = fake_esp_transport_nth(0);
        const fake_transport_t *ws = fake_esp_transport_nth(1);
        assert_int_equal(base->destroys, 1);
        /* Destroyed by ESP-MQTT when it had stored it, never by the adapter as well. */
        assert_int_equal(ws->destroys, where[i] == FAKE_ESP_MQTT_INIT_FAILS_AFTER_TRANSPORT ? 1 : 0);
        assert_null(mqtt_ws_test_adapter.ws);
        assert_int_equal(fake_freertos_task_count(), 0);
        assert_int_equal(mqtt_ws_test_connect(MQTT_WS_TEST_URI, NULL), APP_ERR_INVALID_ARG);
        assert_int_equal(fake_esp_mqtt_start_count(), 0);
    }
}

static void test_a_failed_handler_registration_destroys_the_client_and_both_transports(void **state)
{
    (void)state;
    fake_esp_mqtt_fail_next_register(ESP_FAIL);
    assert_int_equal(configure_with(&mqtt_ws_test_config), APP_ERR_PLATFORM);
    assert_int_equal(fake_esp_mqtt_destroy_count(), 1);
    assert_int_equal(fake_esp_transport_nth(0)->destroys, 1);
    assert_int_equal(fake_esp_transport_nth(1)->destroys, 1);
    assert_null(mqtt_ws_test_adapter.client);
    assert_int_equal(fake_freertos_task_count(), 0);
    /* configure() may be tried again: nothing of the failed attempt is kept. */
    assert_int_equal(configure_with(&mqtt_ws_test_config), APP_OK);
}

static void test_no_worker_queue_or_task_is_out_of_memory_and_destroys_the_client(void **state)
{
    (void)state;
    fake_freertos_fail_next_queue_create();
    assert_int_equal(configure_with(&mqtt_ws_test_config), APP_ERR_NO_MEMORY);
    assert_int_equal(fake_esp_mqtt_destroy_count(), 1);
    assert_null(mqtt_ws_test_adapter.queue);

    fake_freertos_fail_next_task_create();
    assert_int_equal(configure_with(&mqtt_ws_test_config), APP_ERR_NO_MEMORY);
    assert_int_equal(fake_esp_mqtt_destroy_count(), 2);
    assert_null(mqtt_ws_test_adapter.queue); /* deleted again */
    assert_null(mqtt_ws_test_adapter.client);
    for (int i = 0; i < fake_esp_transport_count(); i++) {
        assert_int_equal(fake_esp_transport_nth(i)->destroys, 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init_refuses_a_missing_adapter_executor_or_post_function,
                               mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_init_calls_nothing_of_esp_mqtt_and_reports_not_connected,
                               mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_configure_passes_every_setting_to_esp_mqtt_client_init,
                               mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_configure_leaves_the_client_holding_the_settings_with_auto_reconnect_off,
                               mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_configure_without_credentials_gives_esp_mqtt_none, mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_a_uri_without_a_port_reaches_esp_mqtt_with_its_scheme_port,
                               mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_configure_keeps_its_own_copies_of_the_strings, mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_configure_registers_one_handler_for_every_event, mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_configure_creates_the_worker_task_at_the_client_priority,
                               mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_configure_refuses_missing_and_bad_fields_before_building_anything,
                               mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_a_wss_broker_without_bundle_or_ca_is_refused, mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_configure_twice_is_refused, mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_a_list_mixing_ws_and_wss_is_refused_at_the_odd_broker,
                               mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_a_ws_broker_gets_a_websocket_over_tcp, mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_a_wss_broker_gets_a_websocket_over_tls_verified_by_the_bundle,
                               mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_a_wss_broker_gets_a_websocket_over_tls_verified_by_the_ca,
                               mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_a_transport_that_cannot_be_built_is_out_of_memory, mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_an_init_failure_disables_mqtt_and_frees_no_transport_twice,
                               mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_a_failed_handler_registration_destroys_the_client_and_both_transports,
                               mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_no_worker_queue_or_task_is_out_of_memory_and_destroys_the_client,
                               mqtt_ws_test_setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
