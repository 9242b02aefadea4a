/* setup_page: see the header. */
#include "application/setup_page.h"

#include <stdbool.h>
#include <string.h>

/* The texts of one language; the markup around them is written once, below. They are constants of this
 * file and go into the page as they are: none holds a '"', and only saved_before/after hold markup. */
typedef struct {
    const char *code;       /* <html lang> and the form's ?lang= */
    const char *other_code; /* the link to the other language */
    const char *other_name;
    const char *title;
    /* the list filled from /scan; without JavaScript, the typed name field below it */
    const char *network;
    const char *other;    /* the list's last entry: a network that is not listed (hidden) */
    const char *password; /* the farm network's password */
    const char *device_name;
    const char *location;
    const char *secret; /* the setup secret, printed on the device's label */
    const char *save;
    /* the script's answers; '#' in saved is the network's name */
    const char *saved;
    const char *wrong_secret;
    const char *check;
    const char *busy;
    const char *saved_title; /* the answer page without JavaScript */
    const char *saved_before;
    const char *saved_after;
    const char *back;
} page_texts_t;

static const page_texts_t TEXTS[SETUP_PAGE_LANG_COUNT] = {
    [SETUP_PAGE_LANG_ES] =
        {
            .code = "es",
            .other_code = "en",
            .other_name = "English",
            .title = "Configurar equipo de riego",
            .network = "Red WiFi de la finca",
            .other = "Otra red (escribirla)",
            .password = "Clave de la red WiFi",
            .device_name = "Nombre del equipo",
            .location = "Ubicación (lote, sector)",
            .secret = "Clave de la etiqueta",
            .save = "Guardar",
            .saved =
                "Guardado: el equipo se conecta a «#». Si esta red sigue abierta en un minuto, revise la "
                "clave WiFi.",
            .wrong_secret = "Clave de la etiqueta incorrecta.",
            .check = "Revise los datos:",
            .busy = "Sin respuesta: intente otra vez.",
            .saved_title = "Guardado",
            .saved_before = "El equipo se conecta a <b>",
            .saved_after =
                "</b>. Esta red de configuración se cierra cuando lo logra; si sigue abierta en un "
                "minuto, la red o la clave estaban mal.",
            .back = "Volver al formulario",
        },
    [SETUP_PAGE_LANG_EN] =
        {
            .code = "en",
            .other_code = "es",
            .other_name = "Español",
            .title = "Irrigation node setup",
            .network = "Farm WiFi network",
            .other = "Other network (type it)",
            .password = "WiFi password",
            .device_name = "Device name",
            .location = "Location (plot, area)",
            .secret = "Password on the label",
            .save = "Save",
            .saved =
                "Saved: the device is joining “#”. If this network is still there in a minute, check the "
                "WiFi password.",
            .wrong_secret = "Wrong password from the label.",
            .check = "Check the form:",
            .busy = "No answer: try again.",
            .saved_title = "Saved",
            .saved_before = "The device is joining <b>",
            .saved_after = "</b>. This setup network closes once it is connected; if it is still there in a "
                           "minute, the network or its password was wrong.",
            .back = "Back to the form",
        },
};

static const char PAGE_HEAD[] = "<!DOCTYPE html><html lang=\"";
static const char PAGE_META[] =
    "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
    "<style>body{font:18px sans-serif;padding:0 1em;max-width:30em}h1{font-size:1.5em}"
    "label,button,a{display:block;margin-top:1em}"
    "input,select,button,a{width:100%;box-sizing:border-box;font:inherit;min-height:48px}"
    "button{background:#1b6e3a;color:#fff;border:0}output{font-weight:bold}</style>";

/* The script (ES2015, what every phone browser with fetch has): the list from /scan (strongest first, as
 * /scan sorts it; each name once; hidden networks' empty names left out; a last entry for a network that is
 * not listed, which shows the typed name field again; a name typed while /scan ran is kept), then the form
 * posted with the normalised secret as a bearer token (as printed on the label, without its spaces or
 * hyphens, in upper case). Answers: 200 saved, 401 wrong secret, 400 the server's reason, anything else (or
 * none) busy. Without the list (no script, or /scan failed) the typed name is the way to give the network.
 * f[0] is the list (the form's first control), the <output> the answer line; the texts are the form's data-
 * attributes. */
static const char PAGE_SCRIPT[] =
    "<script>const f=document.forms[0],d=f.dataset,n=f[0],s=f.ssid,h=new Set,"
    "pick=()=>{s.value=n.value;(s.hidden=!!n.value)||s.focus()};"
    "fetch('/scan').then(r=>r.json()).then(l=>{for(const x of l)if(x.ssid&&!h.has(x.ssid)){h.add(x.ssid);"
    "n.add(new Option(x.ssid))}n.add(new "
    "Option(d.o,''));n.hidden=0;s.value?n.value='':pick()});n.onchange=pick;"
    "f.onsubmit=e=>{e.preventDefault();const b=new URLSearchParams(new FormData(f)),"
    "k=b.get('setup_secret').replace(/[\\s-]/g,'').toUpperCase();b.delete('setup_secret');"
    "fetch(f.action,{method:'POST',headers:{Authorization:'Bearer '+k},body:b}).then(r=>r.text().then(t=>{"
    "const c=r.status;f.m.value=c==200?d.k.split('#').join(b.get('ssid')):c==401?d.x:c==400?d.b+' '+t:d.y}),"
    "()=>f.m.value=d.y)}</script>";

/* Appends to a caller's buffer; once something does not fit, nothing more is written and the page is
 * refused as a whole (never a cut page). */
typedef struct {
    char *out;
    size_t size;
    size_t len;
    bool overflow;
} page_writer_t;

static void put_bytes(page_writer_t *w, const char *bytes, size_t n)
{
    if (w->overflow || n >= w->size - w->len) {
        w->overflow = true;
        return;
    }
    memcpy(w->out + w->len, bytes, n);
    w->len += n;
    w->out[w->len] = '\0';
}

static void put(page_writer_t *w, const char *text)
{
    put_bytes(w, text, strlen(text));
}

/* Outside text with &, <, >, " and ' escaped, so it is text in an element or an attribute value. */
static void put_escaped(page_writer_t *w, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        switch (*p) {
            case '&':
                put(w, "&amp;");
                break;
            case '<':
                put(w, "&lt;");
                break;
            case '>':
                put(w, "&gt;");
                break;
            case '"':
                put(w, "&quot;");
                break;
            case '\'':
                put(w, "&#39;");
                break;
            default:
                put_bytes(w, p, 1);
                break;
        }
    }
}

/* A labelled input: the label wraps it, so the whole line is a touch target. */
static void put_field(page_writer_t *w, const char *label, const char *input_attributes)
{
    put(w, "<label>");
    put(w, label);
    put(w, "<input ");
    put(w, input_attributes);
    put(w, "></label>");
}

static void put_data(page_writer_t *w, const char *name, const char *value)
{
    put(w, " data-");
    put(w, name);
    put(w, "=\"");
    put(w, value);
    put(w, "\"");
}

/* Everything up to the page's <h1>; the title is one of the texts above. */
static void begin_page(page_writer_t *w, char *out, size_t size, const page_texts_t *t, const char *title)
{
    w->out = out;
    w->size = size;
    w->len = 0;
    w->overflow = false;
    out[0] = '\0';
    put(w, PAGE_HEAD);
    put(w, t->code);
    put(w, PAGE_META);
    put(w, "<title>");
    put(w, title);
    put(w, "</title></head><body><h1>");
}

static app_err_t end_page(page_writer_t *w, size_t *len)
{
    if (w->overflow) {
        w->out[0] = '\0';
        return APP_ERR_BUFFER_TOO_SMALL;
    }
    if (len != NULL) {
        *len = w->len;
    }
    return APP_OK;
}

static const page_texts_t *texts_of(setup_page_lang_t lang)
{
    return &TEXTS[(unsigned)lang < SETUP_PAGE_LANG_COUNT ? lang : SETUP_PAGE_LANG_ES];
}

app_err_t setup_page_render_form(const char *ap_ssid, setup_page_lang_t lang, char *out, size_t size,
                                 size_t *len)
{
    if (ap_ssid == NULL || out == NULL || size == 0) {
        return APP_ERR_INVALID_ARG;
    }
    const page_texts_t *t = texts_of(lang);
    page_writer_t w;
    begin_page(&w, out, size, t, t->title);
    put_escaped(&w, ap_ssid);
    put(&w, "</h1><a href=\"?lang=");
    put(&w, t->other_code);
    put(&w, "\">");
    put(&w, t->other_name);
    put(&w, "</a><form method=\"post\" action=\"/provision?lang=");
    put(&w, t->code);
    put(&w, "\"");
    put_data(&w, "o", t->other);
    put_data(&w, "k", t->saved);
    put_data(&w, "x", t->wrong_secret);
    put_data(&w, "b", t->check);
    put_data(&w, "y", t->busy);
    put(&w, "><label>");
    put(&w, t->network);
    put(&w, "<select hidden></select></label><input name=\"ssid\" required placeholder=\"SSID\">");
    put_field(&w, t->password, "name=\"password\" type=\"password\"");
    put_field(&w, t->device_name, "name=\"device_name\"");
    put_field(&w, t->location, "name=\"location_description\"");
    put_field(&w, t->secret, "name=\"setup_secret\" required placeholder=\"XXXX XXXX XXXX XXXX\"");
    put(&w, "<button>");
    put(&w, t->save);
    put(&w, "</button><output name=\"m\"></output></form>");
    put(&w, PAGE_SCRIPT);
    put(&w, "</body></html>");
    return end_page(&w, len);
}

app_err_t setup_page_render_saved(const char *ssid, setup_page_lang_t lang, char *out, size_t size,
                                  size_t *len)
{
    if (ssid == NULL || out == NULL || size == 0) {
        return APP_ERR_INVALID_ARG;
    }
    const page_texts_t *t = texts_of(lang);
    page_writer_t w;
    begin_page(&w, out, size, t, t->saved_title);
    put(&w, t->saved_title);
    put(&w, "</h1><p>");
    put(&w, t->saved_before);
    put_escaped(&w, ssid);
    put(&w, t->saved_after);
    put(&w, "</p><a href=\"/?lang=");
    put(&w, t->code);
    put(&w, "\">");
    put(&w, t->back);
    put(&w, "</a></body></html>");
    return end_page(&w, len);
}

const char *setup_page_unauthorized_text(void)
{
    return "Falta la clave de la etiqueta del equipo o no es correcta. / The password on the device's label "
           "is missing or wrong.";
}

/* Does the language range at text (up to its end) name this language ("es", "es-CO", ...)? */
static bool range_is(const char *range, size_t range_len, const char *code)
{
    const size_t code_len = strlen(code);
    if (range_len < code_len) {
        return false;
    }
    for (size_t i = 0; i < code_len; i++) {
        if ((range[i] | 0x20) != code[i]) {
            return false;
        }
    }
    return range_len == code_len || range[code_len] == '-';
}

/* The q-value of one Accept-Language item's parameters, in thousandths (1000 when absent). */
static unsigned parse_q(const char *params, size_t params_len)
{
    for (size_t i = 0; i + 1 < params_len; i++) {
        if ((params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=' &&
            (i == 0 || params[i - 1] == ';' || params[i - 1] == ' ')) {
            const char *v = params + i + 2;
            const char *end = params + params_len;
            if (v >= end || (*v != '0' && *v != '1')) {
                return 1000;
            }
            unsigned q = (unsigned)(*v - '0') * 1000u;
            v++;
            if (v < end && *v == '.') {
                unsigned scale = 100;
                for (v++; v < end && *v >= '0' && *v <= '9' && scale > 0; v++, scale /= 10) {
                    q += (unsigned)(*v - '0') * scale;
                }
            }
            return q > 1000u ? 1000u : q;
        }
    }
    return 1000;
}

static bool lang_from_query(const char *query, setup_page_lang_t *out)
{
    for (const char *p = query; p != NULL && *p != '\0';) {
        const size_t item_len = strcspn(p, "&");
        if (item_len == 7 && strncmp(p, "lang=es", 7) == 0) {
            *out = SETUP_PAGE_LANG_ES;
            return true;
        }
        if (item_len == 7 && strncmp(p, "lang=en", 7) == 0) {
            *out = SETUP_PAGE_LANG_EN;
            return true;
        }
        p += item_len;
        if (*p == '&') {
            p++;
        }
    }
    return false;
}

setup_page_lang_t setup_page_pick_lang(const char *query, const char *accept_language)
{
    setup_page_lang_t lang = SETUP_PAGE_LANG_ES;
    if (lang_from_query(query, &lang) || accept_language == NULL) {
        return lang;
    }
    unsigned best_q = 0;
    for (const char *p = accept_language; *p != '\0';) {
        const size_t item_len = strcspn(p, ",");
        size_t start = 0;
        while (start < item_len && (p[start] == ' ' || p[start] == '\t')) {
            start++;
        }
        const size_t range_len = strcspn(p + start, ",; \t");
        const char *params = p + start + range_len;
        const unsigned q = parse_q(params, item_len - start - range_len);
        if (q > best_q) {
            if (range_is(p + start, range_len, "es")) {
                lang = SETUP_PAGE_LANG_ES;
                best_q = q;
            } else if (range_is(p + start, range_len, "en")) {
                lang = SETUP_PAGE_LANG_EN;
                best_q = q;
            }
        }
        p += item_len;
        if (*p == ',') {
            p++;
        }
    }
    return lang;
}
