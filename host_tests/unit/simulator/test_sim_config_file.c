/* sim_config_file: the config repository on a key=value file with percent-encoded values. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_config_file.h"

typedef struct {
    char dir[64];
    char path[128];
    sim_config_file_t repo;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    strcpy(f->dir, "/tmp/sim_config_test_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/device.conf", f->dir);
    assert_int_equal(sim_config_file_init(&f->repo, f->path), APP_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    sim_config_file_deinit(&f->repo);
    DIR *d = opendir(f->dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            char p[512];
            snprintf(p, sizeof(p), "%s/%s", f->dir, e->d_name);
            unlink(p);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void write_file(const fixture_t *f, const char *content, size_t len)
{
    FILE *out = fopen(f->path, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(content, 1, len, out), len);
    fclose(out);
}

static size_t read_file(const fixture_t *f, char *buf, size_t size)
{
    FILE *in = fopen(f->path, "rb");
    assert_non_null(in);
    size_t n = fread(buf, 1, size - 1, in);
    buf[n] = '\0';
    fclose(in);
    return n;
}

static void test_missing_file_is_not_found(void **state)
{
    fixture_t *f = *state;
    char buf[32] = "junk";
    assert_int_equal(sim_config_file_load(&f->repo, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)),
                     APP_ERR_NOT_FOUND);
    assert_string_equal(buf, "");
}

static void test_missing_key_is_not_found(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(sim_config_file_store(&f->repo, CONFIG_FIELD_DEVICE_NAME, "pump"), APP_OK);
    char buf[32];
    assert_int_equal(sim_config_file_load(&f->repo, CONFIG_FIELD_LOCATION, buf, sizeof(buf)),
                     APP_ERR_NOT_FOUND);
}

static void test_values_round_trip_any_bytes(void **state)
{
    fixture_t *f = *state;
    const char *values[] = {
        "plain",
        "Bomba \"Sur\" \\ 100%",
        "line1\nline2\r\n",
        "a=b&c+d %41",
        "Jardín Ñandú ☃ 😀",
        "\x01\x1f\x7f\xff raw bytes",
        "",
    };
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        assert_int_equal(sim_config_file_store(&f->repo, CONFIG_FIELD_LOCATION, values[i]), APP_OK);
        char buf[64];
        assert_int_equal(sim_config_file_load(&f->repo, CONFIG_FIELD_LOCATION, buf, sizeof(buf)), APP_OK);
        assert_string_equal(buf, values[i]);
    }
}

static void test_file_holds_one_percent_encoded_line_per_key(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(sim_config_file_store(&f->repo, CONFIG_FIELD_DEVICE_NAME, "A \"b\"\nñ-._~"), APP_OK);
    assert_int_equal(sim_config_file_store(&f->repo, CONFIG_FIELD_LOCATION, "x=y"), APP_OK);
    char content[256];
    read_file(f, content, sizeof(content));
    assert_string_equal(content, "device_name=A%20%22b%22%0A%C3%B1-._~\ndevice_location=x%3Dy\n");
}

static void test_store_replaces_the_key_and_keeps_other_lines(void **state)
{
    fixture_t *f = *state;
    const char original[] =
        "# hand-written\ndevice_name=old\nextra=1\ndevice_name_x=keep\ndevice_location=loc";
    write_file(f, original, sizeof(original) - 1);
    assert_int_equal(sim_config_file_store(&f->repo, CONFIG_FIELD_DEVICE_NAME, "new"), APP_OK);
    char content[256];
    read_file(f, content, sizeof(content));
    assert_string_equal(
        content, "# hand-written\nextra=1\ndevice_name_x=keep\ndevice_location=loc\ndevice_name=new\n");
}

static void test_value_that_fits_exactly_is_loaded(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(sim_config_file_store(&f->repo, CONFIG_FIELD_DEVICE_NAME, "abcd"), APP_OK);
    char buf[5];
    assert_int_equal(sim_config_file_load(&f->repo, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)), APP_OK);
    assert_string_equal(buf, "abcd");
}

static void test_value_longer_than_the_buffer_is_too_long(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(sim_config_file_store(&f->repo, CONFIG_FIELD_DEVICE_NAME, "abcde"), APP_OK);
    char buf[5] = "zzzz";
    assert_int_equal(sim_config_file_load(&f->repo, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)),
                     APP_ERR_TOO_LONG);
    assert_string_equal(buf, "");
}

static void test_length_is_measured_after_decoding(void **state)
{
    /* "%C3%B1" is 6 bytes in the file but 2 in the value. */
    fixture_t *f = *state;
    const char content[] = "device_name=%C3%B1%C3%B1\n";
    write_file(f, content, sizeof(content) - 1);
    char buf[5];
    assert_int_equal(sim_config_file_load(&f->repo, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)), APP_OK);
    assert_string_equal(buf, "ññ");
}

static void test_very_long_hand_edited_value_is_too_long(void **state)
{
    fixture_t *f = *state;
    static char content[20000];
    int n = snprintf(content, sizeof(content), "device_name=");
    memset(content + n, 'x', sizeof(content) - (size_t)n - 2);
    content[sizeof(content) - 2] = '\n';
    content[sizeof(content) - 1] = '\0';
    write_file(f, content, strlen(content));
    char buf[101];
    assert_int_equal(sim_config_file_load(&f->repo, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)),
                     APP_ERR_TOO_LONG);
    assert_string_equal(buf, "");
}

static void test_raw_hand_edited_value_is_read_as_is(void **state)
{
    fixture_t *f = *state;
    const char content[] = "device_location=Finca Ñ \"norte\"\r\n";
    write_file(f, content, sizeof(content) - 1);
    char buf[64];
    assert_int_equal(sim_config_file_load(&f->repo, CONFIG_FIELD_LOCATION, buf, sizeof(buf)), APP_OK);
    assert_string_equal(buf, "Finca Ñ \"norte\"");
}

static void test_malformed_escape_is_a_storage_error(void **state)
{
    fixture_t *f = *state;
    const char content[] = "device_name=50%zz\n";
    write_file(f, content, sizeof(content) - 1);
    char buf[64];
    assert_int_equal(sim_config_file_load(&f->repo, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)),
                     APP_ERR_STORAGE);
    assert_string_equal(buf, "");
}

static void test_encoded_nul_is_a_storage_error(void **state)
{
    fixture_t *f = *state;
    const char content[] = "device_name=a%00b\n";
    write_file(f, content, sizeof(content) - 1);
    char buf[64];
    assert_int_equal(sim_config_file_load(&f->repo, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)),
                     APP_ERR_STORAGE);
}

static void test_last_line_of_a_key_wins(void **state)
{
    fixture_t *f = *state;
    const char content[] = "device_name=first\ndevice_name=second";
    write_file(f, content, sizeof(content) - 1);
    char buf[64];
    assert_int_equal(sim_config_file_load(&f->repo, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)), APP_OK);
    assert_string_equal(buf, "second");
}

static void test_store_leaves_no_temporary_file(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(sim_config_file_store(&f->repo, CONFIG_FIELD_DEVICE_NAME, "a"), APP_OK);
    assert_int_equal(sim_config_file_store(&f->repo, CONFIG_FIELD_LOCATION, "b"), APP_OK);
    DIR *d = opendir(f->dir);
    assert_non_null(d);
    int files = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            files++;
            assert_string_equal(e->d_name, "device.conf");
        }
    }
    closedir(d);
    assert_int_equal(files, 1);
}

static void test_store_into_a_missing_directory_is_a_storage_error(void **state)
{
    (void)state;
    sim_config_file_t repo;
    assert_int_equal(sim_config_file_init(&repo, "/nonexistent-dir-for-test/x.conf"), APP_OK);
    assert_int_equal(sim_config_file_store(&repo, CONFIG_FIELD_DEVICE_NAME, "a"), APP_ERR_STORAGE);
    sim_config_file_deinit(&repo);
}

static void test_keys_are_the_nvs_keys(void **state)
{
    (void)state;
    assert_string_equal(sim_config_file_key(CONFIG_FIELD_DEVICE_NAME), "device_name");
    assert_string_equal(sim_config_file_key(CONFIG_FIELD_LOCATION), "device_location");
    assert_null(sim_config_file_key(CONFIG_FIELD_COUNT));
}

/* ---- writes only when a value changes ------------------------------------------------------------------ */

/*
 * Holds the file as it is now open, so that its inode cannot be reused: a later write (a new file renamed
 * over the path) shows as a different inode at the path, and no write as the same one.
 */
typedef struct {
    int fd;
    ino_t inode;
} file_watch_t;

static file_watch_t watch_file(const fixture_t *f)
{
    file_watch_t watch = {.fd = open(f->path, O_RDONLY)};
    assert_true(watch.fd >= 0);
    struct stat st;
    assert_int_equal(fstat(watch.fd, &st), 0);
    watch.inode = st.st_ino;
    return watch;
}

/* True when the path no longer names the watched file (it was written), and ends the watch. */
static bool file_was_written(file_watch_t *watch, const fixture_t *f)
{
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    close(watch->fd);
    return st.st_ino != watch->inode;
}

static void store_both(fixture_t *f, const char *name, const char *location, bool *written)
{
    const char *values[CONFIG_FIELD_COUNT] = {
        [CONFIG_FIELD_DEVICE_NAME] = name, [CONFIG_FIELD_LOCATION] = location};
    assert_int_equal(sim_config_file_store_values(&f->repo, values, written), APP_OK);
}

static void test_store_values_writes_a_new_file_once_for_both_fields(void **state)
{
    fixture_t *f = *state;
    bool written = false;
    store_both(f, "Riego Norte", "Lote 3", &written);
    assert_true(written);
    char content[256];
    read_file(f, content, sizeof(content));
    assert_string_equal(content, "device_name=Riego%20Norte\ndevice_location=Lote%203\n");
}

static void test_unchanged_values_are_not_written_again(void **state)
{
    fixture_t *f = *state;
    store_both(f, "Riego \"Sur\"", "Finca Ñ", NULL);
    file_watch_t watch = watch_file(f);
    bool written = true;
    store_both(f, "Riego \"Sur\"", "Finca Ñ", &written);
    assert_false(written);
    assert_false(file_was_written(&watch, f));
}

static void test_one_changed_value_is_one_write_keeping_the_other(void **state)
{
    fixture_t *f = *state;
    store_both(f, "A", "B", NULL);
    file_watch_t watch = watch_file(f);
    bool written = false;
    store_both(f, "A", "C", &written);
    assert_true(written);
    assert_true(file_was_written(&watch, f));
    char content[256];
    read_file(f, content, sizeof(content));
    assert_string_equal(content, "device_name=A\ndevice_location=C\n");
}

static void test_a_field_not_given_is_neither_compared_nor_touched(void **state)
{
    fixture_t *f = *state;
    store_both(f, "A", "B", NULL);
    file_watch_t watch = watch_file(f);
    bool written = true;
    store_both(f, "A", NULL, &written);
    assert_false(written);
    assert_false(file_was_written(&watch, f));
}

static void test_a_hand_edited_value_that_decodes_equal_is_not_rewritten(void **state)
{
    fixture_t *f = *state;
    const char content[] = "# mine\r\ndevice_name=Riego Norte\r\ndevice_location=Lote%203\n";
    write_file(f, content, sizeof(content) - 1);
    file_watch_t watch = watch_file(f);
    bool written = true;
    store_both(f, "Riego Norte", "Lote 3", &written);
    assert_false(written);
    assert_false(file_was_written(&watch, f));
}

static void test_the_last_line_of_a_key_is_what_is_compared(void **state)
{
    fixture_t *f = *state;
    const char content[] = "device_name=old\ndevice_name=new\n";
    write_file(f, content, sizeof(content) - 1);
    bool written = true;
    store_both(f, "new", NULL, &written);
    assert_false(written);
    store_both(f, "old", NULL, &written);
    assert_true(written);
    char buf[16];
    assert_int_equal(sim_config_file_load(&f->repo, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)), APP_OK);
    assert_string_equal(buf, "old");
}

static void test_a_prefix_or_extension_of_the_stored_value_is_a_change(void **state)
{
    fixture_t *f = *state;
    store_both(f, "Riego", NULL, NULL);
    bool written = false;
    store_both(f, "Rieg", NULL, &written);
    assert_true(written);
    store_both(f, "Riego2", NULL, &written);
    assert_true(written);
    store_both(f, "", NULL, &written);
    assert_true(written);
    store_both(f, "", NULL, &written);
    assert_false(written);
}

static void test_a_malformed_stored_value_is_replaced(void **state)
{
    fixture_t *f = *state;
    const char content[] = "device_name=50%zz\n";
    write_file(f, content, sizeof(content) - 1);
    bool written = false;
    store_both(f, "50%zz", NULL, &written);
    assert_true(written);
    char buf[16];
    assert_int_equal(sim_config_file_load(&f->repo, CONFIG_FIELD_DEVICE_NAME, buf, sizeof(buf)), APP_OK);
    assert_string_equal(buf, "50%zz");
}

static void test_the_port_store_skips_an_unchanged_value_too(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(sim_config_file_store(&f->repo, CONFIG_FIELD_LOCATION, "Vereda"), APP_OK);
    file_watch_t watch = watch_file(f);
    assert_int_equal(sim_config_file_store(&f->repo, CONFIG_FIELD_LOCATION, "Vereda"), APP_OK);
    assert_false(file_was_written(&watch, f));
}

static void test_store_values_without_a_directory_is_a_storage_error(void **state)
{
    (void)state;
    sim_config_file_t repo;
    assert_int_equal(sim_config_file_init(&repo, "/nonexistent-dir-for-test/x.conf"), APP_OK);
    const char *values[CONFIG_FIELD_COUNT] = {[CONFIG_FIELD_DEVICE_NAME] = "a"};
    bool written = true;
    assert_int_equal(sim_config_file_store_values(&repo, values, &written), APP_ERR_STORAGE);
    assert_false(written);
    sim_config_file_deinit(&repo);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_missing_file_is_not_found),
        T(test_missing_key_is_not_found),
        T(test_values_round_trip_any_bytes),
        T(test_file_holds_one_percent_encoded_line_per_key),
        T(test_store_replaces_the_key_and_keeps_other_lines),
        T(test_value_that_fits_exactly_is_loaded),
        T(test_value_longer_than_the_buffer_is_too_long),
        T(test_length_is_measured_after_decoding),
        T(test_very_long_hand_edited_value_is_too_long),
        T(test_raw_hand_edited_value_is_read_as_is),
        T(test_malformed_escape_is_a_storage_error),
        T(test_encoded_nul_is_a_storage_error),
        T(test_last_line_of_a_key_wins),
        T(test_store_leaves_no_temporary_file),
        T(test_store_values_writes_a_new_file_once_for_both_fields),
        T(test_unchanged_values_are_not_written_again),
        T(test_one_changed_value_is_one_write_keeping_the_other),
        T(test_a_field_not_given_is_neither_compared_nor_touched),
        T(test_a_hand_edited_value_that_decodes_equal_is_not_rewritten),
        T(test_the_last_line_of_a_key_is_what_is_compared),
        T(test_a_prefix_or_extension_of_the_stored_value_is_a_change),
        T(test_a_malformed_stored_value_is_replaced),
        T(test_the_port_store_skips_an_unchanged_value_too),
        cmocka_unit_test(test_store_into_a_missing_directory_is_a_storage_error),
        cmocka_unit_test(test_store_values_without_a_directory_is_a_storage_error),
        cmocka_unit_test(test_keys_are_the_nvs_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
