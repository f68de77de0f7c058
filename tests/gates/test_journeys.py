"""Browser journeys with accessibility checks (WCAG 2.1 A and AA through axe-core) on every page visited.

Each demo role logs in, opens every page its navigation offers, and logs out. A case worker submits
forms; partners trying pages they may not see get a refusal page without data.
"""
import os
import re

import axe_playwright_python
import pytest
from axe_selenium_python import Axe
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BASE_URL, DEMO_PASSWORD

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe-core 4.x as shipped on PyPI inside axe-playwright-python; driven here through axe-selenium-python.
AXE_SCRIPT = os.path.join(os.path.dirname(axe_playwright_python.__file__), "axe.min.js")

ROLES = [
    "sysadmin", "admin.elverum", "leder.elverum", "saksbehandler.elverum", "veileder.elverum",
    "nav.elverum", "helse.elverum", "skole.elverum", "barnehage.elverum", "bolig.elverum",
    "voksenopplaering.tynset", "frivillig.elverum", "saksbehandler.gol",
]

checked_pages = set()


def check_page(driver, label):
    """Fails on any WCAG 2.1 A/AA violation, a missing lang, or not exactly one h1."""
    html = driver.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("lang") in ("nb", "en"), f"{label}: lang missing"
    h1s = driver.find_elements(By.TAG_NAME, "h1")
    assert len(h1s) == 1, f"{label}: {len(h1s)} h1 elements"
    axe = Axe(driver, script_url=AXE_SCRIPT)
    axe.inject()
    result = axe.run(options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    problems = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
                for v in result["violations"]]
    assert not problems, f"{label}: accessibility violations:\n" + "\n".join(problems)
    checked_pages.add(re.sub(r"[0-9A-Fa-f-]{36}", ":id", driver.current_url.replace(BASE_URL, "")))


def _gone(element):
    """True once the element has left the document. Chromium reports this either as a stale
    reference or as an inspector error ("Node … does not belong to the document")."""
    try:
        element.tag_name
        return False
    except WebDriverException:
        return True


def click_and_wait(driver, element):
    """Clicks a link or submit button and waits until the next page has replaced this one."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 15).until(lambda d: _gone(old))
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")


def login(driver, username, password=DEMO_PASSWORD):
    driver.delete_all_cookies()
    driver.get(BASE_URL + "/login")
    check_page(driver, "login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]"))
    assert driver.current_url.rstrip("/") == BASE_URL, f"{username} did not reach the start page"


def logout(driver):
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button"))
    assert "/login" in driver.current_url
    driver.get(BASE_URL + "/persons")
    assert "/login" in driver.current_url, "after logout, pages must ask for login again"


@pytest.mark.parametrize("username", ROLES)
def test_role_journey(driver, username):
    login(driver, username)
    check_page(driver, f"{username} start page")
    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "nav.main-nav a")]
    assert links, f"{username} has no navigation"
    for href in links:
        driver.get(href)
        assert "Feilkode" not in driver.page_source, f"{username}: {href} shows an error"
        check_page(driver, f"{username} {href}")
        # Open the first record listed, where there is one.
        if href.endswith("/persons") or href.endswith("/households"):
            rows = driver.find_elements(By.CSS_SELECTOR, "table tbody a")
            if rows:
                click_and_wait(driver, rows[0])
                check_page(driver, f"{username} first record of {href}")
    logout(driver)


def test_case_worker_submits_forms(driver):
    login(driver, "saksbehandler.elverum")
    driver.get(BASE_URL + "/households/new")
    check_page(driver, "new household form")
    driver.find_element(By.ID, "name").send_keys("Husstand Nettleser")
    driver.find_element(By.ID, "address").send_keys("Testvegen 1, 2406 Elverum")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form.form button[type=submit]"))
    assert "Husstand Nettleser" in driver.find_element(By.TAG_NAME, "h1").text
    check_page(driver, "household page")
    click_and_wait(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Legg til medlem"))
    check_page(driver, "new person form")
    # First with an impossible date: the form comes back with the input kept and an error.
    driver.find_element(By.ID, "givenName").send_keys("Amani")
    driver.find_element(By.ID, "familyName").send_keys("Nettleser")
    driver.execute_script("document.getElementById('birthDate').type='text'")
    driver.find_element(By.ID, "birthDate").send_keys("31.02.1990")
    driver.find_element(By.ID, "citizenship").send_keys("CD")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form.form button[type=submit]"))
    assert driver.find_elements(By.CSS_SELECTOR, ".alert--error"), "invalid date must show an error"
    assert driver.find_element(By.ID, "givenName").get_attribute("value") == "Amani"
    check_page(driver, "person form with error")
    driver.execute_script("document.getElementById('birthDate').type='text'")
    birth = driver.find_element(By.ID, "birthDate")
    birth.clear()
    birth.send_keys("1990-02-27")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form.form button[type=submit]"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Amani Nettleser"
    check_page(driver, "new person page")
    # Share the file with health on consent.
    driver.find_element(By.ID, "reference").send_keys("Samtykke 22.11.2026")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action$='/shares'] button"))
    assert "Samtykke 22.11.2026" in driver.page_source
    logout(driver)


def test_partner_refused_without_data(driver):
    login(driver, "saksbehandler.elverum")
    driver.get(BASE_URL + "/persons")
    names = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "table tbody a")]
    hrefs = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "table tbody a")]
    logout(driver)
    login(driver, "bolig.elverum")
    driver.get(BASE_URL + "/persons")
    visible = {a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "table tbody a")}
    hidden = [(n, h) for n, h in zip(names, hrefs) if h not in visible]
    assert hidden, "the housing partner should not see every file"
    name, href = hidden[0]
    driver.get(href)
    check_page(driver, "refusal page")
    assert "ikke tilgang" in driver.find_element(By.TAG_NAME, "h1").text
    family = name.split(",")[0]
    assert family not in driver.page_source, "the refusal page must not show the person"
    for page in ("/admin/audit", "/admin/users", "/reports"):
        driver.get(BASE_URL + page)
        assert "ikke tilgang" in driver.find_element(By.TAG_NAME, "h1").text, page
    logout(driver)


def test_english_switch(driver):
    login(driver, "veileder.elverum")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "a[lang='en']"))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    check_page(driver, "English start page")
    driver.get(BASE_URL + "/persons")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Persons"
    check_page(driver, "English persons page")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "a[lang='nb']"))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nb"
    logout(driver)
