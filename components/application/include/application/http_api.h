/*
 * http_api: the device's HTTP API, platform-free, shared by the esp_http_server adapter (firmware) and the
 * libmicrohttpd adapter (simulator), so both serve the same routes, status codes, headers and bytes.
 *
 *   GET  /whoami  200 JSON {mac_address, device_name, ip_address, location_description, firmware_version,
 *                 uptime_s, mqtt_state}. The central server's health check: must answer quickly, always.
 *                 ip_address is null while the station has no IP.
 *   GET  /ping    200 text "pong" (does not take the lock: answers even when the lock is busy)
 *   GET  /status  200 JSON {state, mqtt_enabled, connect_attempts, consecutive_failures, next_retry_ms,
 *                 registrations, last_registration: {uptime_ms, ip_address} | null, pending_msg_id,
 *                 last_error, broker_uri, broker_index, registration_timeout_ms, degraded: [..],
 *                 free_heap, min_free_heap, largest_free_block, stack_high_water: {app, mqtt, http},
 *                 reset_reason, uptime_s, wifi_state, wifi_mode, provisioning}; null where unknown.
 *   POST /config  form fields device_name and/or location_description (trimmed; the limits apply to the
 *                 trimmed value): 200 {device_name, location_description} with the values now in effect;
 *                 400 {"error":"<reason>"} (the domain rule, e.g. "device_name is longer than 100 bytes");
 *                 429 {"error":"too many changes: try again in N s"} + Retry-After when a change comes sooner
 *                 than the configured interval after the last one; 500 {"error":"storage error"}.
 * Provisioning mode only (the setup access point is up; otherwise 404, so nobody on the farm's network can
 * change the WiFi credentials once the device is provisioned):
 *   GET  /           200 text/html: the setup form (setup_page), in Spanish or English (?lang=, else
 *                    Accept-Language)
 *   GET  /scan       200 JSON [{ssid, rssi, secured}, ...] strongest first (a blocking scan of about 2 s);
 *                    503 {"error":"scan failed"}
 *   POST /provision  the setup form (provisioning.h): 200 text/html "Saved ..."; 400 text/plain reason;
 *                    429 text/plain + Retry-After; 500 text/plain; 503 text/plain when the event queue is
 * full (send again). The password is never echoed. GET  <any other path>  302 to the portal URL (captive
 * portal: phones open the setup page by themselves)
 *
 * Writes (every POST) are protected, in this order, before anything is read or stored:
 *   1. cross-site: Sec-Fetch-Site "cross-site", or an Origin whose host[:port] is not the Host header (or
 *      "null") -> 403 {"error":"cross-site request refused"}. A web page a farm worker opens cannot post.
 *   2. 413 {"error":"body too large"} over HTTP_API_MAX_BODY bytes.
 *   3. the device's setup secret (http_guard.h): Authorization "Bearer <secret>", or Basic with any user
 *      and the secret as password, or the form field setup_secret; compared in constant time. Missing or
 *      wrong -> 401 (WWW-Authenticate: Bearer): JSON {"error":"setup secret required"} for /config, one line
 *      of text in Spanish and English for /provision. A device without a secret refuses every write.
 * GET /whoami, /ping, /status, / and /scan stay open (the central server's health check needs no secret).
 * Errors: 503 {"error":"busy"} when the shared lock times out before anything is done; 404
 * {"error":"not found"} unknown path (the query string is ignored); 405 {"error":"method not allowed"}
 * wrong method; 500 {"error":"response too large"} when out is too small (empty body if even that does not
 * fit).
 *
 * Runs on the HTTP server's task(s): takes the shared lock only to copy, never across I/O; keeps no state of
 * its own (the write interval lives in the status store, under the lock).
 */
#ifndef APPLICATION_HTTP_API_H
#define APPLICATION_HTTP_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct application;

#define HTTP_API_MAX_BODY     1024
#define HTTP_API_RESPONSE_MAX 2048

typedef enum {
    HTTP_API_GET = 0,
    HTTP_API_POST,
    HTTP_API_OTHER,
} http_api_method_t;

/* One request as the adapter read it. Header values are NULL when absent. */
typedef struct {
    http_api_method_t method;
    const char *path; /* with the query string, if any */
    const char *body; /* may be NULL when body_len is 0 or over HTTP_API_MAX_BODY (413 without reading) */
    size_t body_len;
    const char *authorization;   /* Authorization */
    const char *host;            /* Host */
    const char *origin;          /* Origin */
    const char *sec_fetch_site;  /* Sec-Fetch-Site */
    const char *accept_language; /* Accept-Language */
} http_api_request_t;

/* The headers an adapter must read and hand over, for adapters that fetch them by name. */
extern const char *const http_api_request_headers[];
extern const size_t http_api_request_header_count;

#define HTTP_API_LOCATION_MAX 64

typedef struct {
    uint16_t status;                      /* 200, 302, 400, 401, 403, 404, 405, 413, 429, 500, 503 */
    const char *content_type;             /* static string: "application/json", "text/plain" or "text/html" */
    size_t body_len;                      /* bytes written into out (NUL-terminated too) */
    uint32_t retry_after_s;               /* > 0: send "Retry-After: <n>" (429) */
    const char *www_authenticate;         /* non-NULL: send "WWW-Authenticate: <value>" (401) */
    char location[HTTP_API_LOCATION_MAX]; /* non-empty: send "Location: <value>" (302) */
} http_api_response_t;

typedef struct {
    http_api_method_t method;
    const char *path;
    bool provisioning_only; /* served only while the setup access point is up */
} http_api_route_t;

/* The routes above, for adapters that register URIs one by one (esp_http_server). */
extern const http_api_route_t http_api_routes[];
extern const size_t http_api_route_count;

/* Handles one request; out must hold HTTP_API_RESPONSE_MAX bytes. */
void http_api_handle(struct application *app, const http_api_request_t *req, char *out, size_t out_size,
                     http_api_response_t *resp);

#endif
