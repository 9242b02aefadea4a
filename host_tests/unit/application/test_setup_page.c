/* setup_page: the language pick, both languages' texts, escaping, and that each page fits the HTTP response.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "application/http_api.h"
#include "application/setup_page.h"

#define AP_NAME "Riego-Setup-8E01"
/* The longest access point name the settings allow: a 27-byte prefix, '-' and four hex digits. */
#define LONGEST_AP_NAME "Riego-Setup-Finca-Esperanza-8E01"
#define PAGE_MAX        4096

static const setup_page_lang_t LANGS[] = {SETUP_PAGE_LANG_ES, SETUP_PAGE_LANG_EN};

static bool contains(const char *page, const char *text)
{
    return strstr(page, text) != NULL;
}

static size_t count(const char *page, const char *text)
{
    size_t n = 0;
    for (const char *p = strstr(page, text); p != NULL; p = strstr(p + 1, text)) {
        n++;
    }
    return n;
}

static size_t render_form(const char *ap_ssid, setup_page_lang_t lang, char *out)
{
    size_t len = 0;
    assert_int_equal(setup_page_render_form(ap_ssid, lang, out, PAGE_MAX, &len), APP_OK);
    assert_int_equal(len, strlen(out));
    return len;
}

static size_t render_saved(const char *ssid, setup_page_lang_t lang, char *out)
{
    size_t len = 0;
    assert_int_equal(setup_page_render_saved(ssid, lang, out, PAGE_MAX, &len), APP_OK);
    assert_int_equal(len, strlen(out));
    return len;
}

/* ---- language -------------------------------------------------------------------------------------- */

typedef struct {
    const char *query;
    const char *accept_language;
    setup_page_lang_t expected;
} lang_case_t;

static void test_the_query_chooses_the_language_before_the_header(void **state)
{
    (void)state;
    static const lang_case_t cases[] = {
        {"lang=en", NULL, SETUP_PAGE_LANG_EN},
        {"lang=es", "en-US,en;q=0.9", SETUP_PAGE_LANG_ES},
        {"lang=en", "es-CO", SETUP_PAGE_LANG_EN},
        {"x=1&lang=en", NULL, SETUP_PAGE_LANG_EN},
        {"lang=en&x=1", NULL, SETUP_PAGE_LANG_EN},
        {"lang=fr", "en", SETUP_PAGE_LANG_EN},      /* an unknown value: the header decides */
        {"lang=english", NULL, SETUP_PAGE_LANG_ES}, /* the exact value only */
        {"slang=en", NULL, SETUP_PAGE_LANG_ES},
        {"", "en", SETUP_PAGE_LANG_EN},
        {NULL, NULL, SETUP_PAGE_LANG_ES},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("query %s, Accept-Language %s\n", cases[i].query ? cases[i].query : "(none)",
                      cases[i].accept_language ? cases[i].accept_language : "(none)");
        assert_int_equal(setup_page_pick_lang(cases[i].query, cases[i].accept_language), cases[i].expected);
    }
}

static void test_accept_language_gives_the_preferred_of_spanish_and_english(void **state)
{
    (void)state;
    static const lang_case_t cases[] = {
        {NULL, "en-US,en;q=0.9,es;q=0.8", SETUP_PAGE_LANG_EN},
        {NULL, "es-CO,es;q=0.9,en;q=0.8", SETUP_PAGE_LANG_ES},
        {NULL, "fr-FR,fr;q=0.9,en-GB;q=0.8", SETUP_PAGE_LANG_EN}, /* the first supported one */
        {NULL, "en;q=0.5, es;q=0.7", SETUP_PAGE_LANG_ES},         /* by q-value, not by order */
        {NULL, "es;q=0.8,en;q=0.8", SETUP_PAGE_LANG_ES},          /* a tie: the first */
        {NULL, "en;q=0.8,es;q=0.8", SETUP_PAGE_LANG_EN},
        {NULL, "es;q=0,en;q=0.1", SETUP_PAGE_LANG_EN}, /* q=0: not acceptable */
        {NULL, "en;q=0", SETUP_PAGE_LANG_ES},
        {NULL, "en;q=1.0", SETUP_PAGE_LANG_EN},
        {NULL, "EN-gb", SETUP_PAGE_LANG_EN}, /* ranges are case-insensitive */
        {NULL, "  en-US ; q=0.9", SETUP_PAGE_LANG_EN},
        {NULL, "eng,enx", SETUP_PAGE_LANG_ES},  /* other languages that only start with "en" */
        {NULL, "de-DE,de", SETUP_PAGE_LANG_ES}, /* neither: Spanish */
        {NULL, "*", SETUP_PAGE_LANG_ES},
        {NULL, "", SETUP_PAGE_LANG_ES},
        {NULL, ",,;", SETUP_PAGE_LANG_ES},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("Accept-Language %s\n", cases[i].accept_language);
        assert_int_equal(setup_page_pick_lang(cases[i].query, cases[i].accept_language), cases[i].expected);
    }
}

/* ---- the form page ---------------------------------------------------------------------------------- */

static void test_the_form_has_every_field_in_both_languages(void **state)
{
    (void)state;
    char page[PAGE_MAX];
    for (size_t i = 0; i < sizeof(LANGS) / sizeof(LANGS[0]); i++) {
        render_form(AP_NAME, LANGS[i], page);
        assert_true(contains(page, "<!DOCTYPE html>"));
        assert_true(contains(page, "<meta name=\"viewport\" content=\"width=device-width\">"));
        assert_true(contains(page, "<meta charset=\"utf-8\">"));
        assert_true(contains(page, "<h1>" AP_NAME "</h1>"));
        assert_true(contains(page, "<input name=\"ssid\" required"));
        assert_true(contains(page, "<input name=\"password\" type=\"password\">"));
        assert_true(contains(page, "<input name=\"device_name\">"));
        assert_true(contains(page, "<input name=\"location_description\">"));
        assert_true(
            contains(page, "<input name=\"setup_secret\" required placeholder=\"XXXX XXXX XXXX XXXX\">"));
        assert_true(contains(page, "<select hidden></select>")); /* shown by the script only */
        assert_true(contains(page, "<form method=\"post\""));
        /* The script: the list from /scan, through the DOM; the normalised secret as a bearer token. */
        assert_int_equal(count(page, "<script>"), 1);
        assert_true(contains(page, "fetch('/scan')"));
        assert_true(contains(page, "new Option(x.ssid)"));
        assert_false(contains(page, "innerHTML"));
        assert_true(contains(page, "Authorization:'Bearer '+k"));
        assert_true(contains(page, "replace(/[\\s-]/g,'').toUpperCase()"));
        assert_true(contains(page, "b.delete('setup_secret')"));
        assert_true(contains(page, "</html>"));
    }
}

/* Each language's texts, as they must appear in its form page; `foreign` is the other language's button. */
typedef struct {
    setup_page_lang_t lang;
    const char *foreign;
    const char *texts[16];
} form_texts_t;

static const form_texts_t FORM_TEXTS[] = {
    {SETUP_PAGE_LANG_ES,
     "Save",
     {"<html lang=\"es\">", "<title>Configurar equipo de riego</title>", ">Red WiFi de la finca<",
      ">Clave de la red WiFi<", ">Nombre del equipo<", ">Ubicación (lote, sector)<", ">Clave de la etiqueta<",
      "<button>Guardar</button>", "data-o=\"Otra red (escribirla)\"",
      "data-k=\"Guardado: el equipo se conecta a «#».", "data-x=\"Clave de la etiqueta incorrecta.\"",
      "data-b=\"Revise los datos:\"", "data-y=\"Sin respuesta: intente otra vez.\"",
      "action=\"/provision?lang=es\"", "<a href=\"?lang=en\">English</a>", NULL}},
    {SETUP_PAGE_LANG_EN,
     "Guardar",
     {"<html lang=\"en\">", "<title>Irrigation node setup</title>", ">Farm WiFi network<", ">WiFi password<",
      ">Device name<", ">Location (plot, area)<", ">Password on the label<", "<button>Save</button>",
      "data-o=\"Other network (type it)\"", "data-k=\"Saved: the device is joining “#”.",
      "data-x=\"Wrong password from the label.\"", "data-b=\"Check the form:\"",
      "data-y=\"No answer: try again.\"", "action=\"/provision?lang=en\"", "<a href=\"?lang=es\">Español</a>",
      NULL}},
};

static void test_each_language_has_its_texts_and_links_to_the_other(void **state)
{
    (void)state;
    char page[PAGE_MAX];
    for (size_t i = 0; i < sizeof(FORM_TEXTS) / sizeof(FORM_TEXTS[0]); i++) {
        render_form(AP_NAME, FORM_TEXTS[i].lang, page);
        for (const char *const *text = FORM_TEXTS[i].texts; *text != NULL; text++) {
            print_message("%s\n", *text);
            assert_true(contains(page, *text));
        }
        assert_false(contains(page, FORM_TEXTS[i].foreign));
    }
}

static void test_a_language_out_of_range_gives_the_spanish_page(void **state)
{
    (void)state;
    char spanish[PAGE_MAX];
    char other[PAGE_MAX];
    render_form(AP_NAME, SETUP_PAGE_LANG_ES, spanish);
    render_form(AP_NAME, SETUP_PAGE_LANG_COUNT, other);
    assert_string_equal(other, spanish);
    render_saved("Finca", SETUP_PAGE_LANG_ES, spanish);
    render_saved("Finca", (setup_page_lang_t)99, other);
    assert_string_equal(other, spanish);
}

static void test_the_access_point_name_is_escaped(void **state)
{
    (void)state;
    char page[PAGE_MAX];
    render_form("<script>&\"'-8E01", SETUP_PAGE_LANG_ES, page);
    assert_true(contains(page, "<h1>&lt;script&gt;&amp;&quot;&#39;-8E01</h1>"));
    assert_int_equal(count(page, "<script>"), 1); /* the page's own script only */
}

/* ---- the answer page -------------------------------------------------------------------------------- */

static void test_the_saved_page_names_the_network_in_both_languages(void **state)
{
    (void)state;
    char page[PAGE_MAX];
    render_saved("Finca-Riego", SETUP_PAGE_LANG_ES, page);
    assert_true(contains(page, "<html lang=\"es\">"));
    assert_true(contains(page, "<h1>Guardado</h1>"));
    assert_true(contains(page, "El equipo se conecta a <b>Finca-Riego</b>."));
    assert_true(contains(page, "</p><a href=\"/?lang=es\">Volver al formulario</a>"));
    assert_true(contains(page, "<meta name=\"viewport\""));
    render_saved("Finca-Riego", SETUP_PAGE_LANG_EN, page);
    assert_true(contains(page, "<html lang=\"en\">"));
    assert_true(contains(page, "<h1>Saved</h1>"));
    assert_true(contains(page, "The device is joining <b>Finca-Riego</b>."));
    assert_true(contains(page, "</p><a href=\"/?lang=en\">Back to the form</a>"));
}

static void test_the_saved_page_escapes_the_network_name(void **state)
{
    (void)state;
    char page[PAGE_MAX];
    render_saved("Tienda \"La Esquina\" <b>&'", SETUP_PAGE_LANG_ES, page);
    assert_true(contains(page, "<b>Tienda &quot;La Esquina&quot; &lt;b&gt;&amp;&#39;</b>"));
}

static void test_the_unauthorized_text_is_one_ascii_line_in_both_languages(void **state)
{
    (void)state;
    const char *text = setup_page_unauthorized_text();
    assert_non_null(text);
    assert_true(strlen(text) > 0);
    for (const char *p = text; *p != '\0'; p++) {
        assert_true(*p >= 0x20 && *p < 0x7F); /* no newline, no byte a charset could change */
    }
    assert_true(contains(text, "Falta la clave de la etiqueta"));
    assert_true(contains(text, "The password on the device's label is missing or wrong"));
}

/* ---- sizes ------------------------------------------------------------------------------------------- */

static void test_a_buffer_one_byte_short_is_refused_and_emptied(void **state)
{
    (void)state;
    char page[PAGE_MAX];
    char small[PAGE_MAX];
    for (size_t i = 0; i < sizeof(LANGS) / sizeof(LANGS[0]); i++) {
        size_t need = render_form(AP_NAME, LANGS[i], page) + 1;
        size_t len = 7;
        memset(small, 'x', sizeof(small));
        assert_int_equal(setup_page_render_form(AP_NAME, LANGS[i], small, need - 1, &len),
                         APP_ERR_BUFFER_TOO_SMALL);
        assert_string_equal(small, "");
        assert_int_equal(len, 7); /* untouched */
        assert_int_equal(setup_page_render_form(AP_NAME, LANGS[i], small, need, &len), APP_OK);
        assert_string_equal(small, page);

        need = render_saved("Finca", LANGS[i], page) + 1;
        assert_int_equal(setup_page_render_saved("Finca", LANGS[i], small, need - 1, NULL),
                         APP_ERR_BUFFER_TOO_SMALL);
        assert_string_equal(small, "");
        assert_int_equal(setup_page_render_saved("Finca", LANGS[i], small, need, NULL), APP_OK);
        assert_string_equal(small, page);
        assert_int_equal(setup_page_render_saved("Finca", LANGS[i], small, 1, NULL),
                         APP_ERR_BUFFER_TOO_SMALL);
    }
}

static void test_bad_arguments_are_refused(void **state)
{
    (void)state;
    char page[64];
    assert_int_equal(setup_page_render_form(NULL, SETUP_PAGE_LANG_ES, page, sizeof(page), NULL),
                     APP_ERR_INVALID_ARG);
    assert_int_equal(setup_page_render_form(AP_NAME, SETUP_PAGE_LANG_ES, NULL, sizeof(page), NULL),
                     APP_ERR_INVALID_ARG);
    assert_int_equal(setup_page_render_form(AP_NAME, SETUP_PAGE_LANG_ES, page, 0, NULL), APP_ERR_INVALID_ARG);
    assert_int_equal(setup_page_render_saved(NULL, SETUP_PAGE_LANG_ES, page, sizeof(page), NULL),
                     APP_ERR_INVALID_ARG);
    assert_int_equal(setup_page_render_saved("Finca", SETUP_PAGE_LANG_ES, NULL, sizeof(page), NULL),
                     APP_ERR_INVALID_ARG);
    assert_int_equal(setup_page_render_saved("Finca", SETUP_PAGE_LANG_ES, page, 0, NULL),
                     APP_ERR_INVALID_ARG);
}

/* Every page must fit the HTTP response buffer with its NUL: with the longest access point name the
 * settings allow (plain characters) and with the longest SSID made of characters that escape to 6 bytes. */
static void test_each_page_fits_the_http_response_buffer(void **state)
{
    (void)state;
    char page[PAGE_MAX];
    char worst_ssid[33];
    memset(worst_ssid, '"', 32);
    worst_ssid[32] = '\0';
    assert_int_equal(strlen(LONGEST_AP_NAME) - strlen("-8E01"), 27);
    for (size_t i = 0; i < sizeof(LANGS) / sizeof(LANGS[0]); i++) {
        const char *code = LANGS[i] == SETUP_PAGE_LANG_ES ? "es" : "en";
        const size_t form = render_form(AP_NAME, LANGS[i], page);
        const size_t longest_form = render_form(LONGEST_AP_NAME, LANGS[i], page);
        const size_t saved = render_saved("Finca-Riego", LANGS[i], page);
        const size_t worst_saved = render_saved(worst_ssid, LANGS[i], page);
        print_message("setup page %s: form %zu bytes (%zu with the longest access point name), saved %zu "
                      "(%zu with the worst SSID); buffer %d\n",
                      code, form, longest_form, saved, worst_saved, HTTP_API_RESPONSE_MAX);
        assert_true(longest_form + 1 <= HTTP_API_RESPONSE_MAX);
        assert_true(worst_saved + 1 <= HTTP_API_RESPONSE_MAX);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_query_chooses_the_language_before_the_header),
        cmocka_unit_test(test_accept_language_gives_the_preferred_of_spanish_and_english),
        cmocka_unit_test(test_the_form_has_every_field_in_both_languages),
        cmocka_unit_test(test_each_language_has_its_texts_and_links_to_the_other),
        cmocka_unit_test(test_a_language_out_of_range_gives_the_spanish_page),
        cmocka_unit_test(test_the_access_point_name_is_escaped),
        cmocka_unit_test(test_the_saved_page_names_the_network_in_both_languages),
        cmocka_unit_test(test_the_saved_page_escapes_the_network_name),
        cmocka_unit_test(test_the_unauthorized_text_is_one_ascii_line_in_both_languages),
        cmocka_unit_test(test_a_buffer_one_byte_short_is_refused_and_emptied),
        cmocka_unit_test(test_bad_arguments_are_refused),
        cmocka_unit_test(test_each_page_fits_the_http_response_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
