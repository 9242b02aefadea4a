/*
 * domain_status: the one result type of the domain layer.
 *
 * Every fallible domain function returns a domain_status_t; 0 is success. The list is an X-macro so that
 * the enum and domain_status_to_str() can never drift apart. Pure C, no platform headers.
 */
#ifndef DOMAIN_DOMAIN_STATUS_H
#define DOMAIN_DOMAIN_STATUS_H

#define DOMAIN_STATUS_LIST(X)                                                                    \
    X(DOMAIN_OK, "ok")                                                                           \
    X(DOMAIN_ERR_INVALID_ARG, "invalid argument")                                                \
    X(DOMAIN_ERR_BUFFER_TOO_SMALL, "buffer too small")                                           \
    X(DOMAIN_ERR_MAC_INVALID, "MAC address is not six hex pairs with one separator style")       \
    X(DOMAIN_ERR_IP_INVALID, "IPv4 address is not a dotted quad of 0-255 without leading zeros") \
    X(DOMAIN_ERR_IP_UNSPECIFIED, "IPv4 address 0.0.0.0 cannot be registered")                    \
    X(DOMAIN_ERR_NAME_EMPTY, "device_name is empty or only white space")                         \
    X(DOMAIN_ERR_NAME_TOO_LONG, "device_name is longer than 100 bytes")                          \
    X(DOMAIN_ERR_NAME_INVALID_UTF8, "device_name is not valid UTF-8")                            \
    X(DOMAIN_ERR_LOCATION_EMPTY, "location_description is empty or only white space")            \
    X(DOMAIN_ERR_LOCATION_TOO_LONG, "location_description is longer than 250 bytes")             \
    X(DOMAIN_ERR_LOCATION_INVALID_UTF8, "location_description is not valid UTF-8")               \
    X(DOMAIN_ERR_URI_SCHEME, "broker URI must start with ws:// or wss://")                       \
    X(DOMAIN_ERR_URI_HOST, "broker URI has no host")                                             \
    X(DOMAIN_ERR_URI_PORT, "broker URI port is not a number from 1 to 65535")                    \
    X(DOMAIN_ERR_URI_PATH, "WebSocket path must start with '/' and contain no spaces")           \
    X(DOMAIN_ERR_URI_TOO_LONG, "broker URI is too long")                                         \
    X(DOMAIN_ERR_RETRY_CONFIG,                                                                   \
      "retry policy needs initial > 0, max >= initial, multiplier >= 1, jitter <= 100")

typedef enum {
#define DOMAIN_STATUS_ENUM(name, text) name,
    DOMAIN_STATUS_LIST(DOMAIN_STATUS_ENUM)
#undef DOMAIN_STATUS_ENUM
        DOMAIN_STATUS_COUNT
} domain_status_t;

/* Human-readable text for logs and HTTP error bodies; never NULL ("unknown" for out-of-range values). */
const char *domain_status_to_str(domain_status_t status);

#endif /* DOMAIN_DOMAIN_STATUS_H */
