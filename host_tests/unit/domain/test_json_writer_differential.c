/*
 * json_writer and device_registration against a reference: the writer as it was before the bulk-copy
 * fast path (one bounds check and one switch per byte), kept below as an oracle. On a deterministic
 * pseudo-random corpus of more than 100,000 strings (every byte value, every pair of bytes, UTF-8 of 1-4
 * bytes, invalid UTF-8, control characters, quotes, backslashes, long plain runs) both must give the same
 * bytes, the same lengths and the same status, in measuring mode (NULL, 0), with room to spare, and, on a
 * subset, at every capacity from 0 to the document's length + 2, never touching a byte past capacity.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "domain/device_registration.h"
#include "domain/json_writer.h"

/* ======== Reference: today's escaping code, copied from json_writer.c before the fast path ======== */

static const char REFERENCE_HEX_LOWER[] = "0123456789abcdef";

static void reference_put_char(json_writer_t *w, char c)
{
    if (w->buf != NULL && w->length + 1 < w->capacity) {
        w->buf[w->length] = c;
    }
    w->length++;
}

static void reference_put_raw(json_writer_t *w, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        reference_put_char(w, text[i]);
    }
}

static const char *reference_short_escape(unsigned char c)
{
    switch (c) {
        case '"':
            return "\\\"";
        case '\\':
            return "\\\\";
        case '\b':
            return "\\b";
        case '\f':
            return "\\f";
        case '\n':
            return "\\n";
        case '\r':
            return "\\r";
        case '\t':
            return "\\t";
        default:
            return NULL;
    }
}

static size_t reference_escaped_char_len(unsigned char c)
{
    if (reference_short_escape(c) != NULL) {
        return 2;
    }
    return c < 0x20u ? 6 : 1;
}

static void reference_put_escaped(json_writer_t *w, const char *value, size_t value_len)
{
    for (size_t i = 0; i < value_len; i++) {
        const unsigned char c = (unsigned char)value[i];
        const char *esc = reference_short_escape(c);
        if (esc != NULL) {
            reference_put_raw(w, esc, 2);
        } else if (c < 0x20u) {
            const char u[6] = {
                '\\', 'u', '0', '0', REFERENCE_HEX_LOWER[c >> 4], REFERENCE_HEX_LOWER[c & 0x0Fu]};
            reference_put_raw(w, u, sizeof(u));
        } else {
            reference_put_char(w, (char)c);
        }
    }
}

static void reference_put_string(json_writer_t *w, const char *value, size_t value_len)
{
    reference_put_char(w, '"');
    if (value != NULL) {
        reference_put_escaped(w, value, value_len);
    }
    reference_put_char(w, '"');
}

static void reference_put_key(json_writer_t *w, const char *key)
{
    if (w->need_comma) {
        reference_put_char(w, ',');
    }
    reference_put_string(w, key, key == NULL ? 0 : strlen(key));
    reference_put_char(w, ':');
    w->need_comma = true;
}

static void reference_put_uint(json_writer_t *w, uint64_t value)
{
    char digits[20];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + (int)(value % 10u));
        value /= 10u;
    } while (value != 0);
    while (n > 0) {
        reference_put_char(w, digits[--n]);
    }
}

static void reference_begin_object(json_writer_t *w)
{
    reference_put_char(w, '{');
    w->need_comma = false;
}

static void reference_end_object(json_writer_t *w)
{
    reference_put_char(w, '}');
    w->need_comma = true;
}

static void reference_member_string(json_writer_t *w, const char *key, const char *value, size_t value_len)
{
    reference_put_key(w, key);
    reference_put_string(w, value, value_len);
}

static void reference_member_cstr(json_writer_t *w, const char *key, const char *value)
{
    if (value == NULL) {
        reference_put_key(w, key);
        reference_put_raw(w, "null", 4);
        return;
    }
    reference_member_string(w, key, value, strlen(value));
}

static void reference_member_uint(json_writer_t *w, const char *key, uint64_t value)
{
    reference_put_key(w, key);
    reference_put_uint(w, value);
}

static size_t reference_escaped_len(const char *value, size_t value_len)
{
    if (value == NULL) {
        return 0;
    }
    size_t total = 0;
    for (size_t i = 0; i < value_len; i++) {
        total += reference_escaped_char_len((unsigned char)value[i]);
    }
    return total;
}

static domain_status_t reference_finish(json_writer_t *w, size_t *out_len)
{
    if (out_len != NULL) {
        *out_len = w->length;
    }
    if (w->length + 1 > w->capacity) {
        if (w->buf != NULL && w->capacity > 0) {
            w->buf[w->capacity - 1] = '\0';
        }
        return DOMAIN_ERR_BUFFER_TOO_SMALL;
    }
    w->buf[w->length] = '\0';
    return DOMAIN_OK;
}

/* device_registration's serialization as it was, on the reference writer. */
static size_t reference_field_len(const char *field, size_t size)
{
    const char *nul = memchr(field, '\0', size);
    return nul == NULL ? size : (size_t)(nul - field);
}

static domain_status_t reference_registration_to_json(const device_registration_t *msg, char *buf,
                                                      size_t buf_size, size_t *out_len)
{
    char mac_text[MAC_ADDRESS_STR_SIZE];
    char ip_text[IPV4_ADDRESS_STR_SIZE];
    mac_address_format(&msg->mac, mac_text);
    ipv4_address_format(&msg->ip, ip_text);
    json_writer_t w;
    json_writer_init(&w, buf, buf_size);
    reference_begin_object(&w);
    reference_member_cstr(&w, "event_type", DEVICE_REGISTRATION_EVENT_TYPE);
    reference_member_cstr(&w, "mac_address", mac_text);
    reference_member_string(&w, "device_name", msg->device_name,
                            reference_field_len(msg->device_name, sizeof(msg->device_name)));
    reference_member_cstr(&w, "ip_address", ip_text);
    reference_member_string(&w, "location_description", msg->location,
                            reference_field_len(msg->location, sizeof(msg->location)));
    reference_end_object(&w);
    size_t len = 0;
    const domain_status_t status = reference_finish(&w, &len);
    if (status == DOMAIN_OK && out_len != NULL) {
        *out_len = len;
    }
    return status;
}

/* ======== Corpus: a deterministic pseudo-random source (splitmix64) and the input generators ======== */

#define MAX_INPUT  640
#define GUARD_SIZE 32
#define GUARD_BYTE ((char)0xA5)
#define OUT_SIZE   (3 * 6 * MAX_INPUT + 64 + GUARD_SIZE)
/* Every 61st input of up to 96 bytes also gets every capacity from 0 to its document's length + 2 (longer
 * ones would make the sweep quadratic for no new case: a cut lands in a plain run or in an escape). */
#define SWEEP_STRIDE    61
#define SWEEP_MAX_INPUT 96

static uint64_t rng_state = 0x5EED0F13u;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static size_t rng_below(size_t n)
{
    return (size_t)(rng_next() % n);
}

/* Appends the UTF-8 encoding of code point cp (no validity checks: surrogates are allowed on purpose). */
static size_t put_utf8(unsigned char *out, uint32_t cp)
{
    if (cp < 0x80u) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800u) {
        out[0] = (unsigned char)(0xC0u | (cp >> 6));
        out[1] = (unsigned char)(0x80u | (cp & 0x3Fu));
        return 2;
    }
    if (cp < 0x10000u) {
        out[0] = (unsigned char)(0xE0u | (cp >> 12));
        out[1] = (unsigned char)(0x80u | ((cp >> 6) & 0x3Fu));
        out[2] = (unsigned char)(0x80u | (cp & 0x3Fu));
        return 3;
    }
    out[0] = (unsigned char)(0xF0u | (cp >> 18));
    out[1] = (unsigned char)(0x80u | ((cp >> 12) & 0x3Fu));
    out[2] = (unsigned char)(0x80u | ((cp >> 6) & 0x3Fu));
    out[3] = (unsigned char)(0x80u | (cp & 0x3Fu));
    return 4;
}

/* Valid UTF-8 of 1-4 bytes per character, code points weighted towards the encoding boundaries. */
static size_t gen_utf8(unsigned char *out, size_t max)
{
    static const uint32_t edges[] = {0x0,    0x1F,   0x20,   0x22,    0x5C,    0x7E,
                                     0x7F,   0x80,   0xFF,   0x7FF,   0x800,   0xD7FF,
                                     0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x1F331, 0x10FFFF};
    size_t n = 0;
    const size_t want = rng_below(max - 4);
    while (n < want) {
        uint32_t cp;
        switch (rng_below(5)) {
            case 0:
                cp = edges[rng_below(sizeof(edges) / sizeof(edges[0]))];
                break;
            case 1:
                cp = (uint32_t)rng_below(0x80);
                break;
            case 2:
                cp = 0x80u + (uint32_t)rng_below(0x800 - 0x80);
                break;
            case 3:
                cp = 0x800u + (uint32_t)rng_below(0x10000 - 0x800);
                break;
            default:
                cp = 0x10000u + (uint32_t)rng_below(0x110000 - 0x10000);
        }
        n += put_utf8(out + n, cp);
    }
    return n;
}

/* Ill-formed UTF-8 pieces mixed with ASCII: the writer must pass every byte >= 0x20 through untouched. */
static size_t gen_invalid_utf8(unsigned char *out, size_t max)
{
    static const char *const pieces[] = {
        "\x80",
        "\xbf",
        "\xc0\x80",
        "\xc1\xbf",
        "\xe0\x80\x80",
        "\xed\xa0\x80",
        "\xed\xbf\xbf",
        "\xf4\x90\x80\x80",
        "\xf5\x80\x80\x80",
        "\xff",
        "\xfe",
        "\xc3",
        "\xe2\x82",
        "\xf0\x9f\x8c",
        "a",
        "\"",
        "\\",
        "\x01",
    };
    size_t n = 0;
    const size_t want = rng_below(max - 4);
    while (n < want) {
        const char *piece = pieces[rng_below(sizeof(pieces) / sizeof(pieces[0]))];
        const size_t len = strlen(piece);
        memcpy(out + n, piece, len);
        n += len;
    }
    return n;
}

/* Mostly bytes that need escaping. */
static size_t gen_special_heavy(unsigned char *out, size_t max)
{
    static const unsigned char alphabet[] = {'"',  '\\', '\b', '\f', '\n', '\r', '\t', 0x00, 0x01,
                                             0x0B, 0x1F, 0x7F, 'a',  '/',  0xC3, 0x91, 0x80, 0xFF};
    const size_t n = rng_below(max < 80 ? max : 80);
    for (size_t i = 0; i < n; i++) {
        out[i] = alphabet[rng_below(sizeof(alphabet))];
    }
    return n;
}

/* Long plain runs with a rare escape: runs of every length, across any word or unrolling boundary. */
static size_t gen_long_runs(unsigned char *out, size_t max)
{
    const size_t n = rng_below(max);
    for (size_t i = 0; i < n; i++) {
        out[i] =
            rng_below(40) == 0 ? (unsigned char)rng_below(0x23) : (unsigned char)(0x20 + rng_below(0x5F));
        if (out[i] == '!') {
            out[i] = '\\';
        }
    }
    return n;
}

/* Nothing to escape: printable ASCII but '"' and '\\', and bytes >= 0x80 (what most devices send). */
static size_t gen_plain(unsigned char *out, size_t max)
{
    const size_t n = rng_below(max);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)(0x20 + rng_below(0xE0));
        if (c == '"' || c == '\\' || c == 0x7F) {
            c = 'x';
        }
        out[i] = c;
    }
    return n;
}

static size_t gen_uniform(unsigned char *out, size_t max)
{
    const size_t n = rng_below(max < 300 ? max : 300);
    for (size_t i = 0; i < n; i++) {
        out[i] = (unsigned char)rng_next();
    }
    return n;
}

/* ======== Comparison ======== */

typedef void (*doc_fn_t)(json_writer_t *w, const char *text, size_t len);

static char key_text[MAX_INPUT + 1];

/* One document that puts the input through every escaping path: value, C-string value (the input up to its
 * first NUL), and key. */
static void current_doc(json_writer_t *w, const char *text, size_t len)
{
    json_writer_begin_object(w);
    json_writer_member_string(w, "k", text, len);
    json_writer_member_cstr(w, "c", key_text);
    json_writer_member_uint(w, key_text, len);
    json_writer_end_object(w);
}

static void reference_doc(json_writer_t *w, const char *text, size_t len)
{
    reference_begin_object(w);
    reference_member_string(w, "k", text, len);
    reference_member_cstr(w, "c", key_text);
    reference_member_uint(w, key_text, len);
    reference_end_object(w);
}

static char current_out[OUT_SIZE];
static char reference_out[OUT_SIZE];
static unsigned long documents_compared;

/* Writes the document with both writers into guarded buffers of `capacity` and fails on any difference. */
static void compare_at(doc_fn_t current, doc_fn_t reference, const char *text, size_t len, size_t capacity,
                       size_t input_index)
{
    assert_true(capacity + GUARD_SIZE <= OUT_SIZE);
    memset(current_out, GUARD_BYTE, capacity + GUARD_SIZE);
    memset(reference_out, GUARD_BYTE, capacity + GUARD_SIZE);
    json_writer_t cw;
    json_writer_t rw;
    json_writer_init(&cw, capacity == 0 ? NULL : current_out, capacity);
    json_writer_init(&rw, capacity == 0 ? NULL : reference_out, capacity);
    current(&cw, text, len);
    reference(&rw, text, len);
    size_t current_len = 0;
    size_t reference_len = 0;
    const domain_status_t current_status = json_writer_finish(&cw, &current_len);
    const domain_status_t reference_status = reference_finish(&rw, &reference_len);
    if (current_status != reference_status || current_len != reference_len ||
        memcmp(current_out, reference_out, capacity + GUARD_SIZE) != 0) {
        fail_msg("input %zu (%zu bytes), capacity %zu: status %d/%d, length %zu/%zu, or bytes differ",
                 input_index, len, capacity, (int)current_status, (int)reference_status, current_len,
                 reference_len);
    }
    documents_compared++;
}

static void compare_input(const unsigned char *input, size_t len, size_t input_index, int sweep)
{
    const char *text = (const char *)input;
    memcpy(key_text, input, len);
    key_text[len] = '\0';
    if (json_writer_escaped_len(text, len) != reference_escaped_len(text, len)) {
        fail_msg("input %zu: escaped_len differs", input_index);
    }
    json_writer_t measure;
    json_writer_init(&measure, NULL, 0);
    reference_doc(&measure, text, len);
    const size_t needed = measure.length;
    compare_at(current_doc, reference_doc, text, len, 0, input_index);
    compare_at(current_doc, reference_doc, text, len, needed + 1, input_index);
    compare_at(current_doc, reference_doc, text, len, rng_below(needed + 3), input_index);
    if (sweep && len <= SWEEP_MAX_INPUT) {
        for (size_t capacity = 1; capacity <= needed + 2; capacity++) {
            compare_at(current_doc, reference_doc, text, len, capacity, input_index);
        }
    }
}

typedef size_t (*gen_fn_t)(unsigned char *out, size_t max);

static const gen_fn_t GENERATORS[] = {gen_utf8,      gen_invalid_utf8, gen_special_heavy,
                                      gen_long_runs, gen_plain,        gen_uniform};
#define GENERATOR_COUNT (sizeof(GENERATORS) / sizeof(GENERATORS[0]))

static void test_escaping_matches_the_reference_on_the_corpus(void **state)
{
    (void)state;
    static unsigned char input[MAX_INPUT + 8];
    size_t inputs = 0;
    documents_compared = 0;
    for (unsigned b = 0; b < 256; b++) { /* every byte value, at every capacity */
        input[0] = (unsigned char)b;
        compare_input(input, 1, inputs++, 1);
    }
    for (unsigned pair = 0; pair < 65536u; pair++) { /* every pair of bytes */
        input[0] = (unsigned char)(pair >> 8);
        input[1] = (unsigned char)pair;
        compare_input(input, 2, inputs++, pair % SWEEP_STRIDE == 0);
    }
    const size_t per_generator = 7000;
    for (size_t g = 0; g < GENERATOR_COUNT; g++) {
        for (size_t i = 0; i < per_generator; i++) {
            const size_t len = GENERATORS[g](input, MAX_INPUT);
            compare_input(input, len, inputs++, i % SWEEP_STRIDE == 0);
        }
    }
    print_message("%zu inputs, %lu documents compared with the reference\n", inputs, documents_compared);
    assert_true(inputs >= 100000);
}

/* A registration whose text arrays hold arbitrary bytes: a NUL somewhere, or none at all. */
static void fill_field(char *field, size_t size)
{
    unsigned char tmp[MAX_INPUT + 8];
    const size_t n = GENERATORS[rng_below(GENERATOR_COUNT)](tmp, size + 5);
    const size_t used = n < size ? n : size;
    memcpy(field, tmp, used);
    if (used < size) {
        field[used] = '\0';
    }
}

static void compare_registration(const device_registration_t *msg, size_t capacity, size_t index)
{
    memset(current_out, GUARD_BYTE, capacity + GUARD_SIZE);
    memset(reference_out, GUARD_BYTE, capacity + GUARD_SIZE);
    size_t current_len = 7;
    size_t reference_len = 7;
    const domain_status_t current_status =
        device_registration_to_json(msg, capacity == 0 ? NULL : current_out, capacity, &current_len);
    const domain_status_t reference_status =
        reference_registration_to_json(msg, capacity == 0 ? NULL : reference_out, capacity, &reference_len);
    if (current_status != reference_status || current_len != reference_len ||
        memcmp(current_out, reference_out, capacity + GUARD_SIZE) != 0) {
        fail_msg("registration %zu, capacity %zu: status %d/%d, length %zu/%zu, or bytes differ", index,
                 capacity, (int)current_status, (int)reference_status, current_len, reference_len);
    }
}

static void test_registration_json_matches_the_reference(void **state)
{
    (void)state;
    for (size_t i = 0; i < 3000; i++) {
        device_registration_t msg;
        for (size_t b = 0; b < MAC_ADDRESS_LEN; b++) {
            msg.mac.bytes[b] = (uint8_t)rng_next();
        }
        for (size_t b = 0; b < 4; b++) {
            msg.ip.octets[b] = (uint8_t)rng_next();
        }
        fill_field(msg.device_name, sizeof(msg.device_name));
        fill_field(msg.location, sizeof(msg.location));
        size_t needed = 0;
        assert_int_equal(reference_registration_to_json(&msg, reference_out, OUT_SIZE - GUARD_SIZE, &needed),
                         DOMAIN_OK);
        assert_int_equal(device_registration_json_len(&msg), needed);
        compare_registration(&msg, 0, i);
        compare_registration(&msg, needed + 1, i);
        compare_registration(&msg, rng_below(needed + 3), i);
        if (i % 50 == 0) {
            for (size_t capacity = 1; capacity <= needed + 2; capacity++) {
                compare_registration(&msg, capacity, i);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping_matches_the_reference_on_the_corpus),
        cmocka_unit_test(test_registration_json_matches_the_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
