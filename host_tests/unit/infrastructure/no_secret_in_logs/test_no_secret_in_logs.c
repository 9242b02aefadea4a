/*
 * No secret in the firmware's logs (issue 10, item 4). The device is composed as main/ composes it, on the
 * ESP-IDF fakes: the application with log_event_sink as its event sink (every domain event and notice is an
 * ESP_LOG line), wifi_adapter, mqtt_ws_adapter, http_adapter and nvs_config_adapter, with the setup secret
 * and the MQTT credentials loaded by provision_store from the factory partition; only the executor, the
 * timers, the lock, power, system info and the captive portal are port fakes (they never see a secret).
 * Each test drives it through what a technician and the broker do (provisioning with wrong secrets and a
 * wrong WiFi password, config changes with the secret in each accepted form, a factory reset, an MQTT session
 * refused then accepted, a clean shutdown, failures on the way), and every line the esp_log fake records is
 * checked (log_secret_scan) for the setup secret, the WiFi passwords, the MQTT passwords (the device's and
 * the build-wide one it replaces), the Basic credential's base64, and the wrong secret tried (a mistyped
 * label is nearly the secret). main/'s one deliberate print of the secret is a printf, not an ESP_LOG line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "application/application.h"
#include "esp_event.h"
#include "esp_log.h"
#include "esp_wifi.h"
#include "fake_bootloader_random.h"
#include "fake_esp_event.h"
#include "fake_esp_http_server.h"
#include "fake_esp_log.h"
#include "fake_esp_mqtt_client.h"
#include "fake_esp_system.h"
#include "fake_esp_transport.h"
#include "fake_esp_wifi.h"
#include "fake_freertos.h"
#include "fake_nvs.h"
#include "fake_ports.h"
#include "http_adapter.h"
#include "log_event_sink.h"
#include "log_secret_scan.h"
#include "mqtt_ws_adapter.h"
#include "nvs_config_adapter.h"
#include "provision_store.h"
#include "wifi_adapter.h"

#define SETUP_SECRET "7K3M9QXD2F4H8RTV"
/* As `invoke flash` may have written it to the factory partition: normalised when loaded. */
#define FLASHED_SECRET "7k3m-9qxd-2f4h-8rtv"
/* What a technician types from the label: grouped, lower case. */
#define SETUP_SECRET_TYPED "7k3m 9qxd 2f4h 8rtv"
/* A mistyped label: one character off, so nearly the secret. */
#define WRONG_SECRET "7K3M9QXD2F4H8RTW"
/* base64("tecnico:" SETUP_SECRET): HTTP Basic with the secret as password. */
#define BASIC_CREDENTIAL "dGVjbmljbzo3SzNNOVFYRDJGNEg4UlRW"
/* base64("tecnico:" WRONG_SECRET) */
#define WRONG_BASIC_CREDENTIAL "dGVjbmljbzo3SzNNOVFYRDJGNEg4UlRX"
#define FARM_SSID              "Finca El Rosal"
#define FARM_SSID_FORM         "Finca+El+Rosal"
#define WIFI_PASSWORD          "Cafetal&Lote 7"
#define WIFI_PASSWORD_FORM     "Cafetal%26Lote+7"
#define WRONG_WIFI_PASSWORD    "Cafetal&Lote 8"
#define WRONG_WIFI_FORM        "Cafetal%26Lote+8"
#define MQTT_USERNAME          "riego-norte"
#define MQTT_PASSWORD          "m9-Broker-Clave"
/* The build-wide pair (Kconfig), replaced by the device's own from the factory partition. */
#define FLEET_USERNAME "riego"
#define FLEET_PASSWORD "Flota-Clave-2026"

static const log_secret_t SECRETS[] = {
    {"setup secret", SETUP_SECRET},
    {"wrong setup secret", WRONG_SECRET},
    {"Basic credential", BASIC_CREDENTIAL},
    {"wrong Basic credential", WRONG_BASIC_CREDENTIAL},
    {"WiFi password", WIFI_PASSWORD},
    {"form-encoded WiFi password", WIFI_PASSWORD_FORM},
    {"wrong WiFi password", WRONG_WIFI_PASSWORD},
    {"form-encoded wrong WiFi password", WRONG_WIFI_FORM},
    {"MQTT password", MQTT_PASSWORD},
    {"build-wide MQTT password", FLEET_PASSWORD},
};

#define STA_IP_TEXT "192.168.1.50"
#define HOST        "192.168.4.1"
#define ORIGIN      "http://192.168.4.1"

/* WIFI_REASON_AUTH_FAIL / 4WAY_HANDSHAKE_TIMEOUT as esp_wifi reports a wrong password. */
#define WIFI_REASON_WRONG_PASSWORD 15
/* CONNACK return codes 4 (bad user name or password) and 5 (not authorised). */
#define CONNACK_BAD_CREDENTIALS 4
#define CONNACK_NOT_AUTHORISED  5

/* The device as main/ composes it (static: the application is large). */
static struct {
    fake_ports_t fakes;
    app_settings_t settings;
    application_t app;
    mqtt_ws_adapter_t mqtt;
} dev;

/* ---- driving the device; every step ends with the log check ---- */

/* The application task runs what was posted; the MQTT worker carries out what the application asked. */
static void run(void)
{
    for (int round = 0; round < 8; round++) {
        const size_t handled = fake_executor_run_all(&dev.fakes.executor);
        bool worked = false;
        while (mqtt_ws_adapter_process(&dev.mqtt, 0)) {
            worked = true;
        }
        if (handled == 0 && !worked) {
            break;
        }
    }
    log_secret_scan_step();
}

static void wifi_event(int32_t id, void *data)
{
    fake_esp_event_dispatch(WIFI_EVENT, id, data);
    run();
}

static void wifi_disconnected(uint8_t reason)
{
    wifi_event_sta_disconnected_t info;
    memset(&info, 0, sizeof(info));
    info.reason = reason;
    info.rssi = -61;
    wifi_event(WIFI_EVENT_STA_DISCONNECTED, &info);
}

static void wifi_got_ip(void)
{
    ip_event_got_ip_t info;
    memset(&info, 0, sizeof(info));
    const uint8_t bytes[4] = {192, 168, 1, 50};
    memcpy(&info.ip_info.ip.addr, bytes, sizeof(bytes));
    info.esp_netif = fake_esp_netif_sta();
    fake_esp_netif_set_sta_ip(192, 168, 1, 50);
    fake_esp_event_dispatch(IP_EVENT, IP_EVENT_STA_GOT_IP, &info);
    run();
}

static void post_event(app_event_kind_t kind)
{
    assert_true(fake_executor_post_kind(&dev.fakes.executor, kind));
    run();
}

/* Fires the application's armed timer id; false when none is armed. */
static bool fire(app_timer_id_t id)
{
    const bool armed = fake_timer_expire(&dev.fakes.timer, id);
    run();
    return armed;
}

/* The station's next connect attempt (after the settle delay or a retry wait). */
static void station_attempts(void)
{
    const size_t before = fake_esp_wifi_state()->connect_calls;
    for (int i = 0; i < 4 && fake_esp_wifi_state()->connect_calls == before; i++) {
        assert_true(fire(APP_TIMER_LINK));
    }
    assert_int_equal(fake_esp_wifi_state()->connect_calls, before + 1);
}

static void mqtt_event(esp_mqtt_event_id_t id, int msg_id, const esp_mqtt_error_codes_t *codes)
{
    esp_mqtt_error_codes_t none;
    memset(&none, 0, sizeof(none));
    esp_mqtt_event_t event;
    memset(&event, 0, sizeof(event));
    event.event_id = id;
    event.msg_id = msg_id;
    event.error_handle = codes != NULL ? (esp_mqtt_error_codes_t *)codes : &none;
    assert_true(fake_esp_mqtt_dispatch(&event));
    run();
}

/* The broker answers a CONNECT with a refusing CONNACK: ESP-MQTT reports the error, then the disconnect. */
static void broker_refuses(int return_code)
{
    esp_mqtt_error_codes_t codes;
    memset(&codes, 0, sizeof(codes));
    codes.error_type = MQTT_ERROR_TYPE_CONNECTION_REFUSED;
    codes.connect_return_code = (esp_mqtt_connect_return_code_t)return_code;
    mqtt_event(MQTT_EVENT_ERROR, 0, &codes);
    mqtt_event(MQTT_EVENT_DISCONNECTED, 0, NULL);
}

static mqtt_connection_state_t mqtt_state(void)
{
    return dev.app.mqtt.connection.state;
}

typedef struct {
    const char *authorization; /* NULL: none */
    const char *origin;        /* NULL: none */
    const char *body;          /* NULL: none */
    size_t sent_len;           /* body bytes the client sends; 0: all of them */
} request_t;

/* One request through esp_http_server and http_adapter; returns the status code. */
static int http(int method, const char *uri, const request_t *r)
{
    fake_httpd_header_t headers[3];
    size_t count = 0;
    headers[count++] = (fake_httpd_header_t){"Host", HOST};
    if (r->authorization != NULL) {
        headers[count++] = (fake_httpd_header_t){"Authorization", r->authorization};
    }
    if (r->origin != NULL) {
        headers[count++] = (fake_httpd_header_t){"Origin", r->origin};
    }
    const size_t len = r->body != NULL ? strlen(r->body) : 0;
    const fake_httpd_request_t request = {
        .method = method,
        .uri = uri,
        .headers = headers,
        .header_count = count,
        .body = r->body,
        .body_len = r->sent_len != 0 ? r->sent_len : len,
        .content_len = len,
    };
    const int status = atoi(fake_httpd_run(&request)->status);
    run(); /* what the handler posted */
    return status;
}

static int post(const char *uri, const char *authorization, const char *body)
{
    const request_t r = {.authorization = authorization, .body = body};
    return http(HTTP_POST, uri, &r);
}

/* The setup page's own form: same origin, the secret as the form field setup_secret. */
static int post_form(const char *uri, const char *body)
{
    const request_t r = {.origin = ORIGIN, .body = body};
    return http(HTTP_POST, uri, &r);
}

static int get(const char *uri)
{
    const request_t r = {0};
    return http(HTTP_GET, uri, &r);
}

/* ---- the device's life ---- */

static int setup(void **state)
{
    (void)state;
    log_secret_scan_begin(SECRETS, sizeof(SECRETS) / sizeof(SECRETS[0]));
    fake_esp_event_reset();
    fake_esp_wifi_reset();
    fake_nvs_reset();
    fake_nvs_add_partition(PROVISION_STORE_PARTITION);
    fake_nvs_put_in(PROVISION_STORE_PARTITION, PROVISION_STORE_SETUP_NAMESPACE, PROVISION_STORE_SECRET_KEY,
                    FLASHED_SECRET);
    fake_nvs_put_in(PROVISION_STORE_PARTITION, PROVISION_STORE_MQTT_NAMESPACE,
                    PROVISION_STORE_MQTT_USERNAME_KEY, MQTT_USERNAME);
    fake_nvs_put_in(PROVISION_STORE_PARTITION, PROVISION_STORE_MQTT_NAMESPACE,
                    PROVISION_STORE_MQTT_PASSWORD_KEY, MQTT_PASSWORD);
    fake_esp_system_reset();
    fake_bootloader_random_reset();
    fake_esp_mqtt_reset();
    fake_esp_transport_reset();
    fake_freertos_reset();
    fake_freertos_set_delay_hook(fake_esp_mqtt_finish_stopped_task, NULL);
    fake_httpd_reset();
    memset(&dev, 0, sizeof(dev));
    fake_ports_init(&dev.fakes);

    assert_int_equal(nvs_config_adapter_init_flash(), ESP_OK);
    const wifi_adapter_config_t wifi = {
        .executor = &fake_executor_port,
        .executor_ctx = &dev.fakes.executor,
        .ap_channel = 6,
        .ap_max_connections = 2,
        .nvs_available = true,
    };
    assert_int_equal(wifi_adapter_init(&wifi), ESP_OK);
    assert_int_equal(mqtt_ws_adapter_init(&dev.mqtt, &fake_executor_port, &dev.fakes.executor, NULL), APP_OK);

    app_ports_t *p = &dev.fakes.ports;
    p->events = &log_event_sink_port;
    p->events_ctx = NULL;
    p->wifi = wifi_adapter_station_port();
    p->wifi_ctx = NULL;
    p->network = wifi_adapter_network_port();
    p->network_ctx = NULL;
    p->mqtt_session = &mqtt_ws_adapter_session_port;
    p->mqtt_session_ctx = &dev.mqtt;
    p->mqtt_publisher = &mqtt_ws_adapter_publisher_port;
    p->mqtt_publisher_ctx = &dev.mqtt;
    p->config = nvs_config_adapter_port();
    p->config_ctx = NULL;

    app_settings_defaults(&dev.settings);
    strcpy(dev.settings.mqtt.username, FLEET_USERNAME);
    strcpy(dev.settings.mqtt.password, FLEET_PASSWORD);
    dev.settings.mqtt.status_topic[0] = '\0'; /* no presence: one message id to follow */
    dev.settings.config_min_interval_ms = 0;  /* every config change of the test is accepted */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    (void)http_adapter_stop();
    return 0;
}

/* What main/ reads from the factory partition before anything starts: the setup secret (created when none
 * was flashed) and the device's MQTT pair, which replaces the build-wide one. */
static bool load_factory_data(void)
{
    assert_int_equal(provision_store_init(), ESP_OK);
    bool created = false;
    assert_int_equal(provision_store_load_secret(dev.settings.security.setup_secret, &created), ESP_OK);
    char username[APP_CREDENTIAL_MAX_LEN + 1];
    char password[APP_CREDENTIAL_MAX_LEN + 1];
    bool found = false;
    assert_int_equal(
        provision_store_load_mqtt_credentials(username, sizeof(username), password, sizeof(password), &found),
        ESP_OK);
    if (found) {
        memcpy(dev.settings.mqtt.username, username, sizeof(username));
        memcpy(dev.settings.mqtt.password, password, sizeof(password));
    }
    memset(password, 0, sizeof(password));
    return created;
}

/* Boot without WiFi credentials: the setup access point (the secret as passphrase) and the HTTP server. */
static void boot_unprovisioned(void)
{
    if (load_factory_data()) {
        static const char what[] = "setup secret created at first boot";
        const log_secret_t created = {what, dev.settings.security.setup_secret};
        log_secret_scan_add(&created);
    }
    log_secret_scan_step(); /* provision_store's lines */
    assert_int_equal(application_start(&dev.app, &dev.fakes.ports, &dev.settings), APP_OK);
    const http_adapter_config_t http_cfg = {
        .port = 80,
        .app = &dev.app,
        .executor = &fake_executor_port,
        .executor_ctx = &dev.fakes.executor,
    };
    assert_int_equal(http_adapter_start(&http_cfg), ESP_OK);
    run();
    wifi_event(WIFI_EVENT_STA_START, NULL);
    assert_int_equal(fake_esp_wifi_state()->mode, WIFI_MODE_APSTA);
    assert_string_equal((const char *)fake_esp_wifi_config(WIFI_IF_AP)->ap.password,
                        dev.settings.security.setup_secret);
}

/* The setup form, refused without the secret, with a wrong one in each form, then sent with a wrong WiFi
 * password and corrected: the station gets its address and the node leaves provisioning. */
static void provision(void)
{
    assert_int_equal(get("/"), 200);
    assert_int_equal(get("/scan"), 200);
    const char *form = "ssid=" FARM_SSID_FORM "&password=" WRONG_WIFI_FORM "&device_name=Riego+Norte";
    assert_int_equal(post("/provision", NULL, form), 401);
    assert_int_equal(post("/provision", "Bearer " WRONG_SECRET, form), 401);
    assert_int_equal(post("/provision", "Basic " WRONG_BASIC_CREDENTIAL, form), 401);
    assert_int_equal(post_form("/provision", "setup_secret=" WRONG_SECRET "&ssid=" FARM_SSID_FORM
                                             "&password=" WRONG_WIFI_FORM),
                     401);
    /* refused by the form's rules, with the secret */
    assert_int_equal(post("/provision", "Bearer " SETUP_SECRET, "ssid=" FARM_SSID_FORM "&password=short"),
                     400);

    /* the right secret, the wrong WiFi password: the station tries it and the network refuses */
    assert_int_equal(post_form("/provision", "setup_secret=7k3m+9qxd+2f4h+8rtv&ssid=" FARM_SSID_FORM
                                             "&password=" WRONG_WIFI_FORM),
                     200);
    assert_string_equal((const char *)fake_esp_wifi_config(WIFI_IF_STA)->sta.password, WRONG_WIFI_PASSWORD);
    station_attempts();
    wifi_disconnected(WIFI_REASON_WRONG_PASSWORD);

    /* corrected: the station joins, the credentials are kept, the access point closes */
    assert_int_equal(post("/provision", "Bearer " SETUP_SECRET_TYPED,
                          "ssid=" FARM_SSID_FORM "&password=" WIFI_PASSWORD_FORM
                          "&location_description=Lote+3"),
                     200);
    station_attempts();
    wifi_got_ip();
    assert_string_equal((const char *)fake_esp_wifi_flash_config(WIFI_IF_STA)->sta.password, WIFI_PASSWORD);
    assert_int_equal(fake_esp_wifi_state()->mode, WIFI_MODE_STA);
    assert_int_equal(get("/"), 404); /* the setup routes are gone */
}

/* The first CONNECT is refused as not authorised, the second for bad credentials, the third is accepted and
 * the registration acknowledged. */
static void mqtt_session(void)
{
    assert_int_equal(mqtt_state(), MQTT_CONNECTION_CONNECTING);
    assert_string_equal(fake_esp_mqtt_settings()->password, MQTT_PASSWORD);
    broker_refuses(CONNACK_NOT_AUTHORISED);
    assert_true(fire(APP_TIMER_CONNECTION));
    broker_refuses(CONNACK_BAD_CREDENTIALS);
    assert_true(fire(APP_TIMER_CONNECTION));
    assert_int_equal(mqtt_state(), MQTT_CONNECTION_CONNECTING);
    mqtt_event(MQTT_EVENT_BEFORE_CONNECT, 0, NULL);
    mqtt_event(MQTT_EVENT_CONNECTED, 0, NULL);
    assert_int_equal(mqtt_state(), MQTT_CONNECTION_REGISTERING);
    assert_int_equal(fake_esp_mqtt_last_enqueue()->calls, 1); /* the registration */
    mqtt_event(MQTT_EVENT_PUBLISHED, 1, NULL);                /* the fake's message id */
    assert_int_equal(mqtt_state(), MQTT_CONNECTION_REGISTERED);
}

/* A node provisioned through the mistakes above and registered through the refusals. */
static void boot_registered(void)
{
    boot_unprovisioned();
    provision();
    mqtt_session();
}

/* Something was captured, from each part named (a test that checked nothing would pass as well). */
static void assert_lines_checked(const char *const *tags, size_t tag_count)
{
    print_message("%zu log lines checked\n", log_secret_scan_checked());
    assert_true(log_secret_scan_checked() > 0);
    for (size_t i = 0; i < tag_count; i++) {
        print_message("  %-16s %zu\n", tags[i], log_secret_scan_checked_with_tag(tags[i]));
        assert_true(log_secret_scan_checked_with_tag(tags[i]) > 0);
    }
}

/* ---- tests ---- */

static void test_provisioning_with_wrong_secrets_and_a_wrong_wifi_password_logs_no_secret(void **state)
{
    (void)state;
    boot_unprovisioned();
    provision();
    static const char *const tags[] = {LOG_EVENT_SINK_TAG, "provision_store", "wifi_adapter", "http_adapter",
                                       "mqtt_ws"};
    assert_lines_checked(tags, sizeof(tags) / sizeof(tags[0]));
}

static void
test_an_mqtt_session_with_credentials_refused_then_accepted_and_a_shutdown_log_no_secret(void **state)
{
    (void)state;
    boot_registered();
    post_event(APP_EVENT_SHUTDOWN);
    assert_true(dev.app.mqtt.shut_down);
    assert_false(fake_esp_mqtt_task_running()); /* stopped: ESP-MQTT reports nothing more */
    static const char *const tags[] = {LOG_EVENT_SINK_TAG, "mqtt_ws"};
    assert_lines_checked(tags, sizeof(tags) / sizeof(tags[0]));
}

static void test_config_changes_with_the_secret_in_each_form_and_a_wrong_one_log_no_secret(void **state)
{
    (void)state;
    boot_registered();
    assert_int_equal(post("/config", "Bearer " SETUP_SECRET_TYPED, "device_name=Riego+Sur"), 200);
    assert_int_equal(post("/config", "Basic " BASIC_CREDENTIAL, "location_description=Lote+4"), 200);
    assert_int_equal(post_form("/config", "setup_secret=" SETUP_SECRET "&device_name=Riego+Este"), 200);
    assert_int_equal(post("/config", "Bearer " WRONG_SECRET, "device_name=Intruso"), 401);
    assert_int_equal(post("/config", "Basic " WRONG_BASIC_CREDENTIAL, "device_name=Intruso"), 401);
    assert_int_equal(post_form("/config", "setup_secret=" WRONG_SECRET "&device_name=Intruso"), 401);
    /* a page of another site, even one that knows the secret */
    const request_t cross_site = {
        .authorization = "Bearer " SETUP_SECRET, .origin = "http://evil.example", .body = "device_name=X"};
    assert_int_equal(http(HTTP_POST, "/config", &cross_site), 403);
    assert_string_equal(fake_nvs_committed(NVS_CONFIG_ADAPTER_NAMESPACE, NVS_CONFIG_ADAPTER_KEY_NAME),
                        "Riego Este");
    mqtt_event(MQTT_EVENT_PUBLISHED, 1, NULL); /* the registrations the changes sent */
    static const char *const tags[] = {LOG_EVENT_SINK_TAG, "http_adapter"};
    assert_lines_checked(tags, sizeof(tags) / sizeof(tags[0]));
}

static void test_a_factory_reset_and_provisioning_again_log_no_secret(void **state)
{
    (void)state;
    boot_registered();
    post_event(APP_EVENT_FACTORY_RESET); /* the reset button's long press */
    assert_int_equal(fake_esp_wifi_flash_config(WIFI_IF_STA)->sta.ssid[0], 0); /* forgotten */
    assert_int_equal(fake_esp_wifi_state()->mode, WIFI_MODE_APSTA);
    assert_string_equal((const char *)fake_esp_wifi_config(WIFI_IF_AP)->ap.password, SETUP_SECRET);
    assert_int_equal(post_form("/provision", "setup_secret=" SETUP_SECRET "&ssid=" FARM_SSID_FORM
                                             "&password=" WIFI_PASSWORD_FORM),
                     200);
    station_attempts();
    wifi_got_ip();
    assert_int_equal(mqtt_state(), MQTT_CONNECTION_CONNECTING);
    mqtt_event(MQTT_EVENT_CONNECTED, 0, NULL);
    mqtt_event(MQTT_EVENT_PUBLISHED, 1, NULL);
    assert_int_equal(mqtt_state(), MQTT_CONNECTION_REGISTERED);
    static const char *const tags[] = {LOG_EVENT_SINK_TAG, "wifi_adapter"};
    assert_lines_checked(tags, sizeof(tags) / sizeof(tags[0]));
}

static void test_failures_on_the_way_log_no_secret(void **state)
{
    (void)state;
    boot_unprovisioned();
    const char *form = "ssid=" FARM_SSID_FORM "&password=" WIFI_PASSWORD_FORM;
    /* the driver refuses the station config */
    fake_esp_wifi_set_error(FAKE_WIFI_FN_SET_CONFIG, ESP_ERR_WIFI_PASSWORD);
    assert_int_equal(post("/provision", "Bearer " SETUP_SECRET, form), 500);
    fake_esp_wifi_set_error(FAKE_WIFI_FN_SET_CONFIG, ESP_OK);
    /* a client that stops in the middle of its body */
    const request_t cut = {.authorization = "Basic " BASIC_CREDENTIAL, .body = form, .sent_len = 12};
    (void)http(HTTP_POST, "/provision", &cut);
    /* a body over the limit */
    static char big[HTTP_API_MAX_BODY + 64];
    memset(big, 'x', sizeof(big) - 1);
    memcpy(big, "setup_secret=" SETUP_SECRET "&password=" WIFI_PASSWORD_FORM "&device_name=",
           strlen("setup_secret=" SETUP_SECRET "&password=" WIFI_PASSWORD_FORM "&device_name="));
    assert_int_equal(post("/provision", NULL, big), 413);
    /* the station cannot connect at all, then the network is out of range */
    assert_int_equal(post("/provision", "Bearer " SETUP_SECRET, form), 200);
    fake_esp_wifi_set_error(FAKE_WIFI_FN_CONNECT, ESP_ERR_WIFI_NOT_STARTED);
    (void)fire(APP_TIMER_LINK);
    fake_esp_wifi_set_error(FAKE_WIFI_FN_CONNECT, ESP_OK);
    station_attempts();
    wifi_disconnected(201); /* no AP found */
    static const char *const tags[] = {LOG_EVENT_SINK_TAG, "wifi_adapter", "http_adapter"};
    assert_lines_checked(tags, sizeof(tags) / sizeof(tags[0]));
}

static void test_a_secret_created_at_first_boot_and_its_use_log_no_secret(void **state)
{
    (void)state;
    /* a board flashed without a secret and without per-device MQTT credentials */
    fake_nvs_reset();
    fake_nvs_add_partition(PROVISION_STORE_PARTITION);
    fake_esp_random_set(0xa5c3e1f7u); /* the hardware RNG's draw */
    boot_unprovisioned();
    const char *secret = dev.settings.security.setup_secret;
    assert_true(setup_secret_is_canonical(secret));
    assert_string_not_equal(secret, SETUP_SECRET);
    assert_string_equal(fake_esp_mqtt_settings()->password, FLEET_PASSWORD);
    char authorization[sizeof("Bearer ") + SETUP_SECRET_LEN];
    (void)snprintf(authorization, sizeof(authorization), "Bearer %s", secret);
    assert_int_equal(
        post("/provision", authorization, "ssid=" FARM_SSID_FORM "&password=" WIFI_PASSWORD_FORM), 200);
    station_attempts();
    wifi_got_ip();
    broker_refuses(CONNACK_BAD_CREDENTIALS);
    static const char *const tags[] = {LOG_EVENT_SINK_TAG, "provision_store", "wifi_adapter", "mqtt_ws"};
    assert_lines_checked(tags, sizeof(tags) / sizeof(tags[0]));
}

/* The check itself: a secret in a line is found in every spelling, through the real ESP_LOG path. */
static void test_the_check_finds_a_secret_in_any_spelling(void **state)
{
    (void)state;
    static const char *const planted[] = {
        "secret " SETUP_SECRET,         "typed as 7k3m 9qxd 2f4h 8rtv", "dashed 7K3M-9QXD-2F4H-8RTV",
        "auth Basic " BASIC_CREDENTIAL, "wifi pass=" WIFI_PASSWORD,     "body password=" WIFI_PASSWORD_FORM,
        "mqtt " MQTT_PASSWORD,          "attempt " WRONG_SECRET,
    };
    for (size_t i = 0; i < sizeof(planted) / sizeof(planted[0]); i++) {
        ESP_LOGI("planted", "%s", planted[i]);
        assert_non_null(log_secret_scan_find(fake_esp_log_last()->message));
    }
    ESP_LOGI("planted", "state connecting -> registered, ssid " FARM_SSID ", ip " STA_IP_TEXT);
    assert_null(log_secret_scan_find(fake_esp_log_last()->message));
}

/* Every test starts from a fresh device (setup) and stops its HTTP server (teardown). */
#define DEVICE_TEST(test) cmocka_unit_test_setup_teardown(test, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        DEVICE_TEST(test_provisioning_with_wrong_secrets_and_a_wrong_wifi_password_logs_no_secret),
        DEVICE_TEST(test_an_mqtt_session_with_credentials_refused_then_accepted_and_a_shutdown_log_no_secret),
        DEVICE_TEST(test_config_changes_with_the_secret_in_each_form_and_a_wrong_one_log_no_secret),
        DEVICE_TEST(test_a_factory_reset_and_provisioning_again_log_no_secret),
        DEVICE_TEST(test_failures_on_the_way_log_no_secret),
        DEVICE_TEST(test_a_secret_created_at_first_boot_and_its_use_log_no_secret),
        DEVICE_TEST(test_the_check_finds_a_secret_in_any_spelling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
