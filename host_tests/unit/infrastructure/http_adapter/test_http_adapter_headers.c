/*
 * http_adapter and HTTP headers, through the esp_http_server fake: the five request headers http_api reads
 * reach it (the secret in Authorization, Origin / Sec-Fetch-Site for the cross-site check, Host,
 * Accept-Language), whatever the case of their names; values too long to copy are treated as absent (an
 * Origin as cross-site); the response headers http_api asks for (WWW-Authenticate, Location, Retry-After) go
 * out; the secret and the body are not left in the adapter's memory after a request; a phone browser's
 * header section fits the project's CONFIG_HTTPD_MAX_REQ_HDR_LEN, where ESP-IDF's default answers 431.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http_adapter_fixture.h"

#define BEARER_SECRET  "Bearer " TEST_SECRET
#define DEVICE_ORIGIN  "http://" TEST_IP
#define CONFIG_FORM    "device_name=Riego%20Sur"
#define PORTAL_ADDRESS "192.168.4.1"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static const fake_httpd_response_t *post_form(http_fixture_t *fx, const fake_httpd_header_t *headers,
                                              size_t count, const char *form)
{
    const fake_httpd_request_t request = http_fixture_request(HTTP_POST, "/config", headers, count, form);
    return http_fixture_exchange(fx, &request);
}

static const fake_httpd_response_t *post_config(http_fixture_t *fx, const fake_httpd_header_t *headers,
                                                size_t count)
{
    return post_form(fx, headers, count, CONFIG_FORM);
}

static void test_a_write_with_the_bearer_secret_is_accepted(void **state)
{
    http_fixture_t *fx = *state;
    const fake_httpd_header_t headers[] = {{"Host", TEST_IP}, {"Authorization", BEARER_SECRET}};
    assert_string_equal(post_config(fx, headers, COUNT(headers))->status, "200 OK");
    assert_string_equal(http_fixture_stored_name(fx), "Riego Sur");
}

static void test_a_write_without_the_secret_is_401_with_www_authenticate(void **state)
{
    const fake_httpd_header_t headers[] = {{"Host", TEST_IP}};
    const fake_httpd_response_t *r = post_config(*state, headers, COUNT(headers));
    assert_string_equal(r->status, "401 Unauthorized");
    assert_string_equal(r->content_type, "application/json");
    assert_string_equal(fake_httpd_response_header(r, "WWW-Authenticate"),
                        "Bearer realm=\"irrigation-node\"");
    assert_null(http_fixture_stored_name(*state));
}

static void test_a_wrong_secret_is_401(void **state)
{
    const fake_httpd_header_t headers[] = {{"Host", TEST_IP}, {"Authorization", "Bearer Z9Y8X7W6V5T4S3R2"}};
    assert_string_equal(post_config(*state, headers, COUNT(headers))->status, "401 Unauthorized");
}

static void test_basic_authorization_with_the_secret_as_password_is_accepted(void **state)
{
    /* base64("tecnico:" TEST_SECRET) */
    const fake_httpd_header_t headers[] = {{"Host", TEST_IP},
                                           {"Authorization", "Basic dGVjbmljbzo3SzNNOVFYRDJGNEg4UlRW"}};
    assert_string_equal(post_config(*state, headers, COUNT(headers))->status, "200 OK");
}

static void test_header_names_are_matched_whatever_their_case(void **state)
{
    /* HTTP/2 proxies and some clients send lower-case names: esp_http_server compares without case. */
    const fake_httpd_header_t headers[] = {
        {"host", TEST_IP}, {"ORIGIN", DEVICE_ORIGIN}, {"authorization", BEARER_SECRET}};
    assert_string_equal(post_config(*state, headers, COUNT(headers))->status, "200 OK");
}

static void test_a_same_origin_write_is_accepted(void **state)
{
    const fake_httpd_header_t headers[] = {{"Host", TEST_IP},
                                           {"Origin", DEVICE_ORIGIN},
                                           {"Sec-Fetch-Site", "same-origin"},
                                           {"Authorization", BEARER_SECRET}};
    assert_string_equal(post_config(*state, headers, COUNT(headers))->status, "200 OK");
}

static void test_a_write_from_another_sites_origin_is_403(void **state)
{
    const fake_httpd_header_t headers[] = {
        {"Host", TEST_IP}, {"Origin", "http://farm-offers.example"}, {"Authorization", BEARER_SECRET}};
    const fake_httpd_response_t *r = post_config(*state, headers, COUNT(headers));
    assert_string_equal(r->status, "403 Forbidden");
    assert_null(http_fixture_stored_name(*state));
}

static void test_a_write_marked_cross_site_by_the_browser_is_403(void **state)
{
    const fake_httpd_header_t headers[] = {
        {"Host", TEST_IP}, {"Sec-Fetch-Site", "cross-site"}, {"Authorization", BEARER_SECRET}};
    assert_string_equal(post_config(*state, headers, COUNT(headers))->status, "403 Forbidden");
}

static void test_a_second_write_within_the_interval_is_429_with_retry_after(void **state)
{
    const fake_httpd_header_t headers[] = {{"Host", TEST_IP}, {"Authorization", BEARER_SECRET}};
    assert_string_equal(post_config(*state, headers, COUNT(headers))->status, "200 OK");
    const fake_httpd_response_t *r = post_form(*state, headers, COUNT(headers), "device_name=Riego%20Este");
    assert_string_equal(r->status, "429 Too Many Requests");
    char seconds[16];
    snprintf(seconds, sizeof(seconds), "%u", (unsigned)(APP_DEFAULT_CONFIG_MIN_INTERVAL_MS / 1000u));
    assert_string_equal(fake_httpd_response_header(r, "Retry-After"), seconds);
}

static void test_an_unknown_page_in_provisioning_mode_is_302_to_the_setup_page(void **state)
{
    /* Android's connectivity check: a captive portal answers it with a redirect. */
    const fake_httpd_header_t headers[] = {{"Host", "connectivitycheck.gstatic.com"}};
    const fake_httpd_request_t request =
        http_fixture_request(HTTP_GET, "/generate_204", headers, COUNT(headers), NULL);
    const fake_httpd_response_t *r = http_fixture_exchange(*state, &request);
    assert_string_equal(r->status, "302 Found");
    assert_string_equal(fake_httpd_response_header(r, "Location"), APP_DEFAULT_PORTAL_URL);
    assert_int_equal(r->body_len, 0);
}

static void test_accept_language_chooses_the_setup_page_language(void **state)
{
    static char spanish[FAKE_HTTPD_RESPONSE_MAX];
    const fake_httpd_header_t es[] = {{"Host", PORTAL_ADDRESS}, {"Accept-Language", "es-CO,es;q=0.9"}};
    const fake_httpd_header_t en[] = {{"Host", PORTAL_ADDRESS},
                                      {"Accept-Language", "en-GB,en;q=0.9,es;q=0.3"}};
    fake_httpd_request_t request = http_fixture_request(HTTP_GET, "/", es, COUNT(es), NULL);
    snprintf(spanish, sizeof(spanish), "%s", http_fixture_exchange(*state, &request)->body);
    request = http_fixture_request(HTTP_GET, "/", en, COUNT(en), NULL);
    const fake_httpd_response_t *r = http_fixture_exchange(*state, &request);
    assert_string_equal(r->status, "200 OK");
    assert_string_not_equal(r->body, spanish);
}

/* A header value of len bytes: prefix, then fill up to len. */
static void long_value(char *out, size_t len, const char *prefix, char fill)
{
    const size_t prefix_len = strlen(prefix);
    memcpy(out, prefix, prefix_len);
    memset(out + prefix_len, fill, len - prefix_len);
    out[len] = '\0';
}

/* The device answers request as the twin's http_api answers api without the header field_in_api points to. */
static const fake_httpd_response_t *assert_answered_as_without(http_fixture_t *fx,
                                                               const fake_httpd_request_t *request,
                                                               http_api_request_t *api,
                                                               const char **field_in_api)
{
    static http_fixture_answer_t without;
    *field_in_api = NULL;
    http_fixture_ask_twin(fx, api, &without);
    const fake_httpd_response_t *got = http_fixture_send(fx, request);
    http_fixture_assert_answer(got, &without);
    return got;
}

static void test_a_too_long_authorization_is_treated_as_absent(void **state)
{
    http_fixture_t *fx = *state;
    /* The secret with its groups dashed and a long dashed tail (the normaliser drops dashes): http_api
     * accepts the whole value. */
    char authorization[400];
    long_value(authorization, sizeof(authorization) - 1, "Bearer 7K3M-9QXD-2F4H-8RTV", '-');
    const fake_httpd_header_t headers[] = {{"Host", TEST_IP}, {"Authorization", authorization}};
    const fake_httpd_request_t request = http_fixture_request(HTTP_POST, "/config", headers, 2, CONFIG_FORM);
    http_api_request_t api = http_fixture_api_request(&request);
    static http_fixture_answer_t whole;
    http_fixture_ask_twin(fx, &api, &whole);
    assert_int_equal(whole.resp.status, 200);
    const fake_httpd_response_t *r = assert_answered_as_without(fx, &request, &api, &api.authorization);
    assert_string_equal(r->status, "401 Unauthorized");
    assert_null(http_fixture_stored_name(fx));
}

static void test_a_too_long_accept_language_is_treated_as_absent(void **state)
{
    char languages[300];
    long_value(languages, sizeof(languages) - 1, "en-US,en;q=0.9,es;q=0.1", ',');
    const fake_httpd_header_t headers[] = {{"Host", PORTAL_ADDRESS}, {"Accept-Language", languages}};
    const fake_httpd_request_t request = http_fixture_request(HTTP_GET, "/", headers, COUNT(headers), NULL);
    http_api_request_t api = http_fixture_api_request(&request);
    assert_string_equal(assert_answered_as_without(*state, &request, &api, &api.accept_language)->status,
                        "200 OK");
}

static void test_a_write_on_a_host_name_too_long_to_copy_is_refused(void **state)
{
    /* Host and Origin both too long: http_api would find them the same site; the device does not see them,
     * and refuses (a device's own host name is short: this fails closed). */
    http_fixture_t *fx = *state;
    char host[240];
    long_value(host, sizeof(host) - 1, "irrigation-node-", 'a');
    char origin[260];
    snprintf(origin, sizeof(origin), "http://%s", host);
    const fake_httpd_header_t headers[] = {
        {"Host", host}, {"Origin", origin}, {"Authorization", BEARER_SECRET}};
    const fake_httpd_request_t request = http_fixture_request(HTTP_POST, "/config", headers, 3, CONFIG_FORM);
    const http_api_request_t api = http_fixture_api_request(&request);
    static http_fixture_answer_t whole;
    http_fixture_ask_twin(fx, &api, &whole);
    assert_int_equal(whole.resp.status, 200);
    assert_string_equal(http_fixture_send(fx, &request)->status, "403 Forbidden");
    assert_null(http_fixture_stored_name(fx));
}

static void test_a_too_long_origin_is_refused_as_cross_site(void **state)
{
    /* Not treated as absent: an absent Origin passes the cross-site check. */
    char origin[300];
    long_value(origin, sizeof(origin) - 1, "https://", 'x');
    const fake_httpd_header_t headers[] = {
        {"Host", TEST_IP}, {"Origin", origin}, {"Authorization", BEARER_SECRET}};
    const fake_httpd_request_t request = http_fixture_request(HTTP_POST, "/config", headers, 3, CONFIG_FORM);
    const fake_httpd_response_t *r = http_fixture_exchange(*state, &request); /* http_api refuses it whole */
    assert_string_equal(r->status, "403 Forbidden");
    assert_null(http_fixture_stored_name(*state));
}

/* The wipe checks: needle's presence in static memory at each server call of the request. */
typedef struct {
    const char *needle;
    unsigned calls;
    unsigned seen; /* calls at which it was there */
} memory_watch_t;

static void watch_memory(fake_httpd_call_t call, void *user_arg)
{
    (void)call;
    memory_watch_t *watch = user_arg;
    watch->calls++;
    if (http_fixture_static_memory_contains(watch->needle)) {
        watch->seen++;
    }
}

static void test_the_secret_header_is_wiped_after_the_request(void **state)
{
    http_fixture_t *fx = *state;
    /* Built at run time: the bytes exist only on this stack until the adapter copies them. */
    char authorization[40];
    snprintf(authorization, sizeof(authorization), "%s %s", "Bearer", TEST_SECRET);
    memory_watch_t watch = {.needle = authorization};
    fake_httpd_set_call_hook(watch_memory, &watch);
    const fake_httpd_header_t headers[] = {{"Host", TEST_IP}, {"Authorization", authorization}};
    const fake_httpd_request_t request = http_fixture_request(HTTP_POST, "/config", headers, 2, CONFIG_FORM);
    assert_false(http_fixture_static_memory_contains(authorization));
    assert_string_equal(http_fixture_send(fx, &request)->status, "200 OK");
    /* While the body was read the adapter held the copy (so the search sees its buffers); after, nothing. */
    assert_true(watch.calls > 0);
    assert_true(watch.seen > 0);
    assert_false(http_fixture_static_memory_contains(authorization));
    assert_true(http_fixture_request_block_released());
}

static void test_a_request_without_memory_is_busy_and_leaves_nothing_behind(void **state)
{
    http_fixture_t *fx = *state;
    http_fixture_fail_next_allocations(1);
    const fake_httpd_header_t headers[] = {{"Host", TEST_IP}};
    const fake_httpd_request_t request = http_fixture_request(HTTP_GET, "/whoami", headers, 1, NULL);
    const fake_httpd_response_t *r = http_fixture_send(fx, &request);
    assert_string_equal(r->status, "503 Service Unavailable");
    assert_string_equal(r->body, "{\"error\":\"busy\"}");
    /* the next request has memory again and is answered normally */
    assert_string_equal(http_fixture_send(fx, &request)->status, "200 OK");
    assert_true(http_fixture_request_block_released());
}

static void test_the_body_is_wiped_after_the_request(void **state)
{
    http_fixture_t *fx = *state;
    char secret_field[40];
    snprintf(secret_field, sizeof(secret_field), "setup_secret=%s", "Z9Y8X7W6V5T4S3R2");
    char body[80];
    snprintf(body, sizeof(body), "%s&device_name=Riego", secret_field);
    memory_watch_t watch = {.needle = secret_field};
    fake_httpd_set_call_hook(watch_memory, &watch);
    fake_httpd_set_recv_behaviour(8, 0); /* the body arrives in pieces: some calls come after the field */
    const fake_httpd_header_t headers[] = {{"Host", TEST_IP}};
    const fake_httpd_request_t request = http_fixture_request(HTTP_POST, "/config", headers, 1, body);
    assert_string_equal(http_fixture_send(fx, &request)->status, "401 Unauthorized");
    assert_true(watch.seen > 0);
    assert_false(http_fixture_static_memory_contains(secret_field));
}

static void test_headers_and_body_are_wiped_when_the_client_stops_mid_body(void **state)
{
    http_fixture_t *fx = *state;
    char authorization[40];
    snprintf(authorization, sizeof(authorization), "%s %s", "Bearer", TEST_SECRET);
    char name[24];
    snprintf(name, sizeof(name), "%s-%s", "Riego", "Oeste-7");
    char body[40];
    snprintf(body, sizeof(body), "device_name=%s", name);
    const fake_httpd_header_t headers[] = {{"Host", TEST_IP}, {"Authorization", authorization}};
    fake_httpd_request_t request = http_fixture_request(HTTP_POST, "/config", headers, 2, body);
    request.content_len = 100; /* announced, never sent */
    const fake_httpd_response_t *r = http_fixture_send(fx, &request);
    assert_false(r->sent);
    assert_int_equal(r->body_bytes_read, strlen(body)); /* all of it was read into the adapter */
    assert_false(http_fixture_static_memory_contains(authorization));
    assert_false(http_fixture_static_memory_contains(name)); /* the end of the body */
}

static void test_headers_are_wiped_after_a_413(void **state)
{
    http_fixture_t *fx = *state;
    char authorization[40];
    snprintf(authorization, sizeof(authorization), "%s %s", "Bearer", TEST_SECRET);
    const fake_httpd_header_t headers[] = {{"Host", TEST_IP}, {"Authorization", authorization}};
    fake_httpd_request_t request = http_fixture_request(HTTP_POST, "/config", headers, 2, NULL);
    request.content_len = HTTP_API_MAX_BODY + 1;
    assert_string_equal(http_fixture_send(fx, &request)->status, "413 Payload Too Large");
    assert_false(http_fixture_static_memory_contains(authorization));
}

/* POST /provision from Chrome on an Android phone (the setup form without JavaScript): 806 bytes of header
 * lines with the Content-Length the fake adds. */
static const fake_httpd_header_t PHONE_HEADERS[] = {
    {"Host", PORTAL_ADDRESS},
    {"Connection", "keep-alive"},
    {"Cache-Control", "max-age=0"},
    {"sec-ch-ua", "\"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\", \"Google Chrome\";v=\"131\""},
    {"sec-ch-ua-mobile", "?1"},
    {"sec-ch-ua-platform", "\"Android\""},
    {"Origin", "http://" PORTAL_ADDRESS},
    {"Content-Type", "application/x-www-form-urlencoded"},
    {"Upgrade-Insecure-Requests", "1"},
    {"User-Agent", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/131.0.0.0 Mobile Safari/537.36"},
    {"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;"
               "q=0.8,application/signed-exchange;v=b3;q=0.7"},
    {"Sec-Fetch-Site", "same-origin"},
    {"Sec-Fetch-Mode", "navigate"},
    {"Sec-Fetch-User", "?1"},
    {"Sec-Fetch-Dest", "document"},
    {"Referer", "http://" PORTAL_ADDRESS "/"},
    {"Accept-Encoding", "gzip, deflate"},
    {"Accept-Language", "es-419,es;q=0.9,en;q=0.8"},
};

#define PHONE_FORM                                                                                \
    "ssid=Finca&password=clave-segura&device_name=Riego+Norte&location_description=Lote+3&setup_" \
    "secret=" TEST_SECRET

static fake_httpd_request_t phone_post(void)
{
    return http_fixture_request(HTTP_POST, "/provision", PHONE_HEADERS, COUNT(PHONE_HEADERS), PHONE_FORM);
}

static void test_a_phone_browsers_headers_fit_the_projects_header_limit(void **state)
{
    fake_httpd_set_max_req_hdr_len(SDKCONFIG_DEFAULTS_HTTPD_MAX_REQ_HDR_LEN);
    const fake_httpd_request_t request = phone_post();
    const fake_httpd_response_t *r = http_fixture_exchange(*state, &request);
    assert_int_equal(r->request_header_bytes, 806);
    assert_string_equal(r->status, "200 OK");
}

static void test_esp_idfs_default_header_limit_answers_a_phone_431(void **state)
{
    http_fixture_t *fx = *state;
    fake_httpd_set_max_req_hdr_len(512); /* ESP-IDF's default CONFIG_HTTPD_MAX_REQ_HDR_LEN */
    const fake_httpd_request_t request = phone_post();
    const unsigned posts = fx->device->fakes.executor.posts;
    const fake_httpd_response_t *r = http_fixture_send(fx, &request);
    assert_false(r->handled); /* answered by the server: the adapter never saw it */
    assert_string_equal(r->status, "431 Request Header Fields Too Large");
    assert_string_equal(r->body, "Header fields are too long");
    assert_int_equal(fx->device->fakes.executor.posts, posts);
}

static void test_the_header_limit_counts_the_whole_section_against_the_servers_buffer(void **state)
{
    http_fixture_t *fx = *state;
    fake_httpd_set_max_req_hdr_len(SDKCONFIG_DEFAULTS_HTTPD_MAX_REQ_HDR_LEN);
    const size_t capacity = fake_httpd_header_capacity();
    assert_int_equal(capacity, SDKCONFIG_DEFAULTS_HTTPD_MAX_REQ_HDR_LEN + 1);
    /* One line "X-Fill: <value>\r\n" and the blank line: the value fills the buffer exactly, then one more.
     */
    static char fill[2048];
    const size_t value_len = capacity - strlen("X-Fill") - 4 - 2;
    long_value(fill, value_len, "", 'f');
    const fake_httpd_header_t headers[] = {{"X-Fill", fill}};
    const fake_httpd_request_t request = http_fixture_request(HTTP_GET, "/ping", headers, 1, NULL);
    assert_string_equal(http_fixture_send(fx, &request)->body, "pong");
    long_value(fill, value_len + 1, "", 'f');
    assert_string_equal(http_fixture_send(fx, &request)->status, "431 Request Header Fields Too Large");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        HTTP_FIXTURE_STATION(test_a_write_with_the_bearer_secret_is_accepted),
        HTTP_FIXTURE_STATION(test_a_write_without_the_secret_is_401_with_www_authenticate),
        HTTP_FIXTURE_STATION(test_a_wrong_secret_is_401),
        HTTP_FIXTURE_STATION(test_basic_authorization_with_the_secret_as_password_is_accepted),
        HTTP_FIXTURE_STATION(test_header_names_are_matched_whatever_their_case),
        HTTP_FIXTURE_STATION(test_a_same_origin_write_is_accepted),
        HTTP_FIXTURE_STATION(test_a_write_from_another_sites_origin_is_403),
        HTTP_FIXTURE_STATION(test_a_write_marked_cross_site_by_the_browser_is_403),
        HTTP_FIXTURE_STATION(test_a_second_write_within_the_interval_is_429_with_retry_after),
        HTTP_FIXTURE_PROVISIONING(test_an_unknown_page_in_provisioning_mode_is_302_to_the_setup_page),
        HTTP_FIXTURE_PROVISIONING(test_accept_language_chooses_the_setup_page_language),
        HTTP_FIXTURE_STATION(test_a_too_long_authorization_is_treated_as_absent),
        HTTP_FIXTURE_PROVISIONING(test_a_too_long_accept_language_is_treated_as_absent),
        HTTP_FIXTURE_STATION(test_a_write_on_a_host_name_too_long_to_copy_is_refused),
        HTTP_FIXTURE_STATION(test_a_too_long_origin_is_refused_as_cross_site),
        HTTP_FIXTURE_STATION(test_the_secret_header_is_wiped_after_the_request),
        HTTP_FIXTURE_STATION(test_a_request_without_memory_is_busy_and_leaves_nothing_behind),
        HTTP_FIXTURE_STATION(test_the_body_is_wiped_after_the_request),
        HTTP_FIXTURE_STATION(test_headers_and_body_are_wiped_when_the_client_stops_mid_body),
        HTTP_FIXTURE_STATION(test_headers_are_wiped_after_a_413),
        HTTP_FIXTURE_PROVISIONING(test_a_phone_browsers_headers_fit_the_projects_header_limit),
        HTTP_FIXTURE_PROVISIONING(test_esp_idfs_default_header_limit_answers_a_phone_431),
        HTTP_FIXTURE_STATION(test_the_header_limit_counts_the_whole_section_against_the_servers_buffer),
    };
    return cmocka_run_group_tests_name("http_adapter_headers", tests, NULL, NULL);
}
