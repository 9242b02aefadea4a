/*
 * sim_dns: see sim_dns.h.
 */
#include "sim_dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "application/captive_dns.h"

/* Receives one datagram and answers it; false when the socket failed for good. */
static bool serve_one(sim_dns_t *dns)
{
    /* One byte more than the limit: a datagram that fills it was longer than allowed. */
    uint8_t buf[CAPTIVE_DNS_MESSAGE_MAX + 1];
    struct sockaddr_in from;
    socklen_t from_len = sizeof(from);
    ssize_t n = recvfrom(dns->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len);
    if (n < 0) {
        /* EAGAIN is the receive timeout: the loop looks at the stop flag. */
        return errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNREFUSED;
    }
    size_t answer_len = 0;
    if ((size_t)n > CAPTIVE_DNS_MESSAGE_MAX ||
        captive_dns_answer(buf, (size_t)n, &dns->answer_ip, buf, CAPTIVE_DNS_MESSAGE_MAX, &answer_len) !=
            CAPTIVE_DNS_ANSWERED) {
        atomic_fetch_add(&dns->dropped, 1u);
        return true;
    }
    /* Counted before it is sent, so a client that has the answer also sees the count. A lost answer is a
     * lost UDP datagram: the client asks again. */
    atomic_fetch_add(&dns->answered, 1u);
    (void)sendto(dns->fd, buf, answer_len, 0, (const struct sockaddr *)&from, from_len);
    return true;
}

static void *dns_thread(void *arg)
{
    sim_dns_t *dns = arg;
    while (!atomic_load(&dns->stop_requested)) {
        if (!serve_one(dns)) {
            return NULL;
        }
    }
    return NULL;
}

static sim_dns_result_t fail(sim_dns_t *dns)
{
    int saved = errno;
    if (dns->fd >= 0) {
        (void)close(dns->fd);
        dns->fd = -1;
    }
    errno = saved;
    return SIM_DNS_START_FAILED;
}

sim_dns_result_t sim_dns_start(sim_dns_t *dns, const char *bind_address, uint16_t port,
                               const ipv4_address_t *answer_ip)
{
    if (dns == NULL) {
        return SIM_DNS_BAD_ADDRESS;
    }
    memset(dns, 0, sizeof(*dns));
    dns->fd = -1;
    atomic_init(&dns->stop_requested, false);
    atomic_init(&dns->answered, 0u);
    atomic_init(&dns->dropped, 0u);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (bind_address == NULL || answer_ip == NULL || inet_pton(AF_INET, bind_address, &addr.sin_addr) != 1) {
        return SIM_DNS_BAD_ADDRESS;
    }
    dns->answer_ip = *answer_ip;
    dns->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct timeval timeout = {.tv_sec = 0, .tv_usec = SIM_DNS_POLL_MS * 1000};
    if (dns->fd < 0 || setsockopt(dns->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) != 0 ||
        bind(dns->fd, (const struct sockaddr *)&addr, sizeof(addr)) != 0) {
        return fail(dns);
    }
    socklen_t addr_len = sizeof(addr);
    if (getsockname(dns->fd, (struct sockaddr *)&addr, &addr_len) != 0) {
        return fail(dns);
    }
    dns->port = ntohs(addr.sin_port);
    int err = pthread_create(&dns->thread, NULL, dns_thread, dns);
    if (err != 0) {
        errno = err;
        return fail(dns);
    }
    dns->running = true;
    return SIM_DNS_OK;
}

void sim_dns_stop(sim_dns_t *dns)
{
    if (dns == NULL || !dns->running) {
        return;
    }
    atomic_store(&dns->stop_requested, true);
    (void)pthread_join(dns->thread, NULL);
    (void)close(dns->fd);
    dns->fd = -1;
    dns->running = false;
}

static app_err_t portal_open(void *ctx)
{
    sim_dns_portal_t *portal = ctx;
    if (portal->dns.running) {
        return APP_OK;
    }
    const sim_dns_result_t rc =
        sim_dns_start(&portal->dns, portal->bind_address, portal->port, &portal->answer_ip);
    if (rc != SIM_DNS_OK) {
        return rc == SIM_DNS_BAD_ADDRESS ? APP_ERR_INVALID_ARG : APP_ERR_PLATFORM;
    }
    if (portal->sink != NULL) {
        char ip[IPV4_ADDRESS_STR_SIZE];
        ipv4_address_format(&portal->answer_ip, ip);
        char body[96];
        const int len =
            snprintf(body, sizeof(body), "{\"port\":%u,\"answer\":\"%s\"}", (unsigned)portal->dns.port, ip);
        if (len > 0 && (size_t)len < sizeof(body)) {
            (void)sim_event_sink_object(portal->sink, "captive_dns", body, (size_t)len);
        }
    }
    return APP_OK;
}

static app_err_t portal_close(void *ctx)
{
    sim_dns_portal_t *portal = ctx;
    sim_dns_stop(&portal->dns);
    return APP_OK;
}

const captive_portal_port_t sim_dns_portal_port = {
    .open = portal_open,
    .close = portal_close,
};
