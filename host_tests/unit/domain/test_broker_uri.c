/* broker_uri: ws:// and wss:// parsing, the default WebSocket path, and the effective URI. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "domain/broker_uri.h"

typedef struct {
    const char *uri;
    const char *default_path;
    bool secure;
    const char *host;
    uint16_t port;
    bool port_given;
    const char *path;
    bool path_given;
    const char *effective;
} valid_uri_t;

static void test_valid_uris_are_parsed(void **state)
{
    (void)state;
    static const valid_uri_t cases[] = {
        {"ws://broker.local", NULL, false, "broker.local", 80, false, "/mqtt", false,
         "ws://broker.local/mqtt"},
        {"ws://10.0.0.5:8080", NULL, false, "10.0.0.5", 8080, true, "/mqtt", false,
         "ws://10.0.0.5:8080/mqtt"},
        {"ws://10.0.0.5:8080/", NULL, false, "10.0.0.5", 8080, true, "/mqtt", false,
         "ws://10.0.0.5:8080/mqtt"},
        {"ws://h:1/mqtt", NULL, false, "h", 1, true, "/mqtt", true, "ws://h:1/mqtt"},
        {"ws://h:65535/ws/mqtt", "", false, "h", 65535, true, "/ws/mqtt", true, "ws://h:65535/ws/mqtt"},
        {"wss://iot.example.com/mqtt", NULL, true, "iot.example.com", 443, false, "/mqtt", true,
         "wss://iot.example.com/mqtt"},
        {"wss://iot.example.com", NULL, true, "iot.example.com", 443, false, "/mqtt", false,
         "wss://iot.example.com/mqtt"},
        {"ws://broker", "/custom", false, "broker", 80, false, "/custom", false, "ws://broker/custom"},
        {"ws://broker/explicit", "/custom", false, "broker", 80, false, "/explicit", true,
         "ws://broker/explicit"},
        {"WS://Broker-1_a", NULL, false, "Broker-1_a", 80, false, "/mqtt", false, "ws://Broker-1_a/mqtt"},
        {"ws://h:80", NULL, false, "h", 80, true, "/mqtt", false, "ws://h:80/mqtt"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const valid_uri_t *c = &cases[i];
        broker_uri_t uri;
        const domain_status_t status = broker_uri_parse(c->uri, c->default_path, &uri);
        if (status != DOMAIN_OK) {
            fail_msg("%s: %s", c->uri, domain_status_to_str(status));
        }
        assert_int_equal(uri.secure, c->secure);
        assert_string_equal(uri.host, c->host);
        assert_int_equal(uri.port, c->port);
        assert_int_equal(uri.port_given, c->port_given);
        assert_string_equal(uri.path, c->path);
        assert_int_equal(uri.path_given, c->path_given);
        assert_string_equal(uri.effective_uri, c->effective);
    }
}

typedef struct {
    const char *uri;
    domain_status_t expected;
} invalid_uri_t;

static void test_invalid_uris_are_rejected_with_the_rule_broken(void **state)
{
    (void)state;
    static const invalid_uri_t cases[] = {
        {"", DOMAIN_ERR_URI_SCHEME},
        {"mqtt://broker", DOMAIN_ERR_URI_SCHEME},
        {"http://broker", DOMAIN_ERR_URI_SCHEME},
        {"ws:/broker", DOMAIN_ERR_URI_SCHEME},
        {"broker:8080", DOMAIN_ERR_URI_SCHEME},
        {"ws://", DOMAIN_ERR_URI_HOST},
        {"ws://:8080/mqtt", DOMAIN_ERR_URI_HOST},
        {"ws:///mqtt", DOMAIN_ERR_URI_HOST},
        {"ws://user@broker", DOMAIN_ERR_URI_HOST},
        {"ws://user:pw@broker", DOMAIN_ERR_URI_PORT},
        {"ws://bro ker", DOMAIN_ERR_URI_HOST},
        {"ws://[::1]:8080", DOMAIN_ERR_URI_HOST},
        {"ws://broker:0", DOMAIN_ERR_URI_PORT},
        {"ws://broker:65536", DOMAIN_ERR_URI_PORT},
        {"ws://broker:99999", DOMAIN_ERR_URI_PORT},
        {"ws://broker:123456", DOMAIN_ERR_URI_PORT},
        {"ws://broker:abc", DOMAIN_ERR_URI_PORT},
        {"ws://broker:", DOMAIN_ERR_URI_PORT},
        {"ws://broker:80a/mqtt", DOMAIN_ERR_URI_PORT},
        {"ws://broker:-1", DOMAIN_ERR_URI_PORT},
        {"ws://broker/mq tt", DOMAIN_ERR_URI_PATH},
        {"ws://broker/mqtt?x=1", DOMAIN_ERR_URI_PATH},
        {"ws://broker/mqtt#frag", DOMAIN_ERR_URI_PATH},
        {"ws://broker?x=1", DOMAIN_ERR_URI_PATH},
        {"ws://broker/mqtt\t", DOMAIN_ERR_URI_PATH},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        broker_uri_t uri;
        const domain_status_t status = broker_uri_parse(cases[i].uri, NULL, &uri);
        if (status != cases[i].expected) {
            fail_msg("\"%s\": got %s, expected %s", cases[i].uri, domain_status_to_str(status),
                     domain_status_to_str(cases[i].expected));
        }
    }
}

static void test_too_long_uris_are_rejected(void **state)
{
    (void)state;
    broker_uri_t uri;
    char text[BROKER_URI_MAX_LEN + 16];

    /* Longer than BROKER_URI_MAX_LEN in total. */
    strcpy(text, "ws://");
    memset(text + 5, 'h', BROKER_URI_MAX_LEN);
    text[5 + BROKER_URI_MAX_LEN - 4] = '\0';
    assert_true(strlen(text) > BROKER_URI_MAX_LEN);
    assert_int_equal(broker_uri_parse(text, NULL, &uri), DOMAIN_ERR_URI_TOO_LONG);

    /* A host longer than BROKER_URI_HOST_MAX_LEN. */
    memset(text + 5, 'h', BROKER_URI_HOST_MAX_LEN + 1);
    text[5 + BROKER_URI_HOST_MAX_LEN + 1] = '\0';
    assert_int_equal(broker_uri_parse(text, NULL, &uri), DOMAIN_ERR_URI_TOO_LONG);

    /* A path longer than BROKER_URI_PATH_MAX_LEN. */
    strcpy(text, "ws://h/");
    memset(text + 7, 'p', BROKER_URI_PATH_MAX_LEN);
    text[7 + BROKER_URI_PATH_MAX_LEN] = '\0';
    assert_int_equal(broker_uri_parse(text, NULL, &uri), DOMAIN_ERR_URI_TOO_LONG);
}

static void test_longest_parts_that_fit_are_accepted(void **state)
{
    (void)state;
    broker_uri_t uri;
    char text[BROKER_URI_MAX_LEN + 1];
    /* "ws://" + a 120-byte host + ":65535" + a 60-byte path = 191 bytes, the longest effective URI. */
    strcpy(text, "ws://");
    memset(text + 5, 'h', 120);
    strcpy(text + 125, ":65535/");
    memset(text + 132, 'p', 59);
    text[191] = '\0';
    assert_int_equal(broker_uri_parse(text, NULL, &uri), DOMAIN_OK);
    assert_int_equal(strlen(uri.effective_uri), BROKER_URI_MAX_LEN);
    assert_string_equal(uri.effective_uri, text);
}

static void test_default_path_that_overflows_the_effective_uri_is_too_long(void **state)
{
    (void)state;
    broker_uri_t uri;
    char text[BROKER_URI_MAX_LEN + 1];
    char path[BROKER_URI_PATH_MAX_LEN + 1];
    /* The URI itself fits; adding a long default path does not. */
    strcpy(text, "ws://");
    memset(text + 5, 'h', BROKER_URI_HOST_MAX_LEN);
    text[5 + BROKER_URI_HOST_MAX_LEN] = '\0';
    path[0] = '/';
    memset(path + 1, 'p', BROKER_URI_PATH_MAX_LEN - 1);
    path[BROKER_URI_PATH_MAX_LEN] = '\0';
    assert_int_equal(broker_uri_parse(text, path, &uri), DOMAIN_ERR_URI_TOO_LONG);
}

static void test_invalid_default_path_is_rejected(void **state)
{
    (void)state;
    broker_uri_t uri;
    assert_int_equal(broker_uri_parse("ws://broker", "mqtt", &uri), DOMAIN_ERR_URI_PATH);
    assert_int_equal(broker_uri_parse("ws://broker", "/a b", &uri), DOMAIN_ERR_URI_PATH);
}

static void test_check_path(void **state)
{
    (void)state;
    char long_path[BROKER_URI_PATH_MAX_LEN + 2];
    long_path[0] = '/';
    memset(long_path + 1, 'x', BROKER_URI_PATH_MAX_LEN);
    long_path[BROKER_URI_PATH_MAX_LEN + 1] = '\0';
    assert_int_equal(broker_uri_check_path("/mqtt"), DOMAIN_OK);
    assert_int_equal(broker_uri_check_path("/"), DOMAIN_OK);
    assert_int_equal(broker_uri_check_path("/a/b-c_d.e"), DOMAIN_OK);
    assert_int_equal(broker_uri_check_path(""), DOMAIN_ERR_URI_PATH);
    assert_int_equal(broker_uri_check_path("mqtt"), DOMAIN_ERR_URI_PATH);
    assert_int_equal(broker_uri_check_path("/mq tt"), DOMAIN_ERR_URI_PATH);
    assert_int_equal(broker_uri_check_path("/mqtt\x7f"), DOMAIN_ERR_URI_PATH);
    assert_int_equal(broker_uri_check_path("/mqtt?a"), DOMAIN_ERR_URI_PATH);
    assert_int_equal(broker_uri_check_path(long_path), DOMAIN_ERR_URI_TOO_LONG);
    long_path[BROKER_URI_PATH_MAX_LEN] = '\0';
    assert_int_equal(broker_uri_check_path(long_path), DOMAIN_OK);
    assert_int_equal(broker_uri_check_path(NULL), DOMAIN_ERR_INVALID_ARG);
}

static void test_failed_parse_leaves_the_output_unchanged(void **state)
{
    (void)state;
    broker_uri_t uri;
    broker_uri_t before;
    assert_int_equal(broker_uri_parse("ws://broker", NULL, &uri), DOMAIN_OK);
    before = uri;
    assert_int_equal(broker_uri_parse("ws://broker:0", NULL, &uri), DOMAIN_ERR_URI_PORT);
    assert_memory_equal(&uri, &before, sizeof(uri));
}

static void test_null_arguments_are_rejected(void **state)
{
    (void)state;
    broker_uri_t uri;
    assert_int_equal(broker_uri_parse(NULL, NULL, &uri), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(broker_uri_parse("ws://broker", NULL, NULL), DOMAIN_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_uris_are_parsed),
        cmocka_unit_test(test_invalid_uris_are_rejected_with_the_rule_broken),
        cmocka_unit_test(test_too_long_uris_are_rejected),
        cmocka_unit_test(test_longest_parts_that_fit_are_accepted),
        cmocka_unit_test(test_default_path_that_overflows_the_effective_uri_is_too_long),
        cmocka_unit_test(test_invalid_default_path_is_rejected),
        cmocka_unit_test(test_check_path),
        cmocka_unit_test(test_failed_parse_leaves_the_output_unchanged),
        cmocka_unit_test(test_null_arguments_are_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
