/*
 * Control functions of the esp_http_server fake: run a request through the server (its own checks, then the
 * registered handler) and look at the response, as a client would see it. Single-threaded tests only.
 */
#ifndef FAKE_ESP_HTTP_SERVER_CONTROL_H
#define FAKE_ESP_HTTP_SERVER_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "esp_http_server.h"

#define FAKE_HTTPD_MAX_HANDLERS     16
#define FAKE_HTTPD_RESPONSE_MAX     8192
#define FAKE_HTTPD_MAX_RESP_HEADERS 16 /* set_hdr refuses beyond this too, whatever max_resp_headers says */
#define FAKE_HTTPD_MAX_WORK         8

void fake_httpd_reset(void);
/* httpd_start() returns err from now on (ESP_OK = works). Before that it refuses, as the real one,
 * max_open_sockets + 3 > CONFIG_LWIP_MAX_SOCKETS with ESP_ERR_INVALID_ARG. */
void fake_httpd_set_start_error(esp_err_t err);
/* httpd_req_recv() returns at most chunk bytes per call (0 = no limit), and HTTPD_SOCK_ERR_TIMEOUT for the
 * first timeouts calls of each request. */
void fake_httpd_set_recv_behaviour(size_t chunk, int timeouts);
/* The server as if built with CONFIG_HTTPD_MAX_REQ_HDR_LEN = len (the fake sdkconfig.h's value until reset).
 */
void fake_httpd_set_max_req_hdr_len(size_t len);
/* Bytes of header section the server can hold: MAX(header limit, CONFIG_HTTPD_MAX_URI_LEN) + 1. */
size_t fake_httpd_header_capacity(void);

/* Called at the start of every httpd_req_recv and httpd_resp_send of a handler, so a test can look at the
 * process while a request is in progress (NULL: none). Cleared by fake_httpd_reset. */
typedef enum {
    FAKE_HTTPD_CALL_RECV = 0,
    FAKE_HTTPD_CALL_SEND,
} fake_httpd_call_t;
typedef void (*fake_httpd_call_hook_fn)(fake_httpd_call_t call, void *user_arg);
void fake_httpd_set_call_hook(fake_httpd_call_hook_fn hook, void *user_arg);

bool fake_httpd_running(void);
const httpd_config_t *fake_httpd_config(void);
size_t fake_httpd_handler_count(void);
/* The handler the server would call for a request to uri (its path, with the configured matcher) and
 * method, NULL when none. */
const httpd_uri_t *fake_httpd_find(const char *uri, int method);

/* httpd_queue_work: work waiting for the server task; running it (in order, as the server task does between
 * requests) returns how many ran. Stopping the server drops it. */
size_t fake_httpd_queued_work(void);
size_t fake_httpd_run_queued_work(void);
/* httpd_queue_work returns ESP_FAIL next time (the control socket refused the message). */
void fake_httpd_fail_next_queue_work(void);
/* httpd_unregister_uri_handler calls made outside a handler or queued work, i.e. not on the server task,
 * where the real one races the server task over the handler table. */
int fake_httpd_unregisters_off_server_task(void);

/* One request header line as the client sends it ("name: value"). */
typedef struct {
    const char *name;
    const char *value;
} fake_httpd_header_t;

/*
 * One request. content_len is what the client announced: a Content-Length header is counted and readable
 * when content_len > 0 and headers has none. body holds the bytes it sends (body_len, may be less than
 * content_len to simulate a client that stops). The fake keeps the pointers, not copies, during the request.
 */
typedef struct {
    int method;
    const char *uri; /* as on the request line: path and query */
    const fake_httpd_header_t *headers;
    size_t header_count;
    const char *body;
    size_t body_len;
    size_t content_len;
} fake_httpd_request_t;

typedef struct {
    bool handled; /* a handler matched and ran */
    esp_err_t handler_result;
    bool sent;             /* a response went out (the handler's, or the server's own error) */
    unsigned sends;        /* httpd_resp_send / send_err calls of the handler */
    char status[64];       /* "200 OK" unless set */
    char content_type[64]; /* "text/html" unless set */
    char body[FAKE_HTTPD_RESPONSE_MAX];
    size_t body_len;
    size_t body_bytes_read;      /* request body bytes the handler consumed */
    size_t request_header_bytes; /* the header section the server had to hold, final blank line included */
    /* The extra headers as sent: the values the set_hdr pointers held when the response was sent. */
    size_t header_count;
    char header_names[FAKE_HTTPD_MAX_RESP_HEADERS][32];
    char header_values[FAKE_HTTPD_MAX_RESP_HEADERS][128];
} fake_httpd_response_t;

/*
 * Runs one request as esp_http_server would: 414 over CONFIG_HTTPD_MAX_URI_LEN, 431 when the header section
 * does not fit, the handler lookup (404 / 405 when none matches), then the handler. When the server answers
 * by itself, handled is false and the response holds its error (status, "text/html", message).
 */
const fake_httpd_response_t *fake_httpd_run(const fake_httpd_request_t *request);
/* Shorthand for a request without headers. */
const fake_httpd_response_t *fake_httpd_request(int method, const char *uri, const char *body,
                                                size_t body_len, size_t content_len);

/* The value the server reports for header name of request, as httpd_req_get_hdr_value_str reads it (the
 * first one, name without regard to case, leading spaces skipped), NULL when absent. */
const char *fake_httpd_request_header(const fake_httpd_request_t *request, const char *name);

/* The value of the response header name (case-insensitive, as a client reads it), NULL when not sent. */
const char *fake_httpd_response_header(const fake_httpd_response_t *response, const char *name);

#endif /* FAKE_ESP_HTTP_SERVER_CONTROL_H */
