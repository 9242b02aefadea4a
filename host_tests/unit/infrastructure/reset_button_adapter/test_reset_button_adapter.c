/*
 * reset_button_adapter: the pad is a pulled-up input polled every 50 ms by an esp_timer; a press held for
 * the configured time posts APP_EVENT_FACTORY_RESET once per press. Driven through the GPIO and esp_timer
 * fakes: the clock only moves when a test polls.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "fake_esp_log.h"
#include "fake_esp_timer.h"
#include "fake_executor.h"
#include "fake_gpio.h"
#include "reset_button_adapter.h"

#define BUTTON     9 /* the esp32c3 boards' BOOT button */
#define HOLD_S     5
#define POLL_US    ((int64_t)RESET_BUTTON_ADAPTER_POLL_MS * 1000)
#define POLLS_HOLD (HOLD_S * 1000 / (int)RESET_BUTTON_ADAPTER_POLL_MS) /* polls in one hold: 100 */

static fake_executor_t executor;

static int setup(void **state)
{
    (void)state;
    reset_button_adapter_deinit();
    fake_esp_log_reset();
    fake_esp_log_set_echo(0);
    fake_esp_timer_reset();
    fake_gpio_reset();
    fake_executor_init(&executor);
    return 0;
}

static reset_button_adapter_config_t config(int gpio, uint32_t hold_s)
{
    return (reset_button_adapter_config_t){
        .gpio = gpio, .hold_s = hold_s, .executor = &fake_executor_port, .executor_ctx = &executor};
}

static void start(void)
{
    const reset_button_adapter_config_t cfg = config(BUTTON, HOLD_S);
    assert_int_equal(reset_button_adapter_init(&cfg), ESP_OK);
}

/* n polls, each at its own time. */
static void poll(int n)
{
    for (int i = 0; i < n; i++) {
        fake_esp_timer_advance_us(POLL_US);
    }
}

static void press(void)
{
    fake_gpio_set_level(BUTTON, 0);
}

static void release(void)
{
    fake_gpio_set_level(BUTTON, 1);
}

/* Started, the button seen at rest, then pressed: the press starts at the next poll. */
static void start_and_press(void)
{
    start();
    poll(1);
    press();
    poll(1);
}

static size_t logs_containing(const char *text)
{
    size_t n = 0;
    for (size_t i = 0; fake_esp_log_line(i) != NULL; i++) {
        n += strstr(fake_esp_log_line(i)->message, text) != NULL;
    }
    return n;
}

static void assert_nothing_runs(void)
{
    assert_int_equal(fake_esp_timer_count(), 0);
    press();
    poll(2 * POLLS_HOLD);
    assert_int_equal(executor.posts, 0);
}

static void test_the_pad_is_a_pulled_up_input_polled_every_50_ms_in_the_timer_task(void **state)
{
    (void)state;
    start();
    const gpio_config_t *pad = fake_gpio_last_config();
    assert_int_equal(pad->pin_bit_mask, 1ULL << BUTTON);
    assert_int_equal(pad->mode, GPIO_MODE_INPUT);
    assert_int_equal(pad->pull_up_en, GPIO_PULLUP_ENABLE);
    assert_int_equal(pad->pull_down_en, GPIO_PULLDOWN_DISABLE);
    assert_int_equal(pad->intr_type, GPIO_INTR_DISABLE);
    assert_int_equal(fake_esp_timer_count(), 1);
    const esp_timer_handle_t timer = fake_esp_timer_handle(0);
    assert_true(fake_esp_timer_armed(timer));
    assert_true(fake_esp_timer_periodic(timer));
    assert_int_equal(fake_esp_timer_last_timeout_us(timer), 50000);
    assert_int_equal(fake_esp_timer_args(timer)->dispatch_method, ESP_TIMER_TASK);
    assert_false(fake_esp_timer_args(timer)->skip_unhandled_events); /* a press during light sleep counts */
    poll(3);
    assert_int_equal(fake_gpio_get_level_calls(), 3);
}

static void test_a_press_held_for_the_hold_time_posts_one_factory_reset(void **state)
{
    (void)state;
    start_and_press();
    poll(POLLS_HOLD - 1); /* 4.95 s */
    assert_int_equal(executor.posts, 0);
    poll(1); /* 5 s */
    assert_int_equal(executor.posts, 1);
    assert_int_equal(executor.queue[0].kind, APP_EVENT_FACTORY_RESET);
    assert_int_equal(logs_containing("button held 5 s: factory reset"), 1);
    poll(3 * POLLS_HOLD); /* still held: once per press */
    assert_int_equal(executor.posts, 1);
}

static void test_a_shorter_press_posts_nothing_and_a_release_starts_the_count_again(void **state)
{
    (void)state;
    start_and_press();
    poll(POLLS_HOLD - 1);
    release();
    poll(1);
    press();
    poll(POLLS_HOLD); /* 4.95 s of the new press */
    assert_int_equal(executor.posts, 0);
    poll(1);
    assert_int_equal(executor.posts, 1);
}

static void test_every_long_press_posts_once(void **state)
{
    (void)state;
    start_and_press();
    poll(2 * POLLS_HOLD);
    release();
    poll(1);
    press();
    poll(2 * POLLS_HOLD);
    assert_int_equal(executor.posts, 2);
}

static void test_a_button_held_at_start_counts_only_after_a_release(void **state)
{
    (void)state;
    press(); /* stuck, or held through the reset */
    start();
    poll(4 * POLLS_HOLD);
    assert_int_equal(executor.posts, 0);
    release();
    poll(1);
    press();
    poll(POLLS_HOLD + 1);
    assert_int_equal(executor.posts, 1);
}

static void test_the_hold_is_measured_on_the_clock_not_by_counting_polls(void **state)
{
    (void)state;
    start_and_press();
    /* The esp_timer task was busy (or the chip asleep): the next poll runs once, 5 s later. */
    fake_esp_timer_set_time_us(esp_timer_get_time() + (int64_t)HOLD_S * 1000000 - 1);
    fake_esp_timer_fire(fake_esp_timer_handle(0));
    assert_int_equal(executor.posts, 0);
    fake_esp_timer_set_time_us(esp_timer_get_time() + 1);
    fake_esp_timer_fire(fake_esp_timer_handle(0));
    assert_int_equal(executor.posts, 1);
}

static void test_a_refused_post_is_logged_once_and_tried_again_while_held(void **state)
{
    (void)state;
    executor.refuse_posts = true;
    start_and_press();
    poll(POLLS_HOLD + 3);
    assert_int_equal(executor.posts, 0);
    assert_int_equal(executor.refused, 4);
    assert_int_equal(logs_containing("application queue full"), 1);
    executor.refuse_posts = false;
    poll(1);
    assert_int_equal(executor.posts, 1);
    poll(POLLS_HOLD);
    assert_int_equal(executor.posts, 1);
}

static void test_a_negative_gpio_disables_the_button(void **state)
{
    (void)state;
    const reset_button_adapter_config_t cfg = config(-1, HOLD_S);
    assert_int_equal(reset_button_adapter_init(&cfg), ESP_OK);
    assert_int_equal(fake_gpio_config_calls(), 0);
    assert_int_equal(logs_containing("no reset button"), 1);
    assert_nothing_runs();
}

static void test_bad_arguments_are_refused_and_nothing_runs(void **state)
{
    (void)state;
    reset_button_adapter_config_t cfg = config(BUTTON, HOLD_S);
    cfg.executor = NULL;
    assert_int_equal(reset_button_adapter_init(&cfg), ESP_ERR_INVALID_ARG);
    assert_int_equal(reset_button_adapter_init(NULL), ESP_ERR_INVALID_ARG);
    static const struct {
        int gpio;
        uint32_t hold_s;
    } bad[] = {
        {BUTTON, 0}, {BUTTON, RESET_BUTTON_ADAPTER_HOLD_MAX_S + 1}, {GPIO_NUM_MAX, HOLD_S}, {63, HOLD_S}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cfg = config(bad[i].gpio, bad[i].hold_s);
        assert_int_equal(reset_button_adapter_init(&cfg), ESP_ERR_INVALID_ARG);
    }
    assert_int_equal(fake_gpio_config_calls(), 0);
    assert_nothing_runs();
}

static void test_a_pad_gpio_config_refuses_is_an_error(void **state)
{
    (void)state;
    fake_gpio_fail_next_config(ESP_ERR_INVALID_ARG);
    const reset_button_adapter_config_t cfg = config(BUTTON, HOLD_S);
    assert_int_equal(reset_button_adapter_init(&cfg), ESP_ERR_INVALID_ARG);
    assert_int_equal(logs_containing("gpio_config(GPIO 9)"), 1);
    assert_nothing_runs();
}

static void test_a_timer_that_cannot_be_created_is_an_error_and_init_can_be_retried(void **state)
{
    (void)state;
    fake_esp_timer_fail_next_create(ESP_ERR_NO_MEM);
    const reset_button_adapter_config_t cfg = config(BUTTON, HOLD_S);
    assert_int_equal(reset_button_adapter_init(&cfg), ESP_ERR_NO_MEM);
    assert_int_equal(fake_esp_timer_count(), 0);
    start_and_press();
    poll(POLLS_HOLD);
    assert_int_equal(executor.posts, 1);
}

static void test_init_twice_is_refused_and_deinit_stops_polling(void **state)
{
    (void)state;
    start();
    const reset_button_adapter_config_t cfg = config(BUTTON, HOLD_S);
    assert_int_equal(reset_button_adapter_init(&cfg), ESP_ERR_INVALID_STATE);
    reset_button_adapter_deinit();
    assert_false(fake_esp_timer_armed(fake_esp_timer_handle(0)));
    reset_button_adapter_deinit(); /* safe again */
    press();
    poll(2 * POLLS_HOLD);
    assert_int_equal(executor.posts, 0);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_the_pad_is_a_pulled_up_input_polled_every_50_ms_in_the_timer_task),
        T(test_a_press_held_for_the_hold_time_posts_one_factory_reset),
        T(test_a_shorter_press_posts_nothing_and_a_release_starts_the_count_again),
        T(test_every_long_press_posts_once),
        T(test_a_button_held_at_start_counts_only_after_a_release),
        T(test_the_hold_is_measured_on_the_clock_not_by_counting_polls),
        T(test_a_refused_post_is_logged_once_and_tried_again_while_held),
        T(test_a_negative_gpio_disables_the_button),
        T(test_bad_arguments_are_refused_and_nothing_runs),
        T(test_a_pad_gpio_config_refuses_is_an_error),
        T(test_a_timer_that_cannot_be_created_is_an_error_and_init_can_be_retried),
        T(test_init_twice_is_refused_and_deinit_stops_polling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
