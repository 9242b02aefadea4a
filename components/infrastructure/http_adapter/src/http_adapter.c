/*
 * http_adapter: esp_http_server in front of the platform-free http_api (see the header).
 *
 * esp_http_server runs every handler on its one server task, one request at a time. The request's copies
 * (header values, body) and the response buffer (about 4 KB together) are one heap block taken for each
 * request and wiped and given back after it: a node serves a request now and then, so that RAM is free
 * between requests instead of reserved in .bss (issue 11's static RAM budget), and nothing large sits on the
 * server task's stack.
 */
#include "http_adapter.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "application/app_event.h"
#include "application/http_api.h"
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "sdkconfig.h"

static const char *TAG = "http_adapter";

/* httpd_start refuses max_open_sockets + 3 (its listen and two control sockets) over lwIP's socket count. */
#if defined(CONFIG_LWIP_MAX_SOCKETS) && (CONFIG_LWIP_MAX_SOCKETS < HTTP_ADAPTER_MAX_OPEN_SOCKETS + 3)
#error "CONFIG_LWIP_MAX_SOCKETS too small for HTTP_ADAPTER_MAX_OPEN_SOCKETS (see sdkconfig.defaults)"
#endif

/* HTTP_STARTED is retried this many times, this far apart, while the application queue is full. */
#define HTTP_ADAPTER_STARTED_POST_TRIES    20
#define HTTP_ADAPTER_STARTED_POST_RETRY_MS 50

/* Reads that time out (a slow client) are retried this many times before the request is dropped. */
#define HTTP_ADAPTER_RECV_TIMEOUT_RETRIES 3

typedef struct {
    httpd_handle_t server;
    http_adapter_config_t config;
} http_adapter_state_t;

static http_adapter_state_t s_state;

/* The per-request block (see above). */
typedef struct {
    char body[HTTP_API_MAX_BODY + 1];
    char response[HTTP_API_RESPONSE_MAX];
    char headers[HTTP_ADAPTER_HEADER_COUNT][HTTP_ADAPTER_HEADER_MAX];
} http_adapter_request_block_t;

static const char HTTP_ADAPTER_NO_MEMORY_BODY[] = "{\"error\":\"busy\"}";

/* Where the block comes from: the heap, or a test's allocator (http_adapter_set_allocator). */
static void *(*s_alloc)(size_t size) = malloc;
static void (*s_free)(void *ptr) = free;

void http_adapter_set_allocator(void *(*alloc)(size_t size), void (*release)(void *ptr))
{
    s_alloc = alloc != NULL ? alloc : malloc;
    s_free = release != NULL ? release : free;
}

const char *http_adapter_status_line(uint16_t status)
{
    switch (status) {
        case 200:
            return "200 OK";
        case 302:
            return "302 Found";
        case 400:
            return "400 Bad Request";
        case 401:
            return "401 Unauthorized";
        case 403:
            return "403 Forbidden";
        case 404:
            return "404 Not Found";
        case 405:
            return "405 Method Not Allowed";
        case 413:
            return "413 Payload Too Large";
        case 429:
            return "429 Too Many Requests";
        case 503:
            return "503 Service Unavailable";
        default:
            return "500 Internal Server Error";
    }
}

http_adapter_body_t http_adapter_read_body(httpd_req_t *req, char *buf, size_t buf_size, size_t max_len,
                                           size_t *out_len)
{
    *out_len = 0;
    if (req->content_len > max_len || req->content_len + 1 > buf_size) {
        return HTTP_ADAPTER_BODY_TOO_LARGE;
    }
    size_t received = 0;
    int timeouts = 0;
    while (received < req->content_len) {
        int n = httpd_req_recv(req, buf + received, req->content_len - received);
        if (n == HTTPD_SOCK_ERR_TIMEOUT && timeouts < HTTP_ADAPTER_RECV_TIMEOUT_RETRIES) {
            timeouts++;
            continue;
        }
        if (n <= 0) {
            ESP_LOGW(TAG, "%s: body read failed after %u of %u bytes (%d)", req->uri, (unsigned)received,
                     (unsigned)req->content_len, n);
            buf[0] = '\0';
            return HTTP_ADAPTER_BODY_ERROR;
        }
        received += (size_t)n;
    }
    buf[received] = '\0';
    *out_len = received;
    return HTTP_ADAPTER_BODY_OK;
}

esp_err_t http_adapter_send(httpd_req_t *req, const http_api_response_t *resp, const char *body)
{
    esp_err_t err = httpd_resp_set_status(req, http_adapter_status_line(resp->status));
    if (err == ESP_OK) {
        err = httpd_resp_set_type(req, resp->content_type);
    }
    /* httpd_resp_set_hdr keeps the pointers until the send, which happens below, in this call: the values
     * live in resp and on this frame until then. */
    /* Lives until httpd_resp_send below, which reads it: not in the smaller scope cppcheck suggests. */
    // cppcheck-suppress variableScope
    char retry_after[12];
    if (err == ESP_OK && resp->retry_after_s > 0) {
        (void)snprintf(retry_after, sizeof(retry_after), "%lu", (unsigned long)resp->retry_after_s);
        err = httpd_resp_set_hdr(req, "Retry-After", retry_after);
    }
    if (err == ESP_OK && resp->www_authenticate != NULL) {
        err = httpd_resp_set_hdr(req, "WWW-Authenticate", resp->www_authenticate);
    }
    if (err == ESP_OK && resp->location[0] != '\0') {
        err = httpd_resp_set_hdr(req, "Location", resp->location);
    }
    const size_t body_len = resp->body_len;
    if (err == ESP_OK) {
        err = httpd_resp_send(req, body, (ssize_t)body_len);
    }
    if (err != ESP_OK) {
        ESP_LOGW(TAG, "%s: sending the response failed: %s (0x%x)", req->uri, esp_err_to_name(err), err);
    }
    return err;
}

static http_api_method_t api_method(int method)
{
    switch (method) {
        case HTTP_GET:
            return HTTP_API_GET;
        case HTTP_POST:
            return HTTP_API_POST;
        default:
            return HTTP_API_OTHER;
    }
}

/* Copies the headers http_api reads into buffers; NULL for each one absent (or longer than
 * HTTP_ADAPTER_HEADER_MAX, Origin aside). */
void http_adapter_read_headers(httpd_req_t *req, http_api_request_t *out,
                               char buffers[HTTP_ADAPTER_HEADER_COUNT][HTTP_ADAPTER_HEADER_MAX])
{
    const char **fields[HTTP_ADAPTER_HEADER_COUNT] = {&out->authorization, &out->host, &out->origin,
                                                      &out->sec_fetch_site, &out->accept_language};
    for (size_t i = 0; i < HTTP_ADAPTER_HEADER_COUNT; i++) {
        *fields[i] = NULL;
        const esp_err_t err = httpd_req_get_hdr_value_str(req, http_api_request_headers[i], buffers[i],
                                                          HTTP_ADAPTER_HEADER_MAX);
        if (err == ESP_OK) {
            *fields[i] = buffers[i];
        } else if (err == ESP_ERR_HTTPD_RESULT_TRUNC && fields[i] == &out->origin) {
            /* An absent Origin passes the cross-site check, so one too long to copy must not read as absent:
             * a page on a long host name would get through. The device's own origin is short (an address or
             * a short name), so a long one is another site's: "null" is refused as cross-site. */
            *fields[i] = "null";
        }
    }
}

/* One request with its block: read the body, let http_api answer, send. */
static esp_err_t handle_with(httpd_req_t *req, http_adapter_request_block_t *block)
{
    http_api_response_t resp;
    memset(&resp, 0, sizeof(resp));
    http_api_request_t api_req = {.method = api_method(req->method), .path = req->uri};
    http_adapter_read_headers(req, &api_req, block->headers);
    size_t body_len = 0;
    http_adapter_body_t body =
        http_adapter_read_body(req, block->body, sizeof(block->body), HTTP_API_MAX_BODY, &body_len);
    if (body == HTTP_ADAPTER_BODY_ERROR) {
        return ESP_FAIL; /* the client is gone or stalled: esp_http_server closes the socket */
    }
    if (body == HTTP_ADAPTER_BODY_TOO_LARGE) {
        /* http_api answers 413 from the announced length alone and reads none of the body (its contract);
         * it refuses a NULL body with a length, so it gets the empty buffer. */
        block->body[0] = '\0';
        api_req.body = block->body;
        api_req.body_len = req->content_len;
        http_api_handle(s_state.config.app, &api_req, block->response, sizeof(block->response), &resp);
        http_adapter_send(req, &resp, block->response);
        /* ESP_FAIL closes the connection instead of letting the server drain the unread body. */
        return ESP_FAIL;
    }
    api_req.body = body_len > 0 ? block->body : NULL;
    api_req.body_len = body_len;
    http_api_handle(s_state.config.app, &api_req, block->response, sizeof(block->response), &resp);
    return http_adapter_send(req, &resp, block->response);
}

static esp_err_t api_handler(httpd_req_t *req)
{
    http_adapter_request_block_t *block = s_alloc(sizeof(*block));
    if (block == NULL) {
        ESP_LOGE(TAG, "%s: no memory for the request (%u B): 503", req->uri, (unsigned)sizeof(*block));
        http_api_response_t busy;
        memset(&busy, 0, sizeof(busy));
        busy.status = 503;
        busy.content_type = "application/json";
        busy.body_len = sizeof(HTTP_ADAPTER_NO_MEMORY_BODY) - 1;
        return http_adapter_send(req, &busy, HTTP_ADAPTER_NO_MEMORY_BODY);
    }
    const esp_err_t err = handle_with(req, block);
    /* A setup form carries a WiFi password and every write the setup secret: nothing is kept. */
    memset(block, 0, sizeof(*block));
    s_free(block);
    return err;
}

esp_err_t http_adapter_start(const http_adapter_config_t *config)
{
    if (config == NULL || config->app == NULL || config->executor == NULL || config->executor->post == NULL) {
        ESP_LOGE(TAG, "start: missing application or executor");
        return ESP_ERR_INVALID_ARG;
    }
    if (s_state.server != NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    if (http_api_request_header_count != HTTP_ADAPTER_HEADER_COUNT) {
        ESP_LOGE(TAG, "start: http_api reads %u headers, the adapter copies %u",
                 (unsigned)http_api_request_header_count, (unsigned)HTTP_ADAPTER_HEADER_COUNT);
        return ESP_ERR_INVALID_STATE;
    }
    s_state.config = *config;

    httpd_config_t httpd_config = HTTPD_DEFAULT_CONFIG();
    if (config->port != 0) {
        httpd_config.server_port = config->port;
    }
    if (config->stack_size != 0) {
        httpd_config.stack_size = config->stack_size;
    }
    /* One wildcard handler: every path and method goes to http_api, which routes (the captive portal's
     * redirects answer any path, so they cannot be registered one by one). */
    httpd_config.max_uri_handlers = 1;
    httpd_config.uri_match_fn = httpd_uri_match_wildcard;
    /* Sockets are shared with MQTT (see the header): a bounded number of clients, the least recently used
     * one closed when a new client comes, so idle browser connections cannot lock out new ones. */
    httpd_config.max_open_sockets = HTTP_ADAPTER_MAX_OPEN_SOCKETS;
    httpd_config.lru_purge_enable = true;

    httpd_handle_t server = NULL;
    esp_err_t err = httpd_start(&server, &httpd_config);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "httpd_start(port %u): %s (0x%x)", (unsigned)httpd_config.server_port,
                 esp_err_to_name(err), err);
        return err;
    }
    /* Every method goes to http_api, so a wrong method gets its 405 body, the same bytes as the simulator's.
     */
    const httpd_uri_t route = {
        .uri = "/*",
        .method = (httpd_method_t)HTTP_ANY,
        .handler = api_handler,
        .user_ctx = NULL,
    };
    err = httpd_register_uri_handler(server, &route);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "register %s: %s (0x%x)", route.uri, esp_err_to_name(err), err);
        httpd_stop(server);
        return err;
    }
    s_state.server = server;
    ESP_LOGI(TAG, "HTTP server on port %u", (unsigned)httpd_config.server_port);

    /* MQTT waits for this event. The queue is drained by the application task, which runs above the task
     * calling this (app_main's, priority 1; the application's is 4 by default): while waiting between tries
     * it can make room. */
    const app_event_t started = {.kind = APP_EVENT_HTTP_STARTED};
    for (int attempt = 1; attempt <= HTTP_ADAPTER_STARTED_POST_TRIES; attempt++) {
        if (s_state.config.executor->post(s_state.config.executor_ctx, &started)) {
            return ESP_OK;
        }
        if (attempt < HTTP_ADAPTER_STARTED_POST_TRIES) {
            vTaskDelay(pdMS_TO_TICKS(HTTP_ADAPTER_STARTED_POST_RETRY_MS));
        }
    }
    ESP_LOGE(TAG, "server running, but HTTP_STARTED was refused %d times (application queue full)",
             HTTP_ADAPTER_STARTED_POST_TRIES);
    return ESP_ERR_TIMEOUT;
}

esp_err_t http_adapter_stop(void)
{
    if (s_state.server == NULL) {
        return ESP_OK;
    }
    esp_err_t err = httpd_stop(s_state.server);
    s_state.server = NULL;
    return err;
}

httpd_handle_t http_adapter_handle(void)
{
    return s_state.server;
}
