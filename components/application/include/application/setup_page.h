/*
 * setup_page: the pages a technician sees on a phone while the node is in provisioning mode: the setup
 * form (GET /) and the answer to an accepted form without JavaScript (POST /provision), in Spanish (the
 * default: the users are Colombian farm technicians) or English.
 *
 * The form works without JavaScript (a plain POST to /provision with the setup secret as the form field
 * setup_secret); one small inline script improves it: it fills the network list from GET /scan through the
 * DOM (an SSID never becomes markup), posts the form with fetch and "Authorization: Bearer <secret>" (the
 * secret as printed on the label, normalised: no spaces or hyphens, upper case), and shows the answer on
 * the page. Every text that comes from outside (the access point name, a submitted SSID) is HTML-escaped.
 *
 * Pure functions over caller-owned buffers; called by http_api on the HTTP server's task. Each page must
 * fit HTTP_API_RESPONSE_MAX (host_tests/unit/application/test_setup_page.c checks the sizes).
 */
#ifndef APPLICATION_SETUP_PAGE_H
#define APPLICATION_SETUP_PAGE_H

#include <stddef.h>

#include "application/app_status.h"

typedef enum {
    SETUP_PAGE_LANG_ES = 0, /* the default */
    SETUP_PAGE_LANG_EN,
    SETUP_PAGE_LANG_COUNT
} setup_page_lang_t;

/* The page's language: `lang=es` or `lang=en` in query (the request's query string, without '?'; NULL
 * when none) wins; else the Accept-Language header (NULL when absent): the es* or en* range with the
 * highest q-value (the first one on a tie; q=0 excludes it); else Spanish. */
setup_page_lang_t setup_page_pick_lang(const char *query, const char *accept_language);

/* The setup form, named after the access point ap_ssid. APP_ERR_BUFFER_TOO_SMALL (out emptied) when it
 * does not fit size bytes with its NUL; *len gets the length without the NUL (len may be NULL). */
app_err_t setup_page_render_form(const char *ap_ssid, setup_page_lang_t lang, char *out, size_t size,
                                 size_t *len);

/* The answer to an accepted form posted without JavaScript: the node now joins ssid. As above. */
app_err_t setup_page_render_saved(const char *ssid, setup_page_lang_t lang, char *out, size_t size,
                                  size_t *len);

/* The text/plain body of the 401 answer of POST /provision: one line, Spanish then English, ASCII only
 * (a text/plain answer without a charset must read the same in every browser). */
const char *setup_page_unauthorized_text(void);

#endif
