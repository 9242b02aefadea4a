/*
 * Private to wifi_adapter: the state shared by the station part (wifi_adapter.c) and the provisioning part
 * (wifi_provisioning.c).
 *
 * Who touches what: the event handlers run on the default event-loop task, and so does the work of the retry
 * and provisioning timers (their esp_timer callbacks only post WIFI_ADAPTER_TIMER_EVENT to that loop); the
 * provisioning routes, and the provisioning's finishing step (queued there from the event loop), on the HTTP
 * server task; the network port's getters on any task. Fields written by more than one of
 * them are atomics.
 */
#ifndef WIFI_ADAPTER_INTERNAL_H
#define WIFI_ADAPTER_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>

#include "domain/ipv4_address.h"
#include "domain/retry_policy.h"
#include "esp_event.h"
#include "esp_netif.h"
#include "esp_timer.h"
#include "wifi_adapter.h"

typedef struct {
    wifi_adapter_config_t cfg;
    esp_netif_t *sta_netif;
    esp_netif_t *ap_netif;
    esp_timer_handle_t retry_timer; /* one-shot: the next esp_wifi_connect() (via the event loop) */
    esp_timer_handle_t prov_timer;  /* one-shot: provisioning steps that must not run in a handler */
    retry_policy_t policy;          /* event-loop task only */
    ipv4_address_t ip;              /* last address reported up; event-loop task only */
    bool reported_up;               /* NETWORK_UP posted and no NETWORK_DOWN since; event-loop task only */
    atomic_uint_least32_t last_delay_ms; /* the delay armed last (reused when a connect call is refused) */
    atomic_bool has_ip;                  /* the station holds an address (for get_ip and the retry timer) */
    atomic_bool sta_configured;          /* esp_wifi holds station credentials to connect with */
    atomic_bool credentials_pending;     /* provisioned in RAM, not yet proven by an IP nor persisted */
    atomic_int mode;                     /* wifi_adapter_mode_t */
    atomic_int prov_step;                /* wifi_prov_step_t: what prov_timer does when it fires */
} wifi_adapter_state_t;

typedef enum {
    WIFI_PROV_STEP_NONE = 0,
    WIFI_PROV_STEP_CONNECT, /* new credentials: (re)connect the station */
    WIFI_PROV_STEP_FINISH,  /* station got an IP: queued to the HTTP server task: persist, AP off, routes off
                             */
} wifi_prov_step_t;

extern wifi_adapter_state_t wifi_adapter_state;

/* Delay between answering POST /provision and connecting, so the answer leaves before the radio changes
 * channel. */
#define WIFI_ADAPTER_PROVISION_DELAY_MS 1000u

/* Posted to the default event loop by the timers' callbacks; the adapter's handler does the work. */
ESP_EVENT_DECLARE_BASE(WIFI_ADAPTER_TIMER_EVENT);
enum {
    WIFI_ADAPTER_TIMER_RETRY = 0, /* retry_timer expired */
    WIFI_ADAPTER_TIMER_PROV = 1,  /* prov_timer expired */
};

/* When the event loop's queue is full, a timer is armed again this much later. */
#define WIFI_ADAPTER_EVENT_POST_RETRY_MS 1000u

/* Starts provisioning (wifi_provisioning.c). */
esp_err_t wifi_provisioning_start(void);
/* The prov_timer's work, on the event-loop task (wifi_provisioning.c). */
void wifi_provisioning_on_timer(void);
/* Called on the event-loop task when the station got an IP while credentials are pending. */
void wifi_provisioning_on_station_ip(void);
/* Cancels a pending retry and connects now with the current credentials (event-loop task). */
void wifi_adapter_connect_now(void);

#endif /* WIFI_ADAPTER_INTERNAL_H */
