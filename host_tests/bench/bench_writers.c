#include "bench_writers.h"

#include <stdio.h>
#include <string.h>

#ifdef BENCH_HAVE_CJSON
#include <cJSON.h>
#endif

static size_t write_project(const device_registration_t *msg, char *buf, size_t size)
{
    size_t len = 0;
    return device_registration_to_json(msg, buf, size, &len) == DOMAIN_OK ? len : 0;
}

#ifdef BENCH_HAVE_CJSON
static size_t write_cjson(const device_registration_t *msg, char *buf, size_t size)
{
    char mac[MAC_ADDRESS_STR_SIZE];
    char ip[IPV4_ADDRESS_STR_SIZE];
    mac_address_format(&msg->mac, mac);
    ipv4_address_format(&msg->ip, ip);
    cJSON *root = cJSON_CreateObject();
    size_t len = 0;
    if (root != NULL && cJSON_AddStringToObject(root, "event_type", DEVICE_REGISTRATION_EVENT_TYPE) != NULL &&
        cJSON_AddStringToObject(root, "mac_address", mac) != NULL &&
        cJSON_AddStringToObject(root, "device_name", msg->device_name) != NULL &&
        cJSON_AddStringToObject(root, "ip_address", ip) != NULL &&
        cJSON_AddStringToObject(root, "location_description", msg->location) != NULL) {
        char *text = cJSON_PrintUnformatted(root);
        if (text != NULL) {
            len = strlen(text);
            if (len < size) {
                memcpy(buf, text, len + 1);
            } else {
                len = 0;
            }
            cJSON_free(text);
        }
    }
    cJSON_Delete(root);
    return len;
}
#endif

/* The textbook escape: one switch per byte. out must hold 6 * strlen(in) + 1 bytes. */
static void naive_escape(char *out, size_t out_size, const char *in)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p != '\0'; p++) {
        switch (*p) {
            case '"':
                out[n++] = '\\';
                out[n++] = '"';
                break;
            case '\\':
                out[n++] = '\\';
                out[n++] = '\\';
                break;
            case '\b':
                out[n++] = '\\';
                out[n++] = 'b';
                break;
            case '\f':
                out[n++] = '\\';
                out[n++] = 'f';
                break;
            case '\n':
                out[n++] = '\\';
                out[n++] = 'n';
                break;
            case '\r':
                out[n++] = '\\';
                out[n++] = 'r';
                break;
            case '\t':
                out[n++] = '\\';
                out[n++] = 't';
                break;
            default:
                if (*p < 0x20u) {
                    n += (size_t)snprintf(out + n, out_size - n, "\\u%04x", *p);
                } else {
                    out[n++] = (char)*p;
                }
        }
    }
    out[n] = '\0';
}

static size_t write_snprintf(const device_registration_t *msg, char *buf, size_t size)
{
    char mac[MAC_ADDRESS_STR_SIZE];
    char ip[IPV4_ADDRESS_STR_SIZE];
    char name[6 * DEVICE_NAME_MAX_BYTES + 1];
    char location[6 * DEVICE_LOCATION_MAX_BYTES + 1];
    mac_address_format(&msg->mac, mac);
    ipv4_address_format(&msg->ip, ip);
    naive_escape(name, sizeof(name), msg->device_name);
    naive_escape(location, sizeof(location), msg->location);
    const int n = snprintf(buf, size,
                           "{\"event_type\":\"%s\",\"mac_address\":\"%s\",\"device_name\":\"%s\","
                           "\"ip_address\":\"%s\",\"location_description\":\"%s\"}",
                           DEVICE_REGISTRATION_EVENT_TYPE, mac, name, ip, location);
    return (n > 0 && (size_t)n < size) ? (size_t)n : 0;
}

const bench_writers_writer_t *bench_writers_all(void)
{
    static const bench_writers_writer_t writers[BENCH_WRITERS_COUNT] = {
        {"project", write_project, NULL},
#ifdef BENCH_HAVE_CJSON
        {"cjson", write_cjson, NULL},
#else
        {"cjson", NULL, "cJSON not found at build time (apt-get install libcjson-dev, then build again)"},
#endif
        {"snprintf", write_snprintf, NULL},
    };
    return writers;
}

bool bench_writers_messages(bench_writers_message_t out[BENCH_WRITERS_MESSAGE_COUNT])
{
    mac_address_t mac;
    ipv4_address_t ip;
    if (mac_address_parse("A4:CF:12:0B:8E:01", &mac) != DOMAIN_OK ||
        ipv4_address_parse("192.168.100.200", &ip) != DOMAIN_OK) {
        return false;
    }
    /* What devices in the field send: plain words, a Spanish accent, nothing to escape. */
    out[0].name = "typical";
    const domain_status_t typical =
        device_registration_create(&out[0].msg, &mac, &ip, "Riego Lote 3",
                                   "Finca La Esperanza, vereda El Rosal, Ibagu\xc3\xa9 (Tolima)");
    /* Every escape class: quotes, backslashes, short escapes, \u00XX, and 2-, 3- and 4-byte UTF-8. */
    out[1].name = "escape_heavy";
    const domain_status_t heavy = device_registration_create(
        &out[1].msg, &mac, &ip,
        "Riego \"Lote 3\" \\ \xc3\x91"
        "ame\x01\x1f",
        "\"Vereda\" El Rosal\t\xe2\x80\x94 C:\\fincas\\norte\r\nsector\f\x7f\x02 \xf0\x9f\x8c\xb1 \"2\"\b");
    return typical == DOMAIN_OK && heavy == DOMAIN_OK;
}
