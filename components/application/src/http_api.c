/*
 * http_api: routes and bodies of the device's HTTP API. The adapters only move bytes; every status code
 * and every byte of every body is decided here, the same on the ESP32 and in the simulator.
 */
#include "application/http_api.h"

#include <stdbool.h>
#include <string.h>

#include "application/application.h"
#include "application/http_guard.h"
#include "application/setup_page.h"
#include "domain/bounded_text.h"
#include "http_api_internal.h"

#define CONTENT_TEXT HTTP_API_CONTENT_TEXT

const http_api_route_t http_api_routes[] = {
    {HTTP_API_GET, "/whoami", false},    {HTTP_API_GET, "/ping", false}, {HTTP_API_GET, "/status", false},
    {HTTP_API_POST, "/config", false},   {HTTP_API_GET, "/", true},      {HTTP_API_GET, "/scan", true},
    {HTTP_API_POST, "/provision", true},
};
const size_t http_api_route_count = sizeof(http_api_routes) / sizeof(http_api_routes[0]);

const char *const http_api_request_headers[] = {"Authorization", "Host", "Origin", "Sec-Fetch-Site",
                                                "Accept-Language"};
const size_t http_api_request_header_count =
    sizeof(http_api_request_headers) / sizeof(http_api_request_headers[0]);

/* The setup page's language: ?lang= in the path, else Accept-Language, else Spanish. */
static setup_page_lang_t page_lang(const http_api_request_t *req)
{
    const char *query = strchr(req->path, '?');
    return setup_page_pick_lang(query != NULL ? query + 1 : NULL, req->accept_language);
}

/* Compares the request path without its query string. */
static bool path_equals(const char *path, const char *route)
{
    size_t len = strcspn(path, "?");
    return strlen(route) == len && strncmp(path, route, len) == 0;
}

static void reset_response(http_api_response_t *resp)
{
    resp->status = 500;
    resp->content_type = CONTENT_TEXT;
    resp->body_len = 0;
    resp->retry_after_s = 0;
    resp->www_authenticate = NULL;
    resp->location[0] = '\0';
}

/* Finds the route of req. NULL with resp filled (404, 405, 302 or 503). *snapshot is filled when taken. */
static const http_api_route_t *find_route(struct application *app, const http_api_request_t *req,
                                          app_status_snapshot_t *snapshot, bool *have_snapshot, char *out,
                                          size_t out_size, http_api_response_t *resp)
{
    const http_api_route_t *route = NULL;
    bool path_known = false;
    for (size_t i = 0; i < http_api_route_count; i++) {
        if (!path_equals(req->path, http_api_routes[i].path)) {
            continue;
        }
        if (http_api_routes[i].provisioning_only) {
            /* Known only while the setup access point is up: the snapshot says so. */
            if (!*have_snapshot) {
                if (application_get_status(app, snapshot) != APP_OK) {
                    http_api_respond_error(resp, 503, out, out_size, "busy");
                    return NULL;
                }
                *have_snapshot = true;
            }
            if (!snapshot->provisioning) {
                continue;
            }
        }
        path_known = true;
        if (http_api_routes[i].method == req->method) {
            route = &http_api_routes[i];
        }
    }
    if (route != NULL) {
        return route;
    }
    if (!path_known && req->method == HTTP_API_GET && *have_snapshot && snapshot->provisioning) {
        /* Captive portal: a phone's connectivity check (any other page) is sent to the setup page. */
        http_api_respond_raw(resp, 302, CONTENT_TEXT, out, out_size, "");
        (void)bounded_text_copy(resp->location, sizeof(resp->location), app->settings.security.portal_url);
        return NULL;
    }
    if (!path_known) {
        http_api_respond_error(resp, 404, out, out_size, "not found");
    } else {
        http_api_respond_error(resp, 405, out, out_size, "method not allowed");
    }
    return NULL;
}

/* The write checks (http_api.h): false with resp filled when the request may not write. */
static bool write_allowed(struct application *app, const http_api_route_t *route,
                          const http_api_request_t *req, char *out, size_t out_size,
                          http_api_response_t *resp)
{
    if (http_guard_is_cross_site(req)) {
        http_api_respond_error(resp, 403, out, out_size, "cross-site request refused");
        return false;
    }
    if (req->body_len > HTTP_API_MAX_BODY) {
        http_api_respond_error(resp, 413, out, out_size, "body too large");
        return false;
    }
    if (!http_guard_has_secret(app->settings.security.setup_secret, req)) {
        if (strcmp(route->path, "/provision") == 0) {
            http_api_respond_raw(resp, 401, CONTENT_TEXT, out, out_size, setup_page_unauthorized_text());
        } else {
            http_api_respond_error(resp, 401, out, out_size, "setup secret required");
        }
        resp->www_authenticate = "Bearer realm=\"irrigation-node\"";
        return false;
    }
    return true;
}

void http_api_handle(struct application *app, const http_api_request_t *req, char *out, size_t out_size,
                     http_api_response_t *resp)
{
    if (resp == NULL) {
        return;
    }
    reset_response(resp);
    if (out == NULL || out_size == 0) {
        return;
    }
    out[0] = '\0';
    /* An oversized body is answered 413 without being read, so adapters need not buffer it. */
    if (app == NULL || req == NULL || req->path == NULL ||
        (req->body == NULL && req->body_len > 0 && req->body_len <= HTTP_API_MAX_BODY)) {
        http_api_respond_error(resp, 500, out, out_size, "internal error");
        return;
    }
    app_status_snapshot_t snapshot;
    bool have_snapshot = false;
    if (req->method == HTTP_API_GET && !path_equals(req->path, "/ping") &&
        !path_equals(req->path, "/whoami") && !path_equals(req->path, "/status")) {
        /* Unknown GET paths need the mode (captive redirect or 404); the health check never waits for it. */
        if (application_get_status(app, &snapshot) != APP_OK) {
            http_api_respond_error(resp, 503, out, out_size, "busy");
            return;
        }
        have_snapshot = true;
    }
    const http_api_route_t *route = find_route(app, req, &snapshot, &have_snapshot, out, out_size, resp);
    if (route == NULL) {
        return;
    }
    if (route->method == HTTP_API_POST && !write_allowed(app, route, req, out, out_size, resp)) {
        return;
    }
    if (strcmp(route->path, "/ping") == 0) {
        http_api_respond_raw(resp, 200, CONTENT_TEXT, out, out_size, "pong");
        return;
    }
    if (strcmp(route->path, "/scan") == 0) {
        http_api_handle_scan(app, out, out_size, resp);
        return;
    }
    if (strcmp(route->path, "/provision") == 0) {
        http_api_handle_provision(app, page_lang(req), req->body, req->body_len, out, out_size, resp);
        return;
    }
    if (strcmp(route->path, "/config") == 0) {
        http_api_handle_config(app, req->body, req->body_len, out, out_size, resp);
        return;
    }
    if (!have_snapshot && application_get_status(app, &snapshot) != APP_OK) {
        http_api_respond_error(resp, 503, out, out_size, "busy");
        return;
    }
    if (strcmp(route->path, "/whoami") == 0) {
        http_api_handle_whoami(app, &snapshot, out, out_size, resp);
    } else if (strcmp(route->path, "/status") == 0) {
        http_api_handle_status(app, &snapshot, out, out_size, resp);
    } else {
        http_api_handle_setup_form(&snapshot, page_lang(req), out, out_size, resp);
    }
}
