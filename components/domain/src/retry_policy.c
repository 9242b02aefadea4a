#include "domain/retry_policy.h"

#include <stddef.h>

retry_policy_config_t retry_policy_default_config(void)
{
    const retry_policy_config_t config = {
        .initial_ms = RETRY_POLICY_DEFAULT_INITIAL_MS,
        .max_ms = RETRY_POLICY_DEFAULT_MAX_MS,
        .multiplier = RETRY_POLICY_DEFAULT_MULTIPLIER,
        .jitter_percent = RETRY_POLICY_DEFAULT_JITTER_PERCENT,
    };
    return config;
}

domain_status_t retry_policy_validate(const retry_policy_config_t *config)
{
    if (config == NULL) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    if (config->initial_ms == 0 || config->max_ms < config->initial_ms || config->multiplier < 1 ||
        config->jitter_percent > 100) {
        return DOMAIN_ERR_RETRY_CONFIG;
    }
    return DOMAIN_OK;
}

domain_status_t retry_policy_init(retry_policy_t *policy, const retry_policy_config_t *config)
{
    if (policy == NULL) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    const domain_status_t status = retry_policy_validate(config);
    if (status != DOMAIN_OK) {
        return status;
    }
    policy->config = *config;
    policy->attempt = 0;
    return DOMAIN_OK;
}

/*
 * min(initial * multiplier^attempt, max) without overflow: the loop multiplies only while the delay is
 * below the cap, and a value below 2^32 times a multiplier below 2^32 always fits in 64 bits. With
 * multiplier >= 2 the cap is reached within 32 rounds whatever attempt is; multiplier 1 (or 0 in an
 * unvalidated config) never grows, so it returns at once instead of looping up to UINT32_MAX times.
 */
static uint32_t capped_delay(const retry_policy_config_t *config, uint32_t attempt)
{
    const uint64_t cap = config->max_ms;
    uint64_t delay = config->initial_ms;
    if (delay >= cap) {
        return (uint32_t)cap;
    }
    if (config->multiplier <= 1 || delay == 0) {
        return (uint32_t)delay;
    }
    for (uint32_t n = 0; n < attempt && delay < cap; n++) {
        delay *= config->multiplier;
    }
    return (uint32_t)(delay < cap ? delay : cap);
}

uint32_t retry_policy_delay_ms(const retry_policy_config_t *config, uint32_t attempt, uint32_t random_value)
{
    if (config == NULL) {
        return 0;
    }
    const uint32_t delay = capped_delay(config, attempt);
    /* Jitter only lowers the delay, so the cap holds; a percentage over 100 is clamped, never wraps. */
    if (config->jitter_percent == 0) {
        return delay;
    }
    const uint64_t percent = config->jitter_percent > 100 ? 100u : config->jitter_percent;
    const uint64_t span = (uint64_t)delay * percent / 100u;
    const uint64_t reduction = span * (random_value % 1001u) / 1000u;
    return (uint32_t)((uint64_t)delay - reduction);
}

uint32_t retry_policy_next_delay_ms(retry_policy_t *policy, uint32_t random_value)
{
    if (policy == NULL) {
        return 0;
    }
    const uint32_t delay = retry_policy_delay_ms(&policy->config, policy->attempt, random_value);
    if (policy->attempt < UINT32_MAX) {
        policy->attempt++;
    }
    return delay;
}

void retry_policy_reset(retry_policy_t *policy)
{
    if (policy == NULL) {
        return;
    }
    policy->attempt = 0;
}
