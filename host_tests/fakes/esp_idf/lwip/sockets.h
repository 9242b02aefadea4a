/*
 * Fake of ESP-IDF v5.4.2 lwip/sockets.h for the adapters that only set socket options (the MQTT adapter's
 * TCP_NODELAY): the host's constants, and setsockopt recorded instead of performed
 * (fake_lwip_setsockopt_*). An adapter that needs real sockets in its host test brings its own header.
 */
#ifndef FAKE_LWIP_SOCKETS_H
#define FAKE_LWIP_SOCKETS_H

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

int fake_lwip_setsockopt(int s, int level, int optname, const void *optval, socklen_t optlen);
#define setsockopt fake_lwip_setsockopt

/* The last setsockopt: socket, level, option and int value (-1 when none since the reset). */
void fake_lwip_reset(void);
int fake_lwip_last_setsockopt_socket(void);
int fake_lwip_last_setsockopt_level(void);
int fake_lwip_last_setsockopt_option(void);
int fake_lwip_last_setsockopt_value(void);

#endif
