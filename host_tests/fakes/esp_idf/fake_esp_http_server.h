/*
 * Control functions of the esp_http_server fake: run a request through the registered handlers and look at
 * the response, as a client would see it. Single-threaded tests only.
 */
#ifndef FAKE_ESP_HTTP_SERVER_CONTROL_H
#define FAKE_ESP_HTTP_SERVER_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "esp_http_server.h"

#define FAKE_HTTPD_MAX_HANDLERS 16
#define FAKE_HTTPD_RESPONSE_MAX 8192
#define FAKE_HTTPD_MAX_HEADERS  4
#define FAKE_HTTPD_MAX_WORK     8

void fake_httpd_reset(void);
/* httpd_start() returns err from now on (ESP_OK = works). Before that it refuses, as the real one,
 * max_open_sockets + 3 > CONFIG_LWIP_MAX_SOCKETS with ESP_ERR_INVALID_ARG. */
void fake_httpd_set_start_error(esp_err_t err);
/* httpd_req_recv() returns at most chunk bytes per call (0 = no limit), and HTTPD_SOCK_ERR_TIMEOUT for the
 * first timeouts calls of each request. */
void fake_httpd_set_recv_behaviour(size_t chunk, int timeouts);

bool fake_httpd_running(void);
const httpd_config_t *fake_httpd_config(void);
size_t fake_httpd_handler_count(void);
/* The registered handler for (uri, method), NULL when none. */
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

typedef struct {
    bool handled; /* a handler matched and ran */
    esp_err_t handler_result;
    bool sent;             /* httpd_resp_send / send_err called */
    char status[64];       /* "200 OK" unless set */
    char content_type[64]; /* "text/html" unless set */
    char body[FAKE_HTTPD_RESPONSE_MAX];
    size_t body_len;
    size_t body_bytes_read; /* request body bytes the handler consumed */
    size_t header_count;
    char header_names[FAKE_HTTPD_MAX_HEADERS][32];
    char header_values[FAKE_HTTPD_MAX_HEADERS][64];
} fake_httpd_response_t;

/*
 * Runs one request: content_len is what the client announced (Content-Length); body holds the bytes it
 * sends (body_len, may be less than content_len to simulate a client that stops). Returns the response;
 * when no handler matches, handled is false (esp_http_server would answer 404/405 itself).
 */
const fake_httpd_response_t *fake_httpd_request(int method, const char *uri, const char *body,
                                                size_t body_len, size_t content_len);

#endif /* FAKE_ESP_HTTP_SERVER_CONTROL_H */
