/*
 * captive_dns_adapter: the provisioning access point's captive-portal DNS responder on the ESP32: one
 * FreeRTOS task with an lwIP BSD UDP socket bound to the access point's own address, port 53. Each
 * datagram goes recvfrom -> captive_dns_answer() (application/captive_dns.h, which decides everything) ->
 * sendto; refused datagrams are dropped.
 *
 * Binding to the AP address, not INADDR_ANY, keeps the responder off the station interface: while the node
 * tries the farm's network in APSTA mode, nobody on that network gets captive answers. Phones learn this
 * server from the AP's DHCP offer: with CONFIG_LWIP_DHCPS_ADD_DNS (ESP-IDF v5.4.2's default, y) the DHCP
 * server offers its own address as DNS server when none is configured.
 *
 * Rules:
 *   - start() and stop() are called from one task (the composition root or the WiFi adapter's provisioning
 *     steps), never from the responder task.
 *   - The socket has a CAPTIVE_DNS_ADAPTER_POLL_MS receive timeout, so the task sees a stop request within
 *     that time. stop() waits at most CAPTIVE_DNS_ADAPTER_STOP_TIMEOUT_MS: the task closes its socket
 *     itself (an lwIP socket must not be closed under a recvfrom of another task), says so, and waits to
 *     be deleted; stop() then deletes it. A task is deleted only while it is blocked there, never while it
 *     runs, so FreeRTOS releases it at once and stop() can give its memory back.
 *   - After a stop() that timed out (ESP_ERR_TIMEOUT) start() is refused until a stop() succeeds.
 *   - The task's stack, TCB and datagram buffer are one heap block (internal RAM, about 3.9 KB), taken by
 *     start() and given back by a stop() that succeeded: the responder runs only while the provisioning
 *     access point does, so the firmware keeps no static RAM for it. A stop() that timed out leaves the
 *     block to the task. One responder per firmware (there is one access point).
 *   - Never logs query contents (names can identify the phone's apps); only start, stop and socket errors.
 */
#ifndef CAPTIVE_DNS_ADAPTER_H
#define CAPTIVE_DNS_ADAPTER_H

#include <stdint.h>

#include "application/ports/captive_portal_port.h"
#include "domain/ipv4_address.h"
#include "esp_err.h"

#define CAPTIVE_DNS_ADAPTER_STACK_SIZE      3072 /* bytes; the datagram buffer is beside it, not on it */
#define CAPTIVE_DNS_ADAPTER_PRIORITY        2    /* below the HTTP server (5): answers are not urgent */
#define CAPTIVE_DNS_ADAPTER_POLL_MS         200
#define CAPTIVE_DNS_ADAPTER_STOP_TIMEOUT_MS 1000

/* Opens the socket on ap_ip:53 and starts the task. ESP_ERR_INVALID_ARG (NULL or 0.0.0.0),
 * ESP_ERR_INVALID_STATE (already running, or a stop timed out), ESP_FAIL (socket, option or bind failed;
 * errno logged), ESP_ERR_NO_MEM (no heap block for the responder, or task creation failed). */
esp_err_t captive_dns_adapter_start(const ipv4_address_t *ap_ip);

/* The same on another port: port 0 lets the stack pick one (tests; captive_dns_adapter_port() tells it). */
esp_err_t captive_dns_adapter_start_on_port(const ipv4_address_t *ap_ip, uint16_t port);

/* Ends the task and closes its socket within the bounded wait. ESP_OK (also when not running);
 * ESP_ERR_TIMEOUT when the task did not end in time (logged). */
esp_err_t captive_dns_adapter_stop(void);

/* The bound port while running, 0 otherwise. */
uint16_t captive_dns_adapter_port(void);

/* The captive_portal_port on this responder: open() starts it on ap_ip:53 (ESP_OK when already running),
 * close() stops it. ctx is a captive_dns_adapter_portal_t (static, in main/). */
typedef struct {
    ipv4_address_t ap_ip; /* the access point's address: 192.168.4.1, ESP-IDF's default AP netif */
} captive_dns_adapter_portal_t;

extern const captive_portal_port_t captive_dns_adapter_portal_port;

#endif /* CAPTIVE_DNS_ADAPTER_H */
