/* http_guard: the cross-site check and the three ways a write carries the device's setup secret. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "application/http_guard.h"

#define SECRET "7K3M9QXD2F4H8RTV"

static http_api_request_t post(const char *host, const char *origin, const char *sec_fetch_site)
{
    http_api_request_t req;
    memset(&req, 0, sizeof(req));
    req.method = HTTP_API_POST;
    req.path = "/config";
    req.host = host;
    req.origin = origin;
    req.sec_fetch_site = sec_fetch_site;
    return req;
}

/* ---- cross-site ---- */

static void test_requests_without_browser_headers_are_not_cross_site(void **state)
{
    (void)state;
    http_api_request_t req = post("192.168.1.50", NULL, NULL); /* curl, the central server, tools */
    assert_false(http_guard_is_cross_site(&req));
    req.host = NULL;
    assert_false(http_guard_is_cross_site(&req));
}

static void test_sec_fetch_site_cross_site_is_refused_whatever_the_origin(void **state)
{
    (void)state;
    static const char *const values[] = {"cross-site", "Cross-Site", "CROSS-SITE"};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        http_api_request_t req = post("192.168.1.50", "http://192.168.1.50", values[i]);
        assert_true(http_guard_is_cross_site(&req));
    }
    static const char *const fine[] = {"same-origin", "same-site", "none"};
    for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
        http_api_request_t req = post("192.168.1.50", NULL, fine[i]);
        assert_false(http_guard_is_cross_site(&req));
    }
}

static void test_the_origin_must_be_the_host(void **state)
{
    (void)state;
    typedef struct {
        const char *host;
        const char *origin;
        bool cross;
    } origin_case_t;
    static const origin_case_t cases[] = {
        {"192.168.4.1", "http://192.168.4.1", false},
        {"192.168.4.1:80", "http://192.168.4.1", false}, /* the default port, written or not */
        {"192.168.4.1", "http://192.168.4.1:80", false},
        {"127.0.0.1:18080", "http://127.0.0.1:18080", false},
        {"Nodo.Local", "http://nodo.local", false}, /* host names ignore case */
        {"device.example", "https://device.example:443", false},
        {"192.168.4.1", "http://evil.example", true},
        {"127.0.0.1:18080", "http://127.0.0.1:18081", true}, /* another port is another origin */
        {"192.168.4.1", "http://192.168.4.1.evil.example", true},
        {"192.168.4.1", "null", true}, /* a sandboxed page, a file */
        {"192.168.4.1", "http://", true},
        {NULL, "http://192.168.4.1", true}, /* an Origin and no Host to compare */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        http_api_request_t req = post(cases[i].host, cases[i].origin, NULL);
        if (http_guard_is_cross_site(&req) != cases[i].cross) {
            fail_msg("host %s origin %s: expected %s", cases[i].host != NULL ? cases[i].host : "(none)",
                     cases[i].origin, cases[i].cross ? "cross-site" : "same origin");
        }
    }
}

/* ---- the secret ---- */

static void test_a_bearer_token_carries_the_secret_in_any_typed_form(void **state)
{
    (void)state;
    http_api_request_t req = post("h", NULL, NULL);
    static const char *const good[] = {"Bearer " SECRET, "bearer " SECRET, "Bearer 7k3m-9qxd-2f4h-8rtv"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        req.authorization = good[i];
        assert_true(http_guard_has_secret(SECRET, &req));
    }
    static const char *const bad[] = {"Bearer 7K3M9QXD2F4H8RTW", "Bearer", "Bearer ", SECRET, "Token " SECRET,
                                      "Bearer " SECRET "X"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        req.authorization = bad[i];
        assert_false(http_guard_has_secret(SECRET, &req));
    }
}

static void test_basic_takes_any_user_and_the_secret_as_password(void **state)
{
    (void)state;
    http_api_request_t req = post("h", NULL, NULL);
    /* base64("tecnico:7K3M9QXD2F4H8RTV"), base64(":7K3M9QXD2F4H8RTV") without padding, base64("a:b:...") */
    static const char *const good[] = {"Basic dGVjbmljbzo3SzNNOVFYRDJGNEg4UlRW",
                                       "basic OjdLM005UVhEMkY0SDhSVFY", "Basic dTo3azNtIDlxeGQgMmY0aCA4cnR2"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        req.authorization = good[i];
        if (!http_guard_has_secret(SECRET, &req)) {
            fail_msg("refused: %s", good[i]);
        }
    }
    static const char *const bad[] = {
        "Basic N0szTTlRWEQyRjRIOFJUVg==", /* the secret alone, no "user:" */
        "Basic dGVjbmljbzp3cm9uZw==",     /* tecnico:wrong */
        "Basic ***",                      /* not base64 */
        "Basic " /* 80 bytes of user name: longer than any user:secret pair worth decoding */
        "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"
        "QUFBQUE6N0szTTlRWEQyRjRIOFJUVg==",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        req.authorization = bad[i];
        assert_false(http_guard_has_secret(SECRET, &req));
    }
}

static void test_the_form_field_carries_the_secret_for_the_page_without_javascript(void **state)
{
    (void)state;
    http_api_request_t req = post("h", NULL, NULL);
    static const char *const good[] = {"setup_secret=" SECRET,
                                       "device_name=x&setup_secret=7k3m+9qxd+2f4h+8rtv",
                                       "setup_secret=7K3M-9QXD-2F4H-8RTV&location_description=y"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        req.body = good[i];
        req.body_len = strlen(good[i]);
        assert_true(http_guard_has_secret(SECRET, &req));
    }
    static const char *const bad[] = {"setup_secret=", "secret=" SECRET, "device_name=" SECRET,
                                      "setup_secret=7K3M9QXD2F4H8RTW"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        req.body = bad[i];
        req.body_len = strlen(bad[i]);
        assert_false(http_guard_has_secret(SECRET, &req));
    }
    /* a wrong header does not hide a right field, nor the other way round */
    req.authorization = "Bearer WRONGWRONGWRONG1";
    req.body = "setup_secret=" SECRET;
    req.body_len = strlen(req.body);
    assert_true(http_guard_has_secret(SECRET, &req));
}

static void test_a_device_without_a_secret_accepts_nothing(void **state)
{
    (void)state;
    http_api_request_t req = post("h", NULL, NULL);
    req.authorization = "Bearer ";
    req.body = "setup_secret=";
    req.body_len = strlen(req.body);
    assert_false(http_guard_has_secret("", &req));
    req.authorization = "Bearer riego-setup";
    assert_false(http_guard_has_secret("riego-setup", &req)); /* not a canonical secret: refused too */
    assert_false(http_guard_has_secret(NULL, &req));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests_without_browser_headers_are_not_cross_site),
        cmocka_unit_test(test_sec_fetch_site_cross_site_is_refused_whatever_the_origin),
        cmocka_unit_test(test_the_origin_must_be_the_host),
        cmocka_unit_test(test_a_bearer_token_carries_the_secret_in_any_typed_form),
        cmocka_unit_test(test_basic_takes_any_user_and_the_secret_as_password),
        cmocka_unit_test(test_the_form_field_carries_the_secret_for_the_page_without_javascript),
        cmocka_unit_test(test_a_device_without_a_secret_accepts_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
