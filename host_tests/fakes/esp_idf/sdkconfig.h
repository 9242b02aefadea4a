/*
 * Fake sdkconfig.h for host tests: the CONFIG_ values the ESP-IDF adapters and the fakes read, set the way
 * the tests want them (power management on, so the esp_pm path is exercised). Adapters that need another
 * entry ask the owner of this file (the esp-net helper's list) rather than defining it locally.
 */
#ifndef FAKE_SDKCONFIG_H
#define FAKE_SDKCONFIG_H

#define CONFIG_IDF_TARGET       "esp32"
#define CONFIG_IDF_TARGET_ESP32 1

/* esp_pm: automatic light sleep is compiled in. */
#define CONFIG_PM_ENABLE                  1
#define CONFIG_FREERTOS_USE_TICKLESS_IDLE 1
#define CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ   160
#define CONFIG_XTAL_FREQ                  40

/* lwIP: sdkconfig.defaults raises the socket count from 10 to 16 (esp_http_server checks against it). */
#define CONFIG_LWIP_MAX_SOCKETS 16

/* esp_http_server */
#define CONFIG_HTTPD_MAX_REQ_HDR_LEN 1024
#define CONFIG_HTTPD_MAX_URI_LEN     512

/* Task watchdog as sdkconfig.defaults sets it (enabled, started at boot, 30 s). A test target may define
 * FAKE_SDKCONFIG_TASK_WDT_OFF (CONFIG_ESP_TASK_WDT_EN=n) or FAKE_SDKCONFIG_TASK_WDT_NO_INIT
 * (CONFIG_ESP_TASK_WDT_INIT=n, whose dependants, e.g. the timeout, are then absent too) to build an adapter
 * as those configurations would. */
#ifndef FAKE_SDKCONFIG_TASK_WDT_OFF
#define CONFIG_ESP_TASK_WDT_EN 1
#ifndef FAKE_SDKCONFIG_TASK_WDT_NO_INIT
#define CONFIG_ESP_TASK_WDT_INIT      1
#define CONFIG_ESP_TASK_WDT_TIMEOUT_S 30
#endif
#endif

/* WiFi: WPA3 (SAE) for the SoftAP, the v5.4.2 default on every target (esp_wifi Kconfig). */
#define CONFIG_ESP_WIFI_ENABLE_WPA3_SAE    1
#define CONFIG_ESP_WIFI_SOFTAP_SAE_SUPPORT 1

#endif /* FAKE_SDKCONFIG_H */
