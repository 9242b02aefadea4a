/*
 * http_api: the device's HTTP API, platform-free, shared by the esp_http_server adapter (firmware) and the
 * libmicrohttpd adapter (simulator), so both serve the same routes and bytes.
 *
 *   GET  /whoami  200 JSON {mac_address, device_name, ip_address, location_description, firmware_version,
 *                 uptime_s, mqtt_state}. The central server's health check: must answer quickly, always.
 *                 ip_address is null while the station has no IP.
 *   GET  /ping    200 text "pong" (does not take the lock: answers even when the lock is busy)
 *   GET  /status  200 JSON {state, mqtt_enabled, connect_attempts, consecutive_failures, next_retry_ms,
 *                 registrations, last_registration: {uptime_ms, ip_address} | null, pending_msg_id,
 *                 last_error, free_heap, min_free_heap, uptime_s}; pending_msg_id and last_error are null
 *                 when there is none.
 *   POST /config  form fields device_name and/or location_description: validated (400 {"error":"<reason>"},
 *                 reason = the domain rule, e.g. "device_name is longer than 100 bytes"), stored, cached,
 *                 then registration is published again; 200 {device_name, location_description} with the
 *                 values now in effect, as soon as they are stored (even when the shared lock is busy
 *                 after storing: the cache then catches up on the application task); 500
 *                 {"error":"storage error"}. 413 over HTTP_API_MAX_BODY bytes.
 * Provisioning mode only (the setup access point is up; 404 otherwise, so nobody on the farm's network can
 * change the WiFi credentials once the device is provisioned):
 *   GET  /           200 text/html: the setup form (setup_page)
 *   GET  /scan       200 JSON [{ssid, rssi, secured}, ...] strongest first (a blocking scan of about 2 s);
 *                    503 {"error":"scan failed"}
 *   POST /provision  the setup form (provisioning.h): 200 text/html "Saved ..."; 400 text/plain reason;
 *                    500 text/plain; 503 text/plain when the event queue is full (send again); 413 over
 *                    HTTP_API_MAX_BODY bytes. The password is never echoed.
 * Errors: 503 {"error":"busy"} when the shared lock times out before anything is done; 404
 * {"error":"not found"} unknown path (the query string is ignored); 405 {"error":"method not allowed"}
 * wrong method; 413 {"error":"body too large"}; 500 {"error":"response too large"} when out is too small
 * (empty body if even that does not fit).
 *
 * Runs on the HTTP server's task: takes the shared lock only to copy, never across I/O.
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

typedef struct {
    uint16_t status;          /* 200, 400, 404, 405, 413, 500, 503 */
    const char *content_type; /* static string: "application/json", "text/plain" or "text/html" */
    size_t body_len;          /* bytes written into out (NUL-terminated too) */
} http_api_response_t;

typedef struct {
    http_api_method_t method;
    const char *path;
    bool provisioning_only; /* served only while the setup access point is up */
} http_api_route_t;

/* The routes above, for adapters that register URIs one by one (esp_http_server). */
extern const http_api_route_t http_api_routes[];
extern const size_t http_api_route_count;

/* Handles one request; out must hold HTTP_API_RESPONSE_MAX bytes. body may be NULL when body_len is 0
 * or over HTTP_API_MAX_BODY: such a body gives 413 without being read (adapters need not buffer it). */
void http_api_handle(struct application *app, http_api_method_t method, const char *path, const char *body,
                     size_t body_len, char *out, size_t out_size, http_api_response_t *resp);

#endif
