/*
 * sim_config_overlay: the --print-registration view of the config repository. Fields set from the command
 * line are answered from memory, the others come from the base repository (then the application's
 * defaults), and nothing is ever written to the base.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "application/register_device.h"
#include "application/settings.h"
#include "fake_ports.h"
#include "sim_config_overlay.h"

typedef struct {
    fake_ports_t fakes;
    sim_config_overlay_t overlay;
    char buf[DEVICE_LOCATION_MAX_BYTES + 1];
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    fake_ports_init(&f->fakes);
    assert_int_equal(sim_config_overlay_init(&f->overlay, &fake_config_repository_port, &f->fakes.config),
                     APP_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static app_err_t load(fixture_t *f, config_field_t field)
{
    return sim_config_overlay_port.load(&f->overlay, field, f->buf, sizeof(f->buf));
}

static void test_a_set_field_is_answered_from_memory_not_from_the_base(void **state)
{
    fixture_t *f = *state;
    fake_config_repository_set(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME, "stored name");
    assert_int_equal(sim_config_overlay_set(&f->overlay, CONFIG_FIELD_DEVICE_NAME, "option name"), APP_OK);
    assert_int_equal(load(f, CONFIG_FIELD_DEVICE_NAME), APP_OK);
    assert_string_equal(f->buf, "option name");
    assert_int_equal(f->fakes.config.load_calls[CONFIG_FIELD_DEVICE_NAME], 0);
}

static void test_an_unset_field_is_loaded_from_the_base(void **state)
{
    fixture_t *f = *state;
    fake_config_repository_set(&f->fakes.config, CONFIG_FIELD_LOCATION, "stored location");
    assert_int_equal(sim_config_overlay_set(&f->overlay, CONFIG_FIELD_DEVICE_NAME, "option name"), APP_OK);
    assert_int_equal(load(f, CONFIG_FIELD_LOCATION), APP_OK);
    assert_string_equal(f->buf, "stored location");
    assert_int_equal(f->fakes.config.load_calls[CONFIG_FIELD_LOCATION], 1);
}

static void test_the_base_answer_is_passed_through_unchanged(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(load(f, CONFIG_FIELD_DEVICE_NAME), APP_ERR_NOT_FOUND);
    fake_script_push(&f->fakes.config.load_results[CONFIG_FIELD_LOCATION], APP_ERR_STORAGE);
    assert_int_equal(load(f, CONFIG_FIELD_LOCATION), APP_ERR_STORAGE);
}

static void test_setting_a_field_never_writes_the_base(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(sim_config_overlay_set(&f->overlay, CONFIG_FIELD_DEVICE_NAME, "option name"), APP_OK);
    assert_int_equal(sim_config_overlay_set(&f->overlay, CONFIG_FIELD_LOCATION, "option location"), APP_OK);
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_DEVICE_NAME], 0);
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_LOCATION], 0);
    assert_null(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME));
    assert_null(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_LOCATION));
}

static void test_store_keeps_the_value_in_memory_only(void **state)
{
    fixture_t *f = *state;
    fake_config_repository_set(&f->fakes.config, CONFIG_FIELD_LOCATION, "stored location");
    assert_int_equal(sim_config_overlay_port.store(&f->overlay, CONFIG_FIELD_LOCATION, "new location"),
                     APP_OK);
    assert_int_equal(load(f, CONFIG_FIELD_LOCATION), APP_OK);
    assert_string_equal(f->buf, "new location");
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_LOCATION], 0);
    assert_string_equal(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_LOCATION),
                        "stored location");
}

static void test_the_value_is_copied_at_set_time(void **state)
{
    fixture_t *f = *state;
    char option[] = "Riego";
    assert_int_equal(sim_config_overlay_set(&f->overlay, CONFIG_FIELD_DEVICE_NAME, option), APP_OK);
    option[0] = 'X';
    assert_int_equal(load(f, CONFIG_FIELD_DEVICE_NAME), APP_OK);
    assert_string_equal(f->buf, "Riego");
}

typedef struct {
    config_field_t field;
    size_t length;
    app_err_t expected;
} length_case_t;

static void test_set_accepts_values_up_to_the_field_limit_and_refuses_longer_ones(void **state)
{
    fixture_t *f = *state;
    static const length_case_t cases[] = {
        {CONFIG_FIELD_DEVICE_NAME, 0, APP_OK},
        {CONFIG_FIELD_DEVICE_NAME, DEVICE_NAME_MAX_BYTES, APP_OK},
        {CONFIG_FIELD_DEVICE_NAME, DEVICE_NAME_MAX_BYTES + 1, APP_ERR_TOO_LONG},
        {CONFIG_FIELD_LOCATION, DEVICE_LOCATION_MAX_BYTES, APP_OK},
        {CONFIG_FIELD_LOCATION, DEVICE_LOCATION_MAX_BYTES + 1, APP_ERR_TOO_LONG},
    };
    char value[DEVICE_LOCATION_MAX_BYTES + 2];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(value, 'a', cases[i].length);
        value[cases[i].length] = '\0';
        assert_int_equal(sim_config_overlay_set(&f->overlay, cases[i].field, value), cases[i].expected);
    }
}

static void test_a_refused_value_leaves_the_field_unset(void **state)
{
    fixture_t *f = *state;
    char value[DEVICE_NAME_MAX_BYTES + 2];
    memset(value, 'a', DEVICE_NAME_MAX_BYTES + 1);
    value[DEVICE_NAME_MAX_BYTES + 1] = '\0';
    fake_config_repository_set(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME, "stored name");
    assert_int_equal(sim_config_overlay_set(&f->overlay, CONFIG_FIELD_DEVICE_NAME, value), APP_ERR_TOO_LONG);
    assert_int_equal(load(f, CONFIG_FIELD_DEVICE_NAME), APP_OK);
    assert_string_equal(f->buf, "stored name");
}

static void test_load_into_a_short_buffer_is_too_long_with_an_empty_string(void **state)
{
    fixture_t *f = *state;
    char small[4] = "xyz";
    assert_int_equal(sim_config_overlay_set(&f->overlay, CONFIG_FIELD_DEVICE_NAME, "Riego"), APP_OK);
    assert_int_equal(
        sim_config_overlay_port.load(&f->overlay, CONFIG_FIELD_DEVICE_NAME, small, sizeof(small)),
        APP_ERR_TOO_LONG);
    assert_string_equal(small, "");
}

static void test_invalid_arguments_are_refused(void **state)
{
    fixture_t *f = *state;
    sim_config_overlay_t other;
    assert_int_equal(sim_config_overlay_init(&other, NULL, NULL), APP_ERR_INVALID_ARG);
    assert_int_equal(sim_config_overlay_set(&f->overlay, CONFIG_FIELD_COUNT, "x"), APP_ERR_INVALID_ARG);
    assert_int_equal(sim_config_overlay_set(&f->overlay, CONFIG_FIELD_DEVICE_NAME, NULL),
                     APP_ERR_INVALID_ARG);
    assert_int_equal(load(f, CONFIG_FIELD_COUNT), APP_ERR_INVALID_ARG);
}

/* The use case reads through the overlay as a normal run reads the file: option, else stored, else default.
 */
static void test_the_use_case_reads_option_then_stored_then_default(void **state)
{
    fixture_t *f = *state;
    app_settings_t settings;
    app_settings_defaults(&settings);
    fake_config_repository_set(&f->fakes.config, CONFIG_FIELD_LOCATION, "stored location");
    assert_int_equal(sim_config_overlay_set(&f->overlay, CONFIG_FIELD_DEVICE_NAME, "option name"), APP_OK);
    app_ports_t ports = f->fakes.ports;
    ports.config = &sim_config_overlay_port;
    ports.config_ctx = &f->overlay;
    register_device_t uc;
    register_device_init(&uc, &ports, &settings);

    assert_int_equal(register_device_read_field(&uc, CONFIG_FIELD_DEVICE_NAME, f->buf, sizeof(f->buf)),
                     APP_OK);
    assert_string_equal(f->buf, "option name");
    assert_int_equal(register_device_read_field(&uc, CONFIG_FIELD_LOCATION, f->buf, sizeof(f->buf)), APP_OK);
    assert_string_equal(f->buf, "stored location");

    fake_config_repository_set(&f->fakes.config, CONFIG_FIELD_LOCATION, NULL);
    assert_int_equal(register_device_read_field(&uc, CONFIG_FIELD_LOCATION, f->buf, sizeof(f->buf)),
                     APP_ERR_NOT_FOUND);
    assert_string_equal(f->buf, settings.defaults.location);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_set_field_is_answered_from_memory_not_from_the_base, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_an_unset_field_is_loaded_from_the_base, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_base_answer_is_passed_through_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_setting_a_field_never_writes_the_base, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_keeps_the_value_in_memory_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_value_is_copied_at_set_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_accepts_values_up_to_the_field_limit_and_refuses_longer_ones,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_refused_value_leaves_the_field_unset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_into_a_short_buffer_is_too_long_with_an_empty_string, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_invalid_arguments_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_use_case_reads_option_then_stored_then_default, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
