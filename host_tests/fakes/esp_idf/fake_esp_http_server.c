/*
 * esp_http_server fake: one server, a handler table, synchronous requests. The request object lives in
 * static storage whose uri member is filled through a byte view (the real struct's uri is const).
 */
#include <stdio.h>
#include <string.h>

#include "esp_http_server.h"
#include "fake_esp_http_server.h"

static bool s_running;
static httpd_config_t s_config;
static httpd_uri_t s_handlers[FAKE_HTTPD_MAX_HANDLERS];
static size_t s_handler_count;
static esp_err_t s_start_error;
static size_t s_recv_chunk;
static int s_recv_timeouts;
static int s_server_token;
static bool s_on_server_task; /* a handler or queued work is running */
static int s_unregisters_off_server_task;
static struct {
    httpd_work_fn_t work;
    void *arg;
} s_work[FAKE_HTTPD_MAX_WORK];
static size_t s_work_count;
static bool s_fail_queue_work;

static union {
    httpd_req_t req;
    unsigned char bytes[sizeof(httpd_req_t)];
} s_req_storage;

static fake_httpd_response_t s_resp;
static const char *s_body;
static size_t s_body_len;
static size_t s_body_pos;
static int s_timeouts_left;

void fake_httpd_reset(void)
{
    s_running = false;
    memset(&s_config, 0, sizeof(s_config));
    memset(s_handlers, 0, sizeof(s_handlers));
    s_handler_count = 0;
    s_start_error = ESP_OK;
    s_recv_chunk = 0;
    s_recv_timeouts = 0;
    memset(&s_resp, 0, sizeof(s_resp));
    s_on_server_task = false;
    s_unregisters_off_server_task = 0;
    memset(s_work, 0, sizeof(s_work));
    s_work_count = 0;
    s_fail_queue_work = false;
}

void fake_httpd_set_start_error(esp_err_t err)
{
    s_start_error = err;
}

void fake_httpd_set_recv_behaviour(size_t chunk, int timeouts)
{
    s_recv_chunk = chunk;
    s_recv_timeouts = timeouts;
}

bool fake_httpd_running(void)
{
    return s_running;
}

const httpd_config_t *fake_httpd_config(void)
{
    return &s_config;
}

size_t fake_httpd_handler_count(void)
{
    return s_handler_count;
}

const httpd_uri_t *fake_httpd_find(const char *uri, int method)
{
    for (size_t i = 0; i < s_handler_count; i++) {
        if (strcmp(s_handlers[i].uri, uri) == 0 &&
            ((int)s_handlers[i].method == method || s_handlers[i].method == (httpd_method_t)HTTP_ANY)) {
            return &s_handlers[i];
        }
    }
    return NULL;
}

esp_err_t httpd_start(httpd_handle_t *handle, const httpd_config_t *config)
{
    if (handle == NULL || config == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    /* As httpd_start: 3 sockets of its own (listen, control send and receive) plus the clients. */
    if (CONFIG_LWIP_MAX_SOCKETS < config->max_open_sockets + 3) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s_start_error != ESP_OK) {
        return s_start_error;
    }
    s_config = *config;
    s_running = true;
    s_handler_count = 0;
    *handle = &s_server_token;
    return ESP_OK;
}

esp_err_t httpd_stop(httpd_handle_t handle)
{
    if (handle != &s_server_token) {
        return ESP_ERR_INVALID_ARG;
    }
    s_running = false;
    s_handler_count = 0;
    s_work_count = 0; /* the server task is gone: queued work never runs */
    return ESP_OK;
}

esp_err_t httpd_register_uri_handler(httpd_handle_t handle, const httpd_uri_t *uri_handler)
{
    if (handle != &s_server_token || !s_running || uri_handler == NULL || uri_handler->uri == NULL ||
        uri_handler->handler == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (fake_httpd_find(uri_handler->uri, (int)uri_handler->method) != NULL) {
        return ESP_ERR_HTTPD_HANDLER_EXISTS;
    }
    if (s_handler_count >= s_config.max_uri_handlers || s_handler_count >= FAKE_HTTPD_MAX_HANDLERS) {
        return ESP_ERR_HTTPD_HANDLERS_FULL;
    }
    s_handlers[s_handler_count++] = *uri_handler;
    return ESP_OK;
}

esp_err_t httpd_unregister_uri_handler(httpd_handle_t handle, const char *uri, httpd_method_t method)
{
    if (handle != &s_server_token || uri == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!s_on_server_task) {
        /* The real one edits the handler table without a lock, racing the server task that reads it. */
        s_unregisters_off_server_task++;
    }
    for (size_t i = 0; i < s_handler_count; i++) {
        if (strcmp(s_handlers[i].uri, uri) == 0 && s_handlers[i].method == method) {
            memmove(&s_handlers[i], &s_handlers[i + 1], (s_handler_count - i - 1) * sizeof(s_handlers[0]));
            s_handler_count--;
            return ESP_OK;
        }
    }
    return ESP_ERR_NOT_FOUND;
}

esp_err_t httpd_queue_work(httpd_handle_t handle, httpd_work_fn_t work, void *arg)
{
    if (handle == NULL || work == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (handle != &s_server_token || !s_running || s_fail_queue_work || s_work_count == FAKE_HTTPD_MAX_WORK) {
        s_fail_queue_work = false;
        return ESP_FAIL; /* the control socket refused the message */
    }
    s_work[s_work_count].work = work;
    s_work[s_work_count].arg = arg;
    s_work_count++;
    return ESP_OK;
}

size_t fake_httpd_queued_work(void)
{
    return s_work_count;
}

size_t fake_httpd_run_queued_work(void)
{
    size_t ran = 0;
    while (s_work_count > 0) {
        httpd_work_fn_t work = s_work[0].work;
        void *arg = s_work[0].arg;
        memmove(&s_work[0], &s_work[1], (s_work_count - 1) * sizeof(s_work[0]));
        s_work_count--;
        s_on_server_task = true;
        work(arg);
        s_on_server_task = false;
        ran++;
    }
    return ran;
}

void fake_httpd_fail_next_queue_work(void)
{
    s_fail_queue_work = true;
}

int fake_httpd_unregisters_off_server_task(void)
{
    return s_unregisters_off_server_task;
}

static bool is_current(const httpd_req_t *r)
{
    return r == &s_req_storage.req;
}

int httpd_req_recv(httpd_req_t *r, char *buf, size_t buf_len)
{
    if (!is_current(r) || buf == NULL) {
        return HTTPD_SOCK_ERR_INVALID;
    }
    if (s_timeouts_left > 0) {
        s_timeouts_left--;
        return HTTPD_SOCK_ERR_TIMEOUT;
    }
    /* Never past Content-Length, as esp_http_server. */
    size_t remaining_content = r->content_len > s_body_pos ? r->content_len - s_body_pos : 0;
    size_t available = s_body_len > s_body_pos ? s_body_len - s_body_pos : 0;
    if (remaining_content == 0) {
        return 0;
    }
    if (available == 0) {
        return HTTPD_SOCK_ERR_FAIL; /* the client stopped sending before Content-Length */
    }
    size_t n = buf_len;
    if (n > remaining_content) {
        n = remaining_content;
    }
    if (n > available) {
        n = available;
    }
    if (s_recv_chunk != 0 && n > s_recv_chunk) {
        n = s_recv_chunk;
    }
    memcpy(buf, s_body + s_body_pos, n);
    s_body_pos += n;
    s_resp.body_bytes_read = s_body_pos;
    return (int)n;
}

esp_err_t httpd_resp_set_status(httpd_req_t *r, const char *status)
{
    if (!is_current(r) || status == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    snprintf(s_resp.status, sizeof(s_resp.status), "%s", status);
    return ESP_OK;
}

esp_err_t httpd_resp_set_type(httpd_req_t *r, const char *type)
{
    if (!is_current(r) || type == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    snprintf(s_resp.content_type, sizeof(s_resp.content_type), "%s", type);
    return ESP_OK;
}

esp_err_t httpd_resp_set_hdr(httpd_req_t *r, const char *field, const char *value)
{
    if (!is_current(r) || field == NULL || value == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s_resp.header_count >= FAKE_HTTPD_MAX_HEADERS) {
        return ESP_ERR_HTTPD_RESP_HDR;
    }
    snprintf(s_resp.header_names[s_resp.header_count], sizeof(s_resp.header_names[0]), "%s", field);
    snprintf(s_resp.header_values[s_resp.header_count], sizeof(s_resp.header_values[0]), "%s", value);
    s_resp.header_count++;
    return ESP_OK;
}

esp_err_t httpd_resp_send(httpd_req_t *r, const char *buf, ssize_t buf_len)
{
    if (!is_current(r)) {
        return ESP_ERR_HTTPD_INVALID_REQ;
    }
    size_t len = 0;
    if (buf != NULL) {
        len = buf_len == HTTPD_RESP_USE_STRLEN ? strlen(buf) : (size_t)buf_len;
    }
    if (len >= sizeof(s_resp.body)) {
        return ESP_ERR_HTTPD_RESP_SEND;
    }
    if (len > 0) {
        memcpy(s_resp.body, buf, len);
    }
    s_resp.body[len] = '\0';
    s_resp.body_len = len;
    s_resp.sent = true;
    return ESP_OK;
}

esp_err_t httpd_resp_send_err(httpd_req_t *req, httpd_err_code_t error, const char *msg)
{
    static const char *const lines[HTTPD_ERR_CODE_MAX] = {
        [HTTPD_500_INTERNAL_SERVER_ERROR] = "500 Internal Server Error",
        [HTTPD_501_METHOD_NOT_IMPLEMENTED] = "501 Method Not Implemented",
        [HTTPD_505_VERSION_NOT_SUPPORTED] = "505 Version Not Supported",
        [HTTPD_400_BAD_REQUEST] = "400 Bad Request",
        [HTTPD_401_UNAUTHORIZED] = "401 Unauthorized",
        [HTTPD_403_FORBIDDEN] = "403 Forbidden",
        [HTTPD_404_NOT_FOUND] = "404 Not Found",
        [HTTPD_405_METHOD_NOT_ALLOWED] = "405 Method Not Allowed",
        [HTTPD_408_REQ_TIMEOUT] = "408 Request Timeout",
        [HTTPD_411_LENGTH_REQUIRED] = "411 Length Required",
        [HTTPD_413_CONTENT_TOO_LARGE] = "413 Content Too Large",
        [HTTPD_414_URI_TOO_LONG] = "414 URI Too Long",
        [HTTPD_431_REQ_HDR_FIELDS_TOO_LARGE] = "431 Request Header Fields Too Large",
    };
    if (!is_current(req) || (int)error < 0 || error >= HTTPD_ERR_CODE_MAX) {
        return ESP_ERR_INVALID_ARG;
    }
    httpd_resp_set_status(req, lines[error]);
    httpd_resp_set_type(req, "text/plain");
    return httpd_resp_send(req, msg, msg != NULL ? HTTPD_RESP_USE_STRLEN : 0);
}

const fake_httpd_response_t *fake_httpd_request(int method, const char *uri, const char *body,
                                                size_t body_len, size_t content_len)
{
    memset(&s_resp, 0, sizeof(s_resp));
    snprintf(s_resp.status, sizeof(s_resp.status), "%s", HTTPD_200);
    snprintf(s_resp.content_type, sizeof(s_resp.content_type), "%s", HTTPD_TYPE_TEXT);
    const httpd_uri_t *h = s_running ? fake_httpd_find(uri, method) : NULL;
    if (h == NULL) {
        return &s_resp;
    }
    memset(&s_req_storage, 0, sizeof(s_req_storage));
    snprintf((char *)s_req_storage.bytes + offsetof(httpd_req_t, uri), HTTPD_MAX_URI_LEN + 1, "%s", uri);
    s_req_storage.req.handle = &s_server_token;
    s_req_storage.req.method = method;
    s_req_storage.req.content_len = content_len;
    s_req_storage.req.user_ctx = h->user_ctx;
    s_body = body;
    s_body_len = body != NULL ? body_len : 0;
    s_body_pos = 0;
    s_timeouts_left = s_recv_timeouts;
    s_resp.handled = true;
    s_on_server_task = true;
    s_resp.handler_result = h->handler(&s_req_storage.req);
    s_on_server_task = false;
    return &s_resp;
}
