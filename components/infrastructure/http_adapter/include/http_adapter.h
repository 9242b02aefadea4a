/*
 * http_adapter: the device's HTTP server on esp_http_server.
 *
 * http_adapter_start() starts one server (static state: there is one per device) with a single wildcard
 * handler (every path, any method: http_api routes, and in provisioning mode redirects any other page to the
 * setup page), which copies the request headers http_api reads (Authorization, Host, Origin, Sec-Fetch-Site,
 * Accept-Language), reads the request body (at most HTTP_API_MAX_BODY bytes: a longer Content-Length is
 * answered 413 without reading it), calls http_api_handle() and sends the status line, headers, content
 * type and body it produced. Once httpd_start()
 * has succeeded it posts APP_EVENT_HTTP_STARTED through the executor port (MQTT waits for it).
 *
 * Sockets: lwIP has CONFIG_LWIP_MAX_SOCKETS of them for everything (sdkconfig.defaults: 16; ESP-IDF's
 * default 10). esp_http_server uses 3 of its own plus max_open_sockets clients (ESP-IDF's default 7, which
 * with 10 sockets leaves none to the MQTT WebSocket). The server is limited to
 * HTTP_ADAPTER_MAX_OPEN_SOCKETS clients with LRU purge: 3 + 5 = 8, leaving 8 for MQTT and the rest.
 *
 * Every route is the application's (http_api_routes[], the setup routes included: http_api answers 404 for
 * them outside provisioning), so no other adapter adds or removes handlers at run time. Each request's copies
 * (headers, body) and its response buffer are one heap block, wiped and freed after the request (a setup form
 * carries a WiFi password, writes the secret); when the heap cannot give one the answer is 503.
 * Browsers send 600-900 bytes of headers: sdkconfig.defaults raises CONFIG_HTTPD_MAX_REQ_HDR_LEN to 1024
 * (ESP-IDF's 512 answers them 431).
 *
 * Handlers run on the server's task (one task, one request at a time). They must not hold the shared
 * lock across I/O (http_api takes it only to copy). start/stop are called from the task that runs main/
 * (app_main), not from handlers.
 *
 * Usage (main/): after esp_netif_init() (the server needs lwIP) and after application_start():
 *   http_adapter_config_t cfg = { .port = CONFIG_..._HTTP_PORT, .app = &app, .executor = ...,
 *                                 .executor_ctx = ... };
 *   http_adapter_start(&cfg);
 */
#ifndef HTTP_ADAPTER_H
#define HTTP_ADAPTER_H

#include <stddef.h>
#include <stdint.h>

#include "application/http_api.h"
#include "application/ports/executor_port.h"
#include "esp_err.h"
#include "esp_http_server.h"

struct application;

/* Client connections at once (httpd max_open_sockets; 3 more sockets are the server's own). */
#define HTTP_ADAPTER_MAX_OPEN_SOCKETS 5

typedef struct {
    uint16_t port;                   /* 0 means 80 (HTTPD_DEFAULT_CONFIG) */
    struct application *app;         /* handed to http_api_handle(); must outlive the server */
    const executor_port_t *executor; /* for APP_EVENT_HTTP_STARTED */
    void *executor_ctx;
    uint32_t stack_size; /* server task stack, bytes; 0 keeps the ESP-IDF default (4096) */
} http_adapter_config_t;

/*
 * Starts the server and registers the API routes, then posts APP_EVENT_HTTP_STARTED (retried for up to
 * about 1 s while the application queue is full). ESP_OK: running and posted. ESP_ERR_TIMEOUT: the server
 * IS running with its routes, but HTTP_STARTED could not be posted (MQTT will not start). Not running:
 * ESP_ERR_INVALID_ARG (NULL config, app or executor); ESP_ERR_INVALID_STATE (already started); or the
 * error of httpd_start / httpd_register_uri_handler (logged; the server is stopped again when a route could
 * not be registered). Blocks (vTaskDelay) only while retrying the post.
 */
esp_err_t http_adapter_start(const http_adapter_config_t *config);

/* Stops the server (no-op when not started). */
esp_err_t http_adapter_stop(void);

/* The running server's handle, NULL when stopped. */
httpd_handle_t http_adapter_handle(void);

typedef enum {
    HTTP_ADAPTER_BODY_OK = 0,
    HTTP_ADAPTER_BODY_TOO_LARGE, /* Content-Length over max: nothing read, answer 413 */
    HTTP_ADAPTER_BODY_ERROR,     /* socket error or timeout while reading: answer nothing more */
} http_adapter_body_t;

/*
 * Reads the whole request body into buf (NUL-terminated, so buf_size must be max_len + 1) when its
 * Content-Length is at most max_len. Retries on HTTPD_SOCK_ERR_TIMEOUT a few times.
 */
http_adapter_body_t http_adapter_read_body(httpd_req_t *req, char *buf, size_t buf_size, size_t max_len,
                                           size_t *out_len);

/*
 * Sends a complete response as http_api produced it: the status line for its code (200, 302, 400, 401, 403,
 * 404, 405, 413, 429, 503; other codes map to 500), content type, the Retry-After, WWW-Authenticate and
 * Location headers it asks for, and body (resp->body_len bytes).
 */
esp_err_t http_adapter_send(httpd_req_t *req, const http_api_response_t *resp, const char *body);

/* Headers http_api reads, in http_api_request_headers order. */
#define HTTP_ADAPTER_HEADER_COUNT 5

/* The longest header value copied. The headers are copied because the server purges them on send; longer
 * values read as absent, never cut (a cut Authorization could not match anyway), except Origin: an absent
 * Origin passes the cross-site check, so one too long reads "null", which http_api refuses as cross-site. */
#define HTTP_ADAPTER_HEADER_MAX 160

/* Copies those headers of req into buffers and points out's fields at them (NULL when absent or too long). */
void http_adapter_read_headers(httpd_req_t *req, http_api_request_t *out,
                               char buffers[HTTP_ADAPTER_HEADER_COUNT][HTTP_ADAPTER_HEADER_MAX]);

/* Where each request's block (headers, body, response: about 4 KB) comes from: malloc/free unless a test
 * gives its own; NULL restores them. */
void http_adapter_set_allocator(void *(*alloc)(size_t size), void (*release)(void *ptr));

/* The status line text for a code, e.g. "413 Payload Too Large" (never NULL). */
const char *http_adapter_status_line(uint16_t status);

#endif /* HTTP_ADAPTER_H */
