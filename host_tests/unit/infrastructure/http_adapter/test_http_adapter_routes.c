/*
 * http_adapter routes and bodies: every route, in station and provisioning mode, with every method, is
 * answered through the esp_http_server fake with exactly the status line, content type, headers and body
 * http_api gives the twin application for the same request; query strings reach http_api with the path;
 * bodies are read whole (in pieces, across timeouts), a body over the limit gets 413 without being read, a
 * client that stops mid-body gets no answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http_adapter_fixture.h"

#define OWNER_AUTHORIZATION "Bearer " TEST_SECRET

/* The device's owner on the farm's network: same-origin, with the secret. */
static const fake_httpd_header_t OWNER[] = {
    {"Host", TEST_IP},
    {"Authorization", OWNER_AUTHORIZATION},
};
#define OWNER_COUNT (sizeof(OWNER) / sizeof(OWNER[0]))

#define CONFIG_FORM "device_name=Riego%20Sur"
#define SETUP_FORM  "ssid=Finca&password=clave-segura&device_name=Riego+Norte&location_description=Lote+3"

static const fake_httpd_response_t *owner_exchange(http_fixture_t *fx, int method, const char *uri,
                                                   const char *body)
{
    const fake_httpd_request_t request = http_fixture_request(method, uri, OWNER, OWNER_COUNT, body);
    return http_fixture_exchange(fx, &request);
}

static const fake_httpd_response_t *owner_send(http_fixture_t *fx, int method, const char *uri,
                                               const char *body)
{
    const fake_httpd_request_t request = http_fixture_request(method, uri, OWNER, OWNER_COUNT, body);
    return http_fixture_send(fx, &request);
}

/* Every route with each method (the right one, the others, and methods http_api does not serve), then paths
 * that are no route; each answered as the twin's http_api answers it. */
static void exchange_every_route_and_method(http_fixture_t *fx)
{
    static const int methods[] = {HTTP_GET, HTTP_POST, HTTP_PUT, HTTP_DELETE, HTTP_HEAD};
    for (size_t i = 0; i < http_api_route_count; i++) {
        const char *path = http_api_routes[i].path;
        for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
            const char *body = NULL;
            if (methods[m] == HTTP_POST) {
                body = strcmp(path, "/provision") == 0 ? SETUP_FORM : CONFIG_FORM;
            }
            owner_exchange(fx, methods[m], path, body);
        }
    }
    owner_exchange(fx, HTTP_GET, "/generate_204", NULL);
    owner_exchange(fx, HTTP_GET, "/hotspot-detect.html", NULL);
    owner_exchange(fx, HTTP_POST, "/nothing-here", CONFIG_FORM);
    owner_exchange(fx, HTTP_GET, "/ping/", NULL);
}

static void test_every_route_in_station_mode_answers_what_http_api_gives(void **state)
{
    exchange_every_route_and_method(*state);
}

static void test_every_route_in_provisioning_mode_answers_what_http_api_gives(void **state)
{
    exchange_every_route_and_method(*state);
}

static void test_status_and_whoami_are_the_same_bytes_as_http_api_gives(void **state)
{
    const fake_httpd_response_t *r = owner_exchange(*state, HTTP_GET, "/status", NULL);
    assert_string_equal(r->content_type, "application/json");
    assert_non_null(strstr(r->body, "\"state\":"));
    r = owner_exchange(*state, HTTP_GET, "/whoami", NULL);
    assert_string_equal(r->status, "200 OK");
    assert_non_null(strstr(r->body, "\"mac_address\":\"" TEST_MAC "\""));
}

static void test_ping_answers_pong(void **state)
{
    const fake_httpd_response_t *r = owner_exchange(*state, HTTP_GET, "/ping", NULL);
    assert_string_equal(r->status, "200 OK");
    assert_string_equal(r->content_type, "text/plain");
    assert_string_equal(r->body, "pong");
    assert_int_equal(r->header_count, 0);
}

static void test_query_strings_reach_http_api_with_the_path(void **state)
{
    http_fixture_t *fx = *state;
    assert_string_equal(owner_exchange(fx, HTTP_GET, "/ping?probe=1", NULL)->body, "pong");
    assert_string_equal(owner_exchange(fx, HTTP_POST, "/config?source=app", CONFIG_FORM)->status, "200 OK");
    assert_string_equal(http_fixture_stored_name(fx), "Riego Sur");
}

static void test_the_setup_page_language_comes_from_the_query_string(void **state)
{
    http_fixture_t *fx = *state;
    static char spanish[FAKE_HTTPD_RESPONSE_MAX];
    const fake_httpd_response_t *r = owner_exchange(fx, HTTP_GET, "/?lang=es", NULL);
    assert_string_equal(r->status, "200 OK");
    assert_string_equal(r->content_type, "text/html");
    snprintf(spanish, sizeof(spanish), "%s", r->body);
    r = owner_exchange(fx, HTTP_GET, "/?lang=en", NULL);
    assert_string_equal(r->status, "200 OK");
    assert_string_not_equal(r->body, spanish); /* the query string was not dropped */
}

static void test_post_config_stores_the_new_name(void **state)
{
    http_fixture_t *fx = *state;
    assert_string_equal(owner_exchange(fx, HTTP_POST, "/config", CONFIG_FORM)->status, "200 OK");
    assert_string_equal(http_fixture_stored_name(fx), "Riego Sur");
}

static void test_post_config_with_an_invalid_value_is_400_with_a_reason(void **state)
{
    http_fixture_t *fx = *state;
    char body[300];
    snprintf(body, sizeof(body), "device_name=%0*d", 150, 0); /* 150 bytes: over the 100-byte limit */
    const fake_httpd_response_t *r = owner_exchange(fx, HTTP_POST, "/config", body);
    assert_string_equal(r->status, "400 Bad Request");
    assert_non_null(strstr(r->body, "\"error\":"));
    assert_null(http_fixture_stored_name(fx));
}

static void test_wrong_method_and_unknown_path_get_http_api_errors(void **state)
{
    const fake_httpd_response_t *r = owner_exchange(*state, HTTP_POST, "/ping", "x=1");
    assert_string_equal(r->status, "405 Method Not Allowed");
    r = owner_exchange(*state, HTTP_GET, "/nothing-here", NULL);
    assert_string_equal(r->status, "404 Not Found");
    assert_string_equal(r->content_type, "application/json");
}

static void test_body_over_the_limit_is_413_without_reading_it(void **state)
{
    http_fixture_t *fx = *state;
    static char big[HTTP_API_MAX_BODY + 2];
    memset(big, 'a', sizeof(big) - 1);
    const fake_httpd_request_t request = http_fixture_request(HTTP_POST, "/config", OWNER, OWNER_COUNT, big);
    const fake_httpd_response_t *r = http_fixture_exchange(fx, &request);
    assert_string_equal(r->status, "413 Payload Too Large");
    assert_int_equal(r->body_bytes_read, 0);
    assert_int_equal(r->handler_result, ESP_FAIL); /* the connection is closed, not drained */
    assert_null(http_fixture_stored_name(fx));
}

static void test_body_at_the_limit_is_read_whole(void **state)
{
    static char body[HTTP_API_MAX_BODY + 1];
    memset(body, 'a', HTTP_API_MAX_BODY);
    const fake_httpd_response_t *r = owner_exchange(*state, HTTP_POST, "/config", body);
    assert_int_equal(r->body_bytes_read, HTTP_API_MAX_BODY);
    assert_string_not_equal(r->status, "413 Payload Too Large");
}

static void test_body_arriving_in_pieces_with_timeouts_is_read_whole(void **state)
{
    http_fixture_t *fx = *state;
    fake_httpd_set_recv_behaviour(5, 2);
    const fake_httpd_response_t *r = owner_send(fx, HTTP_POST, "/config", CONFIG_FORM);
    assert_string_equal(r->status, "200 OK");
    assert_int_equal(r->body_bytes_read, strlen(CONFIG_FORM));
    assert_string_equal(http_fixture_stored_name(fx), "Riego Sur");
}

static void test_client_stopping_mid_body_gets_no_answer_and_the_socket_closes(void **state)
{
    http_fixture_t *fx = *state;
    fake_httpd_request_t request =
        http_fixture_request(HTTP_POST, "/config", OWNER, OWNER_COUNT, CONFIG_FORM);
    request.content_len = 100; /* announced, never sent */
    const fake_httpd_response_t *r = http_fixture_send(fx, &request);
    assert_false(r->sent);
    assert_int_equal(r->handler_result, ESP_FAIL);
    assert_null(http_fixture_stored_name(fx));
}

static void test_busy_lock_answers_503(void **state)
{
    http_fixture_t *fx = *state;
    fake_lock_set_busy(&fx->device->fakes.lock, true);
    fake_lock_set_busy(&fx->twin->fakes.lock, true);
    const fake_httpd_response_t *r = owner_exchange(fx, HTTP_GET, "/whoami", NULL);
    assert_string_equal(r->status, "503 Service Unavailable");
    assert_string_equal(r->content_type, "application/json");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        HTTP_FIXTURE_STATION(test_every_route_in_station_mode_answers_what_http_api_gives),
        HTTP_FIXTURE_PROVISIONING(test_every_route_in_provisioning_mode_answers_what_http_api_gives),
        HTTP_FIXTURE_STATION(test_status_and_whoami_are_the_same_bytes_as_http_api_gives),
        HTTP_FIXTURE_STATION(test_ping_answers_pong),
        HTTP_FIXTURE_STATION(test_query_strings_reach_http_api_with_the_path),
        HTTP_FIXTURE_PROVISIONING(test_the_setup_page_language_comes_from_the_query_string),
        HTTP_FIXTURE_STATION(test_post_config_stores_the_new_name),
        HTTP_FIXTURE_STATION(test_post_config_with_an_invalid_value_is_400_with_a_reason),
        HTTP_FIXTURE_STATION(test_wrong_method_and_unknown_path_get_http_api_errors),
        HTTP_FIXTURE_STATION(test_body_over_the_limit_is_413_without_reading_it),
        HTTP_FIXTURE_STATION(test_body_at_the_limit_is_read_whole),
        HTTP_FIXTURE_STATION(test_body_arriving_in_pieces_with_timeouts_is_read_whole),
        HTTP_FIXTURE_STATION(test_client_stopping_mid_body_gets_no_answer_and_the_socket_closes),
        HTTP_FIXTURE_STATION(test_busy_lock_answers_503),
    };
    return cmocka_run_group_tests_name("http_adapter_routes", tests, NULL, NULL);
}
