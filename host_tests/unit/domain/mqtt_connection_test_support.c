/* Helpers of the two mqtt_connection test files: see mqtt_connection_test_support.h. */
#include "mqtt_connection_test_support.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

mqtt_connection_event_t ev(mqtt_connection_event_kind_t kind)
{
    mqtt_connection_event_t e;
    memset(&e, 0, sizeof(e));
    e.kind = kind;
    return e;
}

mqtt_connection_event_t ev_ip(mqtt_connection_event_kind_t kind, ipv4_address_t ip)
{
    mqtt_connection_event_t e = ev(kind);
    e.ip = ip;
    return e;
}

mqtt_connection_event_t ev_msg(mqtt_connection_event_kind_t kind, int32_t msg_id)
{
    mqtt_connection_event_t e = ev(kind);
    e.msg_id = msg_id;
    return e;
}

mqtt_connection_event_t ev_code(mqtt_connection_event_kind_t kind, int32_t code)
{
    mqtt_connection_event_t e = ev(kind);
    e.code = code;
    return e;
}

/* Writes commands as "disconnect, arm_retry_timer(30000), request_low_power"; CONNECT shows its broker index
 * as "connect(1)". A failed comparison then prints both lists whole. */
void render(const mqtt_connection_command_t *commands, size_t count, char *text, size_t size)
{
    size_t used = 0;
    text[0] = '\0';
    for (size_t i = 0; i < count && used < size; i++) {
        const char *name = mqtt_connection_command_to_str(commands[i].kind);
        const char *separator = i == 0 ? "" : ", ";
        int n;
        if (commands[i].kind == MQTT_CONNECTION_CMD_ARM_RETRY_TIMER) {
            n = snprintf(text + used, size - used, "%s%s(%" PRIu32 ")", separator, name,
                         commands[i].delay_ms);
        } else if (commands[i].kind == MQTT_CONNECTION_CMD_CONNECT) {
            n = snprintf(text + used, size - used, "%s%s(%u)", separator, name,
                         (unsigned)commands[i].broker_index);
        } else {
            n = snprintf(text + used, size - used, "%s%s", separator, name);
        }
        used += n > 0 ? (size_t)n : 0u;
    }
}

/* Applies an event and checks the new state and the exact commands, written as render() writes them. */
mqtt_connection_commands_t step(mqtt_connection_t *conn, mqtt_connection_event_t event,
                                mqtt_connection_state_t expected_state, const char *expected_commands)
{
    mqtt_connection_commands_t out;
    char actual[256];
    memset(&out, 0xEE, sizeof(out));
    const mqtt_connection_state_t state = mqtt_connection_handle(conn, &event, &out);
    if (state != expected_state || conn->state != expected_state) {
        fail_msg("%s: went to %s, expected %s", mqtt_connection_event_to_str(event.kind),
                 mqtt_connection_state_to_str(state), mqtt_connection_state_to_str(expected_state));
    }
    assert_true(out.count <= MQTT_CONNECTION_MAX_COMMANDS);
    render(out.items, out.count, actual, sizeof(actual));
    assert_string_equal(actual, expected_commands);
    return out;
}
