/* status_store: the snapshot and config cache shared under the lock. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "application/status_store.h"
#include "fake_lock.h"

static fake_lock_t s_lock;
static status_store_t s_store;

static int setup(void **state)
{
    (void)state;
    fake_lock_init(&s_lock);
    status_store_init(&s_store, &fake_lock_port, &s_lock, 100);
    return 0;
}

static void test_a_publish_is_what_other_tasks_read(void **state)
{
    (void)state;
    app_status_snapshot_t out;
    assert_int_equal(status_store_read(&s_store, &out), APP_OK);
    assert_int_equal(out.pending_msg_id, -1);
    status_store_working(&s_store)->registrations = 3;
    assert_int_equal(status_store_read(&s_store, &out), APP_OK);
    assert_int_equal(out.registrations, 0); /* not yet published */
    assert_int_equal(status_store_publish(&s_store), APP_OK);
    assert_int_equal(status_store_read(&s_store, &out), APP_OK);
    assert_int_equal(out.registrations, 3);
    assert_int_equal(s_lock.last_timeout_ms, 100);
    assert_false(s_lock.held);
}

static void test_an_http_config_change_survives_the_next_publish(void **state)
{
    (void)state;
    assert_int_equal(status_store_set_config(&s_store, "Riego Sur", NULL), APP_OK);
    assert_int_equal(status_store_publish(&s_store), APP_OK); /* the task's copy is older */
    app_status_snapshot_t out;
    assert_int_equal(status_store_read(&s_store, &out), APP_OK);
    assert_string_equal(out.device_name, "Riego Sur");
    strcpy(status_store_working(&s_store)->location, "Lote 9");
    status_store_mark_config_reloaded(&s_store); /* now the task's copy is newer */
    assert_int_equal(status_store_publish(&s_store), APP_OK);
    assert_int_equal(status_store_read(&s_store, &out), APP_OK);
    assert_string_equal(out.location, "Lote 9");
    assert_string_equal(out.device_name, "Riego Sur");
}

static void test_a_busy_lock_is_a_timeout_and_marks_the_store_stale(void **state)
{
    (void)state;
    fake_lock_fail_next(&s_lock, 3);
    app_status_snapshot_t out;
    assert_int_equal(status_store_publish(&s_store), APP_ERR_LOCK_TIMEOUT);
    assert_true(s_store.stale);
    assert_int_equal(status_store_read(&s_store, &out), APP_ERR_LOCK_TIMEOUT);
    assert_int_equal(status_store_set_config(&s_store, "x", NULL), APP_ERR_LOCK_TIMEOUT);
    assert_int_equal(status_store_publish(&s_store), APP_OK);
    assert_false(s_store.stale);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_a_publish_is_what_other_tasks_read, setup),
        cmocka_unit_test_setup(test_an_http_config_change_survives_the_next_publish, setup),
        cmocka_unit_test_setup(test_a_busy_lock_is_a_timeout_and_marks_the_store_stale, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
