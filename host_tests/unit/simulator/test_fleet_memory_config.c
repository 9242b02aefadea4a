/*
 * fleet_memory_config: a fleet device's name and location in memory, safe to use from the application task
 * and the HTTP thread at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "fleet_memory_config.h"

static void test_nothing_stored_at_first(void **state)
{
    (void)state;
    fleet_memory_config_t config;
    assert_int_equal(fleet_memory_config_init(&config), APP_OK);
    char buf[16] = "junk";
    assert_int_equal(fleet_memory_config_load(&config, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)),
                     APP_ERR_NOT_FOUND);
    assert_string_equal(buf, "");
    fleet_memory_config_deinit(&config);
}

static void test_stored_values_are_loaded_back(void **state)
{
    (void)state;
    fleet_memory_config_t config;
    assert_int_equal(fleet_memory_config_init(&config), APP_OK);
    assert_int_equal(fleet_memory_config_store(&config, CONFIG_FIELD_LOCATION, "Vereda \"El Rosal\""),
                     APP_OK);
    char buf[64];
    assert_int_equal(fleet_memory_config_load(&config, CONFIG_FIELD_LOCATION, buf, sizeof(buf)), APP_OK);
    assert_string_equal(buf, "Vereda \"El Rosal\"");
    assert_int_equal(fleet_memory_config_load(&config, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)),
                     APP_ERR_NOT_FOUND);
    char small[4];
    assert_int_equal(fleet_memory_config_load(&config, CONFIG_FIELD_LOCATION, small, sizeof(small)),
                     APP_ERR_TOO_LONG);
    fleet_memory_config_deinit(&config);
}

static void test_a_value_over_the_limit_is_a_storage_error(void **state)
{
    (void)state;
    fleet_memory_config_t config;
    assert_int_equal(fleet_memory_config_init(&config), APP_OK);
    char name[DEVICE_NAME_MAX_BYTES + 2];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    assert_int_equal(fleet_memory_config_store(&config, CONFIG_FIELD_DEVICE_NAME, name), APP_ERR_STORAGE);
    assert_int_equal(fleet_memory_config_store(NULL, CONFIG_FIELD_DEVICE_NAME, "x"), APP_ERR_INVALID_ARG);
    fleet_memory_config_deinit(&config);
}

#define ROUNDS 2000

static void *writer(void *arg)
{
    fleet_memory_config_t *config = arg;
    for (int i = 0; i < ROUNDS; i++) {
        assert_int_equal(
            fleet_memory_config_store(config, CONFIG_FIELD_DEVICE_NAME, i % 2 ? "aaaaaaaa" : "bbbb"), APP_OK);
    }
    return NULL;
}

static void test_loads_never_see_half_a_store(void **state)
{
    (void)state;
    fleet_memory_config_t config;
    assert_int_equal(fleet_memory_config_init(&config), APP_OK);
    assert_int_equal(fleet_memory_config_store(&config, CONFIG_FIELD_DEVICE_NAME, "bbbb"), APP_OK);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, writer, &config), 0);
    for (int i = 0; i < ROUNDS; i++) {
        char buf[16];
        assert_int_equal(fleet_memory_config_load(&config, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)),
                         APP_OK);
        assert_true(strcmp(buf, "aaaaaaaa") == 0 || strcmp(buf, "bbbb") == 0);
    }
    pthread_join(thread, NULL);
    fleet_memory_config_deinit(&config);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_stored_at_first),
        cmocka_unit_test(test_stored_values_are_loaded_back),
        cmocka_unit_test(test_a_value_over_the_limit_is_a_storage_error),
        cmocka_unit_test(test_loads_never_see_half_a_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
