/* setup_page: see the header. */
#include "application/setup_page.h"

#include <stdio.h>
#include <string.h>

#include "application/ports/wifi_station_port.h"

/* An escaped SSID: every byte may become a 6-byte entity. */
#define ESCAPED_SSID_MAX (WIFI_STATION_SSID_MAX_BYTES * 6 + 1)

/* Writes text into out with &, <, >, " and ' escaped; always NUL-terminated, cut at a whole entity. */
static void html_escape(const char *text, char *out, size_t out_size)
{
    size_t o = 0;
    for (const char *p = text; *p != '\0'; p++) {
        const char *rep = NULL;
        switch (*p) {
            case '&':
                rep = "&amp;";
                break;
            case '<':
                rep = "&lt;";
                break;
            case '>':
                rep = "&gt;";
                break;
            case '"':
                rep = "&quot;";
                break;
            case '\'':
                rep = "&#39;";
                break;
            default:
                break;
        }
        size_t n = rep != NULL ? strlen(rep) : 1;
        if (o + n + 1 > out_size) {
            break;
        }
        if (rep != NULL) {
            memcpy(out + o, rep, n);
        } else {
            out[o] = *p;
        }
        o += n;
    }
    if (out_size > 0) {
        out[o] = '\0';
    }
}

static const char PAGE_HEAD[] =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>";
static const char PAGE_FORM[] =
    "</h1><form method=\"post\" action=\"/provision\">"
    "<p><label>WiFi network<br><input name=\"ssid\" list=\"networks\" maxlength=\"32\" required></label>"
    "<datalist id=\"networks\"></datalist></p>"
    "<p><label>Password<br><input name=\"password\" type=\"password\" maxlength=\"64\"></label></p>"
    "<p><label>Device name<br><input name=\"device_name\" maxlength=\"100\"></label></p>"
    "<p><label>Location<br><input name=\"location_description\" maxlength=\"250\"></label></p>"
    "<p><button type=\"submit\">Save</button></p></form>"
    "<script>fetch('/scan').then(function(r){return r.json();}).then(function(l){"
    "var d=document.getElementById('networks');l.forEach(function(n){"
    "var o=document.createElement('option');o.value=n.ssid;d.appendChild(o);});}).catch(function(){});"
    "</script></body></html>";

static app_err_t finish(int n, size_t out_size, char *out, size_t *out_len)
{
    if (n < 0 || (size_t)n >= out_size) {
        if (out_size > 0) {
            out[0] = '\0';
        }
        return APP_ERR_BUFFER_TOO_SMALL;
    }
    if (out_len != NULL) {
        *out_len = (size_t)n;
    }
    return APP_OK;
}

app_err_t setup_page_render_form(const char *ap_ssid, char *out, size_t out_size, size_t *out_len)
{
    if (ap_ssid == NULL || out == NULL || out_size == 0) {
        return APP_ERR_INVALID_ARG;
    }
    char title[ESCAPED_SSID_MAX];
    html_escape(ap_ssid, title, sizeof(title));
    const int n =
        snprintf(out, out_size, "%s%s</title></head><body><h1>%s%s", PAGE_HEAD, title, title, PAGE_FORM);
    return finish(n, out_size, out, out_len);
}

app_err_t setup_page_render_saved(const char *ssid, char *out, size_t out_size, size_t *out_len)
{
    if (ssid == NULL || out == NULL || out_size == 0) {
        return APP_ERR_INVALID_ARG;
    }
    char ssid_html[ESCAPED_SSID_MAX];
    html_escape(ssid, ssid_html, sizeof(ssid_html));
    const int n =
        snprintf(out, out_size,
                 "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Saved</title></head><body>"
                 "<p>Saved. The device is joining <b>%s</b>. This access point closes once it is connected; "
                 "if it stays, the network or password was wrong: send the form again.</p></body></html>",
                 ssid_html);
    return finish(n, out_size, out, out_len);
}
