/*
 * broker_uri: value object for the MQTT-over-WebSocket broker address.
 *
 * Accepts "ws://host[:port][/path]" and "wss://host[:port][/path]" (host: a name or dotted quad, no user
 * info, no spaces, no query or fragment). When the URI has no path, or only "/", the configured WebSocket
 * path is applied (default "/mqtt"), because NATS routes a WebSocket to MQTT only on a path starting with
 * /mqtt, and ESP-MQTT would send "/". Errors: DOMAIN_ERR_URI_* per part; a host, path or effective URI
 * longer than its array is DOMAIN_ERR_URI_TOO_LONG. out is written only on success.
 * The effective URI is what both MQTT adapters (ESP-MQTT and Paho) are given.
 */
#ifndef DOMAIN_BROKER_URI_H
#define DOMAIN_BROKER_URI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/domain_status.h"

#define BROKER_URI_MAX_LEN         191
#define BROKER_URI_HOST_MAX_LEN    127
#define BROKER_URI_PATH_MAX_LEN    63
#define BROKER_URI_DEFAULT_WS_PATH "/mqtt"

typedef struct {
    bool secure; /* wss:// */
    char host[BROKER_URI_HOST_MAX_LEN + 1];
    uint16_t port; /* explicit port, or 80 / 443 by scheme */
    bool port_given;
    char path[BROKER_URI_PATH_MAX_LEN + 1];     /* always starts with '/' */
    bool path_given;                            /* false: path came from default_ws_path */
    char effective_uri[BROKER_URI_MAX_LEN + 1]; /* scheme://host[:port]path */
} broker_uri_t;

/* Validates a WebSocket path on its own ("/..." with no spaces, at most BROKER_URI_PATH_MAX_LEN). */
domain_status_t broker_uri_check_path(const char *path);

/* Parses uri; default_ws_path (NULL or "" means "/mqtt") is used when the URI has none. */
domain_status_t broker_uri_parse(const char *uri, const char *default_ws_path, broker_uri_t *out);

/*
 * A broker list: URIs separated by commas (white space around each is ignored), for failover across a
 * cluster. broker_uri_list_count counts the entries (0 for an empty list; an empty entry counts).
 * broker_uri_list_get parses entry index (0-based) into out: DOMAIN_ERR_INVALID_ARG past the end,
 * DOMAIN_ERR_URI_HOST for an empty entry, else broker_uri_parse's result.
 */
size_t broker_uri_list_count(const char *list);
domain_status_t broker_uri_list_get(const char *list, size_t index, const char *default_ws_path,
                                    broker_uri_t *out);

#endif /* DOMAIN_BROKER_URI_H */
