/*
 * captive_dns_adapter: see captive_dns_adapter.h for the rules. lwIP facts relied on (ESP-IDF v5.4.2):
 * lwipopts.h sets LWIP_SO_RCVTIMEO 1, so SO_RCVTIMEO bounds recvfrom(), which then fails with EAGAIN;
 * ESP-IDF's lwip/sockets.h gives the POSIX names (socket, bind, recvfrom, sendto, ...) and close() reaches
 * lwIP through the VFS.
 */
#include "captive_dns_adapter.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "application/captive_dns.h"
#include "esp_heap_caps.h"
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "lwip/sockets.h"

static const char *TAG = "captive_dns";

/* The responder's memory, taken from the heap only while the portal runs (provisioning): the task's TCB and
 * stack, and the datagram buffer, one byte over the DNS limit (a datagram that fills it was too long and is
 * dropped, not parsed cut). Static, it would cost every boot about 3.9 KB of .bss for a few minutes of use.
 */
typedef struct {
    StaticTask_t task_buffer;
    StackType_t stack[CAPTIVE_DNS_ADAPTER_STACK_SIZE / sizeof(StackType_t)];
    uint8_t datagram[CAPTIVE_DNS_MESSAGE_MAX + 1];
} responder_memory_t;

static struct {
    responder_memory_t *memory; /* non-NULL from start() until a stop() that succeeded */
    int fd;
    uint16_t port;
    ipv4_address_t ap_ip;
    TaskHandle_t task;
    bool stop_timed_out;
    int last_errno; /* the task's last receive error, so a broken socket is logged once, not every poll */
    atomic_bool stop_requested;
    atomic_bool parked; /* the task closed its socket and waits to be deleted */
} s_dns = {.fd = -1};

static TickType_t ticks_at_least_one(uint32_t ms)
{
    TickType_t ticks = pdMS_TO_TICKS(ms);
    return ticks > 0 ? ticks : 1;
}

static void serve_one(void)
{
    uint8_t *const datagram = s_dns.memory->datagram;
    const size_t datagram_size = sizeof(s_dns.memory->datagram);
    struct sockaddr_in from;
    socklen_t from_len = sizeof(from);
    ssize_t n = recvfrom(s_dns.fd, datagram, datagram_size, 0, (struct sockaddr *)&from, &from_len);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return; /* the receive timeout: time to look at the stop flag */
        }
        if (errno != s_dns.last_errno) {
            s_dns.last_errno = errno;
            ESP_LOGW(TAG, "recvfrom failed (errno %d); retrying", errno);
        }
        vTaskDelay(ticks_at_least_one(CAPTIVE_DNS_ADAPTER_POLL_MS)); /* never spin on a broken socket */
        return;
    }
    size_t answer_len = 0;
    if ((size_t)n > CAPTIVE_DNS_MESSAGE_MAX ||
        captive_dns_answer(datagram, (size_t)n, &s_dns.ap_ip, datagram, CAPTIVE_DNS_MESSAGE_MAX,
                           &answer_len) != CAPTIVE_DNS_ANSWERED) {
        return; /* dropped: answering garbage would make the node a reflector */
    }
    /* A failed send is a lost UDP datagram: the phone asks again. */
    (void)sendto(s_dns.fd, datagram, answer_len, 0, (const struct sockaddr *)&from, from_len);
}

static void responder_task(void *arg)
{
    (void)arg;
    do {
        serve_one();
    } while (!atomic_load(&s_dns.stop_requested));
    (void)close(s_dns.fd);
    s_dns.fd = -1;
    atomic_store(&s_dns.parked, true);
    /* stop() deletes this task while it waits here (about 497 days at 100 Hz, so practically for ever);
     * the self-delete only keeps the rule that a task function never returns. */
    vTaskDelay(portMAX_DELAY);
    vTaskDelete(NULL);
}

static esp_err_t socket_failed(int fd, const char *what)
{
    ESP_LOGE(TAG, "%s failed (errno %d)", what, errno);
    if (fd >= 0) {
        (void)close(fd);
    }
    return ESP_FAIL;
}

esp_err_t captive_dns_adapter_start_on_port(const ipv4_address_t *ap_ip, uint16_t port)
{
    if (ap_ip == NULL || ipv4_address_is_unspecified(ap_ip)) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s_dns.task != NULL) {
        ESP_LOGE(TAG, "start refused: %s",
                 s_dns.stop_timed_out ? "the last stop timed out" : "already running");
        return ESP_ERR_INVALID_STATE;
    }
    /* Internal RAM: a task stack must not live in PSRAM unless the build allows it (it does not). */
    responder_memory_t *memory = heap_caps_malloc(sizeof(*memory), MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT);
    if (memory == NULL) {
        ESP_LOGE(TAG, "no memory for the responder (%u B)", (unsigned)sizeof(*memory));
        return ESP_ERR_NO_MEM;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    if (fd < 0) {
        heap_caps_free(memory);
        return socket_failed(fd, "socket");
    }
    struct timeval timeout = {.tv_sec = 0, .tv_usec = CAPTIVE_DNS_ADAPTER_POLL_MS * 1000};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) != 0) {
        heap_caps_free(memory);
        return socket_failed(fd, "setsockopt(SO_RCVTIMEO)");
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    memcpy(&addr.sin_addr.s_addr, ap_ip->octets, sizeof(ap_ip->octets)); /* both in network order */
    if (bind(fd, (const struct sockaddr *)&addr, sizeof(addr)) != 0) {
        heap_caps_free(memory);
        return socket_failed(fd, "bind");
    }
    socklen_t addr_len = sizeof(addr);
    if (getsockname(fd, (struct sockaddr *)&addr, &addr_len) != 0) {
        heap_caps_free(memory);
        return socket_failed(fd, "getsockname");
    }

    /* Set before the task exists: it reads them without a lock. */
    s_dns.memory = memory;
    s_dns.fd = fd;
    s_dns.port = ntohs(addr.sin_port);
    s_dns.ap_ip = *ap_ip;
    s_dns.last_errno = 0;
    atomic_store(&s_dns.stop_requested, false);
    atomic_store(&s_dns.parked, false);
    s_dns.task = xTaskCreateStatic(responder_task, "captive_dns", sizeof(memory->stack), NULL,
                                   CAPTIVE_DNS_ADAPTER_PRIORITY, memory->stack, &memory->task_buffer);
    if (s_dns.task == NULL) {
        ESP_LOGE(TAG, "xTaskCreateStatic failed");
        (void)close(fd);
        s_dns.fd = -1;
        s_dns.port = 0;
        s_dns.memory = NULL;
        heap_caps_free(memory);
        return ESP_ERR_NO_MEM;
    }
    char ip_text[IPV4_ADDRESS_STR_SIZE];
    ipv4_address_format(ap_ip, ip_text);
    ESP_LOGI(TAG, "answering every DNS name with %s on %s:%u", ip_text, ip_text, (unsigned)s_dns.port);
    return ESP_OK;
}

esp_err_t captive_dns_adapter_start(const ipv4_address_t *ap_ip)
{
    return captive_dns_adapter_start_on_port(ap_ip, CAPTIVE_DNS_PORT);
}

esp_err_t captive_dns_adapter_stop(void)
{
    if (s_dns.task == NULL) {
        return ESP_OK;
    }
    atomic_store(&s_dns.stop_requested, true);
    const TickType_t step = ticks_at_least_one(10);
    const TickType_t limit = ticks_at_least_one(CAPTIVE_DNS_ADAPTER_STOP_TIMEOUT_MS);
    /* Parked and blocked in its vTaskDelay: the flag is set just before that call, so the task may still be
     * running for an instant (on the other core of an ESP32). Only a task that is not running is deleted
     * at once: vTaskDelete (FreeRTOS-Kernel/tasks.c, v5.4.2) calls prvDeleteTCB right away for it, but puts
     * a running one on xTasksWaitingTermination for the idle task to finish later, which would touch the
     * TCB after it went back to the heap. */
    for (TickType_t waited = 0; !atomic_load(&s_dns.parked) || eTaskGetState(s_dns.task) != eBlocked;
         waited += step) {
        if (waited >= limit) {
            s_dns.stop_timed_out = true;
            ESP_LOGE(TAG, "stop: the task did not end within %d ms", CAPTIVE_DNS_ADAPTER_STOP_TIMEOUT_MS);
            return ESP_ERR_TIMEOUT; /* the memory stays the task's */
        }
        vTaskDelay(step);
    }
    vTaskDelete(s_dns.task);
    s_dns.task = NULL;
    heap_caps_free(s_dns.memory);
    s_dns.memory = NULL;
    s_dns.port = 0;
    s_dns.stop_timed_out = false;
    ESP_LOGI(TAG, "stopped");
    return ESP_OK;
}

uint16_t captive_dns_adapter_port(void)
{
    return s_dns.port;
}

static app_err_t portal_open(void *ctx)
{
    const captive_dns_adapter_portal_t *portal = ctx;
    if (captive_dns_adapter_port() != 0) {
        return APP_OK; /* already answering */
    }
    const esp_err_t err = captive_dns_adapter_start(&portal->ap_ip);
    if (err == ESP_OK) {
        return APP_OK;
    }
    if (err == ESP_ERR_INVALID_ARG) {
        return APP_ERR_INVALID_ARG;
    }
    return err == ESP_ERR_NO_MEM ? APP_ERR_NO_MEMORY : APP_ERR_PLATFORM;
}

static app_err_t portal_close(void *ctx)
{
    (void)ctx;
    return captive_dns_adapter_stop() == ESP_OK ? APP_OK : APP_ERR_PLATFORM;
}

const captive_portal_port_t captive_dns_adapter_portal_port = {
    .open = portal_open,
    .close = portal_close,
};
