/*
 * sim_http: the libmicrohttpd adapter, driven over a real loopback socket against the application (its
 * ports are the in-memory fakes): routes reach http_api_handle, bodies are accumulated, over-long bodies
 * give 413, and the start is reported with the real port. The connection policy is driven with real idle
 * and slow-header sockets: /whoami keeps answering, the least recently answered connection goes first.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "application/application.h"
#include "fake_ports.h"
#include "sim_http.h"

#define SECRET "7K3M9QXD2F4H8RTV"

typedef struct {
    fake_ports_t fakes;
    application_t app;
    sim_http_t http;
    FILE *stream;
    char *buf;
    size_t size;
    sim_event_sink_t sink;
    char response[8192];
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    fake_ports_init(&f->fakes);
    app_settings_t settings;
    app_settings_defaults(&settings);
    strcpy(settings.security.setup_secret, SECRET);
    assert_int_equal(application_start(&f->app, &f->fakes.ports, &settings), APP_OK);
    fake_executor_run_all(&f->fakes.executor);
    f->stream = open_memstream(&f->buf, &f->size);
    assert_true(sim_event_sink_init(&f->sink, f->stream, NULL, NULL));
    assert_int_equal(
        sim_http_start(&f->http, &f->app, "127.0.0.1", 0, &fake_executor_port, &f->fakes.executor, &f->sink),
        SIM_HTTP_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    sim_http_stop(&f->http);
    sim_event_sink_deinit(&f->sink);
    fclose(f->stream);
    free(f->buf);
    free(f);
    return 0;
}

static int connect_to(const fixture_t *f)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(f->http.port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    return fd;
}

/* Sends request (in two writes, split at split) and returns the HTTP status; the whole answer in f->response.
 */
static int exchange(fixture_t *f, const char *request, size_t len, size_t split)
{
    int fd = connect_to(f);
    if (split > len) {
        split = len;
    }
    assert_int_equal(write(fd, request, split), (ssize_t)split);
    if (len > split) {
        usleep(20000); /* the rest arrives in a later read on the server side */
        assert_int_equal(write(fd, request + split, len - split), (ssize_t)(len - split));
    }
    size_t total = 0;
    ssize_t n;
    while ((n = read(fd, f->response + total, sizeof(f->response) - 1 - total)) > 0) {
        total += (size_t)n;
    }
    close(fd);
    f->response[total] = '\0';
    int status = 0;
    assert_int_equal(sscanf(f->response, "HTTP/1.1 %d", &status), 1);
    return status;
}

static int get(fixture_t *f, const char *path)
{
    char request[256];
    int len =
        snprintf(request, sizeof(request), "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path);
    return exchange(f, request, (size_t)len, (size_t)len);
}

static const char *body_of(const fixture_t *f)
{
    const char *body = strstr(f->response, "\r\n\r\n");
    return body != NULL ? body + 4 : "";
}

static void test_start_reports_the_bound_port(void **state)
{
    fixture_t *f = *state;
    assert_true(f->http.port > 0);
    char expected[64];
    snprintf(expected, sizeof(expected), "{\"event\":\"http_started\",\"t_ms\":0,\"port\":%u}\n",
             f->http.port);
    fflush(f->stream);
    assert_string_equal(f->buf, expected);
    assert_int_equal(f->fakes.executor.count, 1);
    assert_int_equal(f->fakes.executor.queue[f->fakes.executor.head].kind, APP_EVENT_HTTP_STARTED);
}

static void test_get_reaches_the_application(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(get(f, "/ping"), 200);
    assert_string_equal(body_of(f), "pong");
    assert_non_null(strstr(f->response, "Content-Type: text/plain"));
}

static void test_whoami_answers_json(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(get(f, "/whoami"), 200);
    assert_non_null(strstr(f->response, "Content-Type: application/json"));
    assert_non_null(strstr(body_of(f), "\"device_name\":\"ESP32-Riego\""));
}

static void test_unknown_path_is_404_and_wrong_method_405(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(get(f, "/nope"), 404);
    const char request[] = "DELETE /whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    assert_int_equal(exchange(f, request, sizeof(request) - 1, sizeof(request) - 1), 405);
}

static void test_post_body_arriving_in_pieces_is_accumulated(void **state)
{
    fixture_t *f = *state;
    char fixed[256];
    const char *body = "device_name=Bomba+Nueva%21";
    int len =
        snprintf(fixed, sizeof(fixed),
                 "POST /config HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer " SECRET
                 "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n%s",
                 strlen(body), body);
    size_t split = (size_t)len - 10; /* the last ten body bytes come in a second write */
    assert_int_equal(exchange(f, fixed, (size_t)len, split), 200);
    assert_string_equal(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME),
                        "Bomba Nueva!");
}

static int post_config(fixture_t *f, const char *extra_headers, const char *body)
{
    char request[512];
    int len = snprintf(request, sizeof(request),
                       "POST /config HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s"
                       "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n%s",
                       extra_headers, strlen(body), body);
    return exchange(f, request, (size_t)len, (size_t)len);
}

static void test_the_request_headers_reach_the_application_and_its_headers_come_back(void **state)
{
    fixture_t *f = *state;
    /* no secret: 401 with WWW-Authenticate */
    assert_int_equal(post_config(f, "", "device_name=Uno"), 401);
    assert_non_null(strstr(f->response, "WWW-Authenticate: Bearer"));
    /* another site's page: 403 before anything else */
    assert_int_equal(post_config(f, "Origin: http://evil.example\r\nAuthorization: Bearer " SECRET "\r\n",
                                 "device_name=Uno"),
                     403);
    /* HTTP Basic with any user name, the form field: both work; the second change comes too soon */
    assert_int_equal(
        post_config(f, "Authorization: Basic dGVjbmljbzo3SzNNOVFYRDJGNEg4UlRW\r\n", "device_name=Uno"), 200);
    assert_int_equal(post_config(f, "", "device_name=Dos&setup_secret=7k3m-9qxd-2f4h-8rtv"), 429);
    assert_non_null(strstr(f->response, "Retry-After: 10"));
    assert_string_equal(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME), "Uno");
}

static void test_the_query_string_reaches_the_application(void **state)
{
    fixture_t *f = *state;
    /* /status ignores its query, which is only kept in the path; a query on an unknown path is still 404 */
    assert_int_equal(get(f, "/status?lang=en&x"), 200);
    assert_int_equal(get(f, "/nope?lang=en"), 404);
}

static void test_body_over_the_limit_is_413(void **state)
{
    fixture_t *f = *state;
    static char request[HTTP_API_MAX_BODY * 3];
    size_t body_len = HTTP_API_MAX_BODY + 500;
    int head = snprintf(
        request, sizeof(request),
        "POST /config HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n", body_len);
    memset(request + head, 'a', body_len);
    assert_int_equal(exchange(f, request, (size_t)head + body_len, (size_t)head + 100), 413);
    assert_null(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME));
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* True when the server ends the connection (end of stream or reset) within timeout_ms; bytes it sends
 * first (an answer) are read and skipped. */
static bool closed_by_server_within(int fd, int timeout_ms)
{
    const uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
    char buf[512];
    for (;;) {
        const uint64_t now = now_ms();
        if (now >= deadline) {
            return false;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, (int)(deadline - now)) <= 0) {
            continue;
        }
        const ssize_t n = read(fd, buf, sizeof(buf));
        if (n == 0 || (n < 0 && errno == ECONNRESET)) {
            return true;
        }
    }
}

static void close_all(int *fds, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        close(fds[i]);
    }
}

static void test_idle_connections_beyond_the_limit_do_not_keep_whoami_out(void **state)
{
    fixture_t *f = *state;
    int idle[3 * SIM_HTTP_MAX_CONNECTIONS];
    for (size_t i = 0; i < sizeof(idle) / sizeof(idle[0]); i++) {
        idle[i] = connect_to(f);
    }
    assert_int_equal(get(f, "/whoami"), 200);
    assert_true(sim_http_evictions(&f->http) >= 2 * SIM_HTTP_MAX_CONNECTIONS);
    assert_true(closed_by_server_within(idle[0], 2000)); /* the oldest went first */
    close_all(idle, sizeof(idle) / sizeof(idle[0]));
}

static void test_slow_header_clients_do_not_keep_whoami_out(void **state)
{
    fixture_t *f = *state;
    static const char partial[] = "GET /whoami HTTP/1.1\r\nHost: x\r\nX-Slow: a";
    int slow[SIM_HTTP_MAX_CONNECTIONS + 8];
    for (size_t i = 0; i < sizeof(slow) / sizeof(slow[0]); i++) {
        slow[i] = connect_to(f);
        assert_int_equal(write(slow[i], partial, sizeof(partial) - 1), (ssize_t)(sizeof(partial) - 1));
    }
    /* A second trickle byte on every one: activity does not buy a slow client its place. */
    for (size_t i = 0; i < sizeof(slow) / sizeof(slow[0]); i++) {
        (void)write(slow[i], "a", 1);
    }
    for (int round = 0; round < 3; round++) {
        assert_int_equal(get(f, "/whoami"), 200);
    }
    assert_true(closed_by_server_within(slow[0], 2000));
    close_all(slow, sizeof(slow) / sizeof(slow[0]));
}

static void test_a_recently_answered_connection_outlives_older_idle_ones(void **state)
{
    fixture_t *f = *state;
    int idle[SIM_HTTP_MAX_CONNECTIONS - 1];
    for (size_t i = 0; i < sizeof(idle) / sizeof(idle[0]); i++) {
        idle[i] = connect_to(f);
    }
    /* A keep-alive client that gets an answer after the idle ones connected. */
    int kept = connect_to(f);
    static const char request[] = "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n";
    char answer[1024];
    assert_int_equal(write(kept, request, sizeof(request) - 1), (ssize_t)(sizeof(request) - 1));
    assert_true(read(kept, answer, sizeof(answer)) > 0);
    int newer[4];
    for (size_t i = 0; i < sizeof(newer) / sizeof(newer[0]); i++) {
        newer[i] = connect_to(f);
    }
    assert_true(closed_by_server_within(idle[0], 2000));
    assert_true(closed_by_server_within(idle[3], 2000));
    assert_false(closed_by_server_within(idle[4], 200));
    /* The answered one is still open and answers again. */
    assert_int_equal(write(kept, request, sizeof(request) - 1), (ssize_t)(sizeof(request) - 1));
    ssize_t n = read(kept, answer, sizeof(answer) - 1);
    assert_true(n > 0);
    answer[n] = '\0';
    assert_non_null(strstr(answer, "HTTP/1.1 200"));
    close(kept);
    close_all(idle, sizeof(idle) / sizeof(idle[0]));
    close_all(newer, sizeof(newer) / sizeof(newer[0]));
}

static void test_open_connections_settle_at_the_limit(void **state)
{
    fixture_t *f = *state;
    int idle[2 * SIM_HTTP_MAX_CONNECTIONS];
    for (size_t i = 0; i < sizeof(idle) / sizeof(idle[0]); i++) {
        idle[i] = connect_to(f);
    }
    assert_true(closed_by_server_within(idle[SIM_HTTP_MAX_CONNECTIONS - 1], 2000));
    const uint64_t deadline = now_ms() + 2000u;
    while (sim_http_open_connections(&f->http) > SIM_HTTP_MAX_CONNECTIONS && now_ms() < deadline) {
        usleep(10000);
    }
    assert_int_equal(sim_http_open_connections(&f->http), SIM_HTTP_MAX_CONNECTIONS);
    close_all(idle, sizeof(idle) / sizeof(idle[0]));
}

static void test_a_silent_connection_is_closed_after_the_idle_timeout(void **state)
{
    fixture_t *f = *state;
    int fd = connect_to(f);
    const uint64_t opened = now_ms();
    assert_true(closed_by_server_within(fd, (SIM_HTTP_IDLE_TIMEOUT_S + 3) * 1000));
    assert_true(now_ms() - opened >= (SIM_HTTP_IDLE_TIMEOUT_S - 1) * 1000u);
    close(fd);
}

static void test_bad_bind_address_is_refused(void **state)
{
    (void)state;
    sim_http_t http;
    fake_executor_t executor;
    fake_executor_init(&executor);
    assert_int_equal(sim_http_start(&http, NULL, "localhost", 0, &fake_executor_port, &executor, NULL),
                     SIM_HTTP_BAD_ADDRESS);
    assert_int_equal(executor.count, 0);
}

static void test_methods_map_to_the_application_enum(void **state)
{
    (void)state;
    assert_int_equal(sim_http_method("GET"), HTTP_API_GET);
    assert_int_equal(sim_http_method("POST"), HTTP_API_POST);
    assert_int_equal(sim_http_method("HEAD"), HTTP_API_OTHER);
    assert_int_equal(sim_http_method(NULL), HTTP_API_OTHER);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_start_reports_the_bound_port),
        T(test_get_reaches_the_application),
        T(test_whoami_answers_json),
        T(test_unknown_path_is_404_and_wrong_method_405),
        T(test_the_request_headers_reach_the_application_and_its_headers_come_back),
        T(test_the_query_string_reaches_the_application),
        T(test_post_body_arriving_in_pieces_is_accumulated),
        T(test_body_over_the_limit_is_413),
        T(test_idle_connections_beyond_the_limit_do_not_keep_whoami_out),
        T(test_slow_header_clients_do_not_keep_whoami_out),
        T(test_a_recently_answered_connection_outlives_older_idle_ones),
        T(test_open_connections_settle_at_the_limit),
        T(test_a_silent_connection_is_closed_after_the_idle_timeout),
        cmocka_unit_test(test_bad_bind_address_is_refused),
        cmocka_unit_test(test_methods_map_to_the_application_enum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
