/* setup_secret: see the header. */
#include "domain/setup_secret.h"

#include <string.h>

static const char ALPHABET[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* The canonical character for c, or '\0' when c is not Crockford base32. */
static char canonical_char(char c)
{
    if (c >= 'a' && c <= 'z') {
        c = (char)(c - 'a' + 'A');
    }
    if (c == 'I' || c == 'L') {
        return '1';
    }
    if (c == 'O') {
        return '0';
    }
    if (c == 'U' || c == '\0') {
        return '\0';
    }
    return strchr(ALPHABET, c) != NULL ? c : '\0';
}

domain_status_t setup_secret_normalize(const char *text, size_t len, char *out)
{
    if (out == NULL) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    out[0] = '\0';
    if (text == NULL) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == ' ' || text[i] == '-') {
            continue;
        }
        const char c = canonical_char(text[i]);
        if (c == '\0' || n == SETUP_SECRET_LEN) {
            out[0] = '\0';
            return DOMAIN_ERR_INVALID_ARG;
        }
        out[n++] = c;
    }
    if (n != SETUP_SECRET_LEN) {
        out[0] = '\0';
        return DOMAIN_ERR_INVALID_ARG;
    }
    out[n] = '\0';
    return DOMAIN_OK;
}

bool setup_secret_is_canonical(const char *text)
{
    if (text == NULL || strlen(text) != SETUP_SECRET_LEN) {
        return false;
    }
    for (size_t i = 0; i < SETUP_SECRET_LEN; i++) {
        if (strchr(ALPHABET, text[i]) == NULL) {
            return false;
        }
    }
    return true;
}

void setup_secret_from_random(const uint8_t random[SETUP_SECRET_RANDOM_BYTES], char *out)
{
    /* 80 bits, most significant first, 5 bits per character. */
    for (size_t i = 0; i < SETUP_SECRET_LEN; i++) {
        const size_t bit = i * 5u;
        const size_t byte = bit / 8u;
        const unsigned shift = (unsigned)(bit % 8u);
        unsigned window = (unsigned)random[byte] << 8;
        if (byte + 1 < SETUP_SECRET_RANDOM_BYTES) {
            window |= random[byte + 1];
        }
        out[i] = ALPHABET[(window >> (11u - shift)) & 0x1Fu];
    }
    out[SETUP_SECRET_LEN] = '\0';
}

bool setup_secret_matches(const char *secret, const char *candidate, size_t candidate_len)
{
    char normalized[SETUP_SECRET_LEN + 1];
    memset(normalized, 0, sizeof(normalized));
    const bool parsed = setup_secret_normalize(candidate, candidate_len, normalized) == DOMAIN_OK;
    if (!setup_secret_is_canonical(secret)) {
        return false;
    }
    /* Every character is compared whatever the outcome: no early exit. */
    unsigned diff = parsed ? 0u : 1u;
    for (size_t i = 0; i < SETUP_SECRET_LEN; i++) {
        diff |= (unsigned)(uint8_t)secret[i] ^ (unsigned)(uint8_t)normalized[i];
    }
    return diff == 0u;
}
