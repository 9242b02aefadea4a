/*
 * captive_dns: the answer logic of the provisioning access point's captive-portal DNS responder.
 *
 * While the node is in provisioning mode, phones that join its access point ask DNS for their connectivity
 * check hosts; answering every name with the access point's own IPv4 makes them open the setup page by
 * themselves. This module turns one DNS query datagram into the answer datagram; the adapters (lwIP on the
 * ESP32, POSIX in the simulator) only receive, call captive_dns_answer() and send what it wrote.
 *
 * Rules (RFC 1035 wire format):
 *   - a standard query (QR = 0, opcode 0) with exactly one question, class IN, type A or ANY: NOERROR with
 *     one A record (the access point's address, TTL CAPTIVE_DNS_TTL_S, its name a compression pointer to the
 *     question);
 *   - any other type (AAAA, MX, HTTPS, ...) or class: NOERROR with no answer, so a client falls back to A;
 *   - anything malformed is refused with a result code and nothing is written: the adapter drops the
 *     datagram (a responder that answers garbage can be used to reflect traffic).
 * The answer repeats the query's ID, RD bit and question and has AA set; records after the question (an
 * EDNS OPT record, for example) are ignored and not echoed.
 *
 * Pure and platform-free: no heap, no globals, no I/O; reads only query[0..query_len) and writes only
 * out[0..out_size). out may be the query's own buffer (the answer keeps the question at the same offset),
 * so an adapter needs a single CAPTIVE_DNS_MESSAGE_MAX buffer. Safe from any task.
 */
#ifndef APPLICATION_CAPTIVE_DNS_H
#define APPLICATION_CAPTIVE_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "domain/ipv4_address.h"

/* The classic UDP DNS message limit (RFC 1035 4.2.1): the adapters' receive and answer buffer size. */
#define CAPTIVE_DNS_MESSAGE_MAX 512
/* DNS header size and the port the responder listens on. */
#define CAPTIVE_DNS_HEADER_SIZE 12
#define CAPTIVE_DNS_PORT        53
/* Time to live of the A record: short, so phones ask again once the node has left provisioning. */
#define CAPTIVE_DNS_TTL_S 60
/* RFC 1035 2.3.4: a label is at most 63 octets, an encoded name at most 255 octets. */
#define CAPTIVE_DNS_LABEL_MAX 63
#define CAPTIVE_DNS_NAME_MAX  255

#define CAPTIVE_DNS_RESULT_LIST(X)                                                              \
    X(CAPTIVE_DNS_ANSWERED, "answer written")                                                   \
    X(CAPTIVE_DNS_ERR_INVALID_ARG, "NULL argument")                                             \
    X(CAPTIVE_DNS_ERR_SHORT, "shorter than a DNS header")                                       \
    X(CAPTIVE_DNS_ERR_NOT_QUERY, "QR bit set: a response, not a query")                         \
    X(CAPTIVE_DNS_ERR_OPCODE, "opcode is not a standard query")                                 \
    X(CAPTIVE_DNS_ERR_QDCOUNT, "question count is not 1")                                       \
    X(CAPTIVE_DNS_ERR_NAME_TRUNCATED, "the question name runs past the datagram")               \
    X(CAPTIVE_DNS_ERR_LABEL_TOO_LONG, "a label is longer than 63 octets or of a reserved type") \
    X(CAPTIVE_DNS_ERR_NAME_TOO_LONG, "the question name is longer than 255 octets")             \
    X(CAPTIVE_DNS_ERR_COMPRESSED_NAME, "compression pointer in the question")                   \
    X(CAPTIVE_DNS_ERR_QUESTION_TRUNCATED, "type or class missing after the question name")      \
    X(CAPTIVE_DNS_ERR_BUFFER_TOO_SMALL, "the answer does not fit the output buffer")

typedef enum {
#define CAPTIVE_DNS_RESULT_ENUM(name, text) name,
    CAPTIVE_DNS_RESULT_LIST(CAPTIVE_DNS_RESULT_ENUM)
#undef CAPTIVE_DNS_RESULT_ENUM
        CAPTIVE_DNS_RESULT_COUNT
} captive_dns_result_t;

/*
 * Builds the answer to query[0..query_len) into out[0..out_size) and sets *out_len to its length.
 * CAPTIVE_DNS_ANSWERED: send out[0..*out_len) back to the sender (with or without an A record, see the
 * rules above). Any other result: drop the datagram; *out_len is 0 and out is unchanged (so an answer
 * built in the query's own buffer never leaves it half overwritten).
 */
captive_dns_result_t captive_dns_answer(const uint8_t *query, size_t query_len, const ipv4_address_t *ap_ip,
                                        uint8_t *out, size_t out_size, size_t *out_len);

/* Never NULL ("unknown" out of range). */
const char *captive_dns_result_to_str(captive_dns_result_t result);

#endif /* APPLICATION_CAPTIVE_DNS_H */
