/*
 * esp_http_server fake: one server, a handler table, synchronous requests. The request object lives in
 * static storage whose uri member is filled through a byte view (the real struct's uri is const).
 *
 * What the real server (ESP-IDF v5.4.2, components/esp_http_server) does and the fake models, by source:
 *   src/httpd_parse.c  cb_url / verify_url: a URI over HTTPD_MAX_URI_LEN is answered 414.
 *   src/httpd_parse.c  httpd_parse_req / read_block / parse_block: the header lines are read into the
 *                      request's scratch buffer (esp_httpd_priv.h: HTTPD_SCRATCH_BUF =
 * MAX(HTTPD_MAX_REQ_HDR_LEN, HTTPD_MAX_URI_LEN), plus 1 byte), from its start (the request line is not kept
 * there). When it is full before the header section has ended, the request is answered 431 by
 *                      httpd_req_handle_err before any handler is looked up. A section ending exactly at the
 *                      buffer's end leaves no room for the first body byte: with a body, parse_block finds
 * the parser in PARSING_BODY with nothing to read and answers 500. src/httpd_uri.c    httpd_uri /
 * httpd_find_uri_handler: handlers are matched against the URL's path only (http_parser_parse_url's UF_PATH:
 * the query string is not passed, match_upto is the path's length) with config.uri_match_fn, or an exact
 * comparison when it is NULL; the first handler whose method is the request's or HTTP_ANY wins; otherwise 405
 * when a URI matched with another method, else 404 (also when the URL has no path).
 *                      httpd_register_uri_handler refuses a handler the same lookup already finds
 *                      (ESP_ERR_HTTPD_HANDLER_EXISTS): with the catch-all "/" + "*" registered, every URI is.
 *   src/httpd_parse.c  httpd_req_get_hdr_value_len / httpd_req_get_hdr_value_str: the first header whose
 *                      name has the field's length and equals it ignoring case (strncasecmp); leading spaces
 *                      of the value skipped; the value is strlcpy'd into val (cut to val_size - 1 bytes) and
 *                      ESP_ERR_HTTPD_RESULT_TRUNC returned when it did not fit; ESP_ERR_NOT_FOUND otherwise.
 *   src/httpd_txrx.c   httpd_resp_set_hdr: stores the field and value pointers, ESP_ERR_HTTPD_RESP_HDR once
 *                      max_resp_headers are set. httpd_resp_send: purges the request headers (req_hdrs_count
 *                      = 0), refuses a status and content type line that does not fit the scratch buffer
 *                      (ESP_ERR_HTTPD_RESP_HDR), then writes the extra headers from those pointers.
 *   src/httpd_txrx.c   httpd_resp_send_err: the status line and default message of each error code, content
 *                      type HTTPD_TYPE_TEXT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_http_server.h"
#include "fake_esp_http_server.h"

/* Header lines: "name: value\r\n"; the section ends with an empty line. */
#define HEADER_LINE_OVERHEAD 4u
#define HEADER_SECTION_END   2u

static bool s_running;
static httpd_config_t s_config;
static httpd_uri_t s_handlers[FAKE_HTTPD_MAX_HANDLERS];
static size_t s_handler_count;
static esp_err_t s_start_error;
static size_t s_recv_chunk;
static int s_recv_timeouts;
static size_t s_max_req_hdr_len = HTTPD_MAX_REQ_HDR_LEN;
static fake_httpd_call_hook_fn s_call_hook;
static void *s_call_hook_arg;
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

/* The request being handled: valid only while its handler runs. */
static bool s_in_request;
static const fake_httpd_request_t *s_request;
static bool s_request_headers_readable;
static char s_content_length_value[24]; /* the implicit Content-Length header, when the test gave none */
static bool s_content_length_implicit;
static const char *s_resp_fields[FAKE_HTTPD_MAX_RESP_HEADERS];
static const char *s_resp_values[FAKE_HTTPD_MAX_RESP_HEADERS];
static size_t s_resp_header_count;

static fake_httpd_response_t s_resp;
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
    s_max_req_hdr_len = HTTPD_MAX_REQ_HDR_LEN;
    s_call_hook = NULL;
    s_call_hook_arg = NULL;
    memset(&s_resp, 0, sizeof(s_resp));
    s_on_server_task = false;
    s_unregisters_off_server_task = 0;
    memset(s_work, 0, sizeof(s_work));
    s_work_count = 0;
    s_fail_queue_work = false;
    s_in_request = false;
    s_request = NULL;
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

void fake_httpd_set_max_req_hdr_len(size_t len)
{
    s_max_req_hdr_len = len;
}

size_t fake_httpd_header_capacity(void)
{
    const size_t scratch = s_max_req_hdr_len > HTTPD_MAX_URI_LEN ? s_max_req_hdr_len : HTTPD_MAX_URI_LEN;
    return scratch + 1;
}

void fake_httpd_set_call_hook(fake_httpd_call_hook_fn hook, void *user_arg)
{
    s_call_hook = hook;
    s_call_hook_arg = user_arg;
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

bool httpd_uri_match_wildcard(const char *uri_template, const char *uri_to_match, size_t match_upto)
{
    size_t literal = strlen(uri_template);
    bool any_tail = false; /* '*': anything may follow */
    bool optional = false; /* '?': the character before it may be missing */
    for (int markers = 0; markers < 2 && literal > 0; markers++) {
        if (uri_template[literal - 1] == '*' && !any_tail) {
            any_tail = true;
        } else if (uri_template[literal - 1] == '?' && !optional) {
            optional = true;
        } else {
            break;
        }
        literal--;
    }
    if (optional && literal == 0) {
        return false; /* "?" with nothing before it: an invalid template matches nothing */
    }
    const size_t required = optional ? literal - 1 : literal;
    if (match_upto < required || strncmp(uri_template, uri_to_match, required) != 0) {
        return false;
    }
    size_t rest = match_upto - required;
    if (optional && rest > 0) {
        if (uri_to_match[required] != uri_template[required]) {
            return false; /* a character is there, but not the optional one */
        }
        rest--;
    }
    return any_tail || rest == 0;
}

static bool uri_matches(const char *uri_template, const char *path, size_t path_len)
{
    if (s_config.uri_match_fn != NULL) {
        return s_config.uri_match_fn(uri_template, path, path_len);
    }
    return strlen(uri_template) == path_len && strncmp(uri_template, path, path_len) == 0;
}

static const httpd_uri_t *find_handler(const char *path, size_t path_len, int method, httpd_err_code_t *err)
{
    *err = HTTPD_404_NOT_FOUND;
    for (size_t i = 0; i < s_handler_count; i++) {
        if (!uri_matches(s_handlers[i].uri, path, path_len)) {
            continue;
        }
        if ((int)s_handlers[i].method == method || s_handlers[i].method == (httpd_method_t)HTTP_ANY) {
            return &s_handlers[i];
        }
        *err = HTTPD_405_METHOD_NOT_ALLOWED;
    }
    return NULL;
}

/* The UF_PATH part of a request target: origin form ("/p?q", or "*") from its start, absolute form
 * ("http://host/p") from the first '/' after the authority; up to '?' or '#'. False when there is none. */
static bool request_path(const char *uri, const char **path, size_t *path_len)
{
    const char *start = uri;
    if (uri[0] != '/' && uri[0] != '*') {
        const char *scheme_end = strstr(uri, "://");
        if (scheme_end == NULL) {
            return false;
        }
        start = scheme_end + 3 + strcspn(scheme_end + 3, "/?#");
        if (*start != '/') {
            return false;
        }
    }
    *path = start;
    *path_len = strcspn(start, "?#");
    return true;
}

const httpd_uri_t *fake_httpd_find(const char *uri, int method)
{
    const char *path = NULL;
    size_t path_len = 0;
    httpd_err_code_t err;
    if (uri == NULL || !request_path(uri, &path, &path_len)) {
        return NULL;
    }
    return find_handler(path, path_len, method, &err);
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

/* cppcheck-suppress constParameter ; the ESP-IDF signature */
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

/* cppcheck-suppress constParameter ; the ESP-IDF signature */
esp_err_t httpd_register_uri_handler(httpd_handle_t handle, const httpd_uri_t *uri_handler)
{
    if (handle != &s_server_token || !s_running || uri_handler == NULL || uri_handler->uri == NULL ||
        uri_handler->handler == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    httpd_err_code_t err;
    if (find_handler(uri_handler->uri, strlen(uri_handler->uri), (int)uri_handler->method, &err) != NULL) {
        return ESP_ERR_HTTPD_HANDLER_EXISTS;
    }
    if (s_handler_count >= s_config.max_uri_handlers || s_handler_count >= FAKE_HTTPD_MAX_HANDLERS) {
        return ESP_ERR_HTTPD_HANDLERS_FULL;
    }
    s_handlers[s_handler_count++] = *uri_handler;
    return ESP_OK;
}

/* cppcheck-suppress constParameter ; the ESP-IDF signature */
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

/* cppcheck-suppress constParameter ; the ESP-IDF signature */
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
    return s_in_request && r == &s_req_storage.req;
}

static void call_hook(fake_httpd_call_t call)
{
    if (s_call_hook != NULL) {
        s_call_hook(call, s_call_hook_arg);
    }
}

static char lower_ascii(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool equals_ignoring_case(const char *a, const char *b)
{
    while (*a != '\0' && lower_ascii(*a) == lower_ascii(*b)) {
        a++;
        b++;
    }
    return *a == '\0' && *b == '\0';
}

static const char *skip_spaces(const char *value)
{
    while (value != NULL && *value == ' ') {
        value++;
    }
    return value;
}

const char *fake_httpd_request_header(const fake_httpd_request_t *request, const char *name)
{
    for (size_t i = 0; i < request->header_count; i++) {
        if (equals_ignoring_case(request->headers[i].name, name)) {
            return skip_spaces(request->headers[i].value);
        }
    }
    return NULL;
}

/* The value of the current request's header field, NULL when absent or purged by the response. */
static const char *request_header(const char *field)
{
    if (!s_request_headers_readable) {
        return NULL;
    }
    const char *value = fake_httpd_request_header(s_request, field);
    if (value == NULL && s_content_length_implicit && equals_ignoring_case("Content-Length", field)) {
        value = s_content_length_value;
    }
    return value;
}

size_t httpd_req_get_hdr_value_len(httpd_req_t *r, const char *field)
{
    if (r == NULL || field == NULL || !is_current(r)) {
        return 0;
    }
    const char *value = request_header(field);
    return value != NULL ? strlen(value) : 0;
}

esp_err_t httpd_req_get_hdr_value_str(httpd_req_t *r, const char *field, char *val, size_t val_size)
{
    if (r == NULL || field == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!is_current(r)) {
        return ESP_ERR_HTTPD_INVALID_REQ;
    }
    const char *value = request_header(field);
    if (value == NULL) {
        return ESP_ERR_NOT_FOUND;
    }
    if (val == NULL && val_size > 0) {
        abort(); /* the real one does not check val: strlcpy would write through NULL */
    }
    const size_t len = strlen(value);
    if (val_size > 0) {
        const size_t copied = len < val_size - 1 ? len : val_size - 1;
        memcpy(val, value, copied);
        val[copied] = '\0';
    }
    return val_size < len + 1 ? ESP_ERR_HTTPD_RESULT_TRUNC : ESP_OK;
}

int httpd_req_recv(httpd_req_t *r, char *buf, size_t buf_len)
{
    if (r == NULL || !is_current(r) || buf == NULL) {
        return HTTPD_SOCK_ERR_INVALID;
    }
    call_hook(FAKE_HTTPD_CALL_RECV);
    if (s_timeouts_left > 0) {
        s_timeouts_left--;
        return HTTPD_SOCK_ERR_TIMEOUT;
    }
    /* Never past Content-Length, as esp_http_server. */
    const size_t body_len = s_request->body != NULL ? s_request->body_len : 0;
    size_t remaining_content = r->content_len > s_body_pos ? r->content_len - s_body_pos : 0;
    size_t available = body_len > s_body_pos ? body_len - s_body_pos : 0;
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
    memcpy(buf, s_request->body + s_body_pos, n);
    s_body_pos += n;
    s_resp.body_bytes_read = s_body_pos;
    return (int)n;
}

esp_err_t httpd_resp_set_status(httpd_req_t *r, const char *status)
{
    if (r == NULL || status == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!is_current(r)) {
        return ESP_ERR_HTTPD_INVALID_REQ;
    }
    snprintf(s_resp.status, sizeof(s_resp.status), "%s", status);
    return ESP_OK;
}

esp_err_t httpd_resp_set_type(httpd_req_t *r, const char *type)
{
    if (r == NULL || type == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!is_current(r)) {
        return ESP_ERR_HTTPD_INVALID_REQ;
    }
    snprintf(s_resp.content_type, sizeof(s_resp.content_type), "%s", type);
    return ESP_OK;
}

esp_err_t httpd_resp_set_hdr(httpd_req_t *r, const char *field, const char *value)
{
    if (r == NULL || field == NULL || value == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!is_current(r)) {
        return ESP_ERR_HTTPD_INVALID_REQ;
    }
    if (s_resp_header_count >= s_config.max_resp_headers ||
        s_resp_header_count >= FAKE_HTTPD_MAX_RESP_HEADERS) {
        return ESP_ERR_HTTPD_RESP_HDR;
    }
    s_resp_fields[s_resp_header_count] = field;
    s_resp_values[s_resp_header_count] = value;
    s_resp_header_count++;
    return ESP_OK;
}

static void record_body(const char *buf, size_t len)
{
    if (len > 0) {
        memcpy(s_resp.body, buf, len);
    }
    s_resp.body[len] = '\0';
    s_resp.body_len = len;
    s_resp.sent = true;
}

esp_err_t httpd_resp_send(httpd_req_t *r, const char *buf, ssize_t buf_len)
{
    if (r == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!is_current(r)) {
        return ESP_ERR_HTTPD_INVALID_REQ;
    }
    call_hook(FAKE_HTTPD_CALL_SEND);
    s_resp.sends++;
    size_t len = 0;
    if (buf != NULL) {
        len = buf_len == HTTPD_RESP_USE_STRLEN ? strlen(buf) : (size_t)buf_len;
    }
    s_request_headers_readable = false;
    /* The status and content type line is formatted in the scratch buffer, with the body's length. */
    char first_lines[96];
    const int line_len = snprintf(first_lines, sizeof(first_lines),
                                  "HTTP/1.1 \r\nContent-Type: \r\nContent-Length: %d\r\n", (int)len);
    if (line_len < 0 || (size_t)line_len + strlen(s_resp.status) + strlen(s_resp.content_type) >=
                            fake_httpd_header_capacity()) {
        return ESP_ERR_HTTPD_RESP_HDR;
    }
    if (len >= sizeof(s_resp.body)) {
        return ESP_ERR_HTTPD_RESP_SEND;
    }
    s_resp.header_count = s_resp_header_count;
    for (size_t i = 0; i < s_resp_header_count; i++) {
        snprintf(s_resp.header_names[i], sizeof(s_resp.header_names[i]), "%s", s_resp_fields[i]);
        snprintf(s_resp.header_values[i], sizeof(s_resp.header_values[i]), "%s", s_resp_values[i]);
    }
    record_body(buf, len);
    return ESP_OK;
}

/* httpd_resp_send_err's status line and default message for each code. */
static void error_text(httpd_err_code_t error, const char **status, const char **message)
{
    static const struct {
        const char *status;
        const char *message;
    } texts[HTTPD_ERR_CODE_MAX] = {
        [HTTPD_500_INTERNAL_SERVER_ERROR] = {"500 Internal Server Error",
                                             "Server has encountered an unexpected error"},
        [HTTPD_501_METHOD_NOT_IMPLEMENTED] = {"501 Method Not Implemented",
                                              "Server does not support this method"},
        [HTTPD_505_VERSION_NOT_SUPPORTED] = {"505 Version Not Supported",
                                             "HTTP version not supported by server"},
        [HTTPD_400_BAD_REQUEST] = {"400 Bad Request", "Bad request syntax"},
        [HTTPD_401_UNAUTHORIZED] = {"401 Unauthorized", "No permission -- see authorization schemes"},
        [HTTPD_403_FORBIDDEN] = {"403 Forbidden", "Request forbidden -- authorization will not help"},
        [HTTPD_404_NOT_FOUND] = {"404 Not Found", "Nothing matches the given URI"},
        [HTTPD_405_METHOD_NOT_ALLOWED] = {"405 Method Not Allowed",
                                          "Specified method is invalid for this resource"},
        [HTTPD_408_REQ_TIMEOUT] = {"408 Request Timeout", "Server closed this connection"},
        [HTTPD_411_LENGTH_REQUIRED] = {"411 Length Required", "Client must specify Content-Length"},
        [HTTPD_413_CONTENT_TOO_LARGE] = {"413 Content Too Large", "Content is too large"},
        [HTTPD_414_URI_TOO_LONG] = {"414 URI Too Long", "URI is too long"},
        [HTTPD_431_REQ_HDR_FIELDS_TOO_LARGE] = {"431 Request Header Fields Too Large",
                                                "Header fields are too long"},
    };
    const httpd_err_code_t code =
        ((int)error >= 0 && error < HTTPD_ERR_CODE_MAX && texts[error].status != NULL)
            ? error
            : HTTPD_500_INTERNAL_SERVER_ERROR;
    *status = texts[code].status;
    *message = texts[code].message;
}

esp_err_t httpd_resp_send_err(httpd_req_t *req, httpd_err_code_t error, const char *msg)
{
    const char *status = NULL;
    const char *default_message = NULL;
    error_text(error, &status, &default_message);
    httpd_resp_set_status(req, status);
    httpd_resp_set_type(req, HTTPD_TYPE_TEXT);
    return httpd_resp_send(req, msg != NULL ? msg : default_message, HTTPD_RESP_USE_STRLEN);
}

/* The server's own answer, before any handler (httpd_req_handle_err without a custom error handler). */
static const fake_httpd_response_t *server_error(httpd_err_code_t error)
{
    const char *status = NULL;
    const char *message = NULL;
    error_text(error, &status, &message);
    snprintf(s_resp.status, sizeof(s_resp.status), "%s", status);
    snprintf(s_resp.content_type, sizeof(s_resp.content_type), "%s", HTTPD_TYPE_TEXT);
    record_body(message, strlen(message));
    return &s_resp;
}

static size_t header_section_bytes(const fake_httpd_request_t *request)
{
    size_t bytes = HEADER_SECTION_END;
    for (size_t i = 0; i < request->header_count; i++) {
        bytes += strlen(request->headers[i].name) + strlen(request->headers[i].value) + HEADER_LINE_OVERHEAD;
    }
    if (s_content_length_implicit) {
        bytes += strlen("Content-Length") + strlen(s_content_length_value) + HEADER_LINE_OVERHEAD;
    }
    return bytes;
}

const fake_httpd_response_t *fake_httpd_run(const fake_httpd_request_t *request)
{
    memset(&s_resp, 0, sizeof(s_resp));
    snprintf(s_resp.status, sizeof(s_resp.status), "%s", HTTPD_200);
    snprintf(s_resp.content_type, sizeof(s_resp.content_type), "%s", HTTPD_TYPE_TEXT);
    if (!s_running || request == NULL || request->uri == NULL) {
        return &s_resp;
    }
    s_content_length_implicit =
        request->content_len > 0 && fake_httpd_request_header(request, "Content-Length") == NULL;
    snprintf(s_content_length_value, sizeof(s_content_length_value), "%zu", request->content_len);
    s_resp.request_header_bytes = header_section_bytes(request);
    if (strlen(request->uri) > HTTPD_MAX_URI_LEN) {
        return server_error(HTTPD_414_URI_TOO_LONG);
    }
    const size_t capacity = fake_httpd_header_capacity();
    if (s_resp.request_header_bytes > capacity) {
        return server_error(HTTPD_431_REQ_HDR_FIELDS_TOO_LARGE);
    }
    if (s_resp.request_header_bytes == capacity && request->content_len > 0) {
        return server_error(HTTPD_500_INTERNAL_SERVER_ERROR);
    }
    const char *path = NULL;
    size_t path_len = 0;
    httpd_err_code_t err = HTTPD_404_NOT_FOUND;
    const httpd_uri_t *h = NULL;
    if (request_path(request->uri, &path, &path_len)) {
        h = find_handler(path, path_len, request->method, &err);
    }
    if (h == NULL) {
        return server_error(err);
    }
    memset(&s_req_storage, 0, sizeof(s_req_storage));
    snprintf((char *)s_req_storage.bytes + offsetof(httpd_req_t, uri), HTTPD_MAX_URI_LEN + 1, "%s",
             request->uri);
    s_req_storage.req.handle = &s_server_token;
    s_req_storage.req.method = request->method;
    s_req_storage.req.content_len = request->content_len;
    s_req_storage.req.user_ctx = h->user_ctx;
    s_request = request;
    s_request_headers_readable = true;
    s_resp_header_count = 0;
    s_body_pos = 0;
    s_timeouts_left = s_recv_timeouts;
    s_resp.handled = true;
    s_in_request = true;
    s_on_server_task = true;
    s_resp.handler_result = h->handler(&s_req_storage.req);
    s_on_server_task = false;
    s_in_request = false;
    s_request = NULL;
    return &s_resp;
}

const fake_httpd_response_t *fake_httpd_request(int method, const char *uri, const char *body,
                                                size_t body_len, size_t content_len)
{
    const fake_httpd_request_t request = {
        .method = method,
        .uri = uri,
        .body = body,
        .body_len = body_len,
        .content_len = content_len,
    };
    return fake_httpd_run(&request);
}

const char *fake_httpd_response_header(const fake_httpd_response_t *response, const char *name)
{
    for (size_t i = 0; i < response->header_count; i++) {
        if (equals_ignoring_case(response->header_names[i], name)) {
            return response->header_values[i];
        }
    }
    return NULL;
}
