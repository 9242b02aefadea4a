/*
 * captive_dns: the question is validated completely before anything is written, so a refused datagram
 * leaves the output untouched, and the answer is laid out so that the question keeps its offset (12):
 * header, question copied with memmove (in place when out is the query buffer), then the A record.
 */
#include "application/captive_dns.h"

#include <stdbool.h>
#include <string.h>

/* Header flag bits (RFC 1035 4.1.1): byte 2 holds QR, opcode, AA, TC, RD; byte 3 holds RA, Z, RCODE. */
#define FLAG_QR          0x80u
#define FLAG_OPCODE_MASK 0x78u
#define FLAG_AA          0x04u
#define FLAG_RD          0x01u
/* Top two bits of a length octet: 00 is a label, 11 a compression pointer, 01 and 10 are reserved. */
#define LABEL_TYPE_MASK    0xC0u
#define LABEL_TYPE_POINTER 0xC0u

#define QTYPE_A         1u
#define QTYPE_ANY       255u
#define QCLASS_IN       1u
#define TYPE_CLASS_SIZE 4u
/* Name (pointer 0xC00C), type, class, TTL, RDLENGTH, 4 address octets. */
#define A_RECORD_SIZE 16u

static const char *const s_result_text[] = {
#define CAPTIVE_DNS_RESULT_TEXT(name, text) text,
    CAPTIVE_DNS_RESULT_LIST(CAPTIVE_DNS_RESULT_TEXT)
#undef CAPTIVE_DNS_RESULT_TEXT
};

const char *captive_dns_result_to_str(captive_dns_result_t result)
{
    if ((unsigned)result >= (unsigned)CAPTIVE_DNS_RESULT_COUNT) {
        return "unknown";
    }
    return s_result_text[result];
}

static uint16_t read_u16(const uint8_t *p)
{
    return (uint16_t)(((uint16_t)p[0] << 8) | p[1]);
}

static void write_u16(uint8_t *p, uint16_t value)
{
    p[0] = (uint8_t)(value >> 8);
    p[1] = (uint8_t)(value & 0xFFu);
}

/* Walks the question name from offset CAPTIVE_DNS_HEADER_SIZE; on success *name_len counts every octet
 * of the encoded name, the final zero included. */
static captive_dns_result_t scan_name(const uint8_t *query, size_t query_len, size_t *name_len)
{
    size_t pos = CAPTIVE_DNS_HEADER_SIZE;
    for (;;) {
        if (pos >= query_len) {
            return CAPTIVE_DNS_ERR_NAME_TRUNCATED;
        }
        uint8_t length = query[pos];
        if ((length & LABEL_TYPE_MASK) == LABEL_TYPE_POINTER) {
            /* Legal in general, but a query's question is the first name: nothing before it to point at. */
            return CAPTIVE_DNS_ERR_COMPRESSED_NAME;
        }
        if (length > CAPTIVE_DNS_LABEL_MAX) {
            return CAPTIVE_DNS_ERR_LABEL_TOO_LONG;
        }
        if (pos - CAPTIVE_DNS_HEADER_SIZE + 1u + length > CAPTIVE_DNS_NAME_MAX) {
            return CAPTIVE_DNS_ERR_NAME_TOO_LONG;
        }
        if (length == 0) {
            *name_len = pos - CAPTIVE_DNS_HEADER_SIZE + 1u;
            return CAPTIVE_DNS_ANSWERED;
        }
        if (query_len - pos - 1u < length) {
            return CAPTIVE_DNS_ERR_NAME_TRUNCATED;
        }
        pos += 1u + length;
    }
}

static captive_dns_result_t check_query(const uint8_t *query, size_t query_len, size_t *name_len)
{
    if (query_len < CAPTIVE_DNS_HEADER_SIZE) {
        return CAPTIVE_DNS_ERR_SHORT;
    }
    if ((query[2] & FLAG_QR) != 0) {
        return CAPTIVE_DNS_ERR_NOT_QUERY;
    }
    if ((query[2] & FLAG_OPCODE_MASK) != 0) {
        return CAPTIVE_DNS_ERR_OPCODE;
    }
    if (read_u16(&query[4]) != 1u) {
        return CAPTIVE_DNS_ERR_QDCOUNT;
    }
    captive_dns_result_t result = scan_name(query, query_len, name_len);
    if (result != CAPTIVE_DNS_ANSWERED) {
        return result;
    }
    if (query_len - CAPTIVE_DNS_HEADER_SIZE - *name_len < TYPE_CLASS_SIZE) {
        return CAPTIVE_DNS_ERR_QUESTION_TRUNCATED;
    }
    return CAPTIVE_DNS_ANSWERED;
}

captive_dns_result_t captive_dns_answer(const uint8_t *query, size_t query_len, const ipv4_address_t *ap_ip,
                                        uint8_t *out, size_t out_size, size_t *out_len)
{
    if (out_len != NULL) {
        *out_len = 0;
    }
    if (query == NULL || ap_ip == NULL || out == NULL || out_len == NULL) {
        return CAPTIVE_DNS_ERR_INVALID_ARG;
    }
    size_t name_len = 0;
    captive_dns_result_t result = check_query(query, query_len, &name_len);
    if (result != CAPTIVE_DNS_ANSWERED) {
        return result;
    }
    size_t question_len = name_len + TYPE_CLASS_SIZE;
    size_t type_at = CAPTIVE_DNS_HEADER_SIZE + name_len;
    bool with_address = (read_u16(&query[type_at]) == QTYPE_A || read_u16(&query[type_at]) == QTYPE_ANY) &&
                        read_u16(&query[type_at + 2u]) == QCLASS_IN;
    size_t total = CAPTIVE_DNS_HEADER_SIZE + question_len + (with_address ? A_RECORD_SIZE : 0u);
    if (total > out_size) {
        return CAPTIVE_DNS_ERR_BUFFER_TOO_SMALL;
    }

    /* Everything read from query is taken before the first write, since out may be the same buffer. */
    uint8_t id_high = query[0];
    uint8_t id_low = query[1];
    uint8_t rd = (uint8_t)(query[2] & FLAG_RD);
    memmove(&out[CAPTIVE_DNS_HEADER_SIZE], &query[CAPTIVE_DNS_HEADER_SIZE], question_len);
    out[0] = id_high;
    out[1] = id_low;
    out[2] = (uint8_t)(FLAG_QR | FLAG_AA | rd); /* opcode 0, TC 0 */
    out[3] = 0;                                 /* RA 0 (no recursion offered), RCODE 0 NOERROR */
    write_u16(&out[4], 1u);                     /* QDCOUNT */
    write_u16(&out[6], with_address ? 1u : 0u); /* ANCOUNT */
    write_u16(&out[8], 0u);                     /* NSCOUNT */
    write_u16(&out[10], 0u);                    /* ARCOUNT */

    if (with_address) {
        uint8_t *record = &out[CAPTIVE_DNS_HEADER_SIZE + question_len];
        write_u16(&record[0], (uint16_t)(0xC000u | CAPTIVE_DNS_HEADER_SIZE)); /* the question's name */
        write_u16(&record[2], QTYPE_A);
        write_u16(&record[4], QCLASS_IN);
        write_u16(&record[6], 0u); /* TTL, high half */
        write_u16(&record[8], (uint16_t)CAPTIVE_DNS_TTL_S);
        write_u16(&record[10], 4u); /* RDLENGTH */
        memcpy(&record[12], ap_ip->octets, 4u);
    }
    *out_len = total;
    return CAPTIVE_DNS_ANSWERED;
}
