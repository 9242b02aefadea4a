/*
 * Fake of ESP-IDF v5.4.2 esp_http_server.h for host tests: server start/stop, URI handler registration with
 * the default or the wildcard matcher, request headers and body reads, and the response calls, with the real
 * names, types, error codes and semantics (each behaviour says where in esp_http_server it was read).
 * Requests are driven by the test (fake_esp_http_server.h): the fake parses nothing, it takes the request's
 * parts as given, applies the server's own checks (URI and header section sizes, handler lookup), calls the
 * handler on the caller's thread and records the response as a client would receive it.
 */
#ifndef FAKE_ESP_HTTP_SERVER_H
#define FAKE_ESP_HTTP_SERVER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "esp_err.h"
#include "http_parser.h"
#include "sdkconfig.h"

#define ESP_HTTPD_DEF_CTRL_PORT (32768)

#define ESP_ERR_HTTPD_BASE           (0xb000)
#define ESP_ERR_HTTPD_HANDLERS_FULL  (ESP_ERR_HTTPD_BASE + 1)
#define ESP_ERR_HTTPD_HANDLER_EXISTS (ESP_ERR_HTTPD_BASE + 2)
#define ESP_ERR_HTTPD_INVALID_REQ    (ESP_ERR_HTTPD_BASE + 3)
#define ESP_ERR_HTTPD_RESULT_TRUNC   (ESP_ERR_HTTPD_BASE + 4)
#define ESP_ERR_HTTPD_RESP_HDR       (ESP_ERR_HTTPD_BASE + 5)
#define ESP_ERR_HTTPD_RESP_SEND      (ESP_ERR_HTTPD_BASE + 6)
#define ESP_ERR_HTTPD_ALLOC_MEM      (ESP_ERR_HTTPD_BASE + 7)
#define ESP_ERR_HTTPD_TASK           (ESP_ERR_HTTPD_BASE + 8)

#define HTTPD_RESP_USE_STRLEN -1

typedef void *httpd_handle_t;
typedef enum http_method httpd_method_t;
#define HTTP_ANY INT_MAX

typedef void (*httpd_free_ctx_fn_t)(void *ctx);
typedef void (*httpd_work_fn_t)(void *arg);

/* Compares a registered URI template with the first match_upto bytes of a request's URI (its path: the
 * server passes the path without the query string, see fake_esp_http_server.c). */
typedef bool (*httpd_uri_match_func_t)(const char *reference_uri, const char *uri_to_match,
                                       size_t match_upto);

/* The members the adapters set, in the real order; the real struct has more (open/close hooks, ...). */
typedef struct httpd_config {
    unsigned task_priority;
    size_t stack_size;
    int core_id; /* BaseType_t in ESP-IDF */
    uint32_t task_caps;
    uint16_t server_port;
    uint16_t ctrl_port;
    uint16_t max_open_sockets;
    uint16_t max_uri_handlers;
    uint16_t max_resp_headers;
    uint16_t backlog_conn;
    bool lru_purge_enable;
    uint16_t recv_wait_timeout;
    uint16_t send_wait_timeout;
    void *global_user_ctx;
    httpd_free_ctx_fn_t global_user_ctx_free_fn;
    httpd_uri_match_func_t uri_match_fn; /* NULL: exact comparison of the path */
} httpd_config_t;

#define HTTPD_DEFAULT_CONFIG()                                                                            \
    {                                                                                                     \
        .task_priority = 5, .stack_size = 4096, .core_id = 0x7FFFFFFF, .task_caps = 0, .server_port = 80, \
        .ctrl_port = ESP_HTTPD_DEF_CTRL_PORT, .max_open_sockets = 7, .max_uri_handlers = 8,               \
        .max_resp_headers = 8, .backlog_conn = 5, .lru_purge_enable = false, .recv_wait_timeout = 5,      \
        .send_wait_timeout = 5, .global_user_ctx = NULL, .global_user_ctx_free_fn = NULL,                 \
        .uri_match_fn = NULL,                                                                             \
    }

#define HTTPD_MAX_REQ_HDR_LEN CONFIG_HTTPD_MAX_REQ_HDR_LEN
#define HTTPD_MAX_URI_LEN     CONFIG_HTTPD_MAX_URI_LEN

typedef struct httpd_req {
    httpd_handle_t handle;
    int method;
    const char uri[HTTPD_MAX_URI_LEN + 1];
    size_t content_len;
    void *aux;
    void *user_ctx;
    void *sess_ctx;
    httpd_free_ctx_fn_t free_ctx;
    bool ignore_sess_ctx_changes;
} httpd_req_t;

typedef struct httpd_uri {
    const char *uri;
    httpd_method_t method;
    esp_err_t (*handler)(httpd_req_t *r);
    void *user_ctx;
} httpd_uri_t;

typedef enum {
    HTTPD_500_INTERNAL_SERVER_ERROR = 0,
    HTTPD_501_METHOD_NOT_IMPLEMENTED,
    HTTPD_505_VERSION_NOT_SUPPORTED,
    HTTPD_400_BAD_REQUEST,
    HTTPD_401_UNAUTHORIZED,
    HTTPD_403_FORBIDDEN,
    HTTPD_404_NOT_FOUND,
    HTTPD_405_METHOD_NOT_ALLOWED,
    HTTPD_408_REQ_TIMEOUT,
    HTTPD_411_LENGTH_REQUIRED,
    HTTPD_413_CONTENT_TOO_LARGE,
    HTTPD_414_URI_TOO_LONG,
    HTTPD_431_REQ_HDR_FIELDS_TOO_LARGE,
    HTTPD_ERR_CODE_MAX
} httpd_err_code_t;

#define HTTPD_SOCK_ERR_FAIL    -1
#define HTTPD_SOCK_ERR_INVALID -2
#define HTTPD_SOCK_ERR_TIMEOUT -3

#define HTTPD_200 "200 OK"
#define HTTPD_204 "204 No Content"
#define HTTPD_207 "207 Multi-Status"
#define HTTPD_400 "400 Bad Request"
#define HTTPD_404 "404 Not Found"
#define HTTPD_408 "408 Request Timeout"
#define HTTPD_500 "500 Internal Server Error"

#define HTTPD_TYPE_JSON  "application/json"
#define HTTPD_TYPE_TEXT  "text/html"
#define HTTPD_TYPE_OCTET "application/octet-stream"

esp_err_t httpd_start(httpd_handle_t *handle, const httpd_config_t *config);
esp_err_t httpd_stop(httpd_handle_t handle);
esp_err_t httpd_register_uri_handler(httpd_handle_t handle, const httpd_uri_t *uri_handler);
/* Queued, not run: the test runs the queue as the server task would (fake_httpd_run_queued_work). */
esp_err_t httpd_queue_work(httpd_handle_t handle, httpd_work_fn_t work, void *arg);
/* ESP_ERR_NOT_FOUND when no handler has that URI and method. */
esp_err_t httpd_unregister_uri_handler(httpd_handle_t handle, const char *uri, httpd_method_t method);

/* Template rules: a trailing '*' matches anything after the prefix ('/' then '*' matches every path), a
 * trailing '?' makes the character before it optional, '?' and '*' together at the end do both; '*' and '?'
 * elsewhere are literal. */
bool httpd_uri_match_wildcard(const char *uri_template, const char *uri_to_match, size_t match_upto);

/* Request headers, readable until the response is sent. The field name is matched without regard to case;
 * the value is what follows the colon, leading spaces skipped. len: 0 when absent (or empty). */
size_t httpd_req_get_hdr_value_len(httpd_req_t *r, const char *field);
/* ESP_OK; ESP_ERR_NOT_FOUND; ESP_ERR_HTTPD_RESULT_TRUNC when val_size is too small (val then holds the first
 * val_size - 1 bytes, NUL-terminated); ESP_ERR_INVALID_ARG; ESP_ERR_HTTPD_INVALID_REQ outside a request. */
esp_err_t httpd_req_get_hdr_value_str(httpd_req_t *r, const char *field, char *val, size_t val_size);

/* Bytes read (> 0), 0 when the body is exhausted, or an HTTPD_SOCK_ERR_ code. */
int httpd_req_recv(httpd_req_t *r, char *buf, size_t buf_len);
esp_err_t httpd_resp_set_status(httpd_req_t *r, const char *status);
esp_err_t httpd_resp_set_type(httpd_req_t *r, const char *type);
/* Keeps the two pointers (not copies) until the response is sent; ESP_ERR_HTTPD_RESP_HDR beyond the
 * configured max_resp_headers. */
esp_err_t httpd_resp_set_hdr(httpd_req_t *r, const char *field, const char *value);
esp_err_t httpd_resp_send(httpd_req_t *r, const char *buf, ssize_t buf_len);
esp_err_t httpd_resp_send_err(httpd_req_t *req, httpd_err_code_t error, const char *msg);

#endif /* FAKE_ESP_HTTP_SERVER_H */
