/* provisioning: see the header. */
#include "application/provisioning.h"

#include <stdio.h>
#include <string.h>

#include "application/app_report.h"
#include "application/provisioning_form.h"
#include "application/update_device_config.h"
#include "domain/bounded_text.h"

void provisioning_init(provisioning_t *p, const app_ports_t *ports, const app_settings_t *settings,
                       status_store_t *store)
{
    memset(p, 0, sizeof(*p));
    p->ports = ports;
    p->settings = settings;
    p->store = store;
}

static bool settings_usable(const provisioning_t *p)
{
    const wifi_settings_t *w = &p->settings->wifi;
    if (!setup_secret_is_canonical(p->settings->security.setup_secret)) {
        /* Never an open network, never a shared password: without this device's secret nothing starts. */
        app_report_notice(p->ports, APP_NOTICE_ERROR,
                          "provisioning: no valid setup secret on this device: no access point started");
        return false;
    }
    const size_t prefix_len = bounded_text_len(w->ap_ssid_prefix, sizeof(w->ap_ssid_prefix));
    bool plain = true;
    for (size_t i = 0; i < prefix_len; i++) {
        const char c = w->ap_ssid_prefix[i];
        /* Plain characters only: the name is shown on the setup page (escaping could make it outgrow the
         * response buffer) and typed or read off a label. */
        plain = plain && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          c == '-' || c == '_');
    }
    if (prefix_len == 0 || prefix_len > APP_AP_SSID_PREFIX_MAX_LEN || !plain) {
        app_report_noticef(
            p->ports, APP_NOTICE_ERROR,
            "provisioning: the access point name prefix must have 1 to %d letters, digits, '-' or '_': no "
            "access point started",
            APP_AP_SSID_PREFIX_MAX_LEN);
        return false;
    }
    return true;
}

app_err_t provisioning_start(provisioning_t *p, const mac_address_t *mac)
{
    if (!settings_usable(p)) {
        return APP_ERR_BAD_SETTINGS;
    }
    app_status_snapshot_t *status = status_store_working(p->store);
    /* The station MAC's last bytes: the identity the central system registers, so the AP is easy to match. */
    snprintf(status->ap_ssid, sizeof(status->ap_ssid), "%s-%02X%02X", p->settings->wifi.ap_ssid_prefix,
             mac->bytes[4], mac->bytes[5]);
    const app_err_t rc = p->ports->wifi->start_access_point(p->ports->wifi_ctx, status->ap_ssid,
                                                            p->settings->security.setup_secret);
    if (rc != APP_OK) {
        app_report_noticef(p->ports, APP_NOTICE_ERROR, "provisioning: access point not started: %s",
                           app_err_to_str(rc));
        return rc;
    }
    app_report_noticef(p->ports, APP_NOTICE_INFO,
                       "provisioning: access point \"%s\" (WPA2, the device's setup secret) is up, setup "
                       "form at %s",
                       status->ap_ssid, p->settings->security.portal_url);
    const app_err_t portal = p->ports->portal->open(p->ports->portal_ctx);
    if (portal != APP_OK) {
        /* The setup page still works at its address; phones only do not open it by themselves. */
        app_report_noticef(p->ports, APP_NOTICE_WARNING,
                           "provisioning: captive portal DNS not started (%s): open %s by hand",
                           app_err_to_str(portal), p->settings->security.portal_url);
    }
    return APP_OK;
}

app_err_t provisioning_submit(provisioning_t *p, const char *body, size_t body_len, char *ssid_out,
                              char *reason, size_t reason_size, uint32_t *retry_after_s)
{
    provisioning_form_t form;
    app_err_t rc = provisioning_form_parse(body, body_len, &form, reason, reason_size);
    if (rc != APP_OK) {
        app_report_noticef(p->ports, APP_NOTICE_WARNING, "provisioning form refused: %s", reason);
        return rc;
    }
    if (form.has_device_name || form.has_location) {
        rc = update_device_config_apply(p->ports, p->store, form.has_device_name ? form.device_name : NULL,
                                        form.has_location ? form.location : NULL, reason, reason_size,
                                        retry_after_s);
        if (rc != APP_OK) {
            memset(&form, 0, sizeof(form));
            return rc;
        }
    }
    rc = p->ports->wifi->set_credentials(p->ports->wifi_ctx, form.ssid, form.password);
    (void)bounded_text_copy(ssid_out, PROVISIONING_SSID_MAX_BYTES + 1, form.ssid);
    memset(&form, 0, sizeof(form)); /* the password: do not keep it */
    if (rc != APP_OK) {
        (void)bounded_text_copy(reason, reason_size, "could not apply the WiFi settings");
        app_report_noticef(p->ports, APP_NOTICE_ERROR, "provisioning: credentials not applied: %s",
                           app_err_to_str(rc));
        return APP_ERR_PLATFORM;
    }
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = APP_EVENT_WIFI_CREDENTIALS_SET;
    if (!p->ports->executor->post(p->ports->executor_ctx, &event)) {
        (void)bounded_text_copy(reason, reason_size, "busy: send the form again");
        app_report_notice(p->ports, APP_NOTICE_WARNING, "provisioning: credentials event lost (queue full)");
        return APP_ERR_QUEUE_FULL;
    }
    app_report_noticef(p->ports, APP_NOTICE_INFO, "provisioning: credentials received for \"%s\"; connecting",
                       ssid_out);
    return APP_OK;
}

app_err_t provisioning_scan_json(provisioning_t *p, char *out, size_t out_size, size_t *out_len)
{
    wifi_station_network_t networks[PROVISIONING_SCAN_MAX];
    size_t count = 0;
    app_err_t rc = p->ports->wifi->scan(p->ports->wifi_ctx, networks, PROVISIONING_SCAN_MAX, &count);
    if (rc != APP_OK) {
        app_report_noticef(p->ports, APP_NOTICE_WARNING, "provisioning: scan failed: %s", app_err_to_str(rc));
        return rc;
    }
    if (count > PROVISIONING_SCAN_MAX) {
        count = PROVISIONING_SCAN_MAX;
    }
    /* Strongest first (insertion sort: at most PROVISIONING_SCAN_MAX entries), so the technician sees the
     * farm's network on top, and a list that does not fit loses the weakest. */
    for (size_t i = 1; i < count; i++) {
        const wifi_station_network_t item = networks[i];
        size_t j = i;
        while (j > 0 && networks[j - 1].rssi < item.rssi) {
            networks[j] = networks[j - 1];
            j--;
        }
        networks[j] = item;
    }
    while ((rc = provisioning_form_scan_json(networks, count, out, out_size, out_len)) ==
               APP_ERR_BUFFER_TOO_SMALL &&
           count > 0) {
        count--;
    }
    return rc;
}

void provisioning_finish(provisioning_t *p)
{
    const app_ports_t *ports = p->ports;
    app_err_t rc = ports->wifi->persist_credentials(ports->wifi_ctx);
    if (rc != APP_OK) {
        /* The device stays connected; it will ask for credentials again after a reboot. */
        app_report_noticef(ports, APP_NOTICE_ERROR, "provisioning: credentials not persisted: %s",
                           app_err_to_str(rc));
    }
    rc = ports->portal->close(ports->portal_ctx);
    if (rc != APP_OK) {
        app_report_noticef(ports, APP_NOTICE_WARNING, "provisioning: captive portal DNS not stopped: %s",
                           app_err_to_str(rc));
    }
    rc = ports->wifi->stop_access_point(ports->wifi_ctx);
    if (rc != APP_OK) {
        app_report_noticef(ports, APP_NOTICE_ERROR, "provisioning: access point not closed: %s",
                           app_err_to_str(rc));
    }
    app_report_notice(ports, APP_NOTICE_INFO, "provisioning done: station mode");
}
