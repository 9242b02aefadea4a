/*
 * http_adapter_fixture: what every http_adapter test starts from. The device is a whole application on the
 * port fakes (app_test_support: setup secret TEST_SECRET, address TEST_IP) served by http_adapter on the
 * esp_http_server fake. Its twin is the same application, built and driven through the same events, that
 * the tests call through http_api_handle() directly: a request sent to both must get the same answer, since
 * http_api decides every status, header and byte and the adapter only moves them.
 */
#ifndef HTTP_ADAPTER_FIXTURE_H
#define HTTP_ADAPTER_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "app_test_support.h"
#include "application/http_api.h"
#include "fake_esp_http_server.h"

typedef struct {
    app_fixture_t *device; /* behind the adapter */
    app_fixture_t *twin;   /* called directly */
} http_fixture_t;

/* What http_api answered the twin. */
typedef struct {
    http_api_response_t resp;
    char body[HTTP_API_RESPONSE_MAX];
} http_fixture_answer_t;

#ifndef SDKCONFIG_DEFAULTS_HTTPD_MAX_REQ_HDR_LEN
#error "CMakeLists.txt passes the CONFIG_HTTPD_MAX_REQ_HDR_LEN of the project's sdkconfig.defaults"
#endif

/* Resets the ESP-IDF fakes (the server's header limit: the project's CONFIG_HTTPD_MAX_REQ_HDR_LEN), builds
 * both applications (provisioning: without WiFi credentials, so the setup access point is up) and starts the
 * adapter (asserting ESP_OK and that HTTP_STARTED was posted). */
void http_fixture_start(http_fixture_t *fx, bool provisioning);
/* Stops the adapter and frees both applications. */
void http_fixture_stop(http_fixture_t *fx);

/* cmocka setup (a device in station mode / in provisioning mode) and teardown: *state is the fixture. */
int http_fixture_setup_station(void **state);
int http_fixture_setup_provisioning(void **state);
int http_fixture_teardown(void **state);
#define HTTP_FIXTURE_STATION(test) \
    cmocka_unit_test_setup_teardown(test, http_fixture_setup_station, http_fixture_teardown)
#define HTTP_FIXTURE_PROVISIONING(test) \
    cmocka_unit_test_setup_teardown(test, http_fixture_setup_provisioning, http_fixture_teardown)

/* The device name the device stored through its configuration port, NULL when it stored none. */
const char *http_fixture_stored_name(const http_fixture_t *fx);

/* A request with body (NULL: none) announced and sent whole. */
fake_httpd_request_t http_fixture_request(int method, const char *uri, const fake_httpd_header_t *headers,
                                          size_t header_count, const char *body);

/* What http_api must be handed for request: its method, the URI with its query string as the path, the
 * body, and each header it reads with the value the server reports (fake_httpd_request_header). */
http_api_request_t http_fixture_api_request(const fake_httpd_request_t *request);

/* The request through the adapter to the device, then the device's queued events run. */
const fake_httpd_response_t *http_fixture_send(http_fixture_t *fx, const fake_httpd_request_t *request);
/* The same request handed to the twin's http_api directly, then the twin's queued events run. */
void http_fixture_ask_twin(http_fixture_t *fx, const http_api_request_t *request, http_fixture_answer_t *out);

/* Asserts that a client got exactly answer: status line, content type, body bytes, and the Retry-After,
 * WWW-Authenticate and Location headers it asks for, no other. */
void http_fixture_assert_answer(const fake_httpd_response_t *got, const http_fixture_answer_t *answer);

/* Sends request to the device and the twin and asserts the device answered what the twin's http_api did. */
const fake_httpd_response_t *http_fixture_exchange(http_fixture_t *fx, const fake_httpd_request_t *request);

/* True when needle's bytes are anywhere in the test process's static data (.data and .bss of every module
 * linked in: the adapter's buffers among them). Heap and stack are not searched. */
bool http_fixture_static_memory_contains(const char *needle);
/* The adapter's per-request block comes from a static arena here (see the .c). The next count requests find
 * no memory; released: at least one block was taken and every one given back. */
void http_fixture_fail_next_allocations(unsigned count);
bool http_fixture_request_block_released(void);

#endif
