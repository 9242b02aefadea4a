/*
 * Host build only (never on the ESP32): ESP-IDF v5.4.2's lwip/sockets.h gives lwIP's BSD socket API under
 * the POSIX names (socket, bind, getsockname, setsockopt, recvfrom, sendto) with the POSIX types, so on the
 * host the adapter uses the host's own sockets. This lets its unit test send real datagrams on loopback.
 */
#ifndef CAPTIVE_DNS_ADAPTER_HOST_LWIP_SOCKETS_H
#define CAPTIVE_DNS_ADAPTER_HOST_LWIP_SOCKETS_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>

#endif
