/*
 * retry_policy: the retry schedule shared by WiFi and MQTT (a domain service).
 *
 * delay(n) = min(initial_ms * multiplier^n, max_ms) for attempt n = 0, 1, 2, ... computed without
 * overflow for every n up to UINT32_MAX (defaults 30 s, x2, 3600 s: 30, 60, ..., 1920, 3600, 3600 s).
 * Optional jitter (percent, default 0) lowers the delay by up to that share, never raising it past the
 * cap: delay - (delay * jitter / 100) * (random % 1001) / 1000. The random value is passed in by the
 * caller (as backoffAlgorithm does), so the policy stays pure and testable. The caller waits with a timer;
 * nothing here sleeps.
 */
#ifndef DOMAIN_RETRY_POLICY_H
#define DOMAIN_RETRY_POLICY_H

#include <stdint.h>

#include "domain/domain_status.h"

#define RETRY_POLICY_DEFAULT_INITIAL_MS     30000u
#define RETRY_POLICY_DEFAULT_MAX_MS         3600000u
#define RETRY_POLICY_DEFAULT_MULTIPLIER     2u
#define RETRY_POLICY_DEFAULT_JITTER_PERCENT 0u

typedef struct {
    uint32_t initial_ms;
    uint32_t max_ms;
    uint32_t multiplier;
    uint8_t jitter_percent;
} retry_policy_config_t;

typedef struct {
    retry_policy_config_t config;
    uint32_t attempt; /* failures since the last reset; saturates at UINT32_MAX */
} retry_policy_t;

/* The defaults above. */
retry_policy_config_t retry_policy_default_config(void);

/* DOMAIN_ERR_RETRY_CONFIG unless initial > 0, max >= initial, multiplier >= 1, jitter <= 100. */
domain_status_t retry_policy_validate(const retry_policy_config_t *config);

domain_status_t retry_policy_init(retry_policy_t *policy, const retry_policy_config_t *config);

/* Pure: delay for attempt n with the given random value (ignored when jitter is 0). */
uint32_t retry_policy_delay_ms(const retry_policy_config_t *config, uint32_t attempt, uint32_t random_value);

/* Delay for the current attempt, then counts the attempt. */
uint32_t retry_policy_next_delay_ms(retry_policy_t *policy, uint32_t random_value);

/* After a success: the next failure waits initial_ms again. */
void retry_policy_reset(retry_policy_t *policy);

#endif /* DOMAIN_RETRY_POLICY_H */
