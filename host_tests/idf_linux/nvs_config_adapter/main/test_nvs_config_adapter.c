/*
 * nvs_config_adapter on ESP-IDF's linux target: the project's adapter on the real nvs_flash (over the linux
 * flash emulation), through the config repository port the application uses.
 *
 * The raw nvs_* calls below play the firmware that is already in the field: it kept the device's name and
 * location as NVS strings in namespace "device_config", keys "device_name" and "device_location". The
 * adapter must read what that firmware wrote and write what it would read.
 */
#include <string.h>

#include "application/app_ports.h"
#include "application/register_device.h"
#include "application/settings.h"
#include "domain/device_registration.h"
#include "nvs.h"
#include "nvs_config_adapter.h"
#include "nvs_flash.h"
#include "unity.h"

/* What the earlier firmware used (literals on purpose: the layout is a fact about devices in the field). */
#define FIELD_NAMESPACE    "device_config"
#define FIELD_KEY_NAME     "device_name"
#define FIELD_KEY_LOCATION "device_location"

static const config_repository_port_t *repo(void)
{
    return nvs_config_adapter_port();
}

/* A fresh NVS partition for every case. */
static void fresh_nvs(void)
{
    (void)nvs_flash_deinit();
    TEST_ASSERT_EQUAL(ESP_OK, nvs_flash_erase());
    TEST_ASSERT_EQUAL(ESP_OK, nvs_config_adapter_init_flash());
}

static void raw_store(const char *key, const char *value)
{
    nvs_handle_t handle;
    TEST_ASSERT_EQUAL(ESP_OK, nvs_open(FIELD_NAMESPACE, NVS_READWRITE, &handle));
    TEST_ASSERT_EQUAL(ESP_OK, nvs_set_str(handle, key, value));
    TEST_ASSERT_EQUAL(ESP_OK, nvs_commit(handle));
    nvs_close(handle);
}

/* What is stored under key, as the earlier firmware would read it; ESP_ERR_NVS_NOT_FOUND when nothing. */
static esp_err_t raw_load(const char *key, char *buf, size_t size)
{
    nvs_handle_t handle;
    esp_err_t err = nvs_open(FIELD_NAMESPACE, NVS_READONLY, &handle);
    if (err != ESP_OK) {
        return err;
    }
    size_t length = size;
    err = nvs_get_str(handle, key, buf, &length);
    nvs_close(handle);
    return err;
}

static void fill(char *buf, char byte, size_t count)
{
    memset(buf, byte, count);
    buf[count] = '\0';
}

TEST_CASE("a new device: nothing stored, NOT_FOUND and an empty buffer", "[nvs]")
{
    char buf[DEVICE_NAME_MAX_BYTES + 1] = "junk";
    fresh_nvs();
    TEST_ASSERT_EQUAL(APP_ERR_NOT_FOUND, repo()->load(NULL, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)));
    TEST_ASSERT_EQUAL_STRING("", buf);
}

TEST_CASE("values the earlier firmware stored are read (device_config / device_name, device_location)",
          "[nvs]")
{
    char name[DEVICE_NAME_MAX_BYTES + 1];
    char location[DEVICE_LOCATION_MAX_BYTES + 1];
    fresh_nvs();
    raw_store(FIELD_KEY_NAME, "Riego Invernadero Norte");
    raw_store(FIELD_KEY_LOCATION, "Finca La Esperanza, lote 3 \xc3\xb1");
    TEST_ASSERT_EQUAL(APP_OK, repo()->load(NULL, CONFIG_FIELD_DEVICE_NAME, name, sizeof(name)));
    TEST_ASSERT_EQUAL_STRING("Riego Invernadero Norte", name);
    TEST_ASSERT_EQUAL(APP_OK, repo()->load(NULL, CONFIG_FIELD_LOCATION, location, sizeof(location)));
    TEST_ASSERT_EQUAL_STRING("Finca La Esperanza, lote 3 \xc3\xb1", location);
}

TEST_CASE("stored values land where the earlier firmware reads them", "[nvs]")
{
    char buf[DEVICE_LOCATION_MAX_BYTES + 1];
    fresh_nvs();
    TEST_ASSERT_EQUAL(APP_OK, repo()->store(NULL, CONFIG_FIELD_DEVICE_NAME, "Sensor Sur"));
    TEST_ASSERT_EQUAL(APP_OK, repo()->store(NULL, CONFIG_FIELD_LOCATION, "Vivero 2"));
    TEST_ASSERT_EQUAL(ESP_OK, raw_load(FIELD_KEY_NAME, buf, sizeof(buf)));
    TEST_ASSERT_EQUAL_STRING("Sensor Sur", buf);
    TEST_ASSERT_EQUAL(ESP_OK, raw_load(FIELD_KEY_LOCATION, buf, sizeof(buf)));
    TEST_ASSERT_EQUAL_STRING("Vivero 2", buf);
    /* The names are the public constants too. */
    TEST_ASSERT_EQUAL_STRING(FIELD_NAMESPACE, NVS_CONFIG_ADAPTER_NAMESPACE);
    TEST_ASSERT_EQUAL_STRING(FIELD_KEY_NAME, NVS_CONFIG_ADAPTER_KEY_NAME);
    TEST_ASSERT_EQUAL_STRING(FIELD_KEY_LOCATION, NVS_CONFIG_ADAPTER_KEY_LOCATION);
}

TEST_CASE("values at the limits (100 and 250 bytes) are stored and read back whole", "[nvs]")
{
    char name[DEVICE_NAME_MAX_BYTES + 1];
    char location[DEVICE_LOCATION_MAX_BYTES + 1];
    char read[DEVICE_LOCATION_MAX_BYTES + 1];
    fresh_nvs();
    fill(name, 'n', DEVICE_NAME_MAX_BYTES);
    fill(location, 'l', DEVICE_LOCATION_MAX_BYTES);
    TEST_ASSERT_EQUAL(APP_OK, repo()->store(NULL, CONFIG_FIELD_DEVICE_NAME, name));
    TEST_ASSERT_EQUAL(APP_OK, repo()->store(NULL, CONFIG_FIELD_LOCATION, location));
    TEST_ASSERT_EQUAL(APP_OK, repo()->load(NULL, CONFIG_FIELD_DEVICE_NAME, read, DEVICE_NAME_MAX_BYTES + 1));
    TEST_ASSERT_EQUAL_STRING(name, read);
    TEST_ASSERT_EQUAL(APP_OK, repo()->load(NULL, CONFIG_FIELD_LOCATION, read, sizeof(read)));
    TEST_ASSERT_EQUAL_STRING(location, read);
}

TEST_CASE("too-long values are refused and the stored ones kept", "[nvs]")
{
    char too_long[DEVICE_LOCATION_MAX_BYTES + 2];
    char buf[DEVICE_LOCATION_MAX_BYTES + 1];
    fresh_nvs();
    TEST_ASSERT_EQUAL(APP_OK, repo()->store(NULL, CONFIG_FIELD_DEVICE_NAME, "Kept"));
    TEST_ASSERT_EQUAL(APP_OK, repo()->store(NULL, CONFIG_FIELD_LOCATION, "Kept too"));

    fill(too_long, 'x', DEVICE_NAME_MAX_BYTES + 1);
    TEST_ASSERT_EQUAL(APP_ERR_TOO_LONG, repo()->store(NULL, CONFIG_FIELD_DEVICE_NAME, too_long));
    fill(too_long, 'y', DEVICE_LOCATION_MAX_BYTES + 1);
    TEST_ASSERT_EQUAL(APP_ERR_TOO_LONG, repo()->store(NULL, CONFIG_FIELD_LOCATION, too_long));

    TEST_ASSERT_EQUAL(ESP_OK, raw_load(FIELD_KEY_NAME, buf, sizeof(buf)));
    TEST_ASSERT_EQUAL_STRING("Kept", buf);
    TEST_ASSERT_EQUAL(ESP_OK, raw_load(FIELD_KEY_LOCATION, buf, sizeof(buf)));
    TEST_ASSERT_EQUAL_STRING("Kept too", buf);
}

TEST_CASE("a stored value over the limit is reported TOO_LONG with an empty buffer, never cut", "[nvs]")
{
    char over[DEVICE_NAME_MAX_BYTES + 51];
    char buf[DEVICE_NAME_MAX_BYTES + 1];
    fresh_nvs();
    /* The earlier firmware had no limit of its own: a 150-byte name may be in the field. */
    fill(over, 'o', DEVICE_NAME_MAX_BYTES + 50);
    raw_store(FIELD_KEY_NAME, over);
    memset(buf, 'z', sizeof(buf));
    TEST_ASSERT_EQUAL(APP_ERR_TOO_LONG, repo()->load(NULL, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)));
    TEST_ASSERT_EQUAL_STRING("", buf);
}

static int s_notices;

static void count_notice(void *ctx, app_notice_level_t level, const char *message)
{
    (void)ctx;
    (void)level;
    printf("notice: %s\n", message);
    s_notices++;
}

static void ignore_domain_event(void *ctx, const domain_event_t *event)
{
    (void)ctx;
    (void)event;
}

TEST_CASE("the application falls back to the default name for an over-long stored one", "[nvs]")
{
    static const event_sink_port_t sink = {.on_domain_event = ignore_domain_event, .on_notice = count_notice};
    static register_device_t use_case;
    static app_settings_t settings;
    char over[DEVICE_NAME_MAX_BYTES + 51];
    char name[DEVICE_NAME_MAX_BYTES + 1];
    app_ports_t ports;
    memset(&ports, 0, sizeof(ports));
    ports.config = repo();
    ports.events = &sink;
    app_settings_defaults(&settings);

    fresh_nvs();
    fill(over, 'o', DEVICE_NAME_MAX_BYTES + 50);
    raw_store(FIELD_KEY_NAME, over);
    s_notices = 0;
    register_device_init(&use_case, &ports, &settings);
    TEST_ASSERT_EQUAL(APP_ERR_TOO_LONG,
                      register_device_read_field(&use_case, CONFIG_FIELD_DEVICE_NAME, name, sizeof(name)));
    TEST_ASSERT_EQUAL_STRING(settings.defaults.device_name, name);
    TEST_ASSERT_EQUAL(1, s_notices);
}

void app_main(void)
{
    unity_run_menu();
}
