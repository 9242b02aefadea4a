/*
 * http_adapter against the esp_http_server fake and a real application on port fakes: every API route
 * answers through the fake server exactly what http_api produces (status line, content type, body), large
 * bodies get 413 without being read, HTTP_STARTED is posted once the server runs (retried while the queue is
 * full), extra routes can be added, work is queued to the server task, the socket budget leaves room for
 * MQTT.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "application/application.h"
#include "application/http_api.h"
#include "fake_esp_http_server.h"
#include "fake_esp_log.h"
#include "fake_freertos.h"
#include "fake_ports.h"
#include "sdkconfig.h"
#include "http_adapter.h"

static fake_ports_t fakes;
static application_t app;
static app_settings_t settings;
static char expected[HTTP_API_RESPONSE_MAX];

static http_adapter_config_t adapter_config(void)
{
    return (http_adapter_config_t){
        .port = 0,
        .app = &app,
        .executor = &fake_executor_port,
        .executor_ctx = &fakes.executor,
    };
}

static int setup(void **state)
{
    (void)state;
    fake_esp_log_reset();
    fake_esp_log_set_echo(0);
    fake_httpd_reset();
    fake_freertos_reset();
    fake_ports_init(&fakes);
    fake_network_set_mac(&fakes.network, "24:6F:28:A1:B2:C3");
    fake_network_set_ip(&fakes.network, "192.168.1.50");
    fake_config_repository_set(&fakes.config, CONFIG_FIELD_DEVICE_NAME, "Riego Norte");
    fake_config_repository_set(&fakes.config, CONFIG_FIELD_LOCATION, "Invernadero 2");
    app_settings_defaults(&settings);
    memset(&app, 0, sizeof(app));
    assert_int_equal(application_start(&app, &fakes.ports, &settings), APP_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    http_adapter_stop();
    return 0;
}

static size_t posted(app_event_kind_t kind)
{
    size_t n = 0;
    for (size_t i = 0; i < fakes.executor.count; i++) {
        if (fakes.executor.queue[(fakes.executor.head + i) % FAKE_EXECUTOR_QUEUE_MAX].kind == kind) {
            n++;
        }
    }
    return n;
}

static void start_adapter(void)
{
    const http_adapter_config_t cfg = adapter_config();
    assert_int_equal(http_adapter_start(&cfg), ESP_OK);
}

static const fake_httpd_response_t *request(int method, const char *uri, const char *body)
{
    size_t len = body != NULL ? strlen(body) : 0;
    return fake_httpd_request(method, uri, body, len, len);
}

static void test_start_listens_on_port_80_by_default(void **state)
{
    (void)state;
    start_adapter();
    assert_true(fake_httpd_running());
    assert_int_equal(fake_httpd_config()->server_port, 80);
}

static void test_start_uses_the_configured_port_and_stack(void **state)
{
    (void)state;
    http_adapter_config_t cfg = adapter_config();
    cfg.port = 8080;
    cfg.stack_size = 6144;
    assert_int_equal(http_adapter_start(&cfg), ESP_OK);
    assert_int_equal(fake_httpd_config()->server_port, 8080);
    assert_int_equal(fake_httpd_config()->stack_size, 6144);
}

static void test_start_posts_http_started_once(void **state)
{
    (void)state;
    assert_int_equal(posted(APP_EVENT_HTTP_STARTED), 0);
    start_adapter();
    assert_int_equal(posted(APP_EVENT_HTTP_STARTED), 1);
}

static void test_failed_start_posts_nothing_and_returns_the_error(void **state)
{
    (void)state;
    fake_httpd_set_start_error(ESP_ERR_HTTPD_TASK);
    const http_adapter_config_t cfg = adapter_config();
    assert_int_equal(http_adapter_start(&cfg), ESP_ERR_HTTPD_TASK);
    assert_int_equal(posted(APP_EVENT_HTTP_STARTED), 0);
    assert_null(http_adapter_handle());
}

static void test_start_twice_is_invalid_state(void **state)
{
    (void)state;
    start_adapter();
    const http_adapter_config_t cfg = adapter_config();
    assert_int_equal(http_adapter_start(&cfg), ESP_ERR_INVALID_STATE);
}

static void test_start_without_application_or_executor_is_invalid(void **state)
{
    (void)state;
    http_adapter_config_t cfg = adapter_config();
    cfg.app = NULL;
    assert_int_equal(http_adapter_start(&cfg), ESP_ERR_INVALID_ARG);
    cfg = adapter_config();
    cfg.executor = NULL;
    assert_int_equal(http_adapter_start(&cfg), ESP_ERR_INVALID_ARG);
    assert_int_equal(http_adapter_start(NULL), ESP_ERR_INVALID_ARG);
    assert_false(fake_httpd_running());
}

static void test_start_keeps_sockets_for_mqtt_and_purges_the_least_recently_used_client(void **state)
{
    (void)state;
    start_adapter();
    assert_int_equal(fake_httpd_config()->max_open_sockets, HTTP_ADAPTER_MAX_OPEN_SOCKETS);
    assert_int_equal(HTTP_ADAPTER_MAX_OPEN_SOCKETS, 5);
    assert_true(fake_httpd_config()->lru_purge_enable);
    /* httpd's own 3 sockets and the clients leave at least half of lwIP's sockets to the rest. */
    assert_true(HTTP_ADAPTER_MAX_OPEN_SOCKETS + 3 <= CONFIG_LWIP_MAX_SOCKETS / 2);
}

static void test_a_full_queue_leaves_the_server_running_and_is_reported_distinctly(void **state)
{
    (void)state;
    fakes.executor.refuse_posts = true;
    const http_adapter_config_t cfg = adapter_config();
    assert_int_equal(http_adapter_start(&cfg), ESP_ERR_TIMEOUT);
    assert_true(fake_httpd_running());
    assert_non_null(http_adapter_handle());
    assert_true(request(HTTP_GET, "/ping", NULL)->handled);
    assert_int_equal(posted(APP_EVENT_HTTP_STARTED), 0);
    assert_int_equal(fake_freertos_delay_count(), 19); /* 20 tries, a pause between two */
}

static void drain_the_queue(void *arg)
{
    fake_executor_t *executor = arg;
    executor->refuse_posts = false;
}

static void test_http_started_is_posted_once_the_queue_has_room_again(void **state)
{
    (void)state;
    fakes.executor.refuse_posts = true;
    fake_freertos_set_delay_hook(drain_the_queue, &fakes.executor);
    const http_adapter_config_t cfg = adapter_config();
    assert_int_equal(http_adapter_start(&cfg), ESP_OK);
    assert_int_equal(posted(APP_EVENT_HTTP_STARTED), 1);
    assert_int_equal(fake_freertos_delay_count(), 1);
}

static void test_every_api_route_is_registered(void **state)
{
    (void)state;
    start_adapter();
    for (size_t i = 0; i < http_api_route_count; i++) {
        int method = http_api_routes[i].method == HTTP_API_POST ? HTTP_POST : HTTP_GET;
        assert_non_null(fake_httpd_find(http_api_routes[i].path, method));
    }
    assert_true(fake_httpd_config()->max_uri_handlers >= http_api_route_count);
}

static void test_each_route_answers_what_http_api_produces(void **state)
{
    (void)state;
    start_adapter();
    for (size_t i = 0; i < http_api_route_count; i++) {
        const http_api_route_t *route = &http_api_routes[i];
        const char *body = route->method == HTTP_API_POST ? "device_name=Riego%20Sur" : NULL;
        size_t body_len = body != NULL ? strlen(body) : 0;
        http_api_response_t want = {0};
        http_api_handle(&app, route->method, route->path, body, body_len, expected, sizeof(expected), &want);

        const fake_httpd_response_t *got =
            request(route->method == HTTP_API_POST ? HTTP_POST : HTTP_GET, route->path, body);
        assert_true(got->handled);
        assert_true(got->sent);
        assert_string_equal(got->status, http_adapter_status_line(want.status));
        assert_string_equal(got->content_type, want.content_type);
        assert_int_equal(got->body_len, want.body_len);
        /* /status and /whoami carry the uptime: compare all but those, byte for byte, the rest by shape. */
        if (strcmp(route->path, "/status") != 0 && strcmp(route->path, "/whoami") != 0) {
            assert_memory_equal(got->body, expected, want.body_len);
        }
    }
}

static void test_ping_answers_pong(void **state)
{
    (void)state;
    start_adapter();
    const fake_httpd_response_t *r = request(HTTP_GET, "/ping", NULL);
    assert_string_equal(r->status, "200 OK");
    assert_string_equal(r->content_type, "text/plain");
    assert_string_equal(r->body, "pong");
}

static void test_whoami_is_json_with_the_device_identity(void **state)
{
    (void)state;
    start_adapter();
    const fake_httpd_response_t *r = request(HTTP_GET, "/whoami", NULL);
    assert_string_equal(r->status, "200 OK");
    assert_string_equal(r->content_type, "application/json");
    assert_non_null(strstr(r->body, "\"mac_address\":\"24:6F:28:A1:B2:C3\""));
    assert_non_null(strstr(r->body, "\"device_name\":\"Riego Norte\""));
}

static void test_post_config_stores_the_new_name(void **state)
{
    (void)state;
    start_adapter();
    const fake_httpd_response_t *r = request(HTTP_POST, "/config", "device_name=Riego%20Sur");
    assert_string_equal(r->status, "200 OK");
    assert_string_equal(fake_config_repository_get(&fakes.config, CONFIG_FIELD_DEVICE_NAME), "Riego Sur");
}

static void test_post_config_with_an_invalid_value_is_400_with_a_reason(void **state)
{
    (void)state;
    start_adapter();
    char body[300];
    snprintf(body, sizeof(body), "device_name=%0*d", 150, 0); /* 150 bytes: over the 100-byte limit */
    const fake_httpd_response_t *r = request(HTTP_POST, "/config", body);
    assert_string_equal(r->status, "400 Bad Request");
    assert_true(r->body_len > 0);
    assert_string_equal(fake_config_repository_get(&fakes.config, CONFIG_FIELD_DEVICE_NAME), "Riego Norte");
}

static void test_wrong_method_gets_http_api_405(void **state)
{
    (void)state;
    start_adapter();
    const fake_httpd_response_t *r = request(HTTP_POST, "/ping", "x=1");
    assert_true(r->handled);
    assert_string_equal(r->status, "405 Method Not Allowed");
}

static void test_body_over_the_limit_is_413_without_reading_it(void **state)
{
    (void)state;
    start_adapter();
    static char big[HTTP_API_MAX_BODY + 2];
    memset(big, 'a', sizeof(big) - 1);
    const fake_httpd_response_t *r =
        fake_httpd_request(HTTP_POST, "/config", big, sizeof(big) - 1, sizeof(big) - 1);
    assert_string_equal(r->status, "413 Payload Too Large");
    assert_int_equal(r->body_bytes_read, 0);
    assert_int_equal(r->handler_result, ESP_FAIL); /* the connection is closed, not drained */
    assert_int_equal(fakes.config.store_calls[CONFIG_FIELD_DEVICE_NAME], 0);
}

static void test_body_at_the_limit_is_read_whole(void **state)
{
    (void)state;
    start_adapter();
    static char body[HTTP_API_MAX_BODY + 1];
    memset(body, 'a', HTTP_API_MAX_BODY);
    const fake_httpd_response_t *r =
        fake_httpd_request(HTTP_POST, "/config", body, HTTP_API_MAX_BODY, HTTP_API_MAX_BODY);
    assert_int_equal(r->body_bytes_read, HTTP_API_MAX_BODY);
    assert_string_not_equal(r->status, "413 Payload Too Large");
}

static void test_body_arriving_in_pieces_with_timeouts_is_read_whole(void **state)
{
    (void)state;
    start_adapter();
    fake_httpd_set_recv_behaviour(5, 2);
    const fake_httpd_response_t *r = request(HTTP_POST, "/config", "device_name=Riego%20Sur");
    assert_string_equal(r->status, "200 OK");
    assert_string_equal(fake_config_repository_get(&fakes.config, CONFIG_FIELD_DEVICE_NAME), "Riego Sur");
}

static void test_client_stopping_mid_body_gets_no_answer_and_the_socket_closes(void **state)
{
    (void)state;
    start_adapter();
    const char *body = "device_name=Riego";
    const fake_httpd_response_t *r = fake_httpd_request(HTTP_POST, "/config", body, strlen(body), 100);
    assert_false(r->sent);
    assert_int_equal(r->handler_result, ESP_FAIL);
    assert_int_equal(fakes.config.store_calls[CONFIG_FIELD_DEVICE_NAME], 0);
}

static void test_status_lines(void **state)
{
    (void)state;
    static const struct {
        uint16_t code;
        const char *line;
    } table[] = {
        {200, "200 OK"},
        {400, "400 Bad Request"},
        {404, "404 Not Found"},
        {405, "405 Method Not Allowed"},
        {413, "413 Payload Too Large"},
        {500, "500 Internal Server Error"},
        {503, "503 Service Unavailable"},
        {299, "500 Internal Server Error"},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        assert_string_equal(http_adapter_status_line(table[i].code), table[i].line);
    }
}

static void test_busy_lock_answers_503(void **state)
{
    (void)state;
    start_adapter();
    fake_lock_set_busy(&fakes.lock, true);
    const fake_httpd_response_t *r = request(HTTP_GET, "/whoami", NULL);
    assert_string_equal(r->status, "503 Service Unavailable");
    assert_string_equal(r->content_type, "application/json");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_start_listens_on_port_80_by_default),
        T(test_start_uses_the_configured_port_and_stack),
        T(test_start_posts_http_started_once),
        T(test_failed_start_posts_nothing_and_returns_the_error),
        T(test_start_twice_is_invalid_state),
        T(test_start_without_application_or_executor_is_invalid),
        T(test_start_keeps_sockets_for_mqtt_and_purges_the_least_recently_used_client),
        T(test_a_full_queue_leaves_the_server_running_and_is_reported_distinctly),
        T(test_http_started_is_posted_once_the_queue_has_room_again),
        T(test_every_api_route_is_registered),
        T(test_each_route_answers_what_http_api_produces),
        T(test_ping_answers_pong),
        T(test_whoami_is_json_with_the_device_identity),
        T(test_post_config_stores_the_new_name),
        T(test_post_config_with_an_invalid_value_is_400_with_a_reason),
        T(test_wrong_method_gets_http_api_405),
        T(test_body_over_the_limit_is_413_without_reading_it),
        T(test_body_at_the_limit_is_read_whole),
        T(test_body_arriving_in_pieces_with_timeouts_is_read_whole),
        T(test_client_stopping_mid_body_gets_no_answer_and_the_socket_closes),
        T(test_status_lines),
        T(test_busy_lock_answers_503),
    };
    return cmocka_run_group_tests_name("http_adapter", tests, NULL, NULL);
}
