/*
 * http_api: routes and bodies of the device's HTTP API. The adapters only move bytes; every status code
 * and every byte of every body is decided here, the same on the ESP32 and in the simulator.
 */
#include "application/http_api.h"

#include <stdbool.h>
#include <string.h>

#include "application/application.h"
#include "application/form_decoder.h"
#include "application/provisioning_form.h"
#include "application/setup_page.h"
#include "domain/json_writer.h"
#include "domain/utf8_text.h"

#define CONTENT_JSON "application/json"
#define CONTENT_TEXT "text/plain"
#define CONTENT_HTML "text/html"

const http_api_route_t http_api_routes[] = {
    {HTTP_API_GET, "/whoami", false},    {HTTP_API_GET, "/ping", false}, {HTTP_API_GET, "/status", false},
    {HTTP_API_POST, "/config", false},   {HTTP_API_GET, "/", true},      {HTTP_API_GET, "/scan", true},
    {HTTP_API_POST, "/provision", true},
};
const size_t http_api_route_count = sizeof(http_api_routes) / sizeof(http_api_routes[0]);

static void respond_raw(http_api_response_t *resp, uint16_t status, const char *content_type, char *out,
                        size_t out_size, const char *text)
{
    size_t len = strlen(text);
    if (len + 1 > out_size) {
        len = 0;
        status = 500;
    }
    memcpy(out, text, len);
    out[len] = '\0';
    resp->status = status;
    resp->content_type = content_type;
    resp->body_len = len;
}

static void respond_error(http_api_response_t *resp, uint16_t status, char *out, size_t out_size,
                          const char *message)
{
    json_writer_t w;
    json_writer_init(&w, out, out_size);
    json_writer_begin_object(&w);
    json_writer_member_cstr(&w, "error", message);
    json_writer_end_object(&w);
    size_t len = 0;
    if (json_writer_finish(&w, &len) != DOMAIN_OK) {
        respond_raw(resp, 500, CONTENT_TEXT, out, out_size, "");
        return;
    }
    resp->status = status;
    resp->content_type = CONTENT_JSON;
    resp->body_len = len;
}

static void respond_json(http_api_response_t *resp, json_writer_t *w, char *out, size_t out_size)
{
    size_t len = 0;
    if (json_writer_finish(w, &len) != DOMAIN_OK) {
        respond_error(resp, 500, out, out_size, "response too large");
        return;
    }
    resp->status = 200;
    resp->content_type = CONTENT_JSON;
    resp->body_len = len;
}

/* Writes text, or "" when it is not valid UTF-8 (the JSON must stay valid whatever a setting holds). */
static void member_text(json_writer_t *w, const char *key, const char *text)
{
    size_t len = strlen(text);
    json_writer_member_string(w, key, text, utf8_text_is_valid(text, len) ? len : 0);
}

static void member_ip(json_writer_t *w, const char *key, bool present, const ipv4_address_t *ip)
{
    if (!present) {
        json_writer_member_null(w, key);
        return;
    }
    char text[IPV4_ADDRESS_STR_SIZE];
    ipv4_address_format(ip, text);
    json_writer_member_cstr(w, key, text);
}

static void handle_whoami(struct application *app, const app_status_snapshot_t *s, char *out, size_t out_size,
                          http_api_response_t *resp)
{
    char mac[MAC_ADDRESS_STR_SIZE];
    mac_address_format(&s->mac, mac);
    json_writer_t w;
    json_writer_init(&w, out, out_size);
    json_writer_begin_object(&w);
    json_writer_member_cstr(&w, "mac_address", mac);
    member_text(&w, "device_name", s->device_name);
    member_ip(&w, "ip_address", s->has_ip, &s->ip);
    member_text(&w, "location_description", s->location);
    member_text(&w, "firmware_version", app->settings.firmware_version);
    json_writer_member_uint(&w, "uptime_s", application_uptime_ms(app) / 1000u);
    json_writer_member_cstr(&w, "mqtt_state", mqtt_connection_state_to_str(s->state));
    json_writer_end_object(&w);
    respond_json(resp, &w, out, out_size);
}

static void handle_status(struct application *app, const app_status_snapshot_t *s, char *out, size_t out_size,
                          http_api_response_t *resp)
{
    const app_ports_t *p = &app->ports;
    json_writer_t w;
    json_writer_init(&w, out, out_size);
    json_writer_begin_object(&w);
    json_writer_member_cstr(&w, "state", mqtt_connection_state_to_str(s->state));
    json_writer_member_bool(&w, "mqtt_enabled", s->mqtt_enabled);
    json_writer_member_uint(&w, "connect_attempts", s->connect_attempts);
    json_writer_member_uint(&w, "consecutive_failures", s->consecutive_failures);
    json_writer_member_uint(&w, "next_retry_ms", s->next_retry_delay_ms);
    json_writer_member_uint(&w, "registrations", s->registrations);
    if (s->has_registration) {
        json_writer_member_object_begin(&w, "last_registration");
        json_writer_begin_object(&w);
        json_writer_member_uint(&w, "uptime_ms", s->last_registration_ms);
        member_ip(&w, "ip_address", true, &s->last_registration_ip);
        json_writer_end_object(&w);
    } else {
        json_writer_member_null(&w, "last_registration");
    }
    if (s->pending_msg_id >= 0) {
        json_writer_member_int(&w, "pending_msg_id", s->pending_msg_id);
    } else {
        json_writer_member_null(&w, "pending_msg_id");
    }
    if (s->last_error[0] != '\0') {
        member_text(&w, "last_error", s->last_error);
    } else {
        json_writer_member_null(&w, "last_error");
    }
    json_writer_member_uint(&w, "free_heap", p->system->free_heap_bytes(p->system_ctx));
    json_writer_member_uint(&w, "min_free_heap", p->system->min_free_heap_bytes(p->system_ctx));
    json_writer_member_uint(&w, "uptime_s", application_uptime_ms(app) / 1000u);
    json_writer_member_cstr(&w, "wifi_state", wifi_link_state_to_str(s->wifi_state));
    json_writer_member_cstr(&w, "wifi_mode", wifi_link_mode_to_str(s->wifi_mode));
    json_writer_member_bool(&w, "provisioning", s->provisioning);
    json_writer_end_object(&w);
    respond_json(resp, &w, out, out_size);
}

/* Reads one optional form field. *present false when absent; false with resp filled on a bad value. */
static bool read_config_field(const char *body, size_t body_len, const char *key, domain_status_t too_long,
                              char *value, size_t value_size, bool *present, char *out, size_t out_size,
                              http_api_response_t *resp)
{
    *present = false;
    app_err_t rc = form_decoder_get(body, body_len, key, value, value_size);
    switch (rc) {
        case APP_OK:
            *present = true;
            return true;
        case APP_ERR_NOT_FOUND:
            return true;
        case APP_ERR_TOO_LONG:
            respond_error(resp, 400, out, out_size, domain_status_to_str(too_long));
            return false;
        default:
            respond_error(resp, 400, out, out_size,
                          too_long == DOMAIN_ERR_NAME_TOO_LONG ? "device_name is not correctly form-encoded"
                                                               : "location_description is not correctly "
                                                                 "form-encoded");
            return false;
    }
}

static void handle_config(struct application *app, const app_status_snapshot_t *s, const char *body,
                          size_t body_len, char *out, size_t out_size, http_api_response_t *resp)
{
    char name[DEVICE_NAME_MAX_BYTES + 1];
    char location[DEVICE_LOCATION_MAX_BYTES + 1];
    bool has_name;
    bool has_location;
    if (!read_config_field(body, body_len, "device_name", DOMAIN_ERR_NAME_TOO_LONG, name, sizeof(name),
                           &has_name, out, out_size, resp) ||
        !read_config_field(body, body_len, "location_description", DOMAIN_ERR_LOCATION_TOO_LONG, location,
                           sizeof(location), &has_location, out, out_size, resp)) {
        return;
    }
    if (!has_name && !has_location) {
        respond_error(resp, 400, out, out_size, "device_name or location_description required");
        return;
    }
    char reason[128];
    app_err_t rc = application_update_config(app, has_name ? name : NULL, has_location ? location : NULL,
                                             reason, sizeof(reason));
    switch (rc) {
        case APP_OK:
            break;
        case APP_ERR_INVALID_VALUE:
        case APP_ERR_TOO_LONG:
        case APP_ERR_INVALID_ARG:
            respond_error(resp, 400, out, out_size, reason);
            return;
        default:
            respond_error(resp, 500, out, out_size, "storage error");
            return;
    }
    json_writer_t w;
    json_writer_init(&w, out, out_size);
    json_writer_begin_object(&w);
    member_text(&w, "device_name", has_name ? name : s->device_name);
    member_text(&w, "location_description", has_location ? location : s->location);
    json_writer_end_object(&w);
    respond_json(resp, &w, out, out_size);
}

/* The page's language from the path's query string (?lang=); the Accept-Language header is not passed here
 * yet. */
static setup_page_lang_t page_lang(const char *path)
{
    const char *query = strchr(path, '?');
    return setup_page_pick_lang(query != NULL ? query + 1 : NULL, NULL);
}

static void handle_setup_form(const app_status_snapshot_t *s, const char *path, char *out, size_t out_size,
                              http_api_response_t *resp)
{
    size_t len = 0;
    if (setup_page_render_form(s->ap_ssid, page_lang(path), out, out_size, &len) != APP_OK) {
        respond_error(resp, 500, out, out_size, "response too large");
        return;
    }
    resp->status = 200;
    resp->content_type = CONTENT_HTML;
    resp->body_len = len;
}

static void handle_scan(struct application *app, char *out, size_t out_size, http_api_response_t *resp)
{
    size_t len = 0;
    if (application_scan_json(app, out, out_size, &len) != APP_OK) {
        respond_error(resp, 503, out, out_size, "scan failed");
        return;
    }
    resp->status = 200;
    resp->content_type = CONTENT_JSON;
    resp->body_len = len;
}

static uint16_t provision_status(app_err_t rc)
{
    switch (rc) {
        case APP_ERR_INVALID_VALUE:
        case APP_ERR_TOO_LONG:
        case APP_ERR_NOT_FOUND:
        case APP_ERR_INVALID_ARG:
            return 400;
        case APP_ERR_LOCK_TIMEOUT:
        case APP_ERR_QUEUE_FULL:
            return 503;
        default:
            return 500;
    }
}

static void handle_provision(struct application *app, const char *path, const char *body, size_t body_len,
                             char *out, size_t out_size, http_api_response_t *resp)
{
    char reason[160] = "";
    char ssid[PROVISIONING_SSID_MAX_BYTES + 1] = "";
    const app_err_t rc = application_provision(app, body, body_len, ssid, reason, sizeof(reason));
    if (rc != APP_OK) {
        respond_raw(resp, provision_status(rc), CONTENT_TEXT, out, out_size,
                    reason[0] != '\0' ? reason : app_err_to_str(rc));
        return;
    }
    size_t len = 0;
    if (setup_page_render_saved(ssid, page_lang(path), out, out_size, &len) != APP_OK) {
        respond_raw(resp, 200, CONTENT_TEXT, out, out_size, "saved");
        return;
    }
    resp->status = 200;
    resp->content_type = CONTENT_HTML;
    resp->body_len = len;
}

/* Compares the request path without its query string. */
static bool path_equals(const char *path, const char *route)
{
    size_t len = strcspn(path, "?");
    return strlen(route) == len && strncmp(path, route, len) == 0;
}

void http_api_handle(struct application *app, http_api_method_t method, const char *path, const char *body,
                     size_t body_len, char *out, size_t out_size, http_api_response_t *resp)
{
    if (resp == NULL) {
        return;
    }
    resp->status = 500;
    resp->content_type = CONTENT_TEXT;
    resp->body_len = 0;
    if (out == NULL || out_size == 0) {
        return;
    }
    out[0] = '\0';
    /* An oversized body is answered 413 below without being read, so adapters need not buffer it. */
    if (app == NULL || path == NULL || (body == NULL && body_len > 0 && body_len <= HTTP_API_MAX_BODY)) {
        respond_error(resp, 500, out, out_size, "internal error");
        return;
    }

    app_status_snapshot_t snapshot;
    bool have_snapshot = false;
    const http_api_route_t *route = NULL;
    bool path_known = false;
    for (size_t i = 0; i < http_api_route_count; i++) {
        if (!path_equals(path, http_api_routes[i].path)) {
            continue;
        }
        if (http_api_routes[i].provisioning_only) {
            /* Known only while the setup access point is up: the snapshot says so. */
            if (!have_snapshot) {
                if (application_get_status(app, &snapshot) != APP_OK) {
                    respond_error(resp, 503, out, out_size, "busy");
                    return;
                }
                have_snapshot = true;
            }
            if (!snapshot.provisioning) {
                continue;
            }
        }
        path_known = true;
        if (http_api_routes[i].method == method) {
            route = &http_api_routes[i];
        }
    }
    if (!path_known) {
        respond_error(resp, 404, out, out_size, "not found");
        return;
    }
    if (route == NULL) {
        respond_error(resp, 405, out, out_size, "method not allowed");
        return;
    }
    if (body_len > HTTP_API_MAX_BODY) {
        respond_error(resp, 413, out, out_size, "body too large");
        return;
    }
    if (strcmp(route->path, "/ping") == 0) {
        respond_raw(resp, 200, CONTENT_TEXT, out, out_size, "pong");
        return;
    }
    if (strcmp(route->path, "/scan") == 0) {
        handle_scan(app, out, out_size, resp);
        return;
    }
    if (strcmp(route->path, "/provision") == 0) {
        handle_provision(app, path, body, body_len, out, out_size, resp);
        return;
    }

    if (!have_snapshot && application_get_status(app, &snapshot) != APP_OK) {
        respond_error(resp, 503, out, out_size, "busy");
        return;
    }
    if (strcmp(route->path, "/whoami") == 0) {
        handle_whoami(app, &snapshot, out, out_size, resp);
    } else if (strcmp(route->path, "/status") == 0) {
        handle_status(app, &snapshot, out, out_size, resp);
    } else if (strcmp(route->path, "/") == 0) {
        handle_setup_form(&snapshot, path, out, out_size, resp);
    } else {
        handle_config(app, &snapshot, body, body_len, out, out_size, resp);
    }
}
