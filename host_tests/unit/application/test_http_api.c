/* http_api: every route, status code and body. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_test_support.h"
#include "application/http_api.h"

/* One request as the device's owner sends it: POSTs carry the setup secret as a bearer token. */
static void handle_as_owner(struct application *app, http_api_method_t method, const char *path,
                            const char *body, size_t body_len, char *out, size_t out_size,
                            http_api_response_t *resp)
{
    const http_api_request_t req = {
        .method = method,
        .path = path,
        .body = body,
        .body_len = body_len,
        .authorization = method == HTTP_API_POST ? "Bearer " TEST_SECRET : NULL,
        .host = "192.168.1.50",
    };
    http_api_handle(app, &req, out, out_size, resp);
}

typedef struct {
    http_api_response_t resp;
    char body[HTTP_API_RESPONSE_MAX];
} response_t;

static int setup(void **state)
{
    app_fixture_t *f = app_fixture_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    app_fixture_free(*state);
    return 0;
}

static response_t request(app_fixture_t *f, http_api_method_t method, const char *path, const char *body)
{
    response_t r;
    memset(&r, 0, sizeof(r));
    handle_as_owner(&f->app, method, path, body, body == NULL ? 0 : strlen(body), r.body, sizeof(r.body),
                    &r.resp);
    assert_int_equal(r.resp.body_len, strlen(r.body));
    return r;
}

static void assert_response(const response_t *r, uint16_t status, const char *content_type, const char *body)
{
    assert_int_equal(r->resp.status, status);
    assert_string_equal(r->resp.content_type, content_type);
    assert_string_equal(r->body, body);
}

/*
 * A minimal reader for the flat JSON objects the API returns: finds "key": and decodes the string value
 * (escapes \" \\ \/ \b \f \n \r \t \uXXXX for the BMP) into out. Returns false when absent or not a string.
 */
static bool json_string_field(const char *json, const char *key, char *out, size_t out_size)
{
    char pattern[64];
    snprintf(pattern, sizeof(pattern), "\"%s\":\"", key);
    const char *p = strstr(json, pattern);
    if (p == NULL) {
        return false;
    }
    p += strlen(pattern);
    size_t n = 0;
    while (*p != '"') {
        if (*p == '\0' || n + 4 >= out_size) {
            return false;
        }
        if (*p != '\\') {
            out[n++] = *p++;
            continue;
        }
        p++;
        switch (*p) {
            case '"':
                out[n++] = '"';
                break;
            case '\\':
                out[n++] = '\\';
                break;
            case '/':
                out[n++] = '/';
                break;
            case 'b':
                out[n++] = '\b';
                break;
            case 'f':
                out[n++] = '\f';
                break;
            case 'n':
                out[n++] = '\n';
                break;
            case 'r':
                out[n++] = '\r';
                break;
            case 't':
                out[n++] = '\t';
                break;
            case 'u': {
                char hex[5] = {p[1], p[2], p[3], p[4], '\0'};
                unsigned long cp = strtoul(hex, NULL, 16);
                if (cp < 0x80) {
                    out[n++] = (char)cp;
                } else if (cp < 0x800) {
                    out[n++] = (char)(0xC0 | (cp >> 6));
                    out[n++] = (char)(0x80 | (cp & 0x3F));
                } else {
                    out[n++] = (char)(0xE0 | (cp >> 12));
                    out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    out[n++] = (char)(0x80 | (cp & 0x3F));
                }
                p += 4;
                break;
            }
            default:
                return false;
        }
        p++;
    }
    out[n] = '\0';
    return true;
}

static void assert_json_string(const char *json, const char *key, const char *expected)
{
    char value[512];
    if (!json_string_field(json, key, value, sizeof(value))) {
        fail_msg("field %s missing in %s", key, json);
    }
    assert_string_equal(value, expected);
}

/* ---- /ping ---- */

static void test_ping_answers_pong(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    response_t r = request(f, HTTP_API_GET, "/ping", NULL);
    assert_response(&r, 200, "text/plain", "pong");
}

static void test_ping_answers_even_when_the_lock_is_busy(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    fake_lock_set_busy(&f->fakes.lock, true);
    response_t r = request(f, HTTP_API_GET, "/ping", NULL);
    assert_int_equal(r.resp.status, 200);
}

/* ---- /whoami ---- */

static void test_whoami_body_with_defaults(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    fake_timer_set_now(&f->fakes.timer, 61999);
    response_t r = request(f, HTTP_API_GET, "/whoami", NULL);
    assert_response(&r, 200, "application/json",
                    "{\"mac_address\":\"A4:CF:12:0B:8E:01\",\"device_name\":\"ESP32-Riego\","
                    "\"ip_address\":\"192.168.1.50\",\"location_description\":\"Sin ubicacion configurada\","
                    "\"firmware_version\":\"0.1.0\",\"uptime_s\":61,\"mqtt_state\":\"registered\"}");
}

static void test_whoami_fields_with_quotes_and_accents_parse_back(void **state)
{
    app_fixture_t *f = *state;
    const char *name = "Bomba \"Norte\" \\ Cami\xC3\xB3n";
    const char *location = "Vereda El Ca\xC3\xB1\xC3\xB3n\tLote 3 \xE2\x80\x94 \xF0\x9F\x8C\xB1";
    fake_config_repository_set(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME, name);
    fake_config_repository_set(&f->fakes.config, CONFIG_FIELD_LOCATION, location);
    assert_int_equal(app_fixture_start(f), APP_OK);
    app_fixture_network_up(f, "10.1.2.3");
    response_t r = request(f, HTTP_API_GET, "/whoami", NULL);
    assert_int_equal(r.resp.status, 200);
    assert_json_string(r.body, "mac_address", TEST_MAC);
    assert_json_string(r.body, "device_name", name);
    assert_json_string(r.body, "ip_address", "10.1.2.3");
    assert_json_string(r.body, "location_description", location);
    assert_json_string(r.body, "firmware_version", "0.1.0");
    assert_json_string(r.body, "mqtt_state", "waiting");
    assert_non_null(strstr(r.body, "\"uptime_s\":0,"));
}

static void test_whoami_without_ip_reports_null(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    response_t r = request(f, HTTP_API_GET, "/whoami", NULL);
    assert_int_equal(r.resp.status, 200);
    assert_non_null(strstr(r.body, "\"ip_address\":null,"));
}

static void test_whoami_with_invalid_utf8_firmware_version_stays_valid_json(void **state)
{
    app_fixture_t *f = *state;
    strcpy(f->settings.firmware_version, "1.0\xFF");
    assert_int_equal(app_fixture_start(f), APP_OK);
    response_t r = request(f, HTTP_API_GET, "/whoami", NULL);
    assert_non_null(strstr(r.body, "\"firmware_version\":\"\","));
}

static void test_query_string_is_ignored(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    response_t r = request(f, HTTP_API_GET, "/whoami?probe=1", NULL);
    assert_int_equal(r.resp.status, 200);
}

/* ---- /status ---- */

static void test_status_body_when_registered(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);
    fake_timer_set_now(&f->fakes.timer, 5000);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    fake_timer_set_now(&f->fakes.timer, 7500);
    response_t r = request(f, HTTP_API_GET, "/status", NULL);
    assert_response(
        &r, 200, "application/json",
        "{\"state\":\"registered\",\"mqtt_enabled\":true,\"connect_attempts\":1,"
        "\"consecutive_failures\":0,\"next_retry_ms\":0,\"registrations\":1,"
        "\"last_registration\":{\"uptime_ms\":5000,\"ip_address\":\"192.168.1.50\"},"
        "\"pending_msg_id\":null,\"last_error\":null,\"broker_uri\":\"ws://mqtt.iot.liwaisi.tech:80/mqtt\","
        "\"broker_index\":0,\"registration_timeout_ms\":20000,\"degraded\":[],\"free_heap\":200000,"
        "\"min_free_heap\":150000,\"largest_free_block\":110592,"
        "\"stack_high_water\":{\"app\":2100,\"mqtt\":2600,\"http\":null},\"reset_reason\":\"power_on\","
        "\"uptime_s\":7,\"wifi_state\":\"connected\",\"wifi_mode\":\"station\",\"provisioning\":false}");
}

static void test_status_body_in_backoff(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    app_fixture_mqtt_error(f, APP_MQTT_ERROR_TRANSPORT, 111);
    app_fixture_event(f, APP_EVENT_MQTT_DISCONNECTED);
    f->fakes.system.free_heap = 1234;
    f->fakes.system.min_free_heap = 999;
    response_t r = request(f, HTTP_API_GET, "/status", NULL);
    assert_response(
        &r, 200, "application/json",
        "{\"state\":\"backoff\",\"mqtt_enabled\":true,\"connect_attempts\":1,"
        "\"consecutive_failures\":1,\"next_retry_ms\":30000,\"registrations\":0,"
        "\"last_registration\":null,\"pending_msg_id\":null,"
        "\"last_error\":\"mqtt error: transport (code "
        "111)\",\"broker_uri\":\"ws://mqtt.iot.liwaisi.tech:80/mqtt\","
        "\"broker_index\":0,\"registration_timeout_ms\":20000,\"degraded\":[],\"free_heap\":1234,"
        "\"min_free_heap\":999,\"largest_free_block\":110592,"
        "\"stack_high_water\":{\"app\":2100,\"mqtt\":2600,\"http\":null},\"reset_reason\":\"power_on\","
        "\"uptime_s\":0,\"wifi_state\":\"connected\",\"wifi_mode\":\"station\",\"provisioning\":false}");
}

static void test_status_names_what_is_degraded_and_what_is_unknown(void **state)
{
    app_fixture_t *f = *state;
    f->settings.storage_unavailable = true;
    f->settings.security.setup_secret[0] = '\0';
    strcpy(f->settings.mqtt.broker_uri, "http://not-a-broker");
    assert_int_not_equal(app_fixture_start(f), APP_OK);
    f->fakes.system.runtime.largest_free_block = -1;
    f->fakes.system.runtime.stack_high_water[SYSTEM_INFO_TASK_APP] = -1;
    f->fakes.system.runtime.stack_high_water[SYSTEM_INFO_TASK_MQTT] = -1;
    f->fakes.system.runtime.reset_reason = NULL;
    response_t r = request(f, HTTP_API_GET, "/status", NULL);
    assert_int_equal(r.resp.status, 200);
    assert_non_null(strstr(r.body, "\"broker_uri\":\"\""));
    assert_non_null(
        strstr(r.body, "\"degraded\":[\"storage unavailable\",\"no setup secret\",\"mqtt disabled\"]"));
    assert_non_null(strstr(r.body,
                           "\"largest_free_block\":null,\"stack_high_water\":{\"app\":null,\"mqtt\":null,"
                           "\"http\":null},\"reset_reason\":null"));
}

static void test_status_shows_the_pending_message(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);
    response_t r = request(f, HTTP_API_GET, "/status", NULL);
    assert_non_null(strstr(r.body, "\"state\":\"registering\""));
    assert_non_null(strstr(r.body, "\"pending_msg_id\":1,"));
}

static void test_status_with_mqtt_disabled(void **state)
{
    app_fixture_t *f = *state;
    f->settings.mqtt.topic[0] = '\0';
    assert_int_equal(app_fixture_start(f), APP_ERR_BAD_TOPIC);
    response_t r = request(f, HTTP_API_GET, "/status", NULL);
    assert_int_equal(r.resp.status, 200);
    assert_non_null(strstr(r.body, "\"state\":\"waiting\",\"mqtt_enabled\":false,"));
    assert_non_null(strstr(r.body, "\"last_error\":\"mqtt disabled: topic is empty\""));
    r = request(f, HTTP_API_GET, "/whoami", NULL);
    assert_int_equal(r.resp.status, 200);
}

/* ---- errors common to every route ---- */

static void test_unknown_path_is_404(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    response_t r = request(f, HTTP_API_GET, "/nope", NULL);
    assert_response(&r, 404, "application/json", "{\"error\":\"not found\"}");
    r = request(f, HTTP_API_GET, "/whoami/extra", NULL);
    assert_int_equal(r.resp.status, 404);
    r = request(f, HTTP_API_POST, "/", "a=b");
    assert_int_equal(r.resp.status, 404);
}

typedef struct {
    http_api_method_t method;
    const char *path;
} method_case_t;

static void test_wrong_method_is_405(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    static const method_case_t cases[] = {
        {HTTP_API_POST, "/whoami"}, {HTTP_API_POST, "/ping"},    {HTTP_API_POST, "/status"},
        {HTTP_API_GET, "/config"},  {HTTP_API_OTHER, "/whoami"}, {HTTP_API_OTHER, "/config"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        response_t r = request(f, cases[i].method, cases[i].path, NULL);
        assert_response(&r, 405, "application/json", "{\"error\":\"method not allowed\"}");
    }
}

static void test_unread_oversized_body_is_413(void **state)
{
    /* esp_http_server does not read a body it is going to refuse: it passes only the announced length. */
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    response_t r;
    memset(&r, 0, sizeof(r));
    handle_as_owner(&f->app, HTTP_API_POST, "/config", NULL, HTTP_API_MAX_BODY + 1, r.body, sizeof(r.body),
                    &r.resp);
    assert_response(&r, 413, "application/json", "{\"error\":\"body too large\"}");
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_DEVICE_NAME], 0);
}

static void test_body_over_the_limit_is_413(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    static char body[HTTP_API_MAX_BODY + 2];
    memcpy(body, "device_name=", 12);
    memset(body + 12, 'n', HTTP_API_MAX_BODY + 1 - 12);
    body[HTTP_API_MAX_BODY + 1] = '\0';
    response_t r = request(f, HTTP_API_POST, "/config", body);
    assert_response(&r, 413, "application/json", "{\"error\":\"body too large\"}");
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_DEVICE_NAME], 0);
}

static void test_busy_lock_is_503_on_every_route_that_reads_state(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    fake_lock_set_busy(&f->fakes.lock, true);
    static const method_case_t cases[] = {
        {HTTP_API_GET, "/whoami"}, {HTTP_API_GET, "/status"}, {HTTP_API_POST, "/config"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        response_t r = request(f, cases[i].method, cases[i].path, "device_name=Riego");
        assert_response(&r, 503, "application/json", "{\"error\":\"busy\"}");
    }
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_DEVICE_NAME], 0);
    fake_lock_set_busy(&f->fakes.lock, false);
    response_t r = request(f, HTTP_API_GET, "/whoami", NULL);
    assert_int_equal(r.resp.status, 200);
}

static void test_config_lock_timeout_after_storing_answers_the_stored_values(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    /* comparing with the cache and taking the write slot get the lock; caching the stored value does not: the
     * write still succeeded */
    fake_lock_fail_after(&f->fakes.lock, 2, 1);
    response_t r = request(f, HTTP_API_POST, "/config", "device_name=Riego");
    assert_response(&r, 200, "application/json",
                    "{\"device_name\":\"Riego\",\"location_description\":\"Sin ubicacion configurada\"}");
    /* stored, and the application task refreshes the cache from storage */
    assert_string_equal(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME), "Riego");
    fake_executor_run_all(&f->fakes.executor);
    assert_string_equal(app_fixture_status(f).device_name, "Riego");
}

static void test_null_and_small_buffers_are_handled(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    http_api_response_t resp;
    char out[HTTP_API_RESPONSE_MAX];
    handle_as_owner(&f->app, HTTP_API_GET, "/ping", NULL, 0, NULL, 0, &resp);
    assert_int_equal(resp.status, 500);
    assert_int_equal(resp.body_len, 0);
    handle_as_owner(&f->app, HTTP_API_GET, "/ping", NULL, 0, out, sizeof(out), NULL); /* ignored */
    handle_as_owner(NULL, HTTP_API_GET, "/ping", NULL, 0, out, sizeof(out), &resp);
    assert_int_equal(resp.status, 500);
    assert_string_equal(out, "{\"error\":\"internal error\"}");
    handle_as_owner(&f->app, HTTP_API_GET, NULL, NULL, 0, out, sizeof(out), &resp);
    assert_int_equal(resp.status, 500);
    handle_as_owner(&f->app, HTTP_API_POST, "/config", NULL, 5, out, sizeof(out), &resp);
    assert_int_equal(resp.status, 500);

    char small[40];
    handle_as_owner(&f->app, HTTP_API_GET, "/whoami", NULL, 0, small, sizeof(small), &resp);
    assert_int_equal(resp.status, 500);
    assert_string_equal(small, "{\"error\":\"response too large\"}");
    char smaller[24];
    handle_as_owner(&f->app, HTTP_API_GET, "/whoami", NULL, 0, smaller, sizeof(smaller), &resp);
    assert_int_equal(resp.status, 500);
    assert_int_equal(resp.body_len, 0);
    assert_string_equal(smaller, "");
    char tiny[4];
    handle_as_owner(&f->app, HTTP_API_GET, "/ping", NULL, 0, tiny, sizeof(tiny), &resp);
    assert_int_equal(resp.status, 500);
    assert_int_equal(resp.body_len, 0);
    handle_as_owner(&f->app, HTTP_API_GET, "/nope", NULL, 0, tiny, sizeof(tiny), &resp);
    assert_int_equal(resp.status, 500);
    assert_string_equal(tiny, "");
}

static void test_route_table_lists_the_four_routes_and_the_setup_routes(void **state)
{
    (void)state;
    assert_int_equal(http_api_route_count, 7);
    for (size_t i = 0; i < 4; i++) {
        assert_false(http_api_routes[i].provisioning_only);
    }
    for (size_t i = 4; i < 7; i++) {
        assert_true(http_api_routes[i].provisioning_only);
    }
    assert_string_equal(http_api_routes[4].path, "/");
    assert_string_equal(http_api_routes[5].path, "/scan");
    assert_int_equal(http_api_routes[6].method, HTTP_API_POST);
    assert_string_equal(http_api_routes[6].path, "/provision");
    assert_int_equal(http_api_routes[0].method, HTTP_API_GET);
    assert_string_equal(http_api_routes[0].path, "/whoami");
    assert_string_equal(http_api_routes[1].path, "/ping");
    assert_string_equal(http_api_routes[2].path, "/status");
    assert_int_equal(http_api_routes[3].method, HTTP_API_POST);
    assert_string_equal(http_api_routes[3].path, "/config");
}

/* ---- POST /config ---- */

/* ---- write protection ---- */

static response_t send_request(app_fixture_t *f, const http_api_request_t *req)
{
    response_t r;
    memset(&r, 0, sizeof(r));
    http_api_handle(&f->app, req, r.body, sizeof(r.body), &r.resp);
    assert_int_equal(r.resp.body_len, strlen(r.body));
    return r;
}

static http_api_request_t config_post(const char *body, const char *authorization)
{
    http_api_request_t req;
    memset(&req, 0, sizeof(req));
    req.method = HTTP_API_POST;
    req.path = "/config";
    req.body = body;
    req.body_len = strlen(body);
    req.authorization = authorization;
    req.host = "192.168.1.50";
    return req;
}

static void test_a_write_without_the_secret_is_401_and_stores_nothing(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    static const char *const refused[] = {NULL, "Bearer 7K3M9QXD2F4H8RTW", "Basic dGVjbmljbzp3cm9uZw=="};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        http_api_request_t req = config_post("device_name=Intruso", refused[i]);
        response_t r = send_request(f, &req);
        assert_response(&r, 401, "application/json", "{\"error\":\"setup secret required\"}");
        assert_string_equal(r.resp.www_authenticate, "Bearer realm=\"irrigation-node\"");
    }
    http_api_request_t field = config_post("device_name=Intruso&setup_secret=WRONGWRONGWRONG1", NULL);
    assert_int_equal(send_request(f, &field).resp.status, 401);
    assert_null(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME));
    assert_int_equal(app_fixture_registrations_sent(f), 1);
    /* reading stays open: the central server's health check needs no secret */
    assert_int_equal(request(f, HTTP_API_GET, "/whoami", NULL).resp.status, 200);
}

static void test_a_cross_site_write_is_403_even_with_the_secret(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    http_api_request_t req = config_post("device_name=Intruso", "Bearer " TEST_SECRET);
    req.origin = "http://evil.example";
    response_t r = send_request(f, &req);
    assert_response(&r, 403, "application/json", "{\"error\":\"cross-site request refused\"}");
    req.origin = NULL;
    req.sec_fetch_site = "cross-site";
    assert_int_equal(send_request(f, &req).resp.status, 403);
    /* refused before the body is looked at: a cross-site over-long body is 403, not 413 */
    req.body = NULL;
    req.body_len = HTTP_API_MAX_BODY + 1;
    assert_int_equal(send_request(f, &req).resp.status, 403);
    assert_null(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME));
    /* the device's own page (same origin) may write */
    http_api_request_t own = config_post("device_name=Riego", "Bearer " TEST_SECRET);
    own.origin = "http://192.168.1.50";
    own.sec_fetch_site = "same-origin";
    assert_int_equal(send_request(f, &own).resp.status, 200);
}

static void test_changes_sooner_than_the_interval_are_429_with_retry_after(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    fake_timer_set_now(&f->fakes.timer, 100000);
    assert_int_equal(request(f, HTTP_API_POST, "/config", "device_name=Uno").resp.status, 200);
    fake_timer_set_now(&f->fakes.timer, 103500);
    response_t r = request(f, HTTP_API_POST, "/config", "device_name=Dos");
    assert_response(&r, 429, "application/json", "{\"error\":\"too many changes: try again in 7 s\"}");
    assert_int_equal(r.resp.retry_after_s, 7);
    assert_string_equal(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME), "Uno");
    /* sending the values in effect again is no change: answered, nothing written, no slot taken */
    const unsigned stores = f->fakes.config.store_calls[CONFIG_FIELD_DEVICE_NAME];
    assert_int_equal(request(f, HTTP_API_POST, "/config", "device_name=Uno").resp.status, 200);
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_DEVICE_NAME], stores);
    fake_timer_set_now(&f->fakes.timer, 110000);
    assert_int_equal(request(f, HTTP_API_POST, "/config", "device_name=Dos").resp.status, 200);
    assert_string_equal(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME), "Dos");
}

static void test_values_are_trimmed_before_the_limits_and_stored_trimmed(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    /* 99 bytes between a space at each end: within the 100-byte limit once trimmed */
    char body[256];
    int n = snprintf(body, sizeof(body), "device_name=+");
    for (int i = 0; i < 99; i++) {
        body[n++] = 'n';
    }
    snprintf(body + n, sizeof(body) - (size_t)n, "+");
    response_t r = request(f, HTTP_API_POST, "/config", body);
    assert_int_equal(r.resp.status, 200);
    char expected[128];
    memset(expected, 'n', 99);
    expected[99] = '\0';
    assert_string_equal(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME), expected);
    assert_non_null(strstr(r.body, expected));
    assert_null(strstr(r.body, " n")); /* the answer shows what is stored */
    fake_timer_set_now(&f->fakes.timer, 20000);
    r = request(f, HTTP_API_POST, "/config", "location_description=%09Lote+3%0A");
    assert_response(
        &r, 200, "application/json",
        "{\"device_name\":\"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
        "nnnnnnnnnnnnnnnnnnnnnn\",\"location_description\":\"Lote 3\"}");
    assert_string_equal(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_LOCATION), "Lote 3");
}

static void test_config_name_is_stored_and_returned(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    response_t r = request(f, HTTP_API_POST, "/config", "device_name=Riego+%22Norte%22");
    assert_response(
        &r, 200, "application/json",
        "{\"device_name\":\"Riego \\\"Norte\\\"\",\"location_description\":\"Sin ubicacion configurada\"}");
    assert_string_equal(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME),
                        "Riego \"Norte\"");
    /* the registration goes out again with the new name */
    fake_executor_run_all(&f->fakes.executor);
    assert_int_equal(app_fixture_registrations_sent(f), 2);
    assert_non_null(
        strstr(app_fixture_last_registration(f)->payload, "\"device_name\":\"Riego \\\"Norte\\\"\""));
}

static void test_config_location_only(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    response_t r = request(f, HTTP_API_POST, "/config", "location_description=Lote+%C3%91andu");
    assert_response(&r, 200, "application/json",
                    "{\"device_name\":\"ESP32-Riego\",\"location_description\":\"Lote \xC3\x91"
                    "andu\"}");
    assert_null(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME));
}

static void test_config_name_of_101_bytes_is_400_and_nothing_stored(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    char body[160] = "device_name=";
    memset(body + 12, 'n', 101);
    body[12 + 101] = '\0';
    response_t r = request(f, HTTP_API_POST, "/config", body);
    assert_response(&r, 400, "application/json", "{\"error\":\"device_name is longer than 100 bytes\"}");
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_DEVICE_NAME], 0);
    assert_int_equal(f->fakes.executor.count, 0);
}

static void test_config_name_of_100_bytes_is_accepted(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    char body[160] = "device_name=";
    memset(body + 12, 'n', 100);
    body[12 + 100] = '\0';
    response_t r = request(f, HTTP_API_POST, "/config", body);
    assert_int_equal(r.resp.status, 200);
    assert_int_equal(strlen(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME)), 100);
}

typedef struct {
    const char *body;
    const char *expected;
} bad_config_case_t;

static void test_config_invalid_forms_are_400_with_the_reason(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    static char location_251[300];
    strcpy(location_251, "location_description=");
    memset(location_251 + strlen(location_251), 'l', 251);
    static const bad_config_case_t cases[] = {
        {"", "{\"error\":\"device_name or location_description required\"}"},
        {"other=1", "{\"error\":\"device_name or location_description required\"}"},
        {"device_name=", "{\"error\":\"device_name is empty or only white space\"}"},
        {"device_name=+++", "{\"error\":\"device_name is empty or only white space\"}"},
        {"device_name=%FF", "{\"error\":\"device_name is not valid UTF-8\"}"},
        {"device_name=%G0", "{\"error\":\"device_name is not correctly form-encoded\"}"},
        {"device_name=ok&location_description=%",
         "{\"error\":\"location_description is not correctly form-encoded\"}"},
        {"device_name=ok&location_description=",
         "{\"error\":\"location_description is empty or only white space\"}"},
        {location_251, "{\"error\":\"location_description is longer than 250 bytes\"}"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        response_t r = request(f, HTTP_API_POST, "/config", cases[i].body);
        assert_response(&r, 400, "application/json", cases[i].expected);
    }
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_DEVICE_NAME], 0);
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_LOCATION], 0);
}

static void test_config_without_body_is_400(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    response_t r = request(f, HTTP_API_POST, "/config", NULL);
    assert_response(&r, 400, "application/json",
                    "{\"error\":\"device_name or location_description required\"}");
}

static void test_config_storage_error_is_500(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    fake_script_push(&f->fakes.config.store_results[CONFIG_FIELD_DEVICE_NAME], APP_ERR_STORAGE);
    response_t r = request(f, HTTP_API_POST, "/config", "device_name=Riego");
    assert_response(&r, 500, "application/json", "{\"error\":\"storage error\"}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ping_answers_pong, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ping_answers_even_when_the_lock_is_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whoami_body_with_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whoami_fields_with_quotes_and_accents_parse_back, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_whoami_without_ip_reports_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whoami_with_invalid_utf8_firmware_version_stays_valid_json,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_string_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_body_when_registered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_body_in_backoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_names_what_is_degraded_and_what_is_unknown, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_status_shows_the_pending_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_with_mqtt_disabled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_path_is_404, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_method_is_405, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_over_the_limit_is_413, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unread_oversized_body_is_413, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy_lock_is_503_on_every_route_that_reads_state, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_config_lock_timeout_after_storing_answers_the_stored_values,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_and_small_buffers_are_handled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_route_table_lists_the_four_routes_and_the_setup_routes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_write_without_the_secret_is_401_and_stores_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_cross_site_write_is_403_even_with_the_secret, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changes_sooner_than_the_interval_are_429_with_retry_after, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_values_are_trimmed_before_the_limits_and_stored_trimmed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_config_name_is_stored_and_returned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_location_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_name_of_101_bytes_is_400_and_nothing_stored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_config_name_of_100_bytes_is_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_invalid_forms_are_400_with_the_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_without_body_is_400, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_storage_error_is_500, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
