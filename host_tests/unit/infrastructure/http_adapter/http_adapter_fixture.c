/* http_adapter_fixture: see the header. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http_adapter_fixture.h"

#include "fake_esp_log.h"
#include "fake_freertos.h"
#include "http_adapter.h"

#include <stddef.h>

/* glibc and the GNU linker script: the first byte of the executable's .data and the first byte past its
 * .bss. Every static of the test binary (static libraries included) lies between them. */
extern char __data_start[];
extern char _end[];

/* The adapter's per-request block, served from static memory instead of the heap: the memory searches below
 * then see it while a request runs, and what the adapter left in it after the request (it must wipe it
 * before giving it back). One request at a time, like the server task. */
static _Alignas(max_align_t) unsigned char s_request_arena[8192];
static bool s_arena_in_use;
static unsigned s_arena_allocations;
static unsigned s_arena_failures_left;

static void *arena_alloc(size_t size)
{
    if (s_arena_failures_left > 0) {
        s_arena_failures_left--;
        return NULL;
    }
    assert_true(size <= sizeof(s_request_arena));
    assert_false(s_arena_in_use); /* never two requests at once */
    s_arena_in_use = true;
    s_arena_allocations++;
    return s_request_arena;
}

static void arena_free(void *ptr)
{
    assert_ptr_equal(ptr, s_request_arena);
    s_arena_in_use = false;
}

void http_fixture_fail_next_allocations(unsigned count)
{
    s_arena_failures_left = count;
}

bool http_fixture_request_block_released(void)
{
    return s_arena_allocations > 0 && !s_arena_in_use;
}

void http_fixture_start(http_fixture_t *fx, bool provisioning)
{
    http_adapter_set_allocator(arena_alloc, arena_free);
    s_arena_in_use = false;
    s_arena_allocations = 0;
    s_arena_failures_left = 0;
    fake_esp_log_reset();
    fake_esp_log_set_echo(0);
    fake_httpd_reset();
    fake_httpd_set_max_req_hdr_len(SDKCONFIG_DEFAULTS_HTTPD_MAX_REQ_HDR_LEN);
    fake_freertos_reset();
    fx->device = app_fixture_new();
    fx->twin = app_fixture_new();
    app_fixture_t *const apps[] = {fx->device, fx->twin};
    for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++) {
        if (provisioning) {
            apps[i]->fakes.wifi.has_credentials = false;
        }
        assert_int_equal(app_fixture_start(apps[i]), APP_OK);
    }
    const http_adapter_config_t cfg = {
        .app = &fx->device->app,
        .executor = &fake_executor_port,
        .executor_ctx = &fx->device->fakes.executor,
    };
    assert_int_equal(http_adapter_start(&cfg), ESP_OK);
    assert_int_equal(fx->device->fakes.executor.count, 1); /* HTTP_STARTED */
    fake_executor_run_all(&fx->device->fakes.executor);
    app_fixture_event(fx->twin, APP_EVENT_HTTP_STARTED);
    if (provisioning) {
        app_fixture_event(fx->device, APP_EVENT_WIFI_STARTED);
        app_fixture_event(fx->twin, APP_EVENT_WIFI_STARTED);
    }
}

void http_fixture_stop(http_fixture_t *fx)
{
    http_adapter_stop();
    http_adapter_set_allocator(NULL, NULL);
    app_fixture_free(fx->device);
    app_fixture_free(fx->twin);
    fx->device = NULL;
    fx->twin = NULL;
}

static http_fixture_t s_fixture;

int http_fixture_setup_station(void **state)
{
    http_fixture_start(&s_fixture, false);
    *state = &s_fixture;
    return 0;
}

int http_fixture_setup_provisioning(void **state)
{
    http_fixture_start(&s_fixture, true);
    *state = &s_fixture;
    return 0;
}

int http_fixture_teardown(void **state)
{
    http_fixture_stop(*state);
    return 0;
}

const char *http_fixture_stored_name(const http_fixture_t *fx)
{
    if (fx->device->fakes.config.store_calls[CONFIG_FIELD_DEVICE_NAME] == 0) {
        return NULL;
    }
    return fake_config_repository_get(&fx->device->fakes.config, CONFIG_FIELD_DEVICE_NAME);
}

fake_httpd_request_t http_fixture_request(int method, const char *uri, const fake_httpd_header_t *headers,
                                          size_t header_count, const char *body)
{
    const size_t len = body != NULL ? strlen(body) : 0;
    return (fake_httpd_request_t){
        .method = method,
        .uri = uri,
        .headers = headers,
        .header_count = header_count,
        .body = body,
        .body_len = len,
        .content_len = len,
    };
}

http_api_request_t http_fixture_api_request(const fake_httpd_request_t *request)
{
    http_api_method_t method = HTTP_API_OTHER;
    if (request->method == HTTP_GET) {
        method = HTTP_API_GET;
    } else if (request->method == HTTP_POST) {
        method = HTTP_API_POST;
    }
    return (http_api_request_t){
        .method = method,
        .path = request->uri,
        .body = request->body,
        .body_len = request->body_len,
        .authorization = fake_httpd_request_header(request, "Authorization"),
        .host = fake_httpd_request_header(request, "Host"),
        .origin = fake_httpd_request_header(request, "Origin"),
        .sec_fetch_site = fake_httpd_request_header(request, "Sec-Fetch-Site"),
        .accept_language = fake_httpd_request_header(request, "Accept-Language"),
    };
}

const fake_httpd_response_t *http_fixture_send(http_fixture_t *fx, const fake_httpd_request_t *request)
{
    const fake_httpd_response_t *got = fake_httpd_run(request);
    fake_executor_run_all(&fx->device->fakes.executor);
    return got;
}

void http_fixture_ask_twin(http_fixture_t *fx, const http_api_request_t *request, http_fixture_answer_t *out)
{
    memset(out, 0, sizeof(*out));
    http_api_handle(&fx->twin->app, request, out->body, sizeof(out->body), &out->resp);
    fake_executor_run_all(&fx->twin->fakes.executor);
}

void http_fixture_assert_answer(const fake_httpd_response_t *got, const http_fixture_answer_t *answer)
{
    const http_api_response_t *want = &answer->resp;
    assert_true(got->handled);
    assert_true(got->sent);
    assert_int_equal(got->sends, 1);
    char code[8];
    snprintf(code, sizeof(code), "%u ", (unsigned)want->status);
    assert_memory_equal(got->status, code, strlen(code));
    assert_string_equal(got->status, http_adapter_status_line(want->status));
    assert_string_equal(got->content_type, want->content_type);
    assert_int_equal(got->body_len, want->body_len);
    assert_memory_equal(got->body, answer->body, want->body_len);

    size_t extra = 0;
    if (want->retry_after_s > 0) {
        char seconds[16];
        snprintf(seconds, sizeof(seconds), "%lu", (unsigned long)want->retry_after_s);
        assert_string_equal(fake_httpd_response_header(got, "Retry-After"), seconds);
        extra++;
    }
    if (want->www_authenticate != NULL) {
        assert_string_equal(fake_httpd_response_header(got, "WWW-Authenticate"), want->www_authenticate);
        extra++;
    }
    if (want->location[0] != '\0') {
        assert_string_equal(fake_httpd_response_header(got, "Location"), want->location);
        extra++;
    }
    assert_int_equal(got->header_count, extra);
}

const fake_httpd_response_t *http_fixture_exchange(http_fixture_t *fx, const fake_httpd_request_t *request)
{
    const http_api_request_t api_request = http_fixture_api_request(request);
    static http_fixture_answer_t answer; /* large: not on the stack */
    http_fixture_ask_twin(fx, &api_request, &answer);
    const fake_httpd_response_t *got = http_fixture_send(fx, request);
    http_fixture_assert_answer(got, &answer);
    return got;
}

/* Reads memory AddressSanitizer keeps red zones in (between globals): not instrumented, no libc calls. */
__attribute__((no_sanitize_address, noinline)) static bool region_contains(const char *begin, const char *end,
                                                                           const char *needle, size_t len)
{
    for (const char *p = begin; p + len <= end; p++) {
        size_t i = 0;
        while (i < len && p[i] == needle[i]) {
            i++;
        }
        if (i == len) {
            return true;
        }
    }
    return false;
}

bool http_fixture_static_memory_contains(const char *needle)
{
    const size_t len = strlen(needle);
    return len > 0 && region_contains(__data_start, _end, needle, len);
}
