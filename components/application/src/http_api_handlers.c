/* http_api_handlers: the bodies of http_api's routes (see http_api.h and http_api_internal.h). */
#include <stdbool.h>
#include <string.h>

#include "application/form_decoder.h"
#include "application/provisioning_form.h"
#include "application/setup_page.h"
#include "domain/utf8_text.h"
#include "http_api_internal.h"

#define CONTENT_JSON HTTP_API_CONTENT_JSON
#define CONTENT_TEXT HTTP_API_CONTENT_TEXT
#define CONTENT_HTML HTTP_API_CONTENT_HTML
/* Raw form values may carry white space around the limit (trimmed before it is checked). */
#define RAW_NAME_MAX     (2 * DEVICE_NAME_MAX_BYTES)
#define RAW_LOCATION_MAX (2 * DEVICE_LOCATION_MAX_BYTES)

void http_api_respond_raw(http_api_response_t *resp, uint16_t status, const char *content_type, char *out,
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

void http_api_respond_error(http_api_response_t *resp, uint16_t status, char *out, size_t out_size,
                            const char *message)
{
    json_writer_t w;
    json_writer_init(&w, out, out_size);
    json_writer_begin_object(&w);
    json_writer_member_cstr(&w, "error", message);
    json_writer_end_object(&w);
    size_t len = 0;
    if (json_writer_finish(&w, &len) != DOMAIN_OK) {
        http_api_respond_raw(resp, 500, CONTENT_TEXT, out, out_size, "");
        return;
    }
    resp->status = status;
    resp->content_type = CONTENT_JSON;
    resp->body_len = len;
}

void http_api_respond_json(http_api_response_t *resp, json_writer_t *w, char *out, size_t out_size)
{
    size_t len = 0;
    if (json_writer_finish(w, &len) != DOMAIN_OK) {
        http_api_respond_error(resp, 500, out, out_size, "response too large");
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

void http_api_handle_whoami(struct application *app, const app_status_snapshot_t *s, char *out,
                            size_t out_size, http_api_response_t *resp)
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
    http_api_respond_json(resp, &w, out, out_size);
}

static void member_figure(json_writer_t *w, const char *key, int64_t value)
{
    if (value < 0) {
        json_writer_member_null(w, key);
    } else {
        json_writer_member_uint(w, key, (uint64_t)value);
    }
}

/* The figures only the platform knows: the heap's largest block, stack high-water marks, reset reason. */
static void member_runtime(const app_ports_t *p, json_writer_t *w)
{
    system_info_runtime_t rt;
    rt.largest_free_block = -1;
    for (size_t i = 0; i < SYSTEM_INFO_TASK_COUNT; i++) {
        rt.stack_high_water[i] = -1;
    }
    rt.reset_reason = NULL;
    p->system->runtime(p->system_ctx, &rt);
    member_figure(w, "largest_free_block", rt.largest_free_block);
    json_writer_member_object_begin(w, "stack_high_water");
    json_writer_begin_object(w);
    member_figure(w, "app", rt.stack_high_water[SYSTEM_INFO_TASK_APP]);
    member_figure(w, "mqtt", rt.stack_high_water[SYSTEM_INFO_TASK_MQTT]);
    member_figure(w, "http", rt.stack_high_water[SYSTEM_INFO_TASK_HTTP]);
    json_writer_end_object(w);
    if (rt.reset_reason != NULL) {
        json_writer_member_cstr(w, "reset_reason", rt.reset_reason);
    } else {
        json_writer_member_null(w, "reset_reason");
    }
}

/* What works only in part, for the technician and the fleet view. */
static void member_degraded(const struct application *app, const app_status_snapshot_t *s, json_writer_t *w)
{
    json_writer_member_object_begin(w, "degraded");
    json_writer_begin_array(w);
    if (app->settings.storage_unavailable) {
        json_writer_element_cstr(w, "storage unavailable");
    }
    if (!setup_secret_is_canonical(app->settings.security.setup_secret)) {
        json_writer_element_cstr(w, "no setup secret");
    }
    if (!s->mqtt_enabled) {
        json_writer_element_cstr(w, "mqtt disabled");
    }
    json_writer_end_array(w);
}

void http_api_handle_status(struct application *app, const app_status_snapshot_t *s, char *out,
                            size_t out_size, http_api_response_t *resp)
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
    member_text(&w, "broker_uri", s->broker_uri);
    json_writer_member_uint(&w, "broker_index", s->broker_index);
    json_writer_member_uint(&w, "registration_timeout_ms", app->settings.mqtt.registration_timeout_ms);
    member_degraded(app, s, &w);
    json_writer_member_uint(&w, "free_heap", p->system->free_heap_bytes(p->system_ctx));
    json_writer_member_uint(&w, "min_free_heap", p->system->min_free_heap_bytes(p->system_ctx));
    member_runtime(p, &w);
    json_writer_member_uint(&w, "uptime_s", application_uptime_ms(app) / 1000u);
    json_writer_member_cstr(&w, "wifi_state", wifi_link_state_to_str(s->wifi_state));
    json_writer_member_cstr(&w, "wifi_mode", wifi_link_mode_to_str(s->wifi_mode));
    json_writer_member_bool(&w, "provisioning", s->provisioning);
    json_writer_end_object(&w);
    http_api_respond_json(resp, &w, out, out_size);
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
            http_api_respond_error(resp, 400, out, out_size, domain_status_to_str(too_long));
            return false;
        default:
            http_api_respond_error(resp, 400, out, out_size,
                                   too_long == DOMAIN_ERR_NAME_TOO_LONG
                                       ? "device_name is not correctly form-encoded"
                                       : "location_description is not correctly "
                                         "form-encoded");
            return false;
    }
}

void http_api_handle_config(struct application *app, const char *body, size_t body_len, char *out,
                            size_t out_size, http_api_response_t *resp)
{
    char name[RAW_NAME_MAX + 1];
    char location[RAW_LOCATION_MAX + 1];
    bool has_name;
    bool has_location;
    if (!read_config_field(body, body_len, "device_name", DOMAIN_ERR_NAME_TOO_LONG, name, sizeof(name),
                           &has_name, out, out_size, resp) ||
        !read_config_field(body, body_len, "location_description", DOMAIN_ERR_LOCATION_TOO_LONG, location,
                           sizeof(location), &has_location, out, out_size, resp)) {
        return;
    }
    if (!has_name && !has_location) {
        http_api_respond_error(resp, 400, out, out_size, "device_name or location_description required");
        return;
    }
    char reason[128];
    uint32_t retry_after_s = 0;
    app_err_t rc = application_update_config(app, has_name ? name : NULL, has_location ? location : NULL,
                                             reason, sizeof(reason), &retry_after_s);
    switch (rc) {
        case APP_OK:
            break;
        case APP_ERR_INVALID_VALUE:
        case APP_ERR_TOO_LONG:
        case APP_ERR_INVALID_ARG:
            http_api_respond_error(resp, 400, out, out_size, reason);
            return;
        case APP_ERR_RATE_LIMITED:
            http_api_respond_error(resp, 429, out, out_size, reason);
            resp->retry_after_s = retry_after_s;
            return;
        case APP_ERR_LOCK_TIMEOUT:
            http_api_respond_error(resp, 503, out, out_size, "busy");
            return;
        default:
            http_api_respond_error(resp, 500, out, out_size, "storage error");
            return;
    }
    /* The values in effect now: those given, as stored (trimmed), and the cached ones for the others. */
    app_status_snapshot_t s;
    if ((!has_name || !has_location) && application_get_status(app, &s) != APP_OK) {
        http_api_respond_error(resp, 503, out, out_size, "busy");
        return;
    }
    char clean_name[DEVICE_NAME_MAX_BYTES + 1];
    char clean_location[DEVICE_LOCATION_MAX_BYTES + 1];
    if (has_name) {
        (void)device_registration_clean_name(name, clean_name, sizeof(clean_name));
    }
    if (has_location) {
        (void)device_registration_clean_location(location, clean_location, sizeof(clean_location));
    }
    json_writer_t w;
    json_writer_init(&w, out, out_size);
    json_writer_begin_object(&w);
    member_text(&w, "device_name", has_name ? clean_name : s.device_name);
    member_text(&w, "location_description", has_location ? clean_location : s.location);
    json_writer_end_object(&w);
    http_api_respond_json(resp, &w, out, out_size);
}

void http_api_handle_setup_form(const app_status_snapshot_t *s, setup_page_lang_t lang, char *out,
                                size_t out_size, http_api_response_t *resp)
{
    size_t len = 0;
    if (setup_page_render_form(s->ap_ssid, lang, out, out_size, &len) != APP_OK) {
        http_api_respond_error(resp, 500, out, out_size, "response too large");
        return;
    }
    resp->status = 200;
    resp->content_type = CONTENT_HTML;
    resp->body_len = len;
}

void http_api_handle_scan(struct application *app, char *out, size_t out_size, http_api_response_t *resp)
{
    size_t len = 0;
    if (application_scan_json(app, out, out_size, &len) != APP_OK) {
        http_api_respond_error(resp, 503, out, out_size, "scan failed");
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
        case APP_ERR_RATE_LIMITED:
            return 429;
        default:
            return 500;
    }
}

void http_api_handle_provision(struct application *app, setup_page_lang_t lang, const char *body,
                               size_t body_len, char *out, size_t out_size, http_api_response_t *resp)
{
    char reason[160] = "";
    char ssid[PROVISIONING_SSID_MAX_BYTES + 1] = "";
    uint32_t retry_after_s = 0;
    const app_err_t rc =
        application_provision(app, body, body_len, ssid, reason, sizeof(reason), &retry_after_s);
    if (rc != APP_OK) {
        http_api_respond_raw(resp, provision_status(rc), CONTENT_TEXT, out, out_size,
                             reason[0] != '\0' ? reason : app_err_to_str(rc));
        resp->retry_after_s = rc == APP_ERR_RATE_LIMITED ? retry_after_s : 0;
        return;
    }
    size_t len = 0;
    if (setup_page_render_saved(ssid, lang, out, out_size, &len) != APP_OK) {
        http_api_respond_raw(resp, 200, CONTENT_TEXT, out, out_size, "saved");
        return;
    }
    resp->status = 200;
    resp->content_type = CONTENT_HTML;
    resp->body_len = len;
}
