/*
 * registration_dump: prints the registration JSON the domain layer builds, one line per input line, so
 * that a JSON parser outside C (tools/tests/test_registration_json.py) can check the escaping round-trips.
 *
 * Input (stdin), one case per line, fields separated by one space:
 *   <mac> <ipv4> <device_name as hex bytes> <location as hex bytes>
 * Hex keeps control characters, quotes, invalid UTF-8 and white space intact through the line format.
 * Output (stdout), one line per case: the JSON, or "error: <domain status text>".
 * Exit status 0 when every line was handled, 1 on malformed input or an internal inconsistency.
 */
#include <stdio.h>
#include <string.h>

#include "domain/device_registration.h"
#include "domain/hex_digit.h"

#define LINE_MAX_LEN    8192
#define FIELD_MAX_BYTES (LINE_MAX_LEN / 2)

/* Decodes hex into out (NUL-terminated); false on odd length, bad digits, overflow or an embedded NUL. */
static int decode_hex(const char *hex, char *out, size_t out_size)
{
    const size_t len = strlen(hex);
    if (len % 2 != 0 || len / 2 + 1 > out_size) {
        return 0;
    }
    for (size_t i = 0; i < len / 2; i++) {
        const int high = hex_digit_value((unsigned char)hex[2 * i]);
        const int low = hex_digit_value((unsigned char)hex[2 * i + 1]);
        if (high < 0 || low < 0 || (high == 0 && low == 0)) {
            return 0;
        }
        out[i] = (char)((high << 4) | low);
    }
    out[len / 2] = '\0';
    return 1;
}

/* Handles one input line; returns 0 on success (including a reported domain error), 1 otherwise. */
static int dump_line(char *line)
{
    static char name[FIELD_MAX_BYTES];
    static char location[FIELD_MAX_BYTES];
    static char json[DEVICE_REGISTRATION_JSON_MAX_SIZE];
    char *fields[4];
    size_t count = 0;

    line[strcspn(line, "\r\n")] = '\0';
    /* Exactly four fields separated by single spaces; an empty text is written as "-". */
    for (char *p = line;;) {
        if (count == 4) {
            return 1; /* a fifth field */
        }
        fields[count++] = p;
        char *space = strchr(p, ' ');
        if (space == NULL) {
            break;
        }
        *space = '\0';
        p = space + 1;
    }
    if (count != 4 || fields[0][0] == '\0' || fields[1][0] == '\0' || fields[2][0] == '\0' ||
        fields[3][0] == '\0') {
        return 1;
    }
    if (strcmp(fields[2], "-") == 0) {
        name[0] = '\0';
    } else if (!decode_hex(fields[2], name, sizeof(name))) {
        return 1;
    }
    if (strcmp(fields[3], "-") == 0) {
        location[0] = '\0';
    } else if (!decode_hex(fields[3], location, sizeof(location))) {
        return 1;
    }

    mac_address_t mac;
    ipv4_address_t ip;
    device_registration_t msg;
    domain_status_t status = mac_address_parse(fields[0], &mac);
    if (status == DOMAIN_OK) {
        status = ipv4_address_parse(fields[1], &ip);
    }
    if (status == DOMAIN_OK) {
        status = device_registration_create(&msg, &mac, &ip, name, location);
    }
    if (status != DOMAIN_OK) {
        printf("error: %s\n", domain_status_to_str(status));
        return 0;
    }
    size_t len = 0;
    status = device_registration_to_json(&msg, json, sizeof(json), &len);
    if (status != DOMAIN_OK || len != device_registration_json_len(&msg) || len != strlen(json)) {
        fprintf(stderr, "registration_dump: serialization inconsistent (%s)\n", domain_status_to_str(status));
        return 1;
    }
    fwrite(json, 1, len, stdout);
    fputc('\n', stdout);
    return 0;
}

int main(void)
{
    static char line[LINE_MAX_LEN + 2];
    int failures = 0;
    unsigned long number = 0;
    while (fgets(line, sizeof(line), stdin) != NULL) {
        number++;
        if (strchr(line, '\n') == NULL && !feof(stdin)) {
            fprintf(stderr, "registration_dump: line %lu longer than %d bytes\n", number, LINE_MAX_LEN);
            return 1;
        }
        if (dump_line(line) != 0) {
            fprintf(stderr, "registration_dump: line %lu malformed\n", number);
            printf("error: malformed input\n");
            failures++;
        }
    }
    fflush(stdout);
    return failures == 0 ? 0 : 1;
}
