/*
 * Fake of ESP-IDF v5.4.2 esp_netif_ip_addr.h for host tests. esp_ip4_addr_t.addr holds the address in
 * network byte order (lwIP's convention): its first byte in memory is the first octet, whatever the host's
 * endianness. The byte-access macros are the real ones.
 */
#ifndef FAKE_ESP_NETIF_IP_ADDR_H
#define FAKE_ESP_NETIF_IP_ADDR_H

#include <stdint.h>

typedef struct esp_ip4_addr {
    uint32_t addr;
} esp_ip4_addr_t;

#define IPSTR                              "%d.%d.%d.%d"
#define esp_ip4_addr_get_byte(ipaddr, idx) (((const uint8_t *)(&(ipaddr)->addr))[idx])
#define esp_ip4_addr1(ipaddr)              esp_ip4_addr_get_byte(ipaddr, 0)
#define esp_ip4_addr2(ipaddr)              esp_ip4_addr_get_byte(ipaddr, 1)
#define esp_ip4_addr3(ipaddr)              esp_ip4_addr_get_byte(ipaddr, 2)
#define esp_ip4_addr4(ipaddr)              esp_ip4_addr_get_byte(ipaddr, 3)
#define esp_ip4_addr1_16(ipaddr)           ((uint16_t)esp_ip4_addr1(ipaddr))
#define esp_ip4_addr2_16(ipaddr)           ((uint16_t)esp_ip4_addr2(ipaddr))
#define esp_ip4_addr3_16(ipaddr)           ((uint16_t)esp_ip4_addr3(ipaddr))
#define esp_ip4_addr4_16(ipaddr)           ((uint16_t)esp_ip4_addr4(ipaddr))
#define IP2STR(ipaddr) \
    esp_ip4_addr1_16(ipaddr), esp_ip4_addr2_16(ipaddr), esp_ip4_addr3_16(ipaddr), esp_ip4_addr4_16(ipaddr)

#endif /* FAKE_ESP_NETIF_IP_ADDR_H */
