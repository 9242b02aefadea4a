/* provision_store: sized reads of the `provision` partition, and the first-boot secret (see the header). */
#include "provision_store.h"

#include <stdint.h>
#include <string.h>

#include "bootloader_random.h"
#include "esp_log.h"
#include "esp_random.h"
#include "nvs.h"
#include "nvs_flash.h"

static const char *TAG = "provision_store";

/* memset through a volatile pointer: the compiler may not drop it as a dead store before the buffer dies. */
static void wipe(void *buf, size_t len)
{
    volatile uint8_t *p = buf;
    while (len-- > 0) {
        *p++ = 0;
    }
}

esp_err_t provision_store_init(void)
{
    const esp_err_t err = nvs_flash_init_partition(PROVISION_STORE_PARTITION);
    if (err != ESP_OK) {
        /* Unlike the main "nvs" partition, this one is not erased on NO_FREE_PAGES / NEW_VERSION_FOUND: that
         * would destroy the secret printed on the device's label. */
        ESP_LOGE(TAG, "nvs_flash_init_partition(%s): %s (0x%x); partition left as it is",
                 PROVISION_STORE_PARTITION, esp_err_to_name(err), err);
    }
    return err;
}

/* Reads key into buf (size bytes): ESP_OK, ESP_ERR_NVS_NOT_FOUND, ESP_ERR_INVALID_SIZE when the stored value
 * does not fit, or the NVS error. buf is "" unless ESP_OK. */
static esp_err_t read_sized(nvs_handle_t handle, const char *key, char *buf, size_t size)
{
    buf[0] = '\0';
    size_t needed = 0; /* bytes including the NUL */
    esp_err_t err = nvs_get_str(handle, key, NULL, &needed);
    if (err != ESP_OK) {
        return err;
    }
    if (needed > size) {
        return ESP_ERR_INVALID_SIZE;
    }
    size_t length = size;
    err = nvs_get_str(handle, key, buf, &length);
    if (err == ESP_ERR_NVS_INVALID_LENGTH) {
        err = ESP_ERR_INVALID_SIZE; /* rewritten longer between the two calls */
    }
    if (err != ESP_OK) {
        wipe(buf, size);
    }
    return err;
}

/* setup/secret as stored; ESP_ERR_NVS_NOT_FOUND when neither the namespace nor the key exists,
 * ESP_ERR_INVALID_STATE when the key holds something other than a string. */
static esp_err_t read_stored_secret(char *text, size_t size)
{
    text[0] = '\0';
    nvs_handle_t handle;
    esp_err_t err = nvs_open_from_partition(PROVISION_STORE_PARTITION, PROVISION_STORE_SETUP_NAMESPACE,
                                            NVS_READONLY, &handle);
    if (err != ESP_OK) {
        return err; /* ESP_ERR_NVS_NOT_FOUND: a read-only open of a namespace never written */
    }
    /* nvs_get_str() does not see a key of another type, and nvs_set_str() would replace it: look for the
     * key of any type first, so that only a key that is truly absent leads to a new secret. */
    nvs_type_t type = NVS_TYPE_ANY;
    err = nvs_find_key(handle, PROVISION_STORE_SECRET_KEY, &type);
    if (err == ESP_OK && type != NVS_TYPE_STR) {
        err = ESP_ERR_INVALID_STATE;
    } else if (err == ESP_OK) {
        err = read_sized(handle, PROVISION_STORE_SECRET_KEY, text, size);
    }
    nvs_close(handle);
    return err;
}

static esp_err_t store_secret(const char *secret)
{
    nvs_handle_t handle;
    esp_err_t err = nvs_open_from_partition(PROVISION_STORE_PARTITION, PROVISION_STORE_SETUP_NAMESPACE,
                                            NVS_READWRITE, &handle);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "nvs_open(%s, rw): %s (0x%x)", PROVISION_STORE_SETUP_NAMESPACE, esp_err_to_name(err),
                 err);
        return err;
    }
    err = nvs_set_str(handle, PROVISION_STORE_SECRET_KEY, secret);
    if (err == ESP_OK) {
        err = nvs_commit(handle);
    }
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "storing the new setup secret: %s (0x%x)", esp_err_to_name(err), err);
    }
    nvs_close(handle);
    return err;
}

static esp_err_t create_secret(char *out)
{
    uint8_t random[SETUP_SECRET_RANDOM_BYTES];
    char secret[SETUP_SECRET_LEN + 1];
    /* WiFi is not running yet, so without the SAR ADC source the RNG would be pseudo-random only. */
    bootloader_random_enable();
    esp_fill_random(random, sizeof(random));
    bootloader_random_disable();
    setup_secret_from_random(random, secret);
    wipe(random, sizeof(random));
    const esp_err_t err = store_secret(secret);
    if (err == ESP_OK) {
        memcpy(out, secret, sizeof(secret));
        ESP_LOGI(TAG, "setup secret created");
    }
    wipe(secret, sizeof(secret));
    return err;
}

esp_err_t provision_store_load_secret(char out[SETUP_SECRET_LEN + 1], bool *created)
{
    if (out == NULL || created == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    out[0] = '\0';
    *created = false;

    char text[PROVISION_STORE_SECRET_TEXT_MAX + 1];
    esp_err_t err = read_stored_secret(text, sizeof(text));
    if (err == ESP_ERR_NVS_NOT_FOUND) {
        err = create_secret(out);
        *created = (err == ESP_OK);
        return err;
    }
    if (err == ESP_OK && setup_secret_normalize(text, strlen(text), out) != DOMAIN_OK) {
        err = ESP_ERR_INVALID_STATE;
    }
    wipe(text, sizeof(text));
    if (err == ESP_ERR_INVALID_STATE || err == ESP_ERR_INVALID_SIZE) {
        /* Left as it is: the label on the device shows what the factory meant to write. */
        ESP_LOGE(TAG, "%s/%s is not a setup secret: running without one", PROVISION_STORE_SETUP_NAMESPACE,
                 PROVISION_STORE_SECRET_KEY);
        err = ESP_ERR_INVALID_STATE;
    } else if (err != ESP_OK) {
        ESP_LOGE(TAG, "reading %s/%s: %s (0x%x)", PROVISION_STORE_SETUP_NAMESPACE, PROVISION_STORE_SECRET_KEY,
                 esp_err_to_name(err), err);
    } else {
        ESP_LOGI(TAG, "setup secret loaded");
    }
    if (err != ESP_OK) {
        wipe(out, SETUP_SECRET_LEN + 1);
    }
    return err;
}

/* One credential: ESP_OK with *present, or the error (logged; the value never is). */
static esp_err_t read_credential(nvs_handle_t handle, const char *key, char *buf, size_t size, bool *present)
{
    esp_err_t err = read_sized(handle, key, buf, size);
    *present = (err == ESP_OK);
    if (err == ESP_ERR_NVS_NOT_FOUND) {
        return ESP_OK;
    }
    if (err == ESP_ERR_INVALID_SIZE) {
        ESP_LOGE(TAG, "%s/%s: stored value over %u bytes", PROVISION_STORE_MQTT_NAMESPACE, key,
                 (unsigned)(size - 1));
    } else if (err != ESP_OK) {
        ESP_LOGE(TAG, "reading %s/%s: %s (0x%x)", PROVISION_STORE_MQTT_NAMESPACE, key, esp_err_to_name(err),
                 err);
    }
    return err;
}

esp_err_t provision_store_load_mqtt_credentials(char *username, size_t username_size, char *password,
                                                size_t password_size, bool *found)
{
    if (username == NULL || username_size == 0 || password == NULL || password_size == 0 || found == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    username[0] = '\0';
    password[0] = '\0';
    *found = false;

    nvs_handle_t handle;
    esp_err_t err = nvs_open_from_partition(PROVISION_STORE_PARTITION, PROVISION_STORE_MQTT_NAMESPACE,
                                            NVS_READONLY, &handle);
    if (err == ESP_ERR_NVS_NOT_FOUND) {
        return ESP_OK; /* nothing flashed: the build-wide credentials apply */
    }
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "nvs_open(%s): %s (0x%x)", PROVISION_STORE_MQTT_NAMESPACE, esp_err_to_name(err), err);
        return err;
    }
    bool has_username = false;
    bool has_password = false;
    err = read_credential(handle, PROVISION_STORE_MQTT_USERNAME_KEY, username, username_size, &has_username);
    if (err == ESP_OK) {
        err = read_credential(handle, PROVISION_STORE_MQTT_PASSWORD_KEY, password, password_size,
                              &has_password);
    }
    nvs_close(handle);
    if (err != ESP_OK) {
        /* Never half a pair. */
        wipe(username, username_size);
        wipe(password, password_size);
        return err;
    }
    *found = has_username || has_password;
    if (*found) {
        ESP_LOGI(TAG, "per-device MQTT credentials: username %s, password %s", has_username ? "set" : "none",
                 has_password ? "set" : "none");
    }
    return ESP_OK;
}
