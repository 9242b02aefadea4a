/*
 * provision_store: the factory data of the node, in the NVS partition labelled "provision" (partitions.csv),
 * apart from the main "nvs" partition so that erasing one never loses the other. `invoke flash`
 * (tools/irrigation_tools/device_secret.py) writes it at flashing time; the firmware only reads it, except
 * for the one case below.
 *
 * Layout (every value a NVS string, type SZ):
 *   namespace "setup", key "secret"      the setup secret (domain/setup_secret.h): the WPA2 passphrase of
 *                                        the provisioning access point and the token of every HTTP write
 *   namespace "mqtt",  key "username"    per-device MQTT credentials, overriding the build-wide
 *                      key "password"    IRRIGATION_MQTT_USERNAME / _PASSWORD when present
 *
 * Rules:
 * - The partition is never erased and a stored value is never rewritten: it holds what the factory wrote.
 *   When the partition cannot be used (missing from the partition table, no free pages, written by a newer
 *   NVS format) or its secret is unreadable, the calls return the error and the device runs without a
 *   secret: fail closed (no access point, every write refused, /status "no setup secret"), until the board
 *   is reflashed with `invoke flash`.
 * - The one write: when no secret was flashed (a board flashed with `invoke flash --no-secret`, or by plain
 *   idf.py), the first boot generates one from the hardware RNG and stores it, so it survives reboots. The
 *   SAR ADC entropy source is turned on around that draw (bootloader_random_enable/disable): before WiFi
 *   runs, esp_random() is only pseudo-random (ESP-IDF "Random Number Generation").
 * - Reads are sized (the stored length is asked first): a value that does not fit the caller's buffer is an
 *   error, never cut. Buffers holding secrets are wiped; the setup secret and the MQTT password are never
 *   logged (only "loaded", "created", and errors with their esp_err_t).
 * - Called from app_main's task at boot, in this order: provision_store_init(), then the loads, all before
 *   WiFi is initialised and before any ADC or I2S use (the entropy source must not run alongside them).
 *   No state of its own besides NVS's, which has its own lock.
 */
#ifndef PROVISION_STORE_H
#define PROVISION_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/setup_secret.h"
#include "esp_err.h"

#define PROVISION_STORE_PARTITION         "provision"
#define PROVISION_STORE_SETUP_NAMESPACE   "setup"
#define PROVISION_STORE_SECRET_KEY        "secret"
#define PROVISION_STORE_MQTT_NAMESPACE    "mqtt"
#define PROVISION_STORE_MQTT_USERNAME_KEY "username"
#define PROVISION_STORE_MQTT_PASSWORD_KEY "password"
/* Longest stored secret text accepted (the canonical 16 characters plus separators, e.g. grouped
 * "XXXX-XXXX-XXXX-XXXX" or with spaces), excluding the NUL; anything longer is refused as malformed. */
#define PROVISION_STORE_SECRET_TEXT_MAX 47

/*
 * nvs_flash_init_partition("provision"). ESP_OK, or the error (logged here): ESP_ERR_NOT_FOUND when the
 * partition table has no such NVS partition, ESP_ERR_NVS_NO_FREE_PAGES / ESP_ERR_NVS_NEW_VERSION_FOUND
 * when the partition cannot be mounted as it is (it is left as it is: no erase). The caller then runs
 * without a secret and without per-device credentials.
 */
esp_err_t provision_store_init(void);

/*
 * The device's setup secret, canonical, in out (SETUP_SECRET_LEN + 1 bytes).
 * - stored and normalisable (setup_secret_normalize: case, spaces and dashes are forgiven): ESP_OK,
 *   *created = false; the stored text is left as it is.
 * - none stored: a new one from SETUP_SECRET_RANDOM_BYTES bytes of the hardware RNG, stored and committed:
 *   ESP_OK, *created = true (the caller shows it once on the serial console while unprovisioned).
 * - stored but not a secret (or over PROVISION_STORE_SECRET_TEXT_MAX): ESP_ERR_INVALID_STATE, nothing
 *   written.
 * - NVS errors (partition not initialised: ESP_ERR_NVS_PART_NOT_FOUND or ESP_ERR_NVS_NOT_INITIALIZED;
 *   store or commit of a new secret failed): that error.
 * On every error out is "" and *created false. ESP_ERR_INVALID_ARG for NULL arguments.
 */
esp_err_t provision_store_load_secret(char out[SETUP_SECRET_LEN + 1], bool *created);

/*
 * The per-device MQTT credentials: mqtt/username into username (username_size bytes) and mqtt/password into
 * password, each read when present and left "" when absent. *found is true when at least one key is stored
 * (an empty stored value counts as present). ESP_OK also when the namespace does not exist (nothing
 * flashed: *found false). ESP_ERR_INVALID_SIZE when a stored value does not fit its buffer (never cut);
 * other NVS errors as they come. On every error both buffers are "" and *found false.
 * main/ gives buffers of APP_CREDENTIAL_MAX_LEN + 1 bytes (application/settings.h), the limit the flashing
 * tool enforces. The composition root decides what to do with them; the rule main/ follows: when *found,
 * the device's pair replaces the build-wide pair as a whole (a per-device user has its own password; mixing
 * would send the build-wide password under the device's name).
 */
esp_err_t provision_store_load_mqtt_credentials(char *username, size_t username_size, char *password,
                                                size_t password_size, bool *found);

#endif /* PROVISION_STORE_H */
