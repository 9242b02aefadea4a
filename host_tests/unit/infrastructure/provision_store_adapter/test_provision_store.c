/*
 * provision_store against the NVS, RNG and entropy-source fakes: the `provision` partition is initialised
 * and never erased; a factory secret is loaded normalised and never rewritten; a partition without one gets
 * a secret drawn from the RNG with the entropy source on, stored and stable; anything else under the key is
 * an error; the MQTT credentials are read independently, sized, never cut; nothing goes to the default
 * "nvs" partition and no secret reaches the log.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "application/settings.h"
#include "fake_bootloader_random.h"
#include "fake_esp_log.h"
#include "fake_esp_system.h"
#include "fake_nvs.h"
#include "nvs_flash.h"
#include "provision_store.h"

#define PART "provision"

static const char FACTORY_SECRET[] = "7K3M9QXD2F4H8RTV";

static void reset_fakes(void)
{
    fake_nvs_reset();
    fake_nvs_add_partition(PART);
    fake_esp_log_reset();
    fake_esp_log_set_echo(0);
    fake_esp_system_reset();
    fake_bootloader_random_reset();
}

static int setup(void **state)
{
    (void)state;
    reset_fakes();
    assert_int_equal(provision_store_init(), ESP_OK);
    return 0;
}

static void assert_not_logged(const char *text)
{
    for (size_t i = 0; fake_esp_log_line(i) != NULL; i++) {
        assert_null(strstr(fake_esp_log_line(i)->message, text));
    }
}

static bool logged(const char *text)
{
    for (size_t i = 0; fake_esp_log_line(i) != NULL; i++) {
        if (strstr(fake_esp_log_line(i)->message, text) != NULL) {
            return true;
        }
    }
    return false;
}

/* --- layout and init ---------------------------------------------------------------------------------- */

static void test_layout_is_the_one_the_flashing_tool_writes(void **state)
{
    (void)state;
    assert_string_equal(PROVISION_STORE_PARTITION, "provision");
    assert_string_equal(PROVISION_STORE_SETUP_NAMESPACE, "setup");
    assert_string_equal(PROVISION_STORE_SECRET_KEY, "secret");
    assert_string_equal(PROVISION_STORE_MQTT_NAMESPACE, "mqtt");
    assert_string_equal(PROVISION_STORE_MQTT_USERNAME_KEY, "username");
    assert_string_equal(PROVISION_STORE_MQTT_PASSWORD_KEY, "password");
}

static void test_init_initialises_the_provision_partition_only(void **state)
{
    (void)state;
    reset_fakes();
    assert_int_equal(provision_store_init(), ESP_OK);
    assert_true(fake_nvs_partition_initialised(PART));
    assert_false(fake_nvs_initialised());
    assert_string_equal(fake_nvs_stats()->last_init_partition, PART);
    assert_int_equal(fake_nvs_stats()->flash_erase_calls, 0);
}

static void test_init_without_the_partition_in_the_table_is_not_found(void **state)
{
    (void)state;
    fake_nvs_reset(); /* a partition table without `provision` (an older partitions.csv) */
    fake_esp_log_reset();
    assert_int_equal(provision_store_init(), ESP_ERR_NOT_FOUND);
    assert_int_equal(fake_nvs_stats()->flash_erase_calls, 0);
    assert_int_equal(fake_esp_log_last()->level, ESP_LOG_ERROR);
}

static void test_init_failure_returns_the_error_and_erases_nothing(void **state)
{
    (void)state;
    static const esp_err_t reasons[] = {ESP_ERR_NVS_NO_FREE_PAGES, ESP_ERR_NVS_NEW_VERSION_FOUND};
    for (size_t i = 0; i < 2; i++) {
        reset_fakes();
        fake_nvs_put_in(PART, "setup", "secret", FACTORY_SECRET);
        fake_nvs_script_flash_init_partition(PART, &reasons[i], 1);
        assert_int_equal(provision_store_init(), reasons[i]);
        assert_int_equal(fake_nvs_stats()->flash_init_calls, 1);
        assert_int_equal(fake_nvs_stats()->flash_erase_calls, 0);
        assert_false(fake_nvs_partition_initialised(PART));
        assert_string_equal(fake_nvs_committed_in(PART, "setup", "secret"), FACTORY_SECRET);
    }
}

/* --- the setup secret ---------------------------------------------------------------------------------- */

static void test_fresh_partition_gets_a_canonical_secret_stored_and_committed(void **state)
{
    (void)state;
    fake_esp_random_set(0xa5c3e1f7u);
    char secret[SETUP_SECRET_LEN + 1];
    bool created = false;
    assert_int_equal(provision_store_load_secret(secret, &created), ESP_OK);
    assert_true(created);
    assert_true(setup_secret_is_canonical(secret));
    assert_string_equal(fake_nvs_committed_in(PART, "setup", "secret"), secret);
    assert_int_equal(fake_nvs_stats()->open_handles, 0);
    assert_true(logged("setup secret created"));
}

static void test_new_secret_is_drawn_with_the_entropy_source_on_then_off(void **state)
{
    (void)state;
    char secret[SETUP_SECRET_LEN + 1];
    bool created = false;
    assert_int_equal(provision_store_load_secret(secret, &created), ESP_OK);
    const fake_bootloader_random_stats_t *rng = fake_bootloader_random_stats();
    assert_int_equal(rng->bytes_drawn_enabled, SETUP_SECRET_RANDOM_BYTES);
    assert_int_equal(rng->bytes_drawn_disabled, 0);
    assert_int_equal(rng->enable_calls, 1);
    assert_int_equal(rng->disable_calls, 1);
    assert_false(rng->enabled);
}

static void test_new_secret_encodes_the_rng_bytes(void **state)
{
    (void)state;
    /* esp_fill_random copies each esp_random() word in memory order (little-endian on the ESP32 and here):
     * bytes 00 01 02 03 00 01 02 03 00 01. The flashing tool's generate_secret gives the same text for
     * these 80 bits: 000G40R004106001. */
    fake_esp_random_set(0x03020100u);
    char secret[SETUP_SECRET_LEN + 1];
    bool created = false;
    assert_int_equal(provision_store_load_secret(secret, &created), ESP_OK);
    assert_string_equal(secret, "000G40R004106001");
}

static void test_created_secret_is_stable_across_loads(void **state)
{
    (void)state;
    fake_esp_random_set(0x12345678u);
    char first[SETUP_SECRET_LEN + 1];
    char second[SETUP_SECRET_LEN + 1];
    bool created = false;
    assert_int_equal(provision_store_load_secret(first, &created), ESP_OK);
    assert_true(created);
    fake_esp_random_set(0x9abcdef0u); /* a second draw would give another secret */
    const size_t sets = fake_nvs_stats()->set_calls;
    assert_int_equal(provision_store_load_secret(second, &created), ESP_OK);
    assert_false(created);
    assert_string_equal(second, first);
    assert_int_equal(fake_nvs_stats()->set_calls, sets);
    assert_int_equal(fake_bootloader_random_stats()->enable_calls, 1);
}

static void test_factory_secret_is_loaded_read_only(void **state)
{
    (void)state;
    fake_nvs_put_in(PART, "setup", "secret", FACTORY_SECRET);
    char secret[SETUP_SECRET_LEN + 1];
    bool created = true;
    assert_int_equal(provision_store_load_secret(secret, &created), ESP_OK);
    assert_false(created);
    assert_string_equal(secret, FACTORY_SECRET);
    assert_int_equal(fake_nvs_stats()->last_open_mode, NVS_READONLY);
    assert_string_equal(fake_nvs_stats()->last_open_partition, PART);
    assert_int_equal(fake_nvs_stats()->set_calls, 0);
    assert_int_equal(fake_nvs_stats()->get_length_queries, 1); /* sized read: the length first */
    assert_int_equal(fake_nvs_stats()->open_handles, 0);
    assert_int_equal(fake_bootloader_random_stats()->enable_calls, 0);
    assert_true(logged("setup secret loaded"));
}

static void test_grouped_lower_case_factory_secret_is_normalised_and_left_as_stored(void **state)
{
    (void)state;
    static const char *const typed[] = {"7k3m 9qxd 2f4h 8rtv", "7K3M-9QXD-2F4H-8RTV", "7k3m9qxd2f4h8rtv"};
    for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++) {
        reset_fakes();
        fake_nvs_put_in(PART, "setup", "secret", typed[i]);
        assert_int_equal(provision_store_init(), ESP_OK);
        char secret[SETUP_SECRET_LEN + 1];
        bool created = true;
        assert_int_equal(provision_store_load_secret(secret, &created), ESP_OK);
        assert_false(created);
        assert_string_equal(secret, FACTORY_SECRET);
        assert_string_equal(fake_nvs_committed_in(PART, "setup", "secret"), typed[i]);
        assert_int_equal(fake_nvs_stats()->set_calls, 0);
    }
}

static void test_stored_value_that_is_not_a_secret_is_refused_and_kept(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",                                                   /* empty */
        "7K3M9QXD2F4H8RT",                                    /* 15 characters */
        "7K3M9QXD2F4H8RTVW",                                  /* 17 characters */
        "7K3M9QXD2F4H8RTU",                                   /* U is not Crockford base32 */
        "7K3M_9QXD_2F4H_8RTV",                                /* other separators */
        "7K3M 9QXD 2F4H 8RTV                               ", /* over PROVISION_STORE_SECRET_TEXT_MAX */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        reset_fakes();
        fake_nvs_put_in(PART, "setup", "secret", bad[i]);
        assert_int_equal(provision_store_init(), ESP_OK);
        char secret[SETUP_SECRET_LEN + 1];
        memset(secret, 'x', sizeof(secret));
        bool created = true;
        assert_int_equal(provision_store_load_secret(secret, &created), ESP_ERR_INVALID_STATE);
        assert_string_equal(secret, "");
        assert_false(created);
        assert_string_equal(fake_nvs_committed_in(PART, "setup", "secret"), bad[i]);
        assert_int_equal(fake_nvs_stats()->set_calls, 0);
        assert_int_equal(fake_bootloader_random_stats()->enable_calls, 0);
        assert_int_equal(fake_esp_log_last()->level, ESP_LOG_ERROR);
        if (bad[i][0] != '\0') {
            assert_not_logged(bad[i]);
        }
    }
}

static void test_key_of_another_type_is_refused_not_replaced(void **state)
{
    (void)state;
    fake_nvs_put_typed_in(PART, "setup", "secret", NVS_TYPE_BLOB, FACTORY_SECRET);
    char secret[SETUP_SECRET_LEN + 1];
    bool created = true;
    assert_int_equal(provision_store_load_secret(secret, &created), ESP_ERR_INVALID_STATE);
    assert_string_equal(secret, "");
    assert_false(created);
    assert_int_equal(fake_nvs_stats()->set_calls, 0);
}

static void test_namespace_without_the_key_gets_a_new_secret(void **state)
{
    (void)state;
    fake_nvs_put_in(PART, "setup", "other", "x");
    char secret[SETUP_SECRET_LEN + 1];
    bool created = false;
    assert_int_equal(provision_store_load_secret(secret, &created), ESP_OK);
    assert_true(created);
    assert_string_equal(fake_nvs_committed_in(PART, "setup", "secret"), secret);
    assert_string_equal(fake_nvs_committed_in(PART, "setup", "other"), "x");
}

static void test_partition_not_initialised_is_an_error_and_nothing_is_generated(void **state)
{
    (void)state;
    static const esp_err_t no_pages[] = {ESP_ERR_NVS_NO_FREE_PAGES};
    reset_fakes();
    fake_nvs_script_flash_init_partition(PART, no_pages, 1);
    assert_int_equal(provision_store_init(), ESP_ERR_NVS_NO_FREE_PAGES);
    char secret[SETUP_SECRET_LEN + 1];
    bool created = true;
    assert_int_equal(provision_store_load_secret(secret, &created), ESP_ERR_NVS_NOT_INITIALIZED);
    assert_string_equal(secret, "");
    assert_false(created);
    /* With the main partition up, the provision one is reported as not found. */
    assert_int_equal(nvs_flash_init(), ESP_OK);
    assert_int_equal(provision_store_load_secret(secret, &created), ESP_ERR_NVS_PART_NOT_FOUND);
    assert_int_equal(fake_nvs_stats()->set_calls, 0);
    assert_int_equal(fake_bootloader_random_stats()->enable_calls, 0);
    assert_int_equal(fake_nvs_stats()->flash_erase_calls, 0);
}

static void test_failed_store_of_a_new_secret_is_an_error_without_a_secret(void **state)
{
    (void)state;
    char secret[SETUP_SECRET_LEN + 1];
    bool created = true;
    fake_nvs_set_set_error(ESP_ERR_NVS_NOT_ENOUGH_SPACE);
    assert_int_equal(provision_store_load_secret(secret, &created), ESP_ERR_NVS_NOT_ENOUGH_SPACE);
    assert_string_equal(secret, "");
    assert_false(created);
    fake_nvs_set_set_error(ESP_OK);
    fake_nvs_set_commit_error(ESP_FAIL);
    assert_int_equal(provision_store_load_secret(secret, &created), ESP_FAIL);
    assert_string_equal(secret, "");
    assert_false(created);
    assert_null(fake_nvs_committed_in(PART, "setup", "secret"));
    assert_int_equal(fake_nvs_stats()->open_handles, 0);
}

static void test_nothing_is_written_to_the_default_nvs_partition(void **state)
{
    (void)state;
    assert_int_equal(nvs_flash_init(), ESP_OK); /* main/ initialises both */
    char secret[SETUP_SECRET_LEN + 1];
    bool created = false;
    assert_int_equal(provision_store_load_secret(secret, &created), ESP_OK);
    assert_true(created);
    char user[32];
    char pass[32];
    bool found = true;
    assert_int_equal(provision_store_load_mqtt_credentials(user, sizeof(user), pass, sizeof(pass), &found),
                     ESP_OK);
    assert_int_equal(fake_nvs_item_count("nvs"), 0);
    assert_int_equal(fake_nvs_item_count(PART), 2); /* namespace "setup" and its key */
}

static void test_the_secret_never_reaches_the_log(void **state)
{
    (void)state;
    char secret[SETUP_SECRET_LEN + 1];
    bool created = false;
    fake_esp_random_set(0x0badf00du);
    assert_int_equal(provision_store_load_secret(secret, &created), ESP_OK);
    assert_int_equal(provision_store_load_secret(secret, &created), ESP_OK);
    assert_true(fake_esp_log_count() >= 2);
    assert_not_logged(secret);
    reset_fakes();
    fake_nvs_put_in(PART, "setup", "secret", "7k3m-9qxd-2f4h-8rtv");
    assert_int_equal(provision_store_init(), ESP_OK);
    assert_int_equal(provision_store_load_secret(secret, &created), ESP_OK);
    assert_not_logged(FACTORY_SECRET);
    assert_not_logged("7k3m");
}

static void test_load_secret_rejects_null_arguments(void **state)
{
    (void)state;
    char secret[SETUP_SECRET_LEN + 1];
    bool created = false;
    assert_int_equal(provision_store_load_secret(NULL, &created), ESP_ERR_INVALID_ARG);
    assert_int_equal(provision_store_load_secret(secret, NULL), ESP_ERR_INVALID_ARG);
    assert_int_equal(fake_nvs_stats()->open_calls, 0);
}

/* --- MQTT credentials ---------------------------------------------------------------------------------- */

typedef struct {
    char user[24];
    char pass[24];
    bool found;
} creds_t;

/* Stores the credentials given (NULL: that key absent), as `invoke flash` would. */
static void put_creds(const char *user, const char *pass)
{
    if (user != NULL) {
        fake_nvs_put_in(PART, "mqtt", "username", user);
    }
    if (pass != NULL) {
        fake_nvs_put_in(PART, "mqtt", "password", pass);
    }
}

/* Loads into buffers of 24 bytes (filled with garbage first) and checks the result. */
static void expect_creds(esp_err_t rc, bool found, const char *user, const char *pass)
{
    creds_t c;
    memset(&c, 'x', sizeof(c));
    c.found = !found;
    assert_int_equal(
        provision_store_load_mqtt_credentials(c.user, sizeof(c.user), c.pass, sizeof(c.pass), &c.found), rc);
    assert_int_equal(c.found, found);
    assert_string_equal(c.user, user);
    assert_string_equal(c.pass, pass);
    assert_int_equal(fake_nvs_stats()->open_handles, 0);
}

static void test_mqtt_credentials_both_present(void **state)
{
    (void)state;
    put_creds("node-bbcc", "s3cr3t,with \"quotes\"");
    expect_creds(ESP_OK, true, "node-bbcc", "s3cr3t,with \"quotes\"");
    assert_int_equal(fake_nvs_stats()->last_open_mode, NVS_READONLY);
    assert_string_equal(fake_nvs_stats()->last_open_partition, PART);
}

static void test_mqtt_credentials_absent_is_ok_and_not_found(void **state)
{
    (void)state;
    expect_creds(ESP_OK, false, "", "");
    fake_nvs_put_in(PART, "mqtt", "other", "x"); /* the namespace without either key: the same */
    expect_creds(ESP_OK, false, "", "");
}

static void test_mqtt_credentials_each_read_on_its_own(void **state)
{
    (void)state;
    put_creds("only-user", NULL);
    expect_creds(ESP_OK, true, "only-user", "");
    reset_fakes();
    put_creds(NULL, "only-pass");
    assert_int_equal(provision_store_init(), ESP_OK);
    expect_creds(ESP_OK, true, "", "only-pass");
}

static void test_mqtt_value_filling_the_buffer_exactly_is_read(void **state)
{
    (void)state;
    put_creds("abcdefghijklmnopqrstuvw", "ABCDEFGHIJKLMNOPQRSTUVW"); /* 23 + NUL = 24 */
    expect_creds(ESP_OK, true, "abcdefghijklmnopqrstuvw", "ABCDEFGHIJKLMNOPQRSTUVW");
}

static void test_mqtt_credentials_at_the_tool_limit_fit_the_buffers_main_gives(void **state)
{
    (void)state;
    /* main/ reads into APP_CREDENTIAL_MAX_LEN + 1 bytes; the flashing tool writes at most that many. */
    char user[APP_CREDENTIAL_MAX_LEN + 1];
    char pass[APP_CREDENTIAL_MAX_LEN + 1];
    char stored_user[APP_CREDENTIAL_MAX_LEN + 1] = {0};
    char stored_pass[APP_CREDENTIAL_MAX_LEN + 1] = {0};
    memset(stored_user, 'u', APP_CREDENTIAL_MAX_LEN);
    memset(stored_pass, 'p', APP_CREDENTIAL_MAX_LEN);
    put_creds(stored_user, stored_pass);
    bool found = false;
    assert_int_equal(provision_store_load_mqtt_credentials(user, sizeof(user), pass, sizeof(pass), &found),
                     ESP_OK);
    assert_true(found);
    assert_string_equal(user, stored_user);
    assert_string_equal(pass, stored_pass);
}

static void test_mqtt_value_too_long_is_an_error_not_cut(void **state)
{
    (void)state;
    /* A username too long; then a fitting username with a password too long: never half a pair. */
    put_creds("abcdefghijklmnopqrstuvwx", "fits");
    expect_creds(ESP_ERR_INVALID_SIZE, false, "", "");
    put_creds("fits", "ABCDEFGHIJKLMNOPQRSTUVWX");
    expect_creds(ESP_ERR_INVALID_SIZE, false, "", "");
    assert_not_logged("ABCDEFGH");
}

static void test_mqtt_credentials_in_the_default_partition_are_ignored(void **state)
{
    (void)state;
    assert_int_equal(nvs_flash_init(), ESP_OK);
    fake_nvs_put("mqtt", "username", "wrong-partition");
    expect_creds(ESP_OK, false, "", "");
}

static void test_mqtt_password_never_reaches_the_log(void **state)
{
    (void)state;
    put_creds("node-bbcc", "hunter2-hunter2");
    expect_creds(ESP_OK, true, "node-bbcc", "hunter2-hunter2");
    assert_true(fake_esp_log_count() >= 1);
    assert_not_logged("hunter2");
}

static void test_mqtt_credentials_errors(void **state)
{
    (void)state;
    put_creds("node", NULL);
    fake_nvs_set_get_error(ESP_FAIL);
    expect_creds(ESP_FAIL, false, "", "");
    fake_nvs_set_get_error(ESP_OK);
    assert_int_equal(nvs_flash_deinit_partition(PART), ESP_OK);
    expect_creds(ESP_ERR_NVS_NOT_INITIALIZED, false, "", "");
    char user[8];
    char pass[8];
    bool found = true;
    assert_int_equal(provision_store_load_mqtt_credentials(NULL, 8, pass, 8, &found), ESP_ERR_INVALID_ARG);
    assert_int_equal(provision_store_load_mqtt_credentials(user, 0, pass, 8, &found), ESP_ERR_INVALID_ARG);
    assert_int_equal(provision_store_load_mqtt_credentials(user, 8, NULL, 8, &found), ESP_ERR_INVALID_ARG);
    assert_int_equal(provision_store_load_mqtt_credentials(user, 8, pass, 8, NULL), ESP_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_layout_is_the_one_the_flashing_tool_writes, setup),
        cmocka_unit_test_setup(test_init_initialises_the_provision_partition_only, setup),
        cmocka_unit_test_setup(test_init_without_the_partition_in_the_table_is_not_found, setup),
        cmocka_unit_test_setup(test_init_failure_returns_the_error_and_erases_nothing, setup),
        cmocka_unit_test_setup(test_fresh_partition_gets_a_canonical_secret_stored_and_committed, setup),
        cmocka_unit_test_setup(test_new_secret_is_drawn_with_the_entropy_source_on_then_off, setup),
        cmocka_unit_test_setup(test_new_secret_encodes_the_rng_bytes, setup),
        cmocka_unit_test_setup(test_created_secret_is_stable_across_loads, setup),
        cmocka_unit_test_setup(test_factory_secret_is_loaded_read_only, setup),
        cmocka_unit_test_setup(test_grouped_lower_case_factory_secret_is_normalised_and_left_as_stored,
                               setup),
        cmocka_unit_test_setup(test_stored_value_that_is_not_a_secret_is_refused_and_kept, setup),
        cmocka_unit_test_setup(test_key_of_another_type_is_refused_not_replaced, setup),
        cmocka_unit_test_setup(test_namespace_without_the_key_gets_a_new_secret, setup),
        cmocka_unit_test_setup(test_partition_not_initialised_is_an_error_and_nothing_is_generated, setup),
        cmocka_unit_test_setup(test_failed_store_of_a_new_secret_is_an_error_without_a_secret, setup),
        cmocka_unit_test_setup(test_nothing_is_written_to_the_default_nvs_partition, setup),
        cmocka_unit_test_setup(test_the_secret_never_reaches_the_log, setup),
        cmocka_unit_test_setup(test_load_secret_rejects_null_arguments, setup),
        cmocka_unit_test_setup(test_mqtt_credentials_both_present, setup),
        cmocka_unit_test_setup(test_mqtt_credentials_absent_is_ok_and_not_found, setup),
        cmocka_unit_test_setup(test_mqtt_credentials_each_read_on_its_own, setup),
        cmocka_unit_test_setup(test_mqtt_value_filling_the_buffer_exactly_is_read, setup),
        cmocka_unit_test_setup(test_mqtt_credentials_at_the_tool_limit_fit_the_buffers_main_gives, setup),
        cmocka_unit_test_setup(test_mqtt_value_too_long_is_an_error_not_cut, setup),
        cmocka_unit_test_setup(test_mqtt_credentials_in_the_default_partition_are_ignored, setup),
        cmocka_unit_test_setup(test_mqtt_password_never_reaches_the_log, setup),
        cmocka_unit_test_setup(test_mqtt_credentials_errors, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
