/*
 * captive_dns_adapter against the FreeRTOS and esp_log fakes, with real UDP sockets on 127.0.0.1 (on the
 * host, lwIP's socket names are the host's own). The fake records the task instead of running it; the test
 * runs it from the first vTaskDelay() that stop() makes while waiting, on the same thread, so the task
 * serves the datagram waiting in its socket, sees the stop request, closes the socket and parks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "application/captive_dns.h"
#include "captive_dns_adapter.h"
#include "esp_heap_caps.h"
#include "fake_esp_log.h"
#include "fake_esp_system.h"
#include "fake_freertos.h"

static const ipv4_address_t LOOPBACK = {{127, 0, 0, 1}};

/* dig 9.18 (Debian 12): `dig +noedns www.msftconnecttest.com A`. */
static const uint8_t DIG_A_QUERY[] = {0x9f, 0xab, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
                                      0x00, 0x03, 0x77, 0x77, 0x77, 0x0f, 0x6d, 0x73, 0x66, 0x74, 0x63,
                                      0x6f, 0x6e, 0x6e, 0x65, 0x63, 0x74, 0x74, 0x65, 0x73, 0x74, 0x03,
                                      0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01};

static bool s_run_task_on_delay;
static bool s_task_ran;
static int s_client = -1;

/* vTaskDelay hook: the first delay of a stop() runs the responder task (once per start). */
static void run_task_once(void *arg)
{
    (void)arg;
    if (s_run_task_on_delay && !s_task_ran && fake_freertos_task_count() > 0) {
        s_task_ran = true;
        fake_freertos_run_task(fake_freertos_task_count() - 1);
    }
}

static int setup(void **state)
{
    (void)state;
    fake_freertos_reset();
    fake_esp_log_reset();
    fake_esp_log_set_echo(0);
    fake_esp_system_reset();
    assert_int_equal(fake_heap_caps_live_blocks(), 0);
    fake_freertos_set_delay_hook(run_task_once, NULL);
    s_run_task_on_delay = true;
    s_task_ran = false;
    s_client = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(s_client >= 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    s_run_task_on_delay = true;
    assert_int_equal(captive_dns_adapter_stop(), ESP_OK);
    assert_int_equal(fake_heap_caps_live_blocks(), 0); /* a stop that succeeded gave the memory back */
    (void)close(s_client);
    return 0;
}

static void start_on_loopback(void)
{
    s_task_ran = false;
    assert_int_equal(captive_dns_adapter_start_on_port(&LOOPBACK, 0), ESP_OK);
    assert_int_not_equal(captive_dns_adapter_port(), 0);
}

static void send_to_adapter(const uint8_t *bytes, size_t len)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(captive_dns_adapter_port())};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(sendto(s_client, bytes, len, 0, (struct sockaddr *)&addr, sizeof(addr)), (ssize_t)len);
}

static ssize_t receive(uint8_t *buf, size_t size, int timeout_ms)
{
    struct pollfd pfd = {.fd = s_client, .events = POLLIN};
    if (poll(&pfd, 1, timeout_ms) != 1) {
        return -1;
    }
    return recv(s_client, buf, size, 0);
}

static void test_start_refuses_a_missing_or_unspecified_address(void **state)
{
    (void)state;
    static const ipv4_address_t unspecified = {{0, 0, 0, 0}};
    assert_int_equal(captive_dns_adapter_start(NULL), ESP_ERR_INVALID_ARG);
    assert_int_equal(captive_dns_adapter_start(&unspecified), ESP_ERR_INVALID_ARG);
    assert_int_equal(fake_freertos_task_count(), 0);
}

static void test_start_creates_one_static_task_and_refuses_a_second_start(void **state)
{
    (void)state;
    start_on_loopback();
    assert_int_equal(fake_freertos_task_count(), 1);
    const fake_freertos_task_t *task = fake_freertos_task(0);
    assert_string_equal(task->name, "captive_dns");
    assert_int_equal(task->stack_depth, CAPTIVE_DNS_ADAPTER_STACK_SIZE);
    assert_int_equal(task->priority, CAPTIVE_DNS_ADAPTER_PRIORITY);
    assert_non_null(task->stack);
    /* the stack and TCB are the one heap block, from internal RAM, taken while the responder runs */
    assert_int_equal(fake_heap_caps_live_blocks(), 1);
    assert_int_equal(fake_heap_caps_last_caps(), MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT);
    assert_int_equal(captive_dns_adapter_start_on_port(&LOOPBACK, 0), ESP_ERR_INVALID_STATE);
    assert_int_equal(fake_freertos_task_count(), 1);
    assert_int_equal(fake_heap_caps_live_blocks(), 1);
}

static void test_query_is_answered_with_the_access_point_address(void **state)
{
    (void)state;
    start_on_loopback();
    send_to_adapter(DIG_A_QUERY, sizeof(DIG_A_QUERY));
    assert_int_equal(captive_dns_adapter_stop(), ESP_OK); /* runs the task: it serves the query, then ends */
    uint8_t answer[600];
    assert_int_equal(receive(answer, sizeof(answer), 5000), (ssize_t)(sizeof(DIG_A_QUERY) + 16));
    static const uint8_t header[12] = {0x9f, 0xab, 0x85, 0x00, 0, 1, 0, 1, 0, 0, 0, 0};
    assert_memory_equal(answer, header, sizeof(header));
    static const uint8_t record[16] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1};
    assert_memory_equal(&answer[sizeof(DIG_A_QUERY)], record, sizeof(record));
}

static void test_refused_and_oversized_datagrams_get_no_answer(void **state)
{
    (void)state;
    uint8_t response[sizeof(DIG_A_QUERY)];
    memcpy(response, DIG_A_QUERY, sizeof(response));
    response[2] |= 0x80; /* QR: a response */
    uint8_t oversized[CAPTIVE_DNS_MESSAGE_MAX + 1];
    memset(oversized, 0, sizeof(oversized));
    memcpy(oversized, DIG_A_QUERY, sizeof(DIG_A_QUERY));
    const struct {
        const uint8_t *bytes;
        size_t len;
    } cases[] = {{response, sizeof(response)}, {oversized, sizeof(oversized)}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        start_on_loopback();
        send_to_adapter(cases[i].bytes, cases[i].len);
        assert_int_equal(captive_dns_adapter_stop(), ESP_OK);
        uint8_t answer[600];
        assert_int_equal(receive(answer, sizeof(answer), 100), -1);
    }
}

static void test_stop_closes_the_socket_and_deletes_the_task(void **state)
{
    (void)state;
    start_on_loopback();
    uint16_t port = captive_dns_adapter_port();
    assert_int_equal(captive_dns_adapter_stop(), ESP_OK);
    assert_true(fake_freertos_task(0)->deleted);
    assert_int_equal(captive_dns_adapter_port(), 0);
    /* The port is free again: the socket was closed. */
    s_task_ran = false;
    assert_int_equal(captive_dns_adapter_start_on_port(&LOOPBACK, port), ESP_OK);
    assert_int_equal(captive_dns_adapter_port(), port);
    assert_int_equal(captive_dns_adapter_stop(), ESP_OK); /* and stop when not running is fine too */
    assert_int_equal(captive_dns_adapter_stop(), ESP_OK);
}

static void test_stop_wait_is_bounded_and_blocks_a_restart_until_a_stop_succeeds(void **state)
{
    (void)state;
    start_on_loopback();
    s_run_task_on_delay = false; /* the task never gets to run */
    int delays_before = fake_freertos_delay_count();
    assert_int_equal(captive_dns_adapter_stop(), ESP_ERR_TIMEOUT);
    assert_int_equal((TickType_t)(fake_freertos_delay_count() - delays_before) * pdMS_TO_TICKS(10),
                     pdMS_TO_TICKS(CAPTIVE_DNS_ADAPTER_STOP_TIMEOUT_MS));
    assert_false(fake_freertos_task(0)->deleted);
    assert_int_equal(fake_heap_caps_live_blocks(), 1); /* still the task's: it may run on */
    assert_int_equal(captive_dns_adapter_start_on_port(&LOOPBACK, 0), ESP_ERR_INVALID_STATE);
    s_run_task_on_delay = true;
    assert_int_equal(captive_dns_adapter_stop(), ESP_OK);
    start_on_loopback();
}

static void test_bind_and_task_failures_leave_nothing_running(void **state)
{
    (void)state;
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s_client, (struct sockaddr *)&addr, sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    assert_int_equal(getsockname(s_client, (struct sockaddr *)&addr, &len), 0);
    assert_int_equal(captive_dns_adapter_start_on_port(&LOOPBACK, ntohs(addr.sin_port)), ESP_FAIL);
    assert_non_null(strstr(fake_esp_log_last()->message, "bind failed"));
    assert_int_equal(fake_freertos_task_count(), 0);

    assert_int_equal(fake_heap_caps_live_blocks(), 0);

    fake_freertos_fail_next_task_create();
    assert_int_equal(captive_dns_adapter_start_on_port(&LOOPBACK, 0), ESP_ERR_NO_MEM);
    assert_int_equal(captive_dns_adapter_port(), 0);
    assert_int_equal(fake_heap_caps_live_blocks(), 0);

    fake_heap_caps_fail_next_malloc();
    assert_int_equal(captive_dns_adapter_start_on_port(&LOOPBACK, 0), ESP_ERR_NO_MEM);
    assert_non_null(strstr(fake_esp_log_last()->message, "no memory for the responder"));
    assert_int_equal(captive_dns_adapter_port(), 0);
    assert_int_equal(fake_freertos_task_count(), 0);
    start_on_loopback(); /* nothing was left half started */
}

/* A parked task that is still running (on the other core, for an instant) is not deleted yet: FreeRTOS would
 * finish that deletion later from the idle task, after the memory went back to the heap. */
static void test_stop_deletes_the_task_only_once_it_is_blocked(void **state)
{
    (void)state;
    start_on_loopback();
    fake_freertos_set_task_state(0, eRunning);
    assert_int_equal(captive_dns_adapter_stop(), ESP_ERR_TIMEOUT); /* it parked, but never blocked */
    assert_true(s_task_ran);
    assert_false(fake_freertos_task(0)->deleted);
    assert_int_equal(fake_heap_caps_live_blocks(), 1);
    fake_freertos_set_task_state(0, eBlocked);
    assert_int_equal(captive_dns_adapter_stop(), ESP_OK);
    assert_true(fake_freertos_task(0)->deleted);
    assert_int_equal(fake_heap_caps_live_blocks(), 0);
}

static void test_the_portal_port_wraps_start_and_stop(void **state)
{
    (void)state;
    captive_dns_adapter_portal_t portal = {.ap_ip = {{0, 0, 0, 0}}};
    /* an unusable address is the caller's error */
    assert_int_equal(captive_dns_adapter_portal_port.open(&portal), APP_ERR_INVALID_ARG);
    assert_int_equal(captive_dns_adapter_port(), 0);
    /* no memory says so (the setup page still works by its address, without the portal) */
    portal.ap_ip = LOOPBACK;
    fake_heap_caps_fail_next_malloc();
    assert_int_equal(captive_dns_adapter_portal_port.open(&portal), APP_ERR_NO_MEMORY);
    portal.ap_ip = (ipv4_address_t){{0, 0, 0, 0}};
    /* open on a running responder changes nothing (no second task) */
    start_on_loopback();
    const size_t tasks = fake_freertos_task_count();
    portal.ap_ip = LOOPBACK;
    assert_int_equal(captive_dns_adapter_portal_port.open(&portal), APP_OK);
    assert_int_equal(fake_freertos_task_count(), tasks);
    /* close stops it; a second close is fine */
    assert_int_equal(captive_dns_adapter_portal_port.close(&portal), APP_OK);
    assert_int_equal(captive_dns_adapter_port(), 0);
    assert_int_equal(captive_dns_adapter_portal_port.close(&portal), APP_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_start_refuses_a_missing_or_unspecified_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_creates_one_static_task_and_refuses_a_second_start, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_query_is_answered_with_the_access_point_address, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_refused_and_oversized_datagrams_get_no_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_closes_the_socket_and_deletes_the_task, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_deletes_the_task_only_once_it_is_blocked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_wait_is_bounded_and_blocks_a_restart_until_a_stop_succeeds,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_and_task_failures_leave_nothing_running, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_portal_port_wraps_start_and_stop, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
