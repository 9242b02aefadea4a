/*
 * mqtt_ws_adapter's ESP-MQTT event handler: every event the node uses becomes one app event, posted without
 * blocking; errors are classified from ESP-MQTT's error codes and the WebSocket upgrade status; CONNECTED
 * sets TCP_NODELAY on the socket under the WebSocket; the handler never calls back into ESP-MQTT.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "esp_tls_errors.h"
#include "fake_esp_log.h"
#include "mqtt_ws_adapter_test_support.h"

static int setup_configured(void **state)
{
    mqtt_ws_test_setup(state);
    mqtt_ws_test_configure();
    return 0;
}

static esp_err_t fake_bundle_attach(void *conf)
{
    (void)conf;
    return ESP_OK;
}

static bool is_connected(void)
{
    return mqtt_ws_adapter_session_port.is_connected(&mqtt_ws_test_adapter);
}

/* Dispatches an ERROR carrying codes and returns the one app event it gave. */
static const app_event_t *dispatch_error(const esp_mqtt_error_codes_t *codes)
{
    esp_mqtt_error_codes_t copy = *codes;
    esp_mqtt_event_t event;
    memset(&event, 0, sizeof(event));
    event.event_id = MQTT_EVENT_ERROR;
    event.error_handle = &copy;
    mqtt_ws_test_forget_posted();
    assert_true(fake_esp_mqtt_dispatch(&event));
    assert_int_equal(mqtt_ws_test_posted_count(), 1);
    assert_int_equal(mqtt_ws_test_posted(0)->kind, APP_EVENT_MQTT_ERROR);
    return mqtt_ws_test_posted(0);
}

typedef struct {
    const char *name;
    esp_mqtt_event_id_t id;
    int session_present;
    int msg_id;
    app_event_kind_t kind;
    bool flag;
    int32_t out_msg_id;
} translation_case_t;

static void test_every_event_the_node_uses_becomes_one_app_event(void **state)
{
    (void)state;
    static const translation_case_t cases[] = {
        {"before connect", MQTT_EVENT_BEFORE_CONNECT, 0, 0, APP_EVENT_MQTT_BEFORE_CONNECT, false, 0},
        {"connected, new session", MQTT_EVENT_CONNECTED, 0, 0, APP_EVENT_MQTT_CONNECTED, false, 0},
        {"connected, session present", MQTT_EVENT_CONNECTED, 1, 0, APP_EVENT_MQTT_CONNECTED, true, 0},
        {"disconnected", MQTT_EVENT_DISCONNECTED, 0, 0, APP_EVENT_MQTT_DISCONNECTED, false, 0},
        {"published", MQTT_EVENT_PUBLISHED, 0, 42, APP_EVENT_MQTT_PUBLISHED, false, 42},
        {"deleted", MQTT_EVENT_DELETED, 0, 43, APP_EVENT_MQTT_DELETED, false, 43},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const translation_case_t *c = &cases[i];
        esp_mqtt_event_t event;
        memset(&event, 0, sizeof(event));
        event.event_id = c->id;
        event.session_present = c->session_present;
        event.msg_id = c->msg_id;
        mqtt_ws_test_forget_posted();
        assert_true(fake_esp_mqtt_dispatch(&event));
        print_message("case: %s\n", c->name);
        assert_int_equal(mqtt_ws_test_posted_count(), 1);
        const app_event_t *out = mqtt_ws_test_posted(0);
        assert_int_equal(out->kind, c->kind);
        assert_int_equal(out->flag, c->flag);
        assert_int_equal(out->msg_id, c->out_msg_id);
        assert_int_equal(out->code, 0);
        assert_int_equal(out->error_kind, APP_MQTT_ERROR_NONE);
    }
}

static void test_connected_sets_tcp_nodelay_on_the_socket_under_the_websocket(void **state)
{
    (void)state;
    mqtt_ws_test_base()->socket = 61;
    mqtt_ws_test_dispatch(MQTT_EVENT_CONNECTED, 0);
    assert_true(is_connected());
    assert_int_equal(fake_lwip_last_setsockopt_socket(), 61);
    assert_int_equal(fake_lwip_last_setsockopt_level(), IPPROTO_TCP);
    assert_int_equal(fake_lwip_last_setsockopt_option(), TCP_NODELAY);
    assert_int_equal(fake_lwip_last_setsockopt_value(), 1);
}

static void test_connected_without_a_socket_still_connects_and_warns(void **state)
{
    (void)state;
    mqtt_ws_test_base()->socket = -1;
    fake_esp_log_reset();
    mqtt_ws_test_dispatch(MQTT_EVENT_CONNECTED, 0);
    assert_int_equal(fake_lwip_last_setsockopt_socket(), -1); /* no setsockopt at all */
    assert_true(is_connected());
    assert_int_equal(mqtt_ws_test_posted(0)->kind, APP_EVENT_MQTT_CONNECTED);
    assert_int_equal(fake_esp_log_last()->level, ESP_LOG_WARN);
    assert_non_null(strstr(fake_esp_log_last()->message, "TCP_NODELAY"));
}

static void test_disconnected_clears_is_connected(void **state)
{
    (void)state;
    mqtt_ws_test_dispatch(MQTT_EVENT_CONNECTED, 0);
    mqtt_ws_test_dispatch(MQTT_EVENT_DISCONNECTED, 0);
    assert_false(is_connected());
}

typedef struct {
    const char *name;
    esp_mqtt_error_codes_t codes;
    int upgrade_status; /* what the ws transport reports for its last upgrade answer */
    app_mqtt_error_kind_t kind;
    int32_t code;
} error_case_t;

static void test_errors_are_classified_from_the_esp_mqtt_codes(void **state)
{
    (void)state;
    static const error_case_t cases[] = {
        {"host not found",
         {.error_type = MQTT_ERROR_TYPE_TCP_TRANSPORT,
          .esp_tls_last_esp_err = ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME},
         0,
         APP_MQTT_ERROR_HOST_NOT_FOUND,
         ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME},
        {"tcp refused",
         {.error_type = MQTT_ERROR_TYPE_TCP_TRANSPORT,
          .esp_tls_last_esp_err = ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST,
          .esp_transport_sock_errno = ECONNREFUSED},
         0,
         APP_MQTT_ERROR_TCP_REFUSED,
         ECONNREFUSED},
        {"websocket upgrade refused",
         {.error_type = MQTT_ERROR_TYPE_TCP_TRANSPORT},
         404,
         APP_MQTT_ERROR_PROTOCOL,
         404},
        /* a stale upgrade status does not hide the timeout; the code is the time waited (the config's) */
        {"stale upgrade status, then a connect timeout",
         {.error_type = MQTT_ERROR_TYPE_TCP_TRANSPORT,
          .esp_tls_last_esp_err = ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT},
         404,
         APP_MQTT_ERROR_TIMEOUT,
         7000},
        {"socket timed out",
         {.error_type = MQTT_ERROR_TYPE_TCP_TRANSPORT, .esp_transport_sock_errno = ETIMEDOUT},
         0,
         APP_MQTT_ERROR_TIMEOUT,
         7000},
        {"connection closed by the broker",
         {.error_type = MQTT_ERROR_TYPE_TCP_TRANSPORT,
          .esp_tls_last_esp_err = ESP_ERR_ESP_TLS_TCP_CLOSED_FIN},
         101,
         APP_MQTT_ERROR_TRANSPORT,
         ESP_ERR_ESP_TLS_TCP_CLOSED_FIN},
        {"reset with errno",
         {.error_type = MQTT_ERROR_TYPE_TCP_TRANSPORT, .esp_transport_sock_errno = ECONNRESET},
         101,
         APP_MQTT_ERROR_TRANSPORT,
         ECONNRESET},
        {"tls handshake failed on ws://",
         {.error_type = MQTT_ERROR_TYPE_TCP_TRANSPORT,
          .esp_tls_last_esp_err = ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED},
         0,
         APP_MQTT_ERROR_TRANSPORT,
         ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED},
        {"CONNACK refusal",
         {.error_type = MQTT_ERROR_TYPE_CONNECTION_REFUSED,
          .connect_return_code = MQTT_CONNECTION_REFUSE_NOT_AUTHORIZED},
         101,
         APP_MQTT_ERROR_CONNECTION_REFUSED,
         MQTT_CONNECTION_REFUSE_NOT_AUTHORIZED},
        {"subscribe failed",
         {.error_type = MQTT_ERROR_TYPE_SUBSCRIBE_FAILED},
         101,
         APP_MQTT_ERROR_OTHER,
         MQTT_ERROR_TYPE_SUBSCRIBE_FAILED},
        {"no details", {.error_type = MQTT_ERROR_TYPE_NONE}, 0, APP_MQTT_ERROR_OTHER, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mqtt_ws_test_ws()->upgrade_status = cases[i].upgrade_status;
        print_message("case: %s\n", cases[i].name);
        const app_event_t *out = dispatch_error(&cases[i].codes);
        assert_int_equal(out->error_kind, cases[i].kind);
        assert_int_equal(out->code, cases[i].code);
    }
}

static void test_a_tls_handshake_failure_on_wss_is_a_tls_error(void **state)
{
    (void)state;
    const mqtt_ws_adapter_tls_t tls = {.crt_bundle_attach = fake_bundle_attach};
    mqtt_ws_test_init(&tls);
    mqtt_ws_test_configure_uri("wss://broker.example/mqtt");
    const esp_mqtt_error_codes_t codes = {.error_type = MQTT_ERROR_TYPE_TCP_TRANSPORT,
                                          .esp_tls_last_esp_err = ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED,
                                          .esp_tls_cert_verify_flags = 0x08};
    const app_event_t *out = dispatch_error(&codes);
    assert_int_equal(out->error_kind, APP_MQTT_ERROR_TLS);
    assert_int_equal(out->code, ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED);
}

static void test_a_transport_error_logs_its_platform_codes_once(void **state)
{
    (void)state;
    fake_esp_log_reset();
    const esp_mqtt_error_codes_t codes = {.error_type = MQTT_ERROR_TYPE_TCP_TRANSPORT,
                                          .esp_transport_sock_errno = 113,
                                          .esp_tls_last_esp_err = ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT};
    (void)dispatch_error(&codes);
    assert_int_equal(fake_esp_log_count(), 1);
    assert_string_equal(fake_esp_log_last()->tag, "mqtt_ws");
    assert_non_null(strstr(fake_esp_log_last()->message, "errno 113"));
    assert_non_null(strstr(fake_esp_log_last()->message, "0x8006"));
}

static void test_events_the_node_does_not_use_post_nothing(void **state)
{
    (void)state;
    static const esp_mqtt_event_id_t ignored[] = {MQTT_EVENT_SUBSCRIBED, MQTT_EVENT_UNSUBSCRIBED,
                                                  MQTT_EVENT_DATA, MQTT_USER_EVENT};
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
        mqtt_ws_test_dispatch(ignored[i], 9);
    }
    assert_int_equal(mqtt_ws_test_posted_count(), 0);
}

static void test_a_full_application_queue_counts_the_lost_events(void **state)
{
    (void)state;
    mqtt_ws_test_executor.refuse_posts = true;
    mqtt_ws_test_dispatch(MQTT_EVENT_PUBLISHED, 5);
    mqtt_ws_test_dispatch(MQTT_EVENT_DISCONNECTED, 0);
    assert_int_equal(mqtt_ws_test_executor.refused, 2);
    assert_int_equal(atomic_load(&mqtt_ws_test_adapter.lost_events), 2);
    assert_int_equal(fake_esp_log_last()->level, ESP_LOG_ERROR);
    /* The state the handler keeps does not depend on the post. */
    assert_false(is_connected());
}

static void test_the_handler_never_calls_into_esp_mqtt(void **state)
{
    (void)state;
    static const esp_mqtt_event_id_t every[] = {MQTT_EVENT_BEFORE_CONNECT, MQTT_EVENT_CONNECTED,
                                                MQTT_EVENT_ERROR,          MQTT_EVENT_PUBLISHED,
                                                MQTT_EVENT_DELETED,        MQTT_EVENT_DISCONNECTED};
    mqtt_ws_test_connect_and_process(MQTT_WS_TEST_URI, NULL);
    for (size_t i = 0; i < sizeof(every) / sizeof(every[0]); i++) {
        mqtt_ws_test_dispatch(every[i], 1);
    }
    assert_int_equal(mqtt_ws_test_posted_count(), 6);
    assert_int_equal(fake_esp_mqtt_calls_from_handler(), 0);
    assert_string_equal(fake_esp_mqtt_journal(), "init register start");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_every_event_the_node_uses_becomes_one_app_event, setup_configured),
        cmocka_unit_test_setup(test_connected_sets_tcp_nodelay_on_the_socket_under_the_websocket,
                               setup_configured),
        cmocka_unit_test_setup(test_connected_without_a_socket_still_connects_and_warns, setup_configured),
        cmocka_unit_test_setup(test_disconnected_clears_is_connected, setup_configured),
        cmocka_unit_test_setup(test_errors_are_classified_from_the_esp_mqtt_codes, setup_configured),
        cmocka_unit_test_setup(test_a_tls_handshake_failure_on_wss_is_a_tls_error, mqtt_ws_test_setup),
        cmocka_unit_test_setup(test_a_transport_error_logs_its_platform_codes_once, setup_configured),
        cmocka_unit_test_setup(test_events_the_node_does_not_use_post_nothing, setup_configured),
        cmocka_unit_test_setup(test_a_full_application_queue_counts_the_lost_events, setup_configured),
        cmocka_unit_test_setup(test_the_handler_never_calls_into_esp_mqtt, setup_configured),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
