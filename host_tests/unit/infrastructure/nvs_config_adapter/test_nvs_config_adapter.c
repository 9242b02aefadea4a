/*
 * nvs_config_adapter against the NVS fake: the field layout devices already have, sized reads (length first,
 * never a truncated value), error mapping, writes refused over the contract limits, commit, and the flash
 * init with erase-and-retry.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "domain/device_registration.h"
#include "fake_esp_log.h"
#include "fake_nvs.h"
#include "nvs_config_adapter.h"

#define NS "device_config"

static const config_repository_port_t *port;

static int setup(void **state)
{
    (void)state;
    fake_nvs_reset();
    fake_esp_log_reset();
    fake_esp_log_set_echo(0);
    static const esp_err_t ok[] = {ESP_OK};
    fake_nvs_script_flash_init(ok, 1);
    assert_int_equal(nvs_config_adapter_init_flash(), ESP_OK);
    port = nvs_config_adapter_port();
    return 0;
}

static void fill(char *buf, size_t len, char c)
{
    memset(buf, c, len);
    buf[len] = '\0';
}

static void test_layout_names_are_the_ones_in_the_field(void **state)
{
    (void)state;
    assert_string_equal(NVS_CONFIG_ADAPTER_NAMESPACE, "device_config");
    assert_string_equal(NVS_CONFIG_ADAPTER_KEY_NAME, "device_name");
    assert_string_equal(NVS_CONFIG_ADAPTER_KEY_LOCATION, "device_location");
}

static void test_load_reads_values_stored_by_earlier_firmware(void **state)
{
    (void)state;
    fake_nvs_put("device_config", "device_name", "Riego Norte");
    fake_nvs_put("device_config", "device_location", "Invernadero 2");
    char buf[DEVICE_LOCATION_MAX_BYTES + 1];
    assert_int_equal(port->load(NULL, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)), APP_OK);
    assert_string_equal(buf, "Riego Norte");
    assert_int_equal(port->load(NULL, CONFIG_FIELD_LOCATION, buf, sizeof(buf)), APP_OK);
    assert_string_equal(buf, "Invernadero 2");
}

static void test_load_opens_read_only_and_closes(void **state)
{
    (void)state;
    fake_nvs_put(NS, "device_name", "x");
    char buf[16];
    assert_int_equal(port->load(NULL, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)), APP_OK);
    assert_int_equal(fake_nvs_stats()->last_open_mode, NVS_READONLY);
    assert_string_equal(fake_nvs_stats()->last_namespace, NS);
    assert_int_equal(fake_nvs_stats()->open_handles, 0);
}

static void test_load_asks_the_length_first_then_reads_with_the_buffer_size(void **state)
{
    (void)state;
    fake_nvs_put(NS, "device_name", "abc");
    char buf[40];
    assert_int_equal(port->load(NULL, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)), APP_OK);
    assert_int_equal(fake_nvs_stats()->get_length_queries, 1);
    assert_int_equal(fake_nvs_stats()->get_calls, 2);
    assert_int_equal(fake_nvs_stats()->last_get_buffer_size, sizeof(buf));
}

static void test_load_of_a_value_exactly_filling_the_buffer_succeeds(void **state)
{
    (void)state;
    char value[11];
    fill(value, 10, 'n');
    fake_nvs_put(NS, "device_name", value);
    char buf[11];
    assert_int_equal(port->load(NULL, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)), APP_OK);
    assert_string_equal(buf, value);
}

static void test_load_of_a_value_longer_than_the_buffer_is_too_long_not_truncated(void **state)
{
    (void)state;
    fake_nvs_put(NS, "device_name", "Riego Norte");
    char buf[8];
    memset(buf, 'z', sizeof(buf));
    assert_int_equal(port->load(NULL, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)), APP_ERR_TOO_LONG);
    assert_string_equal(buf, "");
    assert_int_equal(fake_nvs_stats()->get_calls, 1); /* never read into a buffer too small */
    assert_int_equal(fake_nvs_stats()->open_handles, 0);
}

static void test_load_of_a_stored_value_over_the_contract_limit_is_too_long(void **state)
{
    (void)state;
    char value[DEVICE_NAME_MAX_BYTES + 2];
    fill(value, DEVICE_NAME_MAX_BYTES + 1, 'n');
    fake_nvs_put(NS, "device_name", value);
    char buf[512];
    assert_int_equal(port->load(NULL, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)), APP_ERR_TOO_LONG);
    assert_string_equal(buf, "");
}

static void test_load_of_a_missing_key_is_not_found(void **state)
{
    (void)state;
    fake_nvs_put(NS, "device_name", "x");
    char buf[16];
    assert_int_equal(port->load(NULL, CONFIG_FIELD_LOCATION, buf, sizeof(buf)), APP_ERR_NOT_FOUND);
    assert_string_equal(buf, "");
}

static void test_load_of_a_namespace_never_written_is_not_found(void **state)
{
    (void)state;
    char buf[16];
    assert_int_equal(port->load(NULL, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)), APP_ERR_NOT_FOUND);
}

static void test_load_read_error_is_a_storage_error_and_logged(void **state)
{
    (void)state;
    fake_nvs_put(NS, "device_name", "x");
    fake_nvs_set_get_error(ESP_ERR_NVS_INVALID_STATE);
    char buf[16];
    assert_int_equal(port->load(NULL, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)), APP_ERR_STORAGE);
    assert_string_equal(buf, "");
    assert_non_null(fake_esp_log_last());
    assert_int_equal(fake_esp_log_last()->level, ESP_LOG_ERROR);
    assert_non_null(strstr(fake_esp_log_last()->message, "0x110b"));
    assert_int_equal(fake_nvs_stats()->open_handles, 0);
}

static void test_load_open_error_is_a_storage_error(void **state)
{
    (void)state;
    fake_nvs_set_open_error(ESP_ERR_NVS_NOT_INITIALIZED);
    char buf[16];
    assert_int_equal(port->load(NULL, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)), APP_ERR_STORAGE);
}

static void test_load_rejects_bad_arguments(void **state)
{
    (void)state;
    char buf[4];
    assert_int_equal(port->load(NULL, CONFIG_FIELD_DEVICE_NAME, NULL, 4), APP_ERR_INVALID_ARG);
    assert_int_equal(port->load(NULL, CONFIG_FIELD_DEVICE_NAME, buf, 0), APP_ERR_INVALID_ARG);
    assert_int_equal(port->load(NULL, CONFIG_FIELD_COUNT, buf, sizeof(buf)), APP_ERR_INVALID_ARG);
}

static void test_store_writes_the_key_in_read_write_mode_and_commits(void **state)
{
    (void)state;
    assert_int_equal(port->store(NULL, CONFIG_FIELD_LOCATION, "Lote 7"), APP_OK);
    assert_int_equal(fake_nvs_stats()->last_open_mode, NVS_READWRITE);
    assert_string_equal(fake_nvs_stats()->last_namespace, NS);
    assert_int_equal(fake_nvs_stats()->commit_calls, 1);
    assert_string_equal(fake_nvs_committed(NS, "device_location"), "Lote 7");
    assert_int_equal(fake_nvs_stats()->open_handles, 0);
}

static void test_store_then_load_round_trips(void **state)
{
    (void)state;
    assert_int_equal(port->store(NULL, CONFIG_FIELD_DEVICE_NAME, "Válvula ñ"), APP_OK);
    char buf[DEVICE_NAME_MAX_BYTES + 1];
    assert_int_equal(port->load(NULL, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)), APP_OK);
    assert_string_equal(buf, "Válvula ñ");
}

static void test_store_accepts_values_at_the_limits(void **state)
{
    (void)state;
    char name[DEVICE_NAME_MAX_BYTES + 1];
    char location[DEVICE_LOCATION_MAX_BYTES + 1];
    fill(name, DEVICE_NAME_MAX_BYTES, 'n');
    fill(location, DEVICE_LOCATION_MAX_BYTES, 'l');
    assert_int_equal(port->store(NULL, CONFIG_FIELD_DEVICE_NAME, name), APP_OK);
    assert_int_equal(port->store(NULL, CONFIG_FIELD_LOCATION, location), APP_OK);
    assert_string_equal(fake_nvs_committed(NS, "device_name"), name);
    assert_string_equal(fake_nvs_committed(NS, "device_location"), location);
}

static void test_store_refuses_values_over_the_limits_without_writing(void **state)
{
    (void)state;
    char name[DEVICE_NAME_MAX_BYTES + 2];
    char location[DEVICE_LOCATION_MAX_BYTES + 2];
    fill(name, DEVICE_NAME_MAX_BYTES + 1, 'n');
    fill(location, DEVICE_LOCATION_MAX_BYTES + 1, 'l');
    assert_int_equal(port->store(NULL, CONFIG_FIELD_DEVICE_NAME, name), APP_ERR_TOO_LONG);
    assert_int_equal(port->store(NULL, CONFIG_FIELD_LOCATION, location), APP_ERR_TOO_LONG);
    assert_int_equal(fake_nvs_stats()->open_calls, 0);
    assert_int_equal(fake_nvs_stats()->set_calls, 0);
    assert_null(fake_nvs_committed(NS, "device_name"));
}

static void test_store_write_error_is_a_storage_error_without_commit(void **state)
{
    (void)state;
    fake_nvs_set_set_error(ESP_ERR_NVS_NOT_ENOUGH_SPACE);
    assert_int_equal(port->store(NULL, CONFIG_FIELD_DEVICE_NAME, "x"), APP_ERR_STORAGE);
    assert_int_equal(fake_nvs_stats()->commit_calls, 0);
    assert_int_equal(fake_nvs_stats()->open_handles, 0);
}

static void test_store_commit_error_is_a_storage_error(void **state)
{
    (void)state;
    fake_nvs_set_commit_error(ESP_FAIL);
    assert_int_equal(port->store(NULL, CONFIG_FIELD_DEVICE_NAME, "x"), APP_ERR_STORAGE);
    assert_null(fake_nvs_committed(NS, "device_name"));
    assert_int_equal(fake_nvs_stats()->open_handles, 0);
}

static void test_store_rejects_null_and_unknown_field(void **state)
{
    (void)state;
    assert_int_equal(port->store(NULL, CONFIG_FIELD_DEVICE_NAME, NULL), APP_ERR_INVALID_ARG);
    assert_int_equal(port->store(NULL, CONFIG_FIELD_COUNT, "x"), APP_ERR_INVALID_ARG);
}

static void test_init_flash_ok_does_not_erase(void **state)
{
    (void)state;
    fake_nvs_reset();
    assert_int_equal(nvs_config_adapter_init_flash(), ESP_OK);
    assert_int_equal(fake_nvs_stats()->flash_init_calls, 1);
    assert_int_equal(fake_nvs_stats()->flash_erase_calls, 0);
}

static void test_init_flash_erases_and_retries_when_no_free_pages_or_new_version(void **state)
{
    (void)state;
    static const esp_err_t reasons[] = {ESP_ERR_NVS_NO_FREE_PAGES, ESP_ERR_NVS_NEW_VERSION_FOUND};
    for (size_t i = 0; i < 2; i++) {
        fake_nvs_reset();
        fake_nvs_script_flash_init(&reasons[i], 1);
        assert_int_equal(nvs_config_adapter_init_flash(), ESP_OK);
        assert_int_equal(fake_nvs_stats()->flash_erase_calls, 1);
        assert_int_equal(fake_nvs_stats()->flash_init_calls, 2);
        assert_true(fake_nvs_initialised());
    }
}

static void test_init_flash_returns_other_errors_without_erasing(void **state)
{
    (void)state;
    fake_nvs_reset();
    static const esp_err_t fail[] = {ESP_ERR_NVS_PART_NOT_FOUND};
    fake_nvs_script_flash_init(fail, 1);
    assert_int_equal(nvs_config_adapter_init_flash(), ESP_ERR_NVS_PART_NOT_FOUND);
    assert_int_equal(fake_nvs_stats()->flash_erase_calls, 0);
}

static void test_init_flash_returns_the_error_of_the_retry(void **state)
{
    (void)state;
    fake_nvs_reset();
    static const esp_err_t fail[] = {ESP_ERR_NVS_NO_FREE_PAGES, ESP_ERR_NVS_NO_FREE_PAGES};
    fake_nvs_script_flash_init(fail, 2);
    assert_int_equal(nvs_config_adapter_init_flash(), ESP_ERR_NVS_NO_FREE_PAGES);
    assert_int_equal(fake_nvs_stats()->flash_init_calls, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_layout_names_are_the_ones_in_the_field, setup),
        cmocka_unit_test_setup(test_load_reads_values_stored_by_earlier_firmware, setup),
        cmocka_unit_test_setup(test_load_opens_read_only_and_closes, setup),
        cmocka_unit_test_setup(test_load_asks_the_length_first_then_reads_with_the_buffer_size, setup),
        cmocka_unit_test_setup(test_load_of_a_value_exactly_filling_the_buffer_succeeds, setup),
        cmocka_unit_test_setup(test_load_of_a_value_longer_than_the_buffer_is_too_long_not_truncated, setup),
        cmocka_unit_test_setup(test_load_of_a_stored_value_over_the_contract_limit_is_too_long, setup),
        cmocka_unit_test_setup(test_load_of_a_missing_key_is_not_found, setup),
        cmocka_unit_test_setup(test_load_of_a_namespace_never_written_is_not_found, setup),
        cmocka_unit_test_setup(test_load_read_error_is_a_storage_error_and_logged, setup),
        cmocka_unit_test_setup(test_load_open_error_is_a_storage_error, setup),
        cmocka_unit_test_setup(test_load_rejects_bad_arguments, setup),
        cmocka_unit_test_setup(test_store_writes_the_key_in_read_write_mode_and_commits, setup),
        cmocka_unit_test_setup(test_store_then_load_round_trips, setup),
        cmocka_unit_test_setup(test_store_accepts_values_at_the_limits, setup),
        cmocka_unit_test_setup(test_store_refuses_values_over_the_limits_without_writing, setup),
        cmocka_unit_test_setup(test_store_write_error_is_a_storage_error_without_commit, setup),
        cmocka_unit_test_setup(test_store_commit_error_is_a_storage_error, setup),
        cmocka_unit_test_setup(test_store_rejects_null_and_unknown_field, setup),
        cmocka_unit_test_setup(test_init_flash_ok_does_not_erase, setup),
        cmocka_unit_test_setup(test_init_flash_erases_and_retries_when_no_free_pages_or_new_version, setup),
        cmocka_unit_test_setup(test_init_flash_returns_other_errors_without_erasing, setup),
        cmocka_unit_test_setup(test_init_flash_returns_the_error_of_the_retry, setup),
    };
    return cmocka_run_group_tests_name("nvs_config_adapter", tests, NULL, NULL);
}
