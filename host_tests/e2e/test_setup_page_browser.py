"""The setup page in a real browser: headless Chromium at a phone's size, driven by Selenium.

A technician's phone joins the node's setup network and opens the page. Here the simulator plays the node
(--unprovisioned: the same application code serves the page and its API) and its farm network
(--wifi-ssid/--wifi-password); a NATS broker and an independent subscriber see the registration that
follows. The page is tested as the technician uses it: read in Spanish (English on request), the network
chosen from the scanned list, the password and the label's setup secret typed in, answers read on the
page; once with JavaScript (the page's script posts with fetch) and once without (the plain form).

Chromium and chromedriver come from Debian (`chromium`, `chromium-driver`; `./dev setup` installs them),
Selenium from requirements.txt. When one is missing these tests are skipped with the reason, and fail
instead when the CI variable is set, so a CI run cannot pass without running them.

SETUP_PAGE_SCREENSHOT=<file.png> makes the Spanish page test save what the phone shows (`invoke screenshot`
writes docs/setup-page.png this way).
"""

from __future__ import annotations

import http.server
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Callable, Iterator, Optional

import pytest

from irrigation_tools.sim_process import SimProcess

from e2e_support import DEFAULT_IP, DEFAULT_MAC, EVENT_TIMEOUT_S, REGISTER_TIMEOUT_S, accepted, status, wait_status

try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # reported by the `browser` fixture: skipped, or failed under CI
    webdriver = None

FARM_SSID = "Finca-La-Esperanza"
FARM_PASSWORD = "riego-finca-2026!"
SETUP_SECRET = "7K3M9QXD2F4H8RTV"
# As a technician types it from the label: grouped, in lower case. The page's script normalises it.
SECRET_AS_TYPED = "7k3m 9qxd 2f4h 8rtv"
WRONG_SECRET = "AAAA BBBB CCCC DDDD"
NAME = "Bomba Lote 3"
LOCATION = "Vereda El Carmen, lote 3 (café)"
AP_NAME = "Riego-Setup-" + DEFAULT_MAC.replace(":", "")[-4:]  # the MAC's last two bytes
OTHER_NETWORKS = ["Vecino-2G", 'Tienda "La Esquina"']  # what the simulated scan finds besides the farm

PHONE_WIDTH = 360
PHONE_HEIGHT = 740
TOUCH_TARGET_MIN_PX = 48
READABLE_FONT_MIN_PX = 16
PAGE_TIMEOUT_S = 10.0
# Longer than the WiFi link's settle delay (1 s) after new credentials: any connect would have started.
NOTHING_HAPPENS_S = 2.0
SCREENSHOT_ENV = "SETUP_PAGE_SCREENSHOT"

ES = {
    "title": "Configurar equipo de riego",
    "save": "Guardar",
    "switch": "English",
    "labels": ["Red WiFi de la finca", "Clave de la red WiFi", "Nombre del equipo", "Ubicación (lote, sector)",
               "Clave de la etiqueta"],
    "other": "Otra red (escribirla)",
    "saved": f"Guardado: el equipo se conecta a «{FARM_SSID}».",
    "wrong_secret": "Clave de la etiqueta incorrecta.",
}
EN = {
    "title": "Irrigation node setup",
    "save": "Save",
    "switch": "Español",
    "labels": ["Farm WiFi network", "WiFi password", "Device name", "Location (plot, area)",
               "Password on the label"],
    "other": "Other network (type it)",
}


def _browser_missing() -> Optional[str]:
    if webdriver is None:
        return "selenium is not installed (requirements.txt; run ./dev setup)"
    missing = [name for name in ("chromium", "chromedriver") if shutil.which(name) is None]
    if missing:
        return f"{' and '.join(missing)} not found (Debian packages chromium and chromium-driver; run ./dev setup)"
    return None


@pytest.fixture
def browser(tmp_path) -> Iterator[Callable]:
    """browser(javascript=True, accept_language="es-CO,es"): a headless Chromium with a fresh profile,
    emulating a 360x740 phone (touch, device pixel ratio 2); all quit at teardown."""
    reason = _browser_missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {reason}", pytrace=False)
        pytest.skip(reason)
    drivers = []

    def make(javascript: bool = True, accept_language: str = "es-CO,es"):
        n = len(drivers)
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium")
        # This machine's network is closed: nothing may reach out (sync, updates, QUIC probes).
        for arg in ("--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / f'chromium-profile-{n}'}",
                    f"--lang={accept_language.split(',')[0]}"):
            options.add_argument(arg)
        if os.geteuid() == 0:
            options.add_argument("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        options.add_experimental_option("prefs", {"intl.accept_languages": accept_language})
        if javascript:
            options.add_experimental_option(
                "mobileEmulation",
                {"deviceMetrics": {"width": PHONE_WIDTH, "height": PHONE_HEIGHT, "pixelRatio": 2}},
            )
        else:
            # chromedriver 156 taps through JavaScript under mobile emulation: with scripts off a click never
            # returns. A plain window of the phone's width serves the page without its script.
            options.add_argument("--blink-settings=scriptEnabled=false")
            options.add_argument(f"--window-size={PHONE_WIDTH},{PHONE_HEIGHT}")
        service = Service(executable_path=shutil.which("chromedriver"),
                          log_output=str(tmp_path / f"chromedriver-{n}.log"))
        driver = webdriver.Chrome(options=options, service=service)
        drivers.append(driver)
        driver.set_page_load_timeout(PAGE_TIMEOUT_S)
        return driver

    yield make
    for driver in drivers:
        driver.quit()


def unprovisioned(simulator, nats, secret: Optional[str] = SETUP_SECRET) -> SimProcess:
    """A node without WiFi credentials; its farm network is FARM_SSID / FARM_PASSWORD."""
    extra = ["--unprovisioned", "--wifi-ssid", FARM_SSID, "--wifi-password", FARM_PASSWORD]
    if secret is not None:
        extra += ["--setup-secret", secret]
    sim = simulator(nats.ws_uri, extra=tuple(extra))
    sim.wait_event("wifi", lambda e: e["mode"] == "provisioning", timeout=EVENT_TIMEOUT_S)
    return sim


def base_url(sim: SimProcess) -> str:
    return f"http://127.0.0.1:{sim.http_port}"


def wait(driver, condition, what: str, timeout: float = PAGE_TIMEOUT_S):
    try:
        # A navigation (the plain form posting) replaces the page under a condition that holds an element of
        # the old one: that is "not yet", not a failure.
        return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: condition(d)
        )
    except TimeoutException:
        raise AssertionError(f"{what} not seen within {timeout} s; the page shows: {page_text(driver)!r}") from None


def page_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def network_list(driver) -> list[str]:
    """The list's entries once the script has filled it from /scan (it shows the list then)."""
    select = driver.find_element(By.TAG_NAME, "select")
    wait(driver, lambda d: select.is_displayed() and len(Select(select).options) > 0, "the network list")
    return [option.text for option in Select(select).options]


def fill(driver, **fields: str) -> None:
    for name, value in fields.items():
        element = driver.find_element(By.NAME, name)
        element.clear()
        element.send_keys(value)


def submit_and_read_answer(driver) -> str:
    """Taps the button and returns the answer the script writes on the page."""
    driver.execute_script("document.forms[0].m.value = ''")  # so a repeated answer is seen as new
    driver.find_element(By.TAG_NAME, "button").click()
    answer = driver.find_element(By.NAME, "m")
    return wait(driver, lambda d: answer.text.strip(), "an answer on the page")


def phone_layout(driver) -> dict:
    """What decides whether the page is usable on the phone without zooming."""
    return driver.execute_script(
        """
        const controls = [...document.querySelectorAll('input, select, button, a')]
            .filter(e => e.offsetParent !== null)
            .map(e => ({what: e.name || e.tagName, height: e.getBoundingClientRect().height,
                        width: e.getBoundingClientRect().width}));
        return {viewport: window.innerWidth, page_width: document.documentElement.scrollWidth,
                font_px: parseFloat(getComputedStyle(document.body).fontSize), controls: controls};
        """
    )


def wifi_attempts_since(sim: SimProcess, mark: int) -> list[dict]:
    return [e for e in sim.all_events()[mark:] if e.get("event") == "wifi" and e.get("to") == "connecting"]


# ---- reading the page ---------------------------------------------------------------------------------


def test_the_page_loads_in_spanish_and_fits_a_phone_screen(browser, nats, simulator):
    sim = unprovisioned(simulator, nats, secret=None)  # reading the page needs no secret
    driver = browser()
    driver.get(base_url(sim) + "/")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    assert driver.title == ES["title"]
    assert driver.find_element(By.TAG_NAME, "h1").text == AP_NAME
    text = page_text(driver)
    for label in ES["labels"]:
        assert label in text
    assert driver.find_element(By.TAG_NAME, "button").text == ES["save"]
    assert driver.find_element(By.LINK_TEXT, ES["switch"]).is_displayed()
    network_list(driver)

    layout = phone_layout(driver)
    assert layout["viewport"] == PHONE_WIDTH
    assert layout["page_width"] <= PHONE_WIDTH, "the page scrolls sideways on a 360 px screen"
    assert layout["font_px"] >= READABLE_FONT_MIN_PX
    assert len(layout["controls"]) == 7  # language link, list, password, name, location, secret, button
    for control in layout["controls"]:
        assert control["height"] >= TOUCH_TARGET_MIN_PX, control
        assert control["width"] <= PHONE_WIDTH, control

    screenshot = os.environ.get(SCREENSHOT_ENV)
    if screenshot:
        Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
        assert driver.save_screenshot(screenshot), f"no screenshot written to {screenshot}"


def test_the_page_switches_to_english_and_back(browser, nats, simulator):
    sim = unprovisioned(simulator, nats, secret=None)
    driver = browser()
    driver.get(base_url(sim) + "/")
    driver.find_element(By.LINK_TEXT, ES["switch"]).click()
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "the English page")
    assert driver.current_url == base_url(sim) + "/?lang=en"
    assert driver.title == EN["title"]
    text = page_text(driver)
    for label in EN["labels"]:
        assert label in text
    assert driver.find_element(By.TAG_NAME, "button").text == EN["save"]
    assert network_list(driver)[-1] == EN["other"]
    driver.find_element(By.LINK_TEXT, EN["switch"]).click()
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es", "the Spanish page")
    assert driver.title == ES["title"]


def test_a_phone_set_to_english_gets_the_english_page(browser, nats, simulator):
    sim = unprovisioned(simulator, nats, secret=None)
    driver = browser(accept_language="en-US,en")
    driver.get(base_url(sim) + "/")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert driver.title == EN["title"]


def test_the_network_list_shows_the_farm_network_first_and_offers_to_type_one(browser, nats, simulator):
    sim = unprovisioned(simulator, nats, secret=None)
    driver = browser()
    driver.get(base_url(sim) + "/")
    # Strongest first; names with quotes arrive as text, not markup; then the entry for a hidden network.
    assert network_list(driver) == [FARM_SSID, *OTHER_NETWORKS, ES["other"]]
    typed = driver.find_element(By.NAME, "ssid")
    assert not typed.is_displayed()
    assert typed.get_attribute("value") == FARM_SSID

    Select(driver.find_element(By.TAG_NAME, "select")).select_by_visible_text(OTHER_NETWORKS[1])
    assert typed.get_attribute("value") == OTHER_NETWORKS[1]
    Select(driver.find_element(By.TAG_NAME, "select")).select_by_visible_text(ES["other"])
    assert typed.is_displayed()
    assert typed.get_attribute("value") == ""
    assert driver.switch_to.active_element == typed  # the keyboard opens on it


def test_a_phones_connectivity_check_lands_on_the_setup_page(browser, nats, simulator):
    sim = unprovisioned(simulator, nats, secret=None)
    driver = browser()
    driver.get(base_url(sim) + "/generate_204")  # what Android asks for when it joins a network
    wait(driver, lambda d: d.current_url == base_url(sim) + "/", "the redirect to the setup page")
    assert driver.find_element(By.TAG_NAME, "h1").text == AP_NAME


# ---- sending the form ---------------------------------------------------------------------------------


def test_a_wrong_setup_secret_is_refused_and_the_page_says_so(browser, nats, simulator):
    sim = unprovisioned(simulator, nats)
    driver = browser()
    driver.get(base_url(sim) + "/")
    network_list(driver)
    fill(driver, password=FARM_PASSWORD, device_name=NAME, location_description=LOCATION,
         setup_secret=WRONG_SECRET)
    mark = sim.mark()
    assert submit_and_read_answer(driver) == ES["wrong_secret"]
    time.sleep(NOTHING_HAPPENS_S)
    assert wifi_attempts_since(sim, mark) == [], "the refused form's credentials were tried"
    document = status(sim)
    assert document["provisioning"] is True
    assert document["wifi_mode"] == "provisioning"


def test_a_wrong_wifi_password_keeps_provisioning_then_the_right_one_registers(browser, nats, subscriber,
                                                                              simulator):
    sim = unprovisioned(simulator, nats)
    driver = browser()
    driver.get(base_url(sim) + "/")
    assert network_list(driver)[0] == FARM_SSID

    # A mistyped WiFi password: accepted by the page (only the network can tell), tried, refused (reason 15,
    # the WPA handshake), retried on the schedule; the setup network stays up.
    fill(driver, password="riego-finca-2025", device_name=NAME, location_description=LOCATION,
         setup_secret=SECRET_AS_TYPED)
    mark = sim.mark()
    assert submit_and_read_answer(driver).startswith(ES["saved"])
    sim.wait_event("wifi", lambda e: e["to"] == "backoff" and e["reason"] == 15, since=mark,
                   timeout=EVENT_TIMEOUT_S)
    assert all(e["mode"] == "provisioning" for e in sim.all_events()[mark:] if e.get("event") == "wifi")
    assert status(sim)["provisioning"] is True
    assert sim.get("/")[0] == 200
    assert subscriber.count() == 0

    # The right password on the same page: the node joins the farm network, leaves provisioning, registers.
    fill(driver, password=FARM_PASSWORD)
    mark = sim.mark()
    assert submit_and_read_answer(driver).startswith(ES["saved"])
    sim.wait_event("wifi", lambda e: e["mode"] == "station" and e["to"] == "connected", since=mark,
                   timeout=EVENT_TIMEOUT_S)
    document = wait_status(sim, lambda d: d["provisioning"] is False, what="/status out of provisioning")
    assert document["wifi_mode"] == "station"
    registration = accepted(subscriber.wait_for(timeout=REGISTER_TIMEOUT_S))
    assert registration["device_name"] == NAME
    assert registration["location_description"] == LOCATION
    assert registration["mac_address"] == DEFAULT_MAC
    assert registration["ip_address"] == DEFAULT_IP
    assert sim.get("/")[0] == 404  # the setup routes are gone with the setup network


def test_without_javascript_the_plain_form_is_refused_without_the_secret_and_provisions_with_it(
    browser, nats, subscriber, simulator
):
    sim = unprovisioned(simulator, nats)
    driver = browser(javascript=False)
    driver.get(base_url(sim) + "/")
    assert not driver.find_element(By.TAG_NAME, "select").is_displayed()  # no list without the script
    typed_fields = dict(ssid=FARM_SSID, password=FARM_PASSWORD, device_name=NAME, location_description=LOCATION)

    fill(driver, **typed_fields, setup_secret=WRONG_SECRET)
    mark = sim.mark()
    driver.find_element(By.TAG_NAME, "button").click()
    wait(driver, lambda d: "/provision" in d.current_url, "the server's answer")
    assert "Falta la clave de la etiqueta del equipo o no es correcta." in page_text(driver)
    time.sleep(NOTHING_HAPPENS_S)
    assert wifi_attempts_since(sim, mark) == []

    driver.get(base_url(sim) + "/")
    fill(driver, **typed_fields, setup_secret=SETUP_SECRET)
    driver.find_element(By.TAG_NAME, "button").click()
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Guardado", "the saved page")
    assert f"El equipo se conecta a {FARM_SSID}." in page_text(driver)
    registration = accepted(subscriber.wait_for(timeout=REGISTER_TIMEOUT_S))
    assert (registration["device_name"], registration["location_description"]) == (NAME, LOCATION)
    assert status(sim)["wifi_mode"] == "station"


class _AttackerPage(http.server.BaseHTTPRequestHandler):
    """A page on another site that posts a form to the node, as any page a farm worker opens could."""

    target = ""

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        body = (
            "<!DOCTYPE html><html><body><form method='post' action='" + self.target + "/provision'>"
            "<input name='ssid' value='Atacante'><input name='password' value='atacante-123'>"
            f"<input name='setup_secret' value='{SETUP_SECRET}'></form>"
            "<script>document.forms[0].submit()</script></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def attacker_site() -> Iterator[Callable[[str], str]]:
    """attacker_site(target): the URL of a page on http://localhost:<port> (another site than 127.0.0.1)
    that posts a form to target at once; the server stops at teardown."""
    servers = []

    def start(target: str) -> str:
        handler = type("AttackerPage", (_AttackerPage,), {"target": target})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://localhost:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_form_posted_from_another_site_is_refused_even_with_the_secret(browser, nats, simulator, attacker_site):
    sim = unprovisioned(simulator, nats)
    driver = browser()
    mark = sim.mark()
    driver.get(attacker_site(base_url(sim)))
    wait(driver, lambda d: d.current_url == base_url(sim) + "/provision", "the cross-site post")
    assert '"cross-site request refused"' in page_text(driver)
    time.sleep(NOTHING_HAPPENS_S)
    assert wifi_attempts_since(sim, mark) == []
    assert status(sim)["provisioning"] is True
