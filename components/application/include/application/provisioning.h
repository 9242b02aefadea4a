/*
 * provisioning: the ProvisioningUseCase: a node without WiFi credentials opens an access point with a setup
 * form; a technician sends the farm's network and the device name and location; the node tries them
 * while the access point stays up; only once they produce an address are they persisted and the access
 * point closed. Steps and who runs them:
 *   1. provisioning_start (application task, on the WiFi link's START_PROVISIONING): WPA2 access point
 *      "<prefix>-XXXX" (the last two bytes of the station MAC, upper-case hex) with the configured password;
 *      a password outside 8..63 characters or a prefix outside 1..27 bytes starts no access point (never an
 *      open network). From here http_api serves GET /, GET /scan and POST /provision, and the captive portal
 *      DNS (captive_portal_port) answers every name with the access point's address.
 *   2. provisioning_submit (HTTP task, POST /provision): the form is validated (provisioning_form), name and
 *      location are stored (UpdateDeviceConfigUseCase), the credentials go to the driver in RAM only, and
 *      APP_EVENT_WIFI_CREDENTIALS_SET is posted: the link drops any attempt, waits its settle delay (so the
 *      answer leaves before the radio changes channel) and connects. A wrong password is corrected by
 *      sending the form again: the access point stays up.
 *   3. provisioning_finish (application task, on the link's FINISH_PROVISIONING, i.e. the first address):
 *      the credentials are persisted, the captive portal DNS stopped and the access point closed; the link
 * then reports the network up, so MQTT starts only now, and the setup routes answer 404 from the next
 * snapshot on. The password is never logged, echoed or kept after use.
 */
#ifndef APPLICATION_PROVISIONING_H
#define APPLICATION_PROVISIONING_H

#include <stddef.h>

#include "application/app_ports.h"
#include "application/settings.h"
#include "application/status_store.h"
#include "domain/mac_address.h"

/* Networks listed by GET /scan at most. */
#define PROVISIONING_SCAN_MAX 16

typedef struct {
    const app_ports_t *ports;
    const app_settings_t *settings;
    status_store_t *store;
} provisioning_t;

void provisioning_init(provisioning_t *p, const app_ports_t *ports, const app_settings_t *settings,
                       status_store_t *store);

/* Step 1. Writes the access point's name into the working snapshot (ap_ssid). APP_ERR_BAD_SETTINGS (error
 * notice, no access point) or the port's error. */
app_err_t provisioning_start(provisioning_t *p, const mac_address_t *mac);

/*
 * Step 2. ssid_out (PROVISIONING_SSID_MAX_BYTES + 1 bytes) gets the network joined, for the answer page.
 * Results: APP_OK; APP_ERR_INVALID_VALUE / APP_ERR_TOO_LONG / APP_ERR_NOT_FOUND / APP_ERR_INVALID_ARG with
 * a reason (400); APP_ERR_RATE_LIMITED with *retry_after_s when a changed name or location comes sooner
 * than the write interval allows (429); APP_ERR_STORAGE or APP_ERR_PLATFORM (500); APP_ERR_QUEUE_FULL or
 * APP_ERR_LOCK_TIMEOUT (503: send again).
 */
app_err_t provisioning_submit(provisioning_t *p, const char *body, size_t body_len, char *ssid_out,
                              char *reason, size_t reason_size, uint32_t *retry_after_s);

/* GET /scan (HTTP task): the networks in range as JSON into out, strongest first, as many as fit. */
app_err_t provisioning_scan_json(provisioning_t *p, char *out, size_t out_size, size_t *out_len);

/* Step 3. Failures are reported and do not stop the switch to station mode (a credential that could not
 * be persisted only means the form comes back after a reboot). */
void provisioning_finish(provisioning_t *p);

#endif
