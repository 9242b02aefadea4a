#include "domain/utf8_text.h"

#include <stdint.h>

/*
 * Decodes the character at text[0..avail). Returns its byte length and sets *cp, or returns 0 when the
 * bytes are not a well-formed sequence (RFC 3629, Table 3-7 of Unicode: the second byte's range depends on
 * the lead byte, which rules out overlongs, surrogates and code points above U+10FFFF in one check).
 */
static size_t decode(const unsigned char *text, size_t avail, uint32_t *cp)
{
    const unsigned char lead = text[0];
    size_t need;
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xBF;
    uint32_t value;

    if (lead < 0x80) {
        *cp = lead;
        return 1;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
        need = 2;
        value = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 3;
        value = lead & 0x0Fu;
        if (lead == 0xE0) {
            second_min = 0xA0; /* below: overlong */
        } else if (lead == 0xED) {
            second_max = 0x9F; /* above: UTF-16 surrogates */
        }
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 4;
        value = lead & 0x07u;
        if (lead == 0xF0) {
            second_min = 0x90; /* below: overlong */
        } else if (lead == 0xF4) {
            second_max = 0x8F; /* above: beyond U+10FFFF */
        }
    } else {
        return 0; /* continuation byte, C0/C1 overlong leads, F5..FF */
    }
    if (avail < need) {
        return 0;
    }
    if (text[1] < second_min || text[1] > second_max) {
        return 0;
    }
    value = (value << 6) | (text[1] & 0x3Fu);
    for (size_t i = 2; i < need; i++) {
        if ((text[i] & 0xC0u) != 0x80u) {
            return 0;
        }
        value = (value << 6) | (text[i] & 0x3Fu);
    }
    *cp = value;
    return need;
}

size_t utf8_text_char_len(const char *text, size_t avail)
{
    uint32_t cp;
    if (text == NULL || avail == 0) {
        return 0;
    }
    return decode((const unsigned char *)text, avail, &cp);
}

/* Exactly the set of Go's unicode.IsSpace, which strings.TrimSpace uses. */
static bool is_space(uint32_t cp)
{
    switch (cp) {
        case 0x09:
        case 0x0A:
        case 0x0B:
        case 0x0C:
        case 0x0D:
        case 0x20:
        case 0x85:
        case 0xA0:
        case 0x1680:
        case 0x2028:
        case 0x2029:
        case 0x202F:
        case 0x205F:
        case 0x3000:
            return true;
        default:
            return cp >= 0x2000 && cp <= 0x200A;
    }
}

bool utf8_text_is_valid(const char *text, size_t len)
{
    if (text == NULL) {
        return len == 0;
    }
    const unsigned char *bytes = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        const size_t n = decode(&bytes[i], len - i, &cp);
        if (n == 0) {
            return false;
        }
        i += n;
    }
    return true;
}

void utf8_text_trim(const char *text, size_t len, size_t *start, size_t *trimmed_len)
{
    size_t first = 0;
    size_t end = (text == NULL) ? 0 : len;
    const unsigned char *bytes = (const unsigned char *)text;

    /* An undecodable byte is not white space (Go sees U+FFFD), so trimming stops there. */
    while (first < end) {
        uint32_t cp;
        const size_t n = decode(&bytes[first], end - first, &cp);
        if (n == 0 || !is_space(cp)) {
            break;
        }
        first += n;
    }
    while (end > first) {
        /* Step back to the lead byte of the last character (at most three continuation bytes). */
        size_t lead = end - 1;
        while (lead > first && end - lead < 4 && (bytes[lead] & 0xC0u) == 0x80u) {
            lead--;
        }
        uint32_t cp;
        const size_t n = decode(&bytes[lead], end - lead, &cp);
        if (n != end - lead || !is_space(cp)) {
            break;
        }
        end = lead;
    }
    if (start != NULL) {
        *start = first;
    }
    if (trimmed_len != NULL) {
        *trimmed_len = end - first;
    }
}

size_t utf8_text_cut_len(const char *text, size_t len, size_t max_bytes)
{
    if (len <= max_bytes) {
        return len;
    }
    if (text == NULL) {
        return 0;
    }
    /* text[max_bytes] exists; cutting before it is safe when it starts a character. */
    size_t cut = max_bytes;
    while (cut > 0 && (((const unsigned char *)text)[cut] & 0xC0u) == 0x80u) {
        cut--;
    }
    return cut;
}
