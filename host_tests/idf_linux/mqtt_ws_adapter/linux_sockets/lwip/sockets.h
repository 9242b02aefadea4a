/*
 * lwip/sockets.h for the adapter on ESP-IDF's linux target only (test app include path, never the
 * firmware's). There the lwip component builds nothing and exports no headers (its LWIP_ENABLE option
 * defaults to n on linux), and ESP-TLS and tcp_transport open host sockets: the socket the adapter reaches
 * through its transport is a host file descriptor, so setsockopt, IPPROTO_TCP and TCP_NODELAY are the host's.
 */
#ifndef IDF_LINUX_LWIP_SOCKETS_SHIM_H
#define IDF_LINUX_LWIP_SOCKETS_SHIM_H

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#endif /* IDF_LINUX_LWIP_SOCKETS_SHIM_H */
