/*
 * setup_secret: the device's setup secret, 16 characters of Crockford base32 (80 bits).
 *
 * Every node has its own, written at flashing time or generated at first boot from the hardware RNG; it is
 * the WPA2 passphrase of the provisioning access point and the token that authorises writes over HTTP.
 * Canonical form: 16 upper-case characters of 0123456789ABCDEFGHJKMNPQRSTVWXYZ. What people type is
 * normalised first: spaces and dashes are dropped (the label groups it XXXX XXXX XXXX XXXX), lower case is
 * upper-cased, and the letters Crockford reads as digits are mapped (I and L -> 1, O -> 0); U and anything
 * else is refused. Comparison runs in constant time over the whole length, so the time of a refusal does
 * not tell an attacker how many leading characters were right. Pure, no heap.
 */
#ifndef DOMAIN_SETUP_SECRET_H
#define DOMAIN_SETUP_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/domain_status.h"

#define SETUP_SECRET_LEN 16
/* Random bytes one secret is made of (16 characters x 5 bits). */
#define SETUP_SECRET_RANDOM_BYTES 10

/* Normalises text (length len, not NUL-terminated) into out (SETUP_SECRET_LEN + 1 bytes): DOMAIN_OK, or
 * DOMAIN_ERR_INVALID_ARG when it is not 16 Crockford base32 characters once spaces and dashes are dropped
 * (out is then ""). */
domain_status_t setup_secret_normalize(const char *text, size_t len, char *out);

/* True when text is a secret in canonical form. */
bool setup_secret_is_canonical(const char *text);

/* Encodes SETUP_SECRET_RANDOM_BYTES random bytes into a canonical secret (out: SETUP_SECRET_LEN + 1 bytes).
 */
void setup_secret_from_random(const uint8_t random[SETUP_SECRET_RANDOM_BYTES], char *out);

/* Constant-time check of what a client sent (any length, not NUL-terminated, normalised first) against the
 * device's canonical secret. False for anything that does not normalise, and for a non-canonical secret. */
bool setup_secret_matches(const char *secret, const char *candidate, size_t candidate_len);

#endif /* DOMAIN_SETUP_SECRET_H */
