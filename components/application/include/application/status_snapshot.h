/*
 * status_snapshot: the state that HTTP handlers and MQTT work share, copied in and out under the shared
 * lock (resource_lock_port). The application task writes it after every event it handles; HTTP handlers
 * read a copy. Plain data: no pointers.
 */
#ifndef APPLICATION_STATUS_SNAPSHOT_H
#define APPLICATION_STATUS_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/broker_uri.h"
#include "domain/device_registration.h"
#include "domain/ipv4_address.h"
#include "domain/mac_address.h"
#include "domain/mqtt_connection.h"
#include "domain/wifi_link.h"

#define APP_LAST_ERROR_MAX_LEN 95

typedef struct {
    /* identity and config cache */
    mac_address_t mac;
    bool has_ip;
    ipv4_address_t ip;
    char device_name[DEVICE_NAME_MAX_BYTES + 1];
    char location[DEVICE_LOCATION_MAX_BYTES + 1];
    /* WiFi link */
    wifi_link_state_t wifi_state;
    wifi_link_mode_t wifi_mode;
    bool provisioning; /* the setup access point is up: the setup routes answer */
    char ap_ssid[33];  /* its name ("" before provisioning started) */
    /* connection */
    bool mqtt_enabled; /* false when the MQTT settings were rejected at start */
    mqtt_connection_state_t state;
    uint8_t broker_index;                    /* the broker of the list in use or tried next */
    char broker_uri[BROKER_URI_MAX_LEN + 1]; /* its effective URI ("" with MQTT disabled) */
    uint32_t connect_attempts;               /* since boot */
    uint32_t consecutive_failures;           /* since the last successful connect */
    uint32_t next_retry_delay_ms;            /* delay of the armed retry (never the watchdog); 0 when none */
    uint64_t next_retry_at_ms;               /* uptime when it fires; 0 when none */
    /* registration */
    uint32_t registrations; /* acknowledged since boot */
    bool has_registration;
    uint64_t last_registration_ms; /* uptime of the last PUBACK */
    ipv4_address_t last_registration_ip;
    int32_t pending_msg_id;                      /* -1 when none */
    char last_error[APP_LAST_ERROR_MAX_LEN + 1]; /* "" when none */
} app_status_snapshot_t;

#endif
