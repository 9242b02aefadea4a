/*
 * captive_dns: answers to real queries captured from dig, every refusal, the output buffer limits, and a
 * fuzz loop over random and mutated datagrams held in exactly-sized heap buffers (so the ASan pass catches
 * any read or write past the given lengths).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "application/captive_dns.h"

static const ipv4_address_t AP_IP = {{192, 168, 4, 1}};

/* dig 9.18 (Debian 12): `dig connectivitycheck.gstatic.com A`, with its EDNS OPT record and cookie. */
static const uint8_t DIG_A_QUERY[] = {0xd6, 0x23, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
                                      0x11, 0x63, 0x6f, 0x6e, 0x6e, 0x65, 0x63, 0x74, 0x69, 0x76, 0x69, 0x74,
                                      0x79, 0x63, 0x68, 0x65, 0x63, 0x6b, 0x07, 0x67, 0x73, 0x74, 0x61, 0x74,
                                      0x69, 0x63, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
                                      0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x0a,
                                      0x00, 0x08, 0x2c, 0x16, 0x76, 0x6d, 0xba, 0xcc, 0x92, 0xbf};
#define DIG_A_QUESTION_LEN (31u + 4u) /* "connectivitycheck.gstatic.com" encoded is 31 octets */

/* dig 9.18: `dig captive.apple.com AAAA`. */
static const uint8_t DIG_AAAA_QUERY[] = {
    0x7f, 0x41, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x07, 0x63, 0x61,
    0x70, 0x74, 0x69, 0x76, 0x65, 0x05, 0x61, 0x70, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d,
    0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x0c, 0x00, 0x0a, 0x00, 0x08, 0xcf, 0x7f, 0x26, 0x47, 0xd2, 0x1a, 0xfa, 0xf8};
#define DIG_AAAA_QUESTION_LEN (19u + 4u)

/* dig 9.18: `dig +noedns www.msftconnecttest.com A`: nothing after the question. */
static const uint8_t DIG_NOEDNS_QUERY[] = {0x9f, 0xab, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
                                           0x00, 0x03, 0x77, 0x77, 0x77, 0x0f, 0x6d, 0x73, 0x66, 0x74, 0x63,
                                           0x6f, 0x6e, 0x6e, 0x65, 0x63, 0x74, 0x74, 0x65, 0x73, 0x74, 0x03,
                                           0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01};

static const uint8_t A_RECORD[16] = {0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
                                     0x00, 60,   0x00, 0x04, 192,  168,  4,    1};

static captive_dns_result_t answer(const uint8_t *query, size_t len, uint8_t *out, size_t out_size,
                                   size_t *out_len)
{
    return captive_dns_answer(query, len, &AP_IP, out, out_size, out_len);
}

/* A query for the name given as (length, label) octets, header: id 0x1234, RD, one question. */
static size_t build_query(uint8_t *buf, const uint8_t *name, size_t name_len, uint16_t qtype, uint16_t qclass)
{
    static const uint8_t header[12] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
    memcpy(buf, header, sizeof(header));
    memcpy(&buf[12], name, name_len);
    size_t pos = 12 + name_len;
    buf[pos++] = (uint8_t)(qtype >> 8);
    buf[pos++] = (uint8_t)qtype;
    buf[pos++] = (uint8_t)(qclass >> 8);
    buf[pos++] = (uint8_t)qclass;
    return pos;
}

static void test_a_query_from_dig_gets_the_access_point_address(void **state)
{
    (void)state;
    uint8_t out[CAPTIVE_DNS_MESSAGE_MAX];
    size_t len = 99;
    assert_int_equal(answer(DIG_A_QUERY, sizeof(DIG_A_QUERY), out, sizeof(out), &len), CAPTIVE_DNS_ANSWERED);
    assert_int_equal(len, 12 + DIG_A_QUESTION_LEN + 16);
    static const uint8_t header[12] = {0xd6, 0x23, 0x85, 0x00, 0, 1, 0, 1, 0, 0, 0, 0};
    assert_memory_equal(out, header, sizeof(header)); /* same id; QR, AA, RD; NOERROR; the OPT not echoed */
    assert_memory_equal(&out[12], &DIG_A_QUERY[12], DIG_A_QUESTION_LEN);
    assert_memory_equal(&out[12 + DIG_A_QUESTION_LEN], A_RECORD, sizeof(A_RECORD));
}

static void test_query_without_edns_is_answered_the_same_way(void **state)
{
    (void)state;
    uint8_t out[CAPTIVE_DNS_MESSAGE_MAX];
    size_t len = 0;
    assert_int_equal(answer(DIG_NOEDNS_QUERY, sizeof(DIG_NOEDNS_QUERY), out, sizeof(out), &len),
                     CAPTIVE_DNS_ANSWERED);
    assert_int_equal(len, sizeof(DIG_NOEDNS_QUERY) + 16);
    assert_memory_equal(&out[12], &DIG_NOEDNS_QUERY[12], sizeof(DIG_NOEDNS_QUERY) - 12);
    assert_memory_equal(&out[sizeof(DIG_NOEDNS_QUERY)], A_RECORD, sizeof(A_RECORD));
}

static void test_aaaa_query_gets_noerror_without_answer(void **state)
{
    (void)state;
    uint8_t out[CAPTIVE_DNS_MESSAGE_MAX];
    size_t len = 0;
    assert_int_equal(answer(DIG_AAAA_QUERY, sizeof(DIG_AAAA_QUERY), out, sizeof(out), &len),
                     CAPTIVE_DNS_ANSWERED);
    assert_int_equal(len, 12 + DIG_AAAA_QUESTION_LEN);
    static const uint8_t header[12] = {0x7f, 0x41, 0x85, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(out, header, sizeof(header));
    assert_memory_equal(&out[12], &DIG_AAAA_QUERY[12], DIG_AAAA_QUESTION_LEN);
}

static void test_type_and_class_decide_whether_an_address_is_given(void **state)
{
    (void)state;
    static const uint8_t name[] = {4, 't', 'e', 's', 't', 0};
    static const struct {
        uint16_t qtype;
        uint16_t qclass;
        uint16_t ancount;
    } cases[] = {
        {1, 1, 1},   /* A IN */
        {255, 1, 1}, /* ANY IN */
        {28, 1, 0},  /* AAAA */
        {65, 1, 0},  /* HTTPS */
        {15, 1, 0},  /* MX */
        {1, 3, 0},   /* A CH */
        {1, 255, 0}, /* A in class ANY */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t query[64];
        size_t query_len = build_query(query, name, sizeof(name), cases[i].qtype, cases[i].qclass);
        uint8_t out[64];
        size_t len = 0;
        assert_int_equal(answer(query, query_len, out, sizeof(out), &len), CAPTIVE_DNS_ANSWERED);
        assert_int_equal(out[7], cases[i].ancount);
        assert_int_equal(out[3], 0); /* NOERROR either way */
        assert_int_equal(len, query_len + (cases[i].ancount ? 16u : 0u));
    }
}

static void test_answer_can_be_built_in_the_query_buffer(void **state)
{
    (void)state;
    uint8_t expected[CAPTIVE_DNS_MESSAGE_MAX];
    size_t expected_len = 0;
    assert_int_equal(answer(DIG_A_QUERY, sizeof(DIG_A_QUERY), expected, sizeof(expected), &expected_len),
                     CAPTIVE_DNS_ANSWERED);
    uint8_t buf[CAPTIVE_DNS_MESSAGE_MAX];
    memcpy(buf, DIG_A_QUERY, sizeof(DIG_A_QUERY));
    size_t len = 0;
    assert_int_equal(answer(buf, sizeof(DIG_A_QUERY), buf, sizeof(buf), &len), CAPTIVE_DNS_ANSWERED);
    assert_int_equal(len, expected_len);
    assert_memory_equal(buf, expected, len);
}

static void test_recursion_desired_bit_is_copied(void **state)
{
    (void)state;
    uint8_t query[sizeof(DIG_NOEDNS_QUERY)];
    memcpy(query, DIG_NOEDNS_QUERY, sizeof(query));
    query[2] = 0x00; /* RD off */
    query[3] = 0x10; /* a stray Z/CD bit in the query is not copied */
    uint8_t out[CAPTIVE_DNS_MESSAGE_MAX];
    size_t len = 0;
    assert_int_equal(answer(query, sizeof(query), out, sizeof(out), &len), CAPTIVE_DNS_ANSWERED);
    assert_int_equal(out[2], 0x84);
    assert_int_equal(out[3], 0x00);
}

static void test_root_name_is_answered(void **state)
{
    (void)state;
    static const uint8_t root[] = {0};
    uint8_t query[32];
    size_t query_len = build_query(query, root, sizeof(root), 1, 1);
    uint8_t out[64];
    size_t len = 0;
    assert_int_equal(answer(query, query_len, out, sizeof(out), &len), CAPTIVE_DNS_ANSWERED);
    assert_int_equal(len, 12 + 1 + 4 + 16);
}

/* Fills name with labels of label_len octets ('a') until total encoded octets (root zero included) is
 * exactly total; the last label takes the remainder. */
static size_t make_name(uint8_t *name, size_t total, uint8_t label_len)
{
    size_t pos = 0;
    while (total - pos - 1 > 0) {
        size_t room = total - pos - 1 - 1; /* octets left for label text after this length octet */
        uint8_t len = room < label_len ? (uint8_t)room : label_len;
        name[pos++] = len;
        memset(&name[pos], 'a', len);
        pos += len;
    }
    name[pos++] = 0;
    return pos;
}

static void test_name_limits_are_255_octets_and_63_per_label(void **state)
{
    (void)state;
    uint8_t name[300];
    uint8_t query[400];
    uint8_t out[CAPTIVE_DNS_MESSAGE_MAX];
    size_t len = 0;

    size_t name_len = make_name(name, 255, 63);
    assert_int_equal(name_len, 255);
    size_t query_len = build_query(query, name, name_len, 1, 1);
    assert_int_equal(answer(query, query_len, out, sizeof(out), &len), CAPTIVE_DNS_ANSWERED);
    assert_int_equal(len, 12 + 255 + 4 + 16);

    name_len = make_name(name, 256, 63);
    query_len = build_query(query, name, name_len, 1, 1);
    assert_int_equal(answer(query, query_len, out, sizeof(out), &len), CAPTIVE_DNS_ERR_NAME_TOO_LONG);
    assert_int_equal(len, 0);

    static const uint8_t label64[] = {64};
    uint8_t long_label[70];
    memcpy(long_label, label64, 1);
    memset(&long_label[1], 'b', 64);
    long_label[65] = 0;
    query_len = build_query(query, long_label, 66, 1, 1);
    assert_int_equal(answer(query, query_len, out, sizeof(out), &len), CAPTIVE_DNS_ERR_LABEL_TOO_LONG);
}

typedef struct {
    const char *what;
    uint8_t bytes[40];
    size_t len;
    captive_dns_result_t expected;
} refusal_t;

static void test_malformed_and_non_query_datagrams_are_refused(void **state)
{
    (void)state;
    /* Header used below: id 0x1234, RD, QDCOUNT 1 unless the case changes it. */
#define HDR(b2, qd) 0x12, 0x34, (b2), 0x00, 0x00, (qd), 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
    static const refusal_t cases[] = {
        {"empty", {0}, 0, CAPTIVE_DNS_ERR_SHORT},
        {"11 octets", {HDR(0x01, 1)}, 11, CAPTIVE_DNS_ERR_SHORT},
        {"a response (QR set)", {HDR(0x81, 1), 1, 'a', 0, 0, 1, 0, 1}, 19, CAPTIVE_DNS_ERR_NOT_QUERY},
        {"inverse query (opcode 1)", {HDR(0x09, 1), 1, 'a', 0, 0, 1, 0, 1}, 19, CAPTIVE_DNS_ERR_OPCODE},
        {"status (opcode 2)", {HDR(0x11, 1), 1, 'a', 0, 0, 1, 0, 1}, 19, CAPTIVE_DNS_ERR_OPCODE},
        {"update (opcode 5)", {HDR(0x29, 1), 1, 'a', 0, 0, 1, 0, 1}, 19, CAPTIVE_DNS_ERR_OPCODE},
        {"no question", {HDR(0x01, 0)}, 12, CAPTIVE_DNS_ERR_QDCOUNT},
        {"two questions",
         {HDR(0x01, 2), 1, 'a', 0, 0, 1, 0, 1, 1, 'b', 0, 0, 1, 0, 1},
         26,
         CAPTIVE_DNS_ERR_QDCOUNT},
        {"header only", {HDR(0x01, 1)}, 12, CAPTIVE_DNS_ERR_NAME_TRUNCATED},
        {"label runs past the end", {HDR(0x01, 1), 5, 'a', 'b'}, 15, CAPTIVE_DNS_ERR_NAME_TRUNCATED},
        {"no root label", {HDR(0x01, 1), 1, 'a'}, 14, CAPTIVE_DNS_ERR_NAME_TRUNCATED},
        {"compression pointer", {HDR(0x01, 1), 0xc0, 0x0c, 0, 1, 0, 1}, 18, CAPTIVE_DNS_ERR_COMPRESSED_NAME},
        {"pointer after a label",
         {HDR(0x01, 1), 1, 'a', 0xc0, 0x0c, 0, 1, 0, 1},
         20,
         CAPTIVE_DNS_ERR_COMPRESSED_NAME},
        {"reserved label type 01",
         {HDR(0x01, 1), 0x41, 'a', 0, 0, 1, 0, 1},
         19,
         CAPTIVE_DNS_ERR_LABEL_TOO_LONG},
        {"reserved label type 10", {HDR(0x01, 1), 0x80, 0, 0, 1, 0, 1}, 18, CAPTIVE_DNS_ERR_LABEL_TOO_LONG},
        {"no type", {HDR(0x01, 1), 1, 'a', 0}, 15, CAPTIVE_DNS_ERR_QUESTION_TRUNCATED},
        {"class cut short", {HDR(0x01, 1), 1, 'a', 0, 0, 1, 0}, 18, CAPTIVE_DNS_ERR_QUESTION_TRUNCATED},
    };
#undef HDR
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        /* The datagram in a buffer of exactly its size: the ASan pass sees any over-read. */
        uint8_t *query = malloc(cases[i].len ? cases[i].len : 1);
        assert_non_null(query);
        memcpy(query, cases[i].bytes, cases[i].len);
        uint8_t out[64];
        memset(out, 0xee, sizeof(out));
        size_t len = 99;
        captive_dns_result_t got = answer(query, cases[i].len, out, sizeof(out), &len);
        if (got != cases[i].expected) {
            fail_msg("%s: %s, expected %s", cases[i].what, captive_dns_result_to_str(got),
                     captive_dns_result_to_str(cases[i].expected));
        }
        assert_int_equal(len, 0);
        for (size_t j = 0; j < sizeof(out); j++) {
            assert_int_equal(out[j], 0xee); /* nothing written for a refused datagram */
        }
        free(query);
    }
}

static void test_output_buffer_one_octet_short_is_refused_untouched(void **state)
{
    (void)state;
    static const struct {
        const uint8_t *query;
        size_t len;
        size_t needed;
    } cases[] = {
        {DIG_A_QUERY, sizeof(DIG_A_QUERY), 12 + DIG_A_QUESTION_LEN + 16},
        {DIG_AAAA_QUERY, sizeof(DIG_AAAA_QUERY), 12 + DIG_AAAA_QUESTION_LEN},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t *out = malloc(cases[i].needed);
        assert_non_null(out);
        memset(out, 0xee, cases[i].needed);
        size_t len = 99;
        assert_int_equal(answer(cases[i].query, cases[i].len, out, cases[i].needed - 1, &len),
                         CAPTIVE_DNS_ERR_BUFFER_TOO_SMALL);
        assert_int_equal(len, 0);
        for (size_t j = 0; j < cases[i].needed; j++) {
            assert_int_equal(out[j], 0xee);
        }
        assert_int_equal(answer(cases[i].query, cases[i].len, out, cases[i].needed, &len),
                         CAPTIVE_DNS_ANSWERED);
        assert_int_equal(len, cases[i].needed);
        free(out);
    }
    size_t len = 99;
    assert_int_equal(answer(DIG_A_QUERY, sizeof(DIG_A_QUERY), (uint8_t[1]){0}, 0, &len),
                     CAPTIVE_DNS_ERR_BUFFER_TOO_SMALL);
}

static void test_null_arguments_are_refused(void **state)
{
    (void)state;
    uint8_t out[CAPTIVE_DNS_MESSAGE_MAX];
    size_t len = 99;
    assert_int_equal(captive_dns_answer(NULL, 10, &AP_IP, out, sizeof(out), &len),
                     CAPTIVE_DNS_ERR_INVALID_ARG);
    assert_int_equal(len, 0);
    assert_int_equal(captive_dns_answer(DIG_A_QUERY, sizeof(DIG_A_QUERY), NULL, out, sizeof(out), &len),
                     CAPTIVE_DNS_ERR_INVALID_ARG);
    assert_int_equal(captive_dns_answer(DIG_A_QUERY, sizeof(DIG_A_QUERY), &AP_IP, NULL, sizeof(out), &len),
                     CAPTIVE_DNS_ERR_INVALID_ARG);
    assert_int_equal(captive_dns_answer(DIG_A_QUERY, sizeof(DIG_A_QUERY), &AP_IP, out, sizeof(out), NULL),
                     CAPTIVE_DNS_ERR_INVALID_ARG);
}

static void test_every_result_has_a_text(void **state)
{
    (void)state;
    for (int r = 0; r < CAPTIVE_DNS_RESULT_COUNT; r++) {
        const char *text = captive_dns_result_to_str((captive_dns_result_t)r);
        assert_non_null(text);
        assert_string_not_equal(text, "unknown");
    }
    assert_string_equal(captive_dns_result_to_str(CAPTIVE_DNS_RESULT_COUNT), "unknown");
    assert_string_equal(captive_dns_result_to_str((captive_dns_result_t)-1), "unknown");
}

/* xorshift32: a fixed seed makes a failure reproducible. */
static uint32_t next_random(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

/* One datagram through captive_dns_answer with exactly-sized heap buffers; checks what any answer owes. */
static void fuzz_one(const uint8_t *bytes, size_t len, size_t out_size, int *answered)
{
    uint8_t *query = malloc(len ? len : 1);
    uint8_t *out = malloc(out_size ? out_size : 1);
    assert_non_null(query);
    assert_non_null(out);
    memcpy(query, bytes, len);
    size_t out_len = 99;
    captive_dns_result_t result = captive_dns_answer(query, len, &AP_IP, out, out_size, &out_len);
    if (result == CAPTIVE_DNS_ANSWERED) {
        (*answered)++;
        assert_true(out_len <= out_size);
        assert_true(out_len >= 12 + 1 + 4);
        assert_memory_equal(out, query, 2); /* same id */
        assert_int_equal(out[2] & 0xf8, 0x80);
        assert_int_equal(out[5], 1);
    } else {
        assert_true(result < CAPTIVE_DNS_RESULT_COUNT);
        assert_int_equal(out_len, 0);
    }
    free(query);
    free(out);
}

static void test_fuzz_random_and_mutated_datagrams(void **state)
{
    (void)state;
    uint32_t seed = 0x2545F491u;
    uint8_t bytes[CAPTIVE_DNS_MESSAGE_MAX + 88];
    int answered = 0;
    for (int i = 0; i < 200000; i++) {
        size_t len;
        if (i % 2 == 0) {
            /* Random bytes behind a plausible header, so that many reach the name parser. */
            len = next_random(&seed) % sizeof(bytes);
            for (size_t j = 0; j < len; j++) {
                bytes[j] = (uint8_t)next_random(&seed);
            }
            if (len >= 6 && i % 4 == 0) {
                bytes[2] &= 0x07;
                bytes[4] = 0;
                bytes[5] = 1;
            }
        } else {
            /* A real query with a few flipped bytes and a random length around its own. */
            memcpy(bytes, DIG_A_QUERY, sizeof(DIG_A_QUERY));
            for (int flips = 1 + (int)(next_random(&seed) % 3); flips > 0; flips--) {
                bytes[next_random(&seed) % sizeof(DIG_A_QUERY)] = (uint8_t)next_random(&seed);
            }
            len = next_random(&seed) % (sizeof(DIG_A_QUERY) + 1);
        }
        size_t out_size = next_random(&seed) % (CAPTIVE_DNS_MESSAGE_MAX + 1);
        fuzz_one(bytes, len, out_size, &answered);
    }
    /* The loop is only useful when it also reaches the answer path. */
    assert_true(answered > 5000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_query_from_dig_gets_the_access_point_address),
        cmocka_unit_test(test_query_without_edns_is_answered_the_same_way),
        cmocka_unit_test(test_aaaa_query_gets_noerror_without_answer),
        cmocka_unit_test(test_type_and_class_decide_whether_an_address_is_given),
        cmocka_unit_test(test_answer_can_be_built_in_the_query_buffer),
        cmocka_unit_test(test_recursion_desired_bit_is_copied),
        cmocka_unit_test(test_root_name_is_answered),
        cmocka_unit_test(test_name_limits_are_255_octets_and_63_per_label),
        cmocka_unit_test(test_malformed_and_non_query_datagrams_are_refused),
        cmocka_unit_test(test_output_buffer_one_octet_short_is_refused_untouched),
        cmocka_unit_test(test_null_arguments_are_refused),
        cmocka_unit_test(test_every_result_has_a_text),
        cmocka_unit_test(test_fuzz_random_and_mutated_datagrams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
