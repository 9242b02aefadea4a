/*
 * http_adapter start/stop against the esp_http_server fake and an application on port fakes: one wildcard
 * handler for every path and method, HTTP_STARTED posted once the server runs (retried while the queue is
 * full), the socket budget that leaves room for MQTT, and the status line of every code http_api uses.
 * Routes, headers and bodies: test_http_adapter_routes.c, test_http_adapter_headers.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "app_test_support.h"
#include "fake_esp_http_server.h"
#include "fake_esp_log.h"
#include "fake_freertos.h"
#include "sdkconfig.h"
#include "http_adapter.h"

static int setup(void **state)
{
    fake_esp_log_reset();
    fake_esp_log_set_echo(0);
    fake_httpd_reset();
    fake_freertos_reset();
    app_fixture_t *f = app_fixture_new();
    assert_int_equal(app_fixture_start(f), APP_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    http_adapter_stop();
    app_fixture_free(*state);
    return 0;
}

static http_adapter_config_t adapter_config(app_fixture_t *f)
{
    return (http_adapter_config_t){
        .port = 0,
        .app = &f->app,
        .executor = &fake_executor_port,
        .executor_ctx = &f->fakes.executor,
    };
}

static void start_adapter(app_fixture_t *f)
{
    const http_adapter_config_t cfg = adapter_config(f);
    assert_int_equal(http_adapter_start(&cfg), ESP_OK);
}

static size_t posted(const app_fixture_t *f, app_event_kind_t kind)
{
    const fake_executor_t *executor = &f->fakes.executor;
    size_t n = 0;
    for (size_t i = 0; i < executor->count; i++) {
        if (executor->queue[(executor->head + i) % FAKE_EXECUTOR_QUEUE_MAX].kind == kind) {
            n++;
        }
    }
    return n;
}

static void test_start_listens_on_port_80_by_default(void **state)
{
    start_adapter(*state);
    assert_true(fake_httpd_running());
    assert_int_equal(fake_httpd_config()->server_port, 80);
}

static void test_start_uses_the_configured_port_and_stack(void **state)
{
    http_adapter_config_t cfg = adapter_config(*state);
    cfg.port = 8080;
    cfg.stack_size = 6144;
    assert_int_equal(http_adapter_start(&cfg), ESP_OK);
    assert_int_equal(fake_httpd_config()->server_port, 8080);
    assert_int_equal(fake_httpd_config()->stack_size, 6144);
}

static void test_start_registers_one_wildcard_handler_for_every_method(void **state)
{
    start_adapter(*state);
    assert_int_equal(fake_httpd_handler_count(), 1);
    assert_int_equal(fake_httpd_config()->max_uri_handlers, 1);
    assert_ptr_equal(fake_httpd_config()->uri_match_fn, httpd_uri_match_wildcard);
    const httpd_uri_t *handler = fake_httpd_find("/", HTTP_GET);
    assert_non_null(handler);
    assert_string_equal(handler->uri, "/*");
    assert_int_equal(handler->method, HTTP_ANY);
    /* The same handler for every route, every other path, with a query string, and every method. */
    for (size_t i = 0; i < http_api_route_count; i++) {
        assert_ptr_equal(fake_httpd_find(http_api_routes[i].path, HTTP_GET), handler);
        assert_ptr_equal(fake_httpd_find(http_api_routes[i].path, HTTP_POST), handler);
    }
    assert_ptr_equal(fake_httpd_find("/generate_204", HTTP_GET), handler);
    assert_ptr_equal(fake_httpd_find("/hotspot-detect.html?x=1", HTTP_HEAD), handler);
    assert_ptr_equal(fake_httpd_find("/config", HTTP_PUT), handler);
    /* The table is full: nothing else can be added by mistake. */
    const httpd_uri_t other = {.uri = "/other", .method = HTTP_GET, .handler = handler->handler};
    assert_int_equal(httpd_register_uri_handler(http_adapter_handle(), &other), ESP_ERR_HTTPD_HANDLER_EXISTS);
}

static void test_start_posts_http_started_once(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(posted(f, APP_EVENT_HTTP_STARTED), 0);
    start_adapter(f);
    assert_int_equal(posted(f, APP_EVENT_HTTP_STARTED), 1);
}

static void test_failed_start_posts_nothing_and_returns_the_error(void **state)
{
    app_fixture_t *f = *state;
    fake_httpd_set_start_error(ESP_ERR_HTTPD_TASK);
    const http_adapter_config_t cfg = adapter_config(f);
    assert_int_equal(http_adapter_start(&cfg), ESP_ERR_HTTPD_TASK);
    assert_int_equal(posted(f, APP_EVENT_HTTP_STARTED), 0);
    assert_null(http_adapter_handle());
}

static void test_start_twice_is_invalid_state(void **state)
{
    start_adapter(*state);
    const http_adapter_config_t cfg = adapter_config(*state);
    assert_int_equal(http_adapter_start(&cfg), ESP_ERR_INVALID_STATE);
}

static void test_start_without_application_or_executor_is_invalid(void **state)
{
    http_adapter_config_t cfg = adapter_config(*state);
    cfg.app = NULL;
    assert_int_equal(http_adapter_start(&cfg), ESP_ERR_INVALID_ARG);
    cfg = adapter_config(*state);
    cfg.executor = NULL;
    assert_int_equal(http_adapter_start(&cfg), ESP_ERR_INVALID_ARG);
    assert_int_equal(http_adapter_start(NULL), ESP_ERR_INVALID_ARG);
    assert_false(fake_httpd_running());
}

static void test_stop_stops_the_server_and_allows_a_new_start(void **state)
{
    start_adapter(*state);
    assert_int_equal(http_adapter_stop(), ESP_OK);
    assert_false(fake_httpd_running());
    assert_null(http_adapter_handle());
    assert_int_equal(http_adapter_stop(), ESP_OK); /* no-op */
    start_adapter(*state);
    assert_true(fake_httpd_running());
}

static void test_start_keeps_sockets_for_mqtt_and_purges_the_least_recently_used_client(void **state)
{
    start_adapter(*state);
    assert_int_equal(fake_httpd_config()->max_open_sockets, HTTP_ADAPTER_MAX_OPEN_SOCKETS);
    assert_int_equal(HTTP_ADAPTER_MAX_OPEN_SOCKETS, 5);
    assert_true(fake_httpd_config()->lru_purge_enable);
    /* httpd's own 3 sockets and the clients leave at least half of lwIP's sockets to the rest. */
    assert_true(HTTP_ADAPTER_MAX_OPEN_SOCKETS + 3 <= CONFIG_LWIP_MAX_SOCKETS / 2);
}

static void test_a_full_queue_leaves_the_server_running_and_is_reported_distinctly(void **state)
{
    app_fixture_t *f = *state;
    f->fakes.executor.refuse_posts = true;
    const http_adapter_config_t cfg = adapter_config(f);
    assert_int_equal(http_adapter_start(&cfg), ESP_ERR_TIMEOUT);
    assert_true(fake_httpd_running());
    assert_non_null(http_adapter_handle());
    assert_true(fake_httpd_request(HTTP_GET, "/ping", NULL, 0, 0)->handled);
    assert_int_equal(posted(f, APP_EVENT_HTTP_STARTED), 0);
    assert_int_equal(fake_freertos_delay_count(), 19); /* 20 tries, a pause between two */
}

static void drain_the_queue(void *arg)
{
    fake_executor_t *executor = arg;
    executor->refuse_posts = false;
}

static void test_http_started_is_posted_once_the_queue_has_room_again(void **state)
{
    app_fixture_t *f = *state;
    f->fakes.executor.refuse_posts = true;
    fake_freertos_set_delay_hook(drain_the_queue, &f->fakes.executor);
    const http_adapter_config_t cfg = adapter_config(f);
    assert_int_equal(http_adapter_start(&cfg), ESP_OK);
    assert_int_equal(posted(f, APP_EVENT_HTTP_STARTED), 1);
    assert_int_equal(fake_freertos_delay_count(), 1);
}

static void test_status_lines(void **state)
{
    (void)state;
    static const struct {
        uint16_t code;
        const char *line;
    } table[] = {
        {200, "200 OK"},
        {302, "302 Found"},
        {400, "400 Bad Request"},
        {401, "401 Unauthorized"},
        {403, "403 Forbidden"},
        {404, "404 Not Found"},
        {405, "405 Method Not Allowed"},
        {413, "413 Payload Too Large"},
        {429, "429 Too Many Requests"},
        {500, "500 Internal Server Error"},
        {503, "503 Service Unavailable"},
        {299, "500 Internal Server Error"}, /* a code http_api never gives */
        {0, "500 Internal Server Error"},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        assert_string_equal(http_adapter_status_line(table[i].code), table[i].line);
    }
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_start_listens_on_port_80_by_default),
        T(test_start_uses_the_configured_port_and_stack),
        T(test_start_registers_one_wildcard_handler_for_every_method),
        T(test_start_posts_http_started_once),
        T(test_failed_start_posts_nothing_and_returns_the_error),
        T(test_start_twice_is_invalid_state),
        T(test_start_without_application_or_executor_is_invalid),
        T(test_stop_stops_the_server_and_allows_a_new_start),
        T(test_start_keeps_sockets_for_mqtt_and_purges_the_least_recently_used_client),
        T(test_a_full_queue_leaves_the_server_running_and_is_reported_distinctly),
        T(test_http_started_is_posted_once_the_queue_has_room_again),
        T(test_status_lines),
    };
    return cmocka_run_group_tests_name("http_adapter", tests, NULL, NULL);
}
