"""Browser journeys with accessibility checks (WCAG 2.1 A and AA through axe-core) on every page visited.

Each demo role logs in, opens every page its navigation offers, and logs out. A case worker submits
forms; partners trying pages they may not see get a refusal page without data. Settlement: each role sees
its part of /settlement; a case worker registers a year and a proposal from IMDi, housing assesses it, the
case worker accepts it and registers the arrival into a household with its checklist; the municipal
administrator edits the checklist template. The person form's languages, interpreter, relation, advisor,
research reservation and family-immigration facts are saved and shown. Introduction programme: the
programme advisor sees the participants with the caseload warning and the outcome share, the payout list for a
month with its CSV, the data-quality list, a participant's programme and the plan reviews due on the worklist; on a
new person the advisor registers mapping, decision and plan (first with the mapping after the decision), measures,
attendance, a plan review, the ending, the certificate and the status one year on.
"""
import csv
import io
import os
import re
import urllib.request
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def service_today():
    """The service's day: Norway's, which runs ahead of the machine's UTC day for an hour or two before midnight."""
    return datetime.now(ZoneInfo("Europe/Oslo")).date()

import axe_playwright_python
import pytest
from axe_selenium_python import Axe
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

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


# --- Settlement: years, proposals from IMDi, arrival checklist, settings; the person form's newer fields ---

NEXT_YEAR = service_today().year + 1


def fill_date(driver, element_id, iso):
    """Types an ISO date into a date input. Chromium's date widget takes keys in the locale's field order,
    so the input is turned into a text field first, as the person-form journey does; the server reads ISO."""
    driver.execute_script("document.getElementById(arguments[0]).type='text'", element_id)
    field = driver.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(iso)


def fill(driver, element_id, text):
    field = driver.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(text)


def choose(driver, element_id, value):
    Select(driver.find_element(By.ID, element_id)).select_by_value(value)


def submit(driver, form_selector="form.form"):
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, f"{form_selector} button[type=submit]"))


def has(driver, selector):
    return bool(driver.find_elements(By.CSS_SELECTOR, selector))


@pytest.mark.parametrize("username, years, proposals", [
    ("leder.elverum", True, False),
    ("saksbehandler.elverum", True, True),
    ("helse.elverum", False, True),
])
def test_settlement_overview_by_role(driver, username, years, proposals):
    login(driver, username)
    driver.get(BASE_URL + "/settlement")
    assert "Feilkode" not in driver.page_source, f"{username}: /settlement shows an error"
    check_page(driver, f"{username} settlement overview")
    assert has(driver, "#years-h") == years, f"{username}: years section shown={not years}"
    assert has(driver, "#incoming-h") == proposals, f"{username}: proposals section shown={not proposals}"
    if years:
        # The demo always holds the current year for Elverum, drawn as an SVG chart with a text alternative.
        charts = driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby='years-h'] figure.chart svg[role='img']")
        assert charts, f"{username}: no settlement chart"
        title_id = charts[0].get_attribute("aria-labelledby")
        assert driver.find_element(By.ID, title_id).get_attribute("textContent").strip(), "chart title is empty"
        assert charts[0].find_elements(By.CSS_SELECTOR, "rect.chart-bar"), "chart has no bars"
        # The numbers behind the chart, in a table behind a disclosure: check it open too.
        summary = driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby='years-h'] details summary")
        summary.click()
        assert summary.find_element(By.XPATH, "..").get_attribute("open") is not None
        check_page(driver, f"{username} settlement overview with the chart's table open")
    if proposals:
        assert driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby='incoming-h'] table tbody a"), \
            f"{username}: the demo proposals are not listed"
    # Only the settlement case workers register years and proposals.
    assert has(driver, "a[href='/settlement/years/new']") == (username == "saksbehandler.elverum")
    assert has(driver, "a[href='/settlement/incoming/new']") == (username == "saksbehandler.elverum")
    logout(driver)


def test_case_worker_registers_settlement_year(driver):
    login(driver, "saksbehandler.elverum")
    driver.get(BASE_URL + "/settlement")
    check_page(driver, "settlement overview")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "a[href='/settlement/years/new']"))
    check_page(driver, "new settlement year form")
    # More minors than persons requested: the form comes back with the error and what was typed.
    fill(driver, "year", str(NEXT_YEAR))
    fill(driver, "requested", "12")
    fill(driver, "requestedMinors", "20")
    fill_date(driver, "requestDate", f"{NEXT_YEAR - 1}-10-01")
    fill(driver, "note", "Registrert i nettleseren")
    submit(driver)
    assert "/settlement/years" in driver.current_url
    assert has(driver, ".alert--error"), "too many minors must show an error"
    assert driver.find_element(By.ID, "requestedMinors").get_attribute("aria-invalid") == "true"
    assert driver.find_element(By.ID, "year").get_attribute("value") == str(NEXT_YEAR)
    assert driver.find_element(By.ID, "requested").get_attribute("value") == "12"
    assert driver.find_element(By.ID, "requestedMinors").get_attribute("value") == "20"
    assert driver.find_element(By.ID, "requestDate").get_attribute("value") == f"{NEXT_YEAR - 1}-10-01"
    assert driver.find_element(By.ID, "note").get_attribute("value") == "Registrert i nettleseren"
    check_page(driver, "settlement year form with error")
    fill(driver, "requestedMinors", "2")
    submit(driver)
    assert re.search(rf"/settlement\?year={NEXT_YEAR}\b", driver.current_url), driver.current_url
    assert str(NEXT_YEAR) in driver.find_element(By.TAG_NAME, "h1").text
    headings = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby='years-h'] h3")]
    assert any(str(NEXT_YEAR) in h and "Elverum" in h for h in headings), headings
    assert "herav 2 enslige mindreårige" in driver.page_source
    check_page(driver, "settlement overview with the new year")
    logout(driver)
    # The municipal administrator removes the year again, so the journey can run on the same data twice.
    login(driver, "admin.elverum")
    driver.get(f"{BASE_URL}/settlement?year={NEXT_YEAR}")
    check_page(driver, "admin settlement overview for next year")
    click_and_wait(driver, driver.find_element(
        By.CSS_SELECTOR, "section[aria-labelledby='years-h'] a[href^='/settlement/years/'][href$='/edit']"))
    check_page(driver, "edit settlement year form")
    assert driver.find_element(By.ID, "requested").get_attribute("value") == "12"
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action$='/delete'] button[type=submit]"))
    assert "/settlement" in driver.current_url
    check_page(driver, "settlement overview after deleting the year")
    driver.get(f"{BASE_URL}/settlement?year={NEXT_YEAR}")
    check_page(driver, "settlement overview for next year, empty")
    assert not driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby='years-h'] h3")
    logout(driver)


def test_proposal_from_assessment_to_arrival(driver):
    reference = "IMDi-NETT-" + service_today().strftime("%Y%m%d")
    label = "Familien Nettlesersen"
    login(driver, "saksbehandler.elverum")
    driver.get(BASE_URL + "/settlement")
    check_page(driver, "settlement overview")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "a[href='/settlement/incoming/new']"))
    check_page(driver, "new proposal form")
    fill(driver, "imdiReference", reference)
    fill(driver, "label", label)
    fill(driver, "rooms", "2")
    fill(driver, "healthNeeds", "Ingen kjente")
    fill(driver, "m0-given", "Hawa")
    fill(driver, "m0-family", "Nettlesersen")
    fill_date(driver, "m0-birth", "1991-06-15")
    choose(driver, "m0-sex", "female")
    choose(driver, "m0-relation", "main")
    fill(driver, "m0-citizenship", "SO")
    choose(driver, "m0-ground", "resettlement_refugee")
    # Members are added one by one: the form comes back with what was typed and one more empty row.
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "button[name='addMember']"))
    assert attribute(driver, "m0-given") == "Hawa"
    assert has(driver, "#m1-given")
    check_page(driver, "new proposal form with a second member row")
    click_and_wait(driver, driver.find_element(
        By.CSS_SELECTOR, "form[action='/settlement/incoming'] > button[type=submit]"))
    match = re.search(r"/settlement/incoming/([0-9a-fA-F-]{36})", driver.current_url)
    errors = driver.find_element(By.TAG_NAME, "main").text[:300]
    assert match, f"no proposal page after saving: {driver.current_url}\n{errors}"
    proposal = f"{BASE_URL}/settlement/incoming/{match.group(1)}"
    assert label in driver.find_element(By.TAG_NAME, "h1").text
    assert "Hawa Nettlesersen" in driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby='members-h']").text
    check_page(driver, "proposal page")
    logout(driver)

    # Housing records its part of the inter-sector assessment.
    login(driver, "bolig.elverum")
    driver.get(proposal)
    check_page(driver, "proposal page for housing")
    assert not has(driver, "#decision-accepted"), "housing must not answer IMDi"
    assert not has(driver, "#status-health"), "housing records only its own sector"
    choose(driver, "status-housing", "ok")
    fill(driver, "note-housing", "Toromsleilighet ledig fra neste måned")
    click_and_wait(driver, driver.find_element(
        By.XPATH, "//select[@id='status-housing']/ancestor::form//button[@type='submit']"))
    assert driver.current_url.startswith(proposal)
    assert "Toromsleilighet ledig" in driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby='assessment-h']").text
    check_page(driver, "proposal page after the housing assessment")
    logout(driver)

    # The case worker answers yes, then registers the arrival.
    login(driver, "saksbehandler.elverum")
    driver.get(proposal)
    assert "Har kapasitet" in driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby='assessment-h']").text
    check_page(driver, "proposal page with the assessment")
    # Nothing is preset: the answer is chosen. School, kindergarten and health have not assessed yet, so yes is a
    # deliberate override with its reason.
    assert not driver.find_element(By.ID, "decision-accepted").is_selected()
    driver.find_element(By.ID, "decision-accepted").click()
    driver.find_element(By.ID, "override").click()
    fill(driver, "reason", "Bolig er klar; skole og helse svarer innen fristen.")
    submit(driver, "form[action$='/decision']")
    assert driver.current_url.startswith(proposal)
    assert "Ja, kommunen tar imot" in driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby='answer-h']").text
    check_page(driver, "accepted proposal page")
    assert driver.find_element(By.ID, "settlementDate").get_attribute("value") == service_today().isoformat()
    assert driver.find_element(By.ID, "arrivalDate").get_attribute("value") == service_today().isoformat()
    fill_date(driver, "permitDate", day(-40))
    submit(driver, "form[action$='/arrival']")
    assert re.search(r"/households/[0-9a-fA-F-]{36}", driver.current_url), driver.current_url
    assert label in driver.find_element(By.TAG_NAME, "h1").text
    checklist = driver.find_element(By.ID, "checklist")
    tasks = checklist.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert tasks, "the arrival made no checklist from the municipality's template"
    assert "Hawa Nettlesersen" in driver.page_source
    check_page(driver, "household page with the arrival checklist")
    # Tick off the first task the case worker may mark.
    done = checklist.find_elements(By.CSS_SELECTOR, "form[action*='/tasks/'] button[type=submit]")
    if done:
        click_and_wait(driver, done[0])
        assert "#checklist" in driver.current_url or "/households/" in driver.current_url
        check_page(driver, "household page after ticking off a task")
    # The proposal now links to the household and can no longer be answered.
    driver.get(proposal)
    assert not has(driver, "#decision-accepted") and not has(driver, "form[action$='/arrival']")
    check_page(driver, "proposal page after arrival")
    logout(driver)


def test_housing_allocates_dwelling_and_records_inspection(driver):
    """Issue #15: the housing partner in Elverum allocates a dwelling to an incoming household from the queue (the
    ranked list with its reasons, the reservation, the proposal's assessment marked), then records an inspection on a
    tenancy whose visit is due (a refused form first, shown at its field); every page passes the accessibility
    checks."""
    login(driver, "bolig.elverum")
    visit(driver, "/housing", "the dwellings")
    assert has(driver, "table tbody tr[data-status]"), "no dwellings listed"
    visit(driver, "/housing/queue", "the housing queue")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main a[href*='/housing/allocate?incoming=']"))
    check_shown(driver, "the allocation")
    first = driver.find_element(By.CSS_SELECTOR, "#ranked tbody tr")
    assert first.find_elements(By.CSS_SELECTOR, ".tag"), "no reasons shown for the best fit"
    address = first.find_element(By.CSS_SELECTOR, "td a").text
    click_and_wait(driver, first.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    check_shown(driver, "the reserved dwelling")
    assert driver.find_element(By.CSS_SELECTOR, "main [data-status=reserved]"), "the dwelling is not reserved"
    visit(driver, "/housing/queue", "the queue after the reservation")
    assert address in driver.find_element(By.TAG_NAME, "main").text, "the queue does not show the reservation"

    visit(driver, "/housing/tenancies?show=inspection", "the tenancies with visits due")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main table tbody a"))
    check_shown(driver, "the tenancy")
    before = driver.find_element(By.CSS_SELECTOR, "#terms-h + dl").text
    # Nothing ticked and nothing written: refused at the findings field.
    submit(driver, "#inspection-form")
    check_shown(driver, "a refused inspection")
    assert has(driver, "#form-error"), "the refusal is not explained"
    assert driver.find_element(By.ID, "inspection-findings").get_attribute("aria-invalid") == "true"
    for box in driver.find_elements(By.CSS_SELECTOR, "#inspection-items input[type=checkbox]"):
        box.click()
    fill(driver, "inspection-findings", "Journey: røykvarslere testet, vedovn i orden")
    fill(driver, "inspection-nextSteps", "Vise snømåking ved neste besøk")
    submit(driver, "#inspection-form")
    check_shown(driver, "the inspection recorded")
    assert "Journey: røykvarslere testet" in driver.find_element(By.ID, "inspections").text
    assert driver.find_element(By.CSS_SELECTOR, "#terms-h + dl").text != before, "the next visit did not move on"
    visit(driver, "/housing/dwellings/new", "the new dwelling form")
    logout(driver)
    login(driver, "admin.elverum")
    visit(driver, "/housing/checklist", "the inspection checklist")
    logout(driver)


def test_admin_edits_checklist_template(driver):
    title = "Nettleser: avtal første legetime"
    login(driver, "admin.elverum")
    driver.get(BASE_URL + "/settlement")
    check_page(driver, "admin settlement overview")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "a[href='/settlement/settings']"))
    check_page(driver, "settlement settings")
    fill(driver, "new-title", title)
    choose(driver, "new-sector", "health")
    fill(driver, "new-offset", "14")
    submit(driver, "form[action='/settlement/checklist']")
    assert "/settlement/settings" in driver.current_url
    assert not has(driver, ".alert--error"), driver.find_element(By.TAG_NAME, "main").text
    titles = driver.find_elements(By.CSS_SELECTOR, "input[id^='title-']")
    added = [t for t in titles if t.get_attribute("value") == title]
    assert added, "the new template item is not listed"
    item = added[0].get_attribute("id")[len("title-"):]
    assert Select(driver.find_element(By.ID, f"sector-{item}")).first_selected_option.get_attribute("value") == "health"
    assert driver.find_element(By.ID, f"offset-{item}").get_attribute("value") == "14"
    check_page(driver, "settlement settings with the new item")
    # Remove it again, so other journeys' checklists stay as the demo made them.
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, f"form[action='/settlement/checklist/{item}/delete'] button"))
    assert not has(driver, f"#title-{item}")
    check_page(driver, "settlement settings after removing the item")
    logout(driver)


def test_person_form_languages_and_family_immigration(driver):
    login(driver, "saksbehandler.elverum")
    driver.get(BASE_URL + "/persons/new")
    check_page(driver, "new person form")
    fill(driver, "givenName", "Yonas")
    fill(driver, "familyName", "Skjemaberg")
    fill_date(driver, "birthDate", "1994-03-08")
    choose(driver, "sex", "male")
    fill(driver, "citizenship", "ER")
    choose(driver, "residenceGround", "family_reunification")
    fill(driver, "language1", "ti")
    choose(driver, "level1", "mother_tongue")
    fill(driver, "language2", "ar")
    choose(driver, "level2", "basic")
    fill(driver, "interpreterLanguage", "ti")
    choose(driver, "referencePersonResidenceGround", "refugee")
    fill_date(driver, "referencePersonSettlementDate", "2022-05-10")
    fill_date(driver, "familyApplicationDate", "2024-01-15")
    households = [o for o in Select(driver.find_element(By.ID, "householdId")).options if o.get_attribute("value")]
    assert households, "no household to choose"
    household = households[0].text.split(" (")[0]
    Select(driver.find_element(By.ID, "householdId")).select_by_value(households[0].get_attribute("value"))
    choose(driver, "relation", "spouse")
    advisor = Select(driver.find_element(By.ID, "advisorId"))
    assert any("Anders Bakken" in o.text for o in advisor.options), [o.text for o in advisor.options]
    advisor.select_by_visible_text(next(o.text for o in advisor.options if "Anders Bakken" in o.text))
    choose(driver, "researchReservation", "true")
    submit(driver)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Yonas Skjemaberg", \
        "\n".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, ".alert--error"))
    text = driver.find_element(By.TAG_NAME, "main").text
    for expected in ("tigrinja (morsmål)", "arabisk (litt)", "Ja, reservert", "Anders Bakken", "Ektefelle", household):
        assert expected in text, f"person page lacks {expected!r}"
    assert "Familieinnvandring" in text, "no family-immigration facts on the person page"
    check_page(driver, "person page with the new fields")
    # The edit form shows what was saved.
    driver.get(driver.current_url.split("?")[0] + "/edit")
    check_page(driver, "edit person form")
    assert driver.find_element(By.ID, "language1").get_attribute("value") == "ti"
    assert Select(driver.find_element(By.ID, "level2")).first_selected_option.get_attribute("value") == "basic"
    assert driver.find_element(By.ID, "interpreterLanguage").get_attribute("value") == "ti"
    assert Select(driver.find_element(By.ID, "researchReservation")).first_selected_option.get_attribute("value") == "true"
    assert driver.find_element(By.ID, "familyApplicationDate").get_attribute("value") == "2024-01-15"
    logout(driver)


# --- Introduction programme: the advisor's lists, a participant's page, a programme from mapping to outcome ---

ADVISOR = "veileder.elverum"
ADVISOR_NAME = "Anders Bakken"


def day(offset):
    """An ISO date `offset` days from today, so the journeys' dates stay in the past whenever they run."""
    return (service_today() + timedelta(days=offset)).isoformat()


def check_shown(driver, label):
    """check_page on a page that must not be the server's error page (which passes the accessibility checks too)."""
    assert "Feilkode" not in driver.page_source, f"{label}: {driver.current_url} shows an error"
    check_page(driver, label)


def visit(driver, path, label):
    driver.get(BASE_URL + path)
    check_shown(driver, label)


def login_advisor(driver):
    login(driver, ADVISOR)
    check_shown(driver, "programme advisor's start page")


def programme_path(url):
    """The path of a participant's programme page, or None when the URL is not one."""
    match = re.search(r"/persons/[0-9a-fA-F-]{36}/programme$", url)
    return match.group(0) if match else None


def section(driver, heading_id):
    return driver.find_element(By.CSS_SELECTOR, f"section[aria-labelledby='{heading_id}']")


def table_cells(element):
    """The text of each table body row's data cells, row by row."""
    return [[td.text for td in row.find_elements(By.TAG_NAME, "td")]
            for row in element.find_elements(By.CSS_SELECTOR, "table tbody tr")]


def first_column(driver):
    """The first cell of every row in the page's tables: the names, on the programme lists."""
    return [cells[0] for cells in table_cells(driver.find_element(By.TAG_NAME, "main"))]


def h1_text(driver):
    return driver.find_element(By.TAG_NAME, "h1").text


def attribute(driver, element_id, name="value"):
    return driver.find_element(By.ID, element_id).get_attribute(name)


def errors_shown(driver):
    return "\n".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, ".alert--error"))


def get_with_session(driver, url):
    """GETs a URL over HTTP with the browser's session cookies, for files the browser would download."""
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookies}), timeout=15) as res:
        return res.status, res.headers.get("Content-Type", ""), res.read().decode("utf-8")


def test_advisor_programme_overview(driver):
    login_advisor(driver)
    visit(driver, "/programme", "programme overview")
    # The demo advisor follows more than the recommended 20 open participations.
    caseload = section(driver, "caseload-h").find_elements(By.CSS_SELECTOR, "tbody tr")
    over = [row.text for row in caseload if row.find_elements(By.CSS_SELECTOR, ".status--over")]
    assert any(ADVISOR_NAME in text for text in over), f"no caseload warning for {ADVISOR_NAME}: {over}"
    # SSB's outcome share: one row per cohort, with a share or the note that the cohort is too small to show.
    cohorts = table_cells(section(driver, "outcomes-h"))
    assert cohorts, "the demo's statuses one year on give no outcome share"
    for cohort, _, share in cohorts:
        assert re.fullmatch(r"\d{4}", cohort) and share, cohorts
    first = section(driver, "participants-h").find_element(By.CSS_SELECTOR, "tbody a")
    family, given = first.text.split(", ", 1)
    click_and_wait(driver, first)
    assert programme_path(driver.current_url), driver.current_url
    check_shown(driver, "a participant's programme page")
    assert f"{given} {family}" in h1_text(driver)
    logout(driver)


def assert_payout_csv_matches(driver, month):
    """The CSV link carries the month; fetched over HTTP (not downloaded in the browser), it holds the page's lines."""
    href = driver.find_element(By.CSS_SELECTOR, "a[href^='/programme/payouts.csv']").get_attribute("href")
    assert f"month={month}" in href, href
    status, kind, body = get_with_session(driver, href)
    assert status == 200 and kind.startswith("text/csv"), (status, kind)
    # UTF-8 with a byte-order mark and semicolons, as Norwegian Excel opens it.
    assert body.startswith("\ufeff"), "the CSV has no byte-order mark"
    lines = list(csv.DictReader(io.StringIO(body[1:]), delimiter=";"))
    assert {line["month"] for line in lines} <= {month}, body[:300]
    assert sorted(line["name"] for line in lines) == sorted(first_column(driver)), f"CSV for {month} differs from the page"


def test_advisor_payout_list_by_month(driver):
    login_advisor(driver)
    visit(driver, "/programme/payouts", "payout list")
    # This month by default (the server's day is Oslo's, so allow for midnight at a month's end).
    this_month = attribute(driver, "month")
    assert this_month in {(service_today() + timedelta(days=d)).strftime("%Y-%m") for d in (-1, 0, 1)}, this_month
    assert attribute(driver, "month", "type") == "month"
    # The heading names the month in words ("desember 2026"), never its code.
    months = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
              "november", "desember"]
    year, month = this_month.split("-")
    assert f"{months[int(month) - 1]} {year}" in h1_text(driver), h1_text(driver)
    assert first_column(driver), "the demo has no payouts this month"
    assert_payout_csv_matches(driver, this_month)
    # The month filter: typed as yyyy-MM into the field turned to text, as for the date fields.
    last_month = (date.fromisoformat(this_month + "-01") - timedelta(days=1)).strftime("%Y-%m")
    fill_date(driver, "month", last_month)
    submit(driver, "form[action='/programme/payouts']")
    assert f"month={last_month}" in driver.current_url, driver.current_url
    year, month = last_month.split("-")
    assert f"{months[int(month) - 1]} {year}" in h1_text(driver), h1_text(driver)
    check_shown(driver, "payout list for last month")
    assert_payout_csv_matches(driver, last_month)
    logout(driver)


def test_advisor_data_quality_and_reviews_due(driver):
    login_advisor(driver)
    visit(driver, "/programme/data-quality", "NIR data-quality list")
    assert first_column(driver), "the demo's data-quality list is empty"
    visit(driver, "/worklist", "worklist with plan reviews")
    assert has(driver, "#g-reviews"), "no plan reviews due on the advisor's worklist"
    links = section(driver, "g-reviews").find_elements(By.CSS_SELECTOR, "tbody a")
    assert links and all(programme_path(a.get_attribute("href")) for a in links)
    logout(driver)


# A participant of the journey's own, with higher education: 3–6 months for the final goal work (integreringsloven § 13).
PARTICIPANT = ("Selam", "Programsen")
MAPPED_BY = "Kari Kartlegger, integreringstjenesten"


def create_participant(driver):
    """Registers the person through /persons/new and returns the path of their programme page, opened from the file."""
    visit(driver, "/persons/new", "new person form for a participant")
    given, family = PARTICIPANT
    fill(driver, "givenName", given)
    fill(driver, "familyName", family)
    fill_date(driver, "birthDate", "1992-09-14")
    choose(driver, "sex", "female")
    fill(driver, "citizenship", "ER")
    choose(driver, "residenceGround", "refugee")
    choose(driver, "educationLevel", "higher")
    submit(driver)
    assert h1_text(driver) == f"{given} {family}", errors_shown(driver)
    check_shown(driver, "the participant's person page")
    # The file's own link, not the navigation's "Introduksjonsprogram" that leads to /programme.
    link = driver.find_element(By.CSS_SELECTOR, ".page-head a[href^='/persons/'][href$='/programme']")
    assert link.text == "Introduksjonsprogram", link.text
    click_and_wait(driver, link)
    path = programme_path(driver.current_url)
    assert path, driver.current_url
    assert not has(driver, "#measures-h"), "a new person has no programme yet"
    check_shown(driver, "programme page before registration")
    return path


def save_programme_part(driver, action, label):
    """Submits the programme page's form that posts to …/programme<action>; the page comes back with the notice."""
    submit(driver, f"form[action$='/programme{action}']")
    assert "notice=saved" in driver.current_url, f"{label} not saved: {errors_shown(driver)}"
    check_shown(driver, f"programme page after {label}")
    assert has(driver, ".alert--success"), f"{label}: no notice"


def register_programme(driver, programme):
    """Mapping, decision and plan: first with the mapping after the decision (integreringsloven § 10), which is
    refused with what was typed kept, then with the mapping before it."""
    fill_date(driver, "mappingDate", day(-175))
    fill(driver, "mappingBy", MAPPED_BY)
    fill(driver, "mappingSummary", "Kartlagt med tolk: masterutdanning i økonomi, arbeidserfaring fra bank.")
    choose(driver, "lawRegime", "integreringsloven_2021")
    fill_date(driver, "decisionDate", day(-180))
    fill_date(driver, "startDate", day(-170))
    choose(driver, "finalGoal", "work")
    fill(driver, "plannedMonths", "6")
    fill_date(driver, "planDate", day(-160))
    fill_date(driver, "contractSigned", day(-160))
    submit(driver, f"form[action='{programme}']")
    assert driver.current_url.endswith(programme), driver.current_url
    assert has(driver, ".alert--error"), "a mapping after the decision must show an error"
    assert attribute(driver, "mappingDate", "aria-invalid") == "true"
    assert attribute(driver, "mappingBy") == MAPPED_BY
    assert not has(driver, "#measures-h"), "the refused form must not register a programme"
    check_shown(driver, "programme form with the mapping after the decision")
    fill_date(driver, "mappingDate", day(-200))
    save_programme_part(driver, "", "registering mapping, decision and plan")
    assert (attribute(driver, "mappingBy"), attribute(driver, "plannedMonths")) == (MAPPED_BY, "6")
    assert "3–6" in section(driver, "decision-h").find_element(By.CSS_SELECTOR, "p.hint").text


def add_measure(driver, kind, hours):
    choose(driver, "m-kind", kind)
    fill_date(driver, "m-from", day(-170))
    fill_date(driver, "m-to", day(12))
    fill(driver, "m-hours", hours)
    save_programme_part(driver, "/measures", f"adding the measure {kind}")


def record_progress(driver):
    """Two measures, a day of invalid absence and a plan review."""
    add_measure(driver, "norwegian", "15")
    add_measure(driver, "work_practice", "22,5")
    measures = [(cells[0], cells[3]) for cells in table_cells(section(driver, "measures-h"))]
    assert sorted(measures) == [("Arbeidspraksis", "22,5"), ("Norskopplæring", "15")], measures
    fill_date(driver, "a-date", day(-7))
    choose(driver, "a-period", "day")
    fill(driver, "a-absence", "7,5")
    choose(driver, "a-kind", "invalid")
    save_programme_part(driver, "/attendance", "registering invalid absence")
    attendance = [cells[4:6] for cells in table_cells(section(driver, "attendance-h"))]
    assert attendance == [["7,5", "Ugyldig fravær (trekk)"]], attendance
    review = "Planen gjennomgått med deltaker og tolk; arbeidspraksisen fortsetter."
    fill_date(driver, "r-date", day(-3))
    fill(driver, "r-note", review)
    save_programme_part(driver, "/reviews", "a plan review")
    assert review in section(driver, "reviews-h").text


def end_with_certificate_and_outcome(driver, programme):
    fill_date(driver, "e-date", day(-2))
    choose(driver, "e-reason", "completed_work")
    # Ending asks once more, naming the person, the day and the reason, before it is done.
    submit(driver, f"form[action$='/programme/ending']")
    assert "notice=saved" not in driver.current_url
    check_shown(driver, "confirmation before ending the programme")
    assert " ".join(PARTICIPANT) in driver.find_element(By.TAG_NAME, "main").text
    assert "Fullført – til arbeid" in driver.find_element(By.TAG_NAME, "main").text
    save_programme_part(driver, "/ending", "ending the programme")
    assert "Fullført – til arbeid" in section(driver, "ending-h").text
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, f"a[href='{programme}/certificate']"))
    assert h1_text(driver) == "Deltakerbevis"
    certificate = driver.find_element(By.TAG_NAME, "main").text
    for expected in (" ".join(PARTICIPANT), "Norskopplæring", "Arbeidspraksis", "Gjennomført"):
        assert expected in certificate, f"certificate lacks {expected!r}"
    check_shown(driver, "participation certificate")
    visit(driver, programme, "programme page after the certificate")
    choose(driver, "o-kind", "one_year")
    choose(driver, "o-status", "employed")
    save_programme_part(driver, "/outcomes", "the status one year on")
    assert "Status ett år etter avslutning – I arbeid" in section(driver, "ending-h").text


def test_advisor_runs_a_programme(driver):
    login_advisor(driver)
    programme = create_participant(driver)
    register_programme(driver, programme)
    record_progress(driver)
    end_with_certificate_and_outcome(driver, programme)
    # Complete for NIR: the ended programme is off the data-quality list.
    visit(driver, "/programme/data-quality", "NIR data-quality list after the programme")
    assert ", ".join(reversed(PARTICIPANT)) not in first_column(driver)
    logout(driver)


def test_import_progress_page_follows_itself(driver, tmp_path):
    """A case worker imports 5 000 persons from a file: the job page shows the progress bar while the rows are
    stored, its script loads and reloads the page by itself, and the page ends with the outcome."""
    rows = ["household;givenName;familyName;birthDate;sex;citizenship;residenceGround"]
    for i in range(5000):
        rows.append(f"Husstand Import {i // 4};Navn{i};Importert;1990-01-{1 + i % 28:02d};female;SY;refugee")
    path = tmp_path / "import-5000.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    login(driver, "saksbehandler.elverum")
    driver.get(BASE_URL + "/import")
    check_page(driver, "import form")
    Select(driver.find_element(By.ID, "municipality")).select_by_value("3420")
    driver.find_element(By.ID, "file").send_keys(str(path))
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form.form button[type=submit]"))
    assert "/import/" in driver.current_url
    if driver.find_elements(By.ID, "import-progress"):
        check_page(driver, "import job while running")
        loaded = driver.execute_script(
            "return performance.getEntriesByType('resource')"
            ".filter(e => e.name.endsWith('/js/reload-while-running.js')).map(e => e.responseStatus || 200)")
        assert loaded == [200], f"the progress page's script did not load: {loaded}"
    # No click: the script reloads the page until the job is done.
    WebDriverWait(driver, 180).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".alert--success"))
    assert not driver.find_elements(By.ID, "import-progress")
    assert "5000" in driver.find_element(By.CSS_SELECTOR, ".alert--success").text.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    check_page(driver, "import job done")
    logout(driver)


def test_mobile_layout(driver):
    """At 390 px no page scrolls sideways, the menu collapses behind its button, and stacked tables keep their
    column labels; each page still passes the accessibility checks."""
    driver.set_window_size(390, 844)
    try:
        for username, paths in (
            ("saksbehandler.elverum", ["/", "/worklist", "/persons", "/households", "/settlement", "/import"]),
            (ADVISOR, ["/programme", "/programme/payouts", "/programme/attendance", "/programme/data-quality"]),
        ):
            login(driver, username)
            for path in paths:
                driver.get(BASE_URL + path)
                check_shown(driver, f"{path} at 390 px")
                width = driver.execute_script("return document.documentElement.scrollWidth")
                inner = driver.execute_script("return window.innerWidth")
                assert width <= inner, f"{path} scrolls sideways at 390 px ({width} > {inner})"
                toggle = driver.find_element(By.CSS_SELECTOR, ".menu-toggle")
                nav = driver.find_element(By.ID, "main-nav")
                assert toggle.is_displayed() and not nav.is_displayed(), f"{path}: the menu does not collapse"
                cells = driver.find_elements(By.CSS_SELECTOR, "table.table--stackable tbody td[data-label]")
                if driver.find_elements(By.CSS_SELECTOR, "table.table tbody td"):
                    assert cells, f"{path}: stacked table cells lack their column labels"
                    label = driver.execute_script(
                        "return getComputedStyle(arguments[0], '::before').content", cells[0])
                    assert cells[0].get_attribute("data-label") in label, f"{path}: the label is not shown"
            toggle.click()
            assert nav.is_displayed() and toggle.get_attribute("aria-expanded") == "true"
            logout(driver)
        # A person page, the widest of them.
        login(driver, "saksbehandler.elverum")
        driver.get(BASE_URL + "/persons")
        first = driver.find_element(By.CSS_SELECTOR, "table a[href^='/persons/']").get_attribute("href")
        driver.get(first)
        check_shown(driver, "person page at 390 px")
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        driver.set_window_size(1280, 900)


def test_confirmation_and_admin_pages_are_accessible(driver):
    """The steps before irreversible actions and the administrator's pages pass the accessibility checks, and a
    confirmation deletes nothing by being shown."""
    login(driver, "saksbehandler.elverum")
    driver.get(BASE_URL + "/persons")
    person = driver.find_element(By.CSS_SELECTOR, "table a[href^='/persons/']").get_attribute("href")
    visit(driver, person.replace(BASE_URL, "") + "/delete", "confirmation before deleting a person file")
    assert has(driver, "form[action$='/delete'] button.button--danger")
    driver.get(person)
    revoke = driver.find_elements(By.CSS_SELECTOR, "a[href*='/shares/'][href$='/revoke']")
    if revoke:
        visit(driver, revoke[0].get_attribute("href").replace(BASE_URL, ""), "confirmation before revoking a share")
    visit(driver, "/worklist?sort=name&q=a", "worklist sorted by name and filtered")
    visit(driver, "/worklist?q=Ingenslikenavn", "worklist with an empty filter")
    assert "Ingen åpne frister passer filteret" in driver.find_element(By.TAG_NAME, "main").text
    driver.get(BASE_URL + "/settlement")
    proposals = driver.find_elements(By.CSS_SELECTOR, "a[href^='/settlement/incoming/']")
    if proposals:
        driver.get(proposals[0].get_attribute("href"))
        deletion = driver.find_elements(By.CSS_SELECTOR, "a[href$='/delete']")
        if deletion:
            visit(driver, deletion[0].get_attribute("href").replace(BASE_URL, ""), "confirmation before deleting a proposal")
    logout(driver)
    login(driver, "sysadmin")
    visit(driver, "/admin/parameters", "parameter page")
    assert "grunnbelopKroner" in driver.find_element(By.TAG_NAME, "main").text
    visit(driver, "/admin/tenancy", "tenancy page with municipalities from Norway's list")
    ending = driver.find_elements(By.CSS_SELECTOR, "a[href*='/admin/tenancy/agreements/'][href$='/end']")
    assert ending, "no agreement to end"
    visit(driver, ending[0].get_attribute("href").replace(BASE_URL, ""), "confirmation before ending an agreement")
    logout(driver)
    login(driver, "admin.elverum")
    visit(driver, "/programme/settings", "programme settings with the caseload norm")
    logout(driver)
    login(driver, ADVISOR)
    driver.get(BASE_URL + "/programme")
    participant = driver.find_element(By.CSS_SELECTOR, "a[href$='/programme'][href^='/persons/']").get_attribute("href")
    driver.get(participant)
    measures = driver.find_elements(By.CSS_SELECTOR, "a[href*='/programme/measures/'][href$='/delete']")
    if measures:
        visit(driver, measures[0].get_attribute("href").replace(BASE_URL, ""), "confirmation before removing a measure")
    logout(driver)


def test_grant_rates_and_ledger(driver):
    """The system administrator adds a year's rate table (a rate without its source is refused first), and the case
    worker reads the grant ledger and registers a payment from IMDi (an unknown DUF number is refused first); every
    state, the refused ones too, passes the accessibility checks."""
    login(driver, "sysadmin")
    visit(driver, "/economy/rates", "grant rates")
    warning = re.search(r"ingen satstabell for (\d{4})", driver.find_element(By.TAG_NAME, "main").text)
    assert warning, "the rates page does not warn about a year without a table"
    year = warning.group(1)
    fill(driver, "year", year)
    fill(driver, "reference", "Journey test")
    fill(driver, "k_i1_single_adult", "250000")
    submit(driver, "form[action='/economy/rates']")
    check_shown(driver, "grant rates, a rate without its source")
    assert has(driver, "#e-s_i1_single_adult"), "the missing source is not named next to its field"
    fill(driver, "s_i1_single_adult", "Journey test")
    submit(driver, "form[action='/economy/rates']")
    check_shown(driver, "grant rates, saved")
    assert f"Satser {year}" in driver.find_element(By.TAG_NAME, "main").text
    logout(driver)
    login(driver, "saksbehandler.elverum")
    visit(driver, "/economy/grants?municipality=3420", "grant ledger")
    assert has(driver, "table a[href^='/persons/']"), "the ledger lists no persons"
    fill(driver, "dufNumber", "000000000000")
    fill(driver, "amount", "1000")
    submit(driver, "form[action='/economy/grants/payments']")
    check_shown(driver, "grant ledger, an unknown DUF number")
    assert has(driver, "#e-dufNumber")
    visit(driver, "/economy/grants?municipality=3420&differences=1", "grant ledger, differences only")
    # The XLSX export opens in a real spreadsheet reader, with the amounts as numbers.
    import io
    import urllib.request
    import openpyxl
    href = driver.find_element(By.CSS_SELECTOR, "a[href^='/economy/grants.xlsx']").get_attribute("href")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(href, headers={"Cookie": cookie})) as res:
        assert res.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
        book = openpyxl.load_workbook(io.BytesIO(res.read()))
    sheet = book.active
    assert [c.value for c in sheet[1]][:4] == ["person_id", "family_name", "given_name", "year"]
    assert sheet.max_row > 1, "the XLSX export has no persons"
    assert isinstance(sheet.cell(row=2, column=5).value, (int, float)), "expected amounts are not numbers"
    # The forecast with the composition changed in its form.
    visit(driver, "/economy/forecast?municipality=3420", "grant forecast")
    for field in driver.find_elements(By.CSS_SELECTOR, "input[id^='c-']"):
        field.clear()
        field.send_keys("100" if field.get_attribute("id") == "c-singleAdults" else "0")
    submit(driver, "form[action='/economy/forecast']")
    check_shown(driver, "grant forecast with an entered composition")
    assert "lagt inn her" in driver.find_element(By.TAG_NAME, "main").text
    logout(driver)


def test_settlement_scenarios(driver):
    """Tynset's leader compares the two Fjellregionen scenarios (charts with their tables, Folldal's capacity said to
    be missing), draws up a third (one without arrivals is refused at the first year's field first), records a capacity and downloads the
    comparison as XLSX; every state, the refused ones too, passes the accessibility checks."""
    login(driver, "leder.tynset")
    visit(driver, "/economy/scenarios", "settlement scenarios")
    boxes = driver.find_elements(By.CSS_SELECTOR, "input[name='ids[]']")
    assert len(boxes) >= 2, "the demo's two Fjellregionen scenarios are not listed"
    for box in boxes[:2]:
        box.click()
    submit(driver, "form[action='/economy/scenarios/compare']")
    check_shown(driver, "two scenarios compared")
    main = driver.find_element(By.TAG_NAME, "main").text
    assert "500 personer over tre år" in main and "IMDis anmodning over tre år" in main
    assert len(driver.find_elements(By.CSS_SELECTOR, "figure.chart svg")) == 3
    assert "ikke registrert for Folldal" in main
    import io
    import urllib.request
    import openpyxl
    href = driver.find_element(By.CSS_SELECTOR, "a[href^='/economy/scenarios/compare.xlsx']").get_attribute("href")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(href, headers={"Cookie": cookie})) as res:
        book = openpyxl.load_workbook(io.BytesIO(res.read()))
    sheet = book.active
    assert [c.value for c in sheet[1]] == ["scenario", "measure", "year", "value"]
    assert sheet.max_row > 20 and isinstance(sheet.cell(row=2, column=4).value, (int, float))
    visit(driver, "/economy/scenarios/new", "new scenario")
    fill(driver, "name", "Journey: 40 over to år")
    submit(driver, "form[action='/economy/scenarios']")
    check_shown(driver, "new scenario without arrivals")
    assert has(driver, "#e-arrivals-0"), "the missing arrivals are not named at the first year"
    fill(driver, "arrivals-0", "20")
    fill(driver, "arrivals-1", "20")
    submit(driver, "form[action='/economy/scenarios']")
    check_shown(driver, "the new scenario")
    assert "Journey: 40 over to år" in driver.find_element(By.TAG_NAME, "h1").text
    visit(driver, "/economy/capacity?municipality=3427", "capacity")
    fill(driver, "programme_advisors", "4")
    submit(driver, "form[method='post'][action='/economy/capacity']")
    check_shown(driver, "capacity saved")
    assert "Kapasiteten er lagret" in driver.find_element(By.TAG_NAME, "main").text
    logout(driver)


def test_plan_team_and_report(driver):
    """Elverum's leader reads the plan with its indicators and adds a measure; Tynset's leader holds a team meeting
    whose decision becomes a measure of the plan, then reads the yearly report, which downloads as a PDF; every
    state, the refused ones too, passes the accessibility checks."""
    import urllib.request
    login(driver, "leder.elverum")
    visit(driver, "/plans", "the plans")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main a[href^='/plans/']"))
    check_shown(driver, "Elverum's plan")
    main = driver.find_element(By.TAG_NAME, "main").text
    assert "I arbeid eller utdanning etter avsluttet program" in main and "53 % (2014)" in main
    assert len(driver.find_elements(By.CSS_SELECTOR, "figure.chart svg")) >= 4
    submit(driver, "form#measures")
    check_shown(driver, "a measure without a title")
    assert has(driver, "#e-measureTitle"), "the missing title is not named at its field"
    fill(driver, "measureTitle", "Journey: mentorordning med næringslivet")
    submit(driver, "form#measures")
    check_shown(driver, "the measure added")
    assert "Journey: mentorordning med næringslivet" in driver.find_element(By.TAG_NAME, "main").text
    import openpyxl
    href = driver.find_element(By.CSS_SELECTOR, "a[href$='/measures.xlsx']").get_attribute("href")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(href, headers={"Cookie": cookie})) as res:
        sheet = openpyxl.load_workbook(io.BytesIO(res.read())).active
    assert [c.value for c in sheet[1]][:3] == ["focus_area", "goal", "measure"]
    assert "Journey: mentorordning med næringslivet" in [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)]
    logout(driver)
    login(driver, "leder.tynset")
    visit(driver, "/teams", "the teams")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main a[href^='/teams/']"))
    check_shown(driver, "Tynset's inclusion team")
    fill_date(driver, "meetingDate", date.today().isoformat())
    fill(driver, "place", "Journey-rommet")
    submit(driver, "form#meetings")
    check_shown(driver, "the meeting added")
    fill(driver, "decision", "Journey: leksehjelp for voksne")
    Select(driver.find_element(By.ID, "decisionGoalId")).select_by_index(1)
    submit(driver, "form#decisions")
    check_shown(driver, "the decision as a measure")
    assert "Journey: leksehjelp for voksne" in driver.find_element(By.TAG_NAME, "main").text
    visit(driver, "/plans", "Tynset's plans")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main a[href^='/plans/']"))
    assert "Journey: leksehjelp for voksne" in driver.find_element(By.TAG_NAME, "main").text
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main a[href$='/report']"))
    check_shown(driver, "the yearly report")
    Select(driver.find_element(By.ID, "year")).select_by_value(str(date.today().year))
    submit(driver, "form.filter-bar")
    check_shown(driver, "this year's report")
    assert "Journey: leksehjelp for voksne" in driver.find_element(By.TAG_NAME, "main").text
    href = driver.find_element(By.CSS_SELECTOR, "a[href*='/report.pdf']").get_attribute("href")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(href, headers={"Cookie": cookie}), timeout=60) as res:
        assert res.headers["Content-Type"] == "application/pdf"
        body = res.read()
    assert body.startswith(b"%PDF") and len(body) > 5000, "the report did not download as a PDF"
    logout(driver)


def test_administrator_revises_plan(driver):
    """Elverum's administrator revises the 2015–2019 plan into a new period (a period not after the old one is
    refused at its field), marking one measure completed; the new plan holds the focus areas and the carried
    measures, and links back to the old one, now revised."""
    login(driver, "admin.elverum")
    visit(driver, "/plans", "the plans")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main a[href^='/plans/']"))
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main a[href$='/revise']"))
    check_shown(driver, "the revision form")
    fill(driver, "firstYear", "2015")
    submit(driver, "form[action$='/revise']")
    check_shown(driver, "a revision starting too early")
    assert has(driver, "#e-firstYear"), "the first year's problem is not named at its field"
    fill(driver, "firstYear", "2020")
    fill(driver, "lastYear", "2024")
    radios = driver.find_elements(By.CSS_SELECTOR, "input[type=radio][value=completed]")
    assert radios, "no measure to mark"
    radios[0].click()
    submit(driver, "form[action$='/revise']")
    check_shown(driver, "the revised plan")
    main = driver.find_element(By.TAG_NAME, "main").text
    assert "Mottak og bosetting" in main and "Videreført" in main and "2020–2024" in main
    click_and_wait(driver, driver.find_element(By.ID, "previous-plan"))
    check_shown(driver, "the old plan")
    assert "Revidert" in driver.find_element(By.TAG_NAME, "main").text
    logout(driver)


def test_partner_reports_measure_and_case_worker_registers_move_out(driver):
    """NAV in Elverum reports the status of its own plan measure; the case worker registers a move-out (a refused
    destination first, shown at its field) and takes it back; the leader reads arrivals and departures over time
    and downloads them; every state passes the accessibility checks."""
    login(driver, "nav.elverum")
    visit(driver, "/plans/measures", "NAV's own measures")
    form = driver.find_element(By.CSS_SELECTOR, "main form[action$='/status']")
    Select(form.find_element(By.TAG_NAME, "select")).select_by_value("ongoing")
    note = form.find_element(By.CSS_SELECTOR, "input[name=statusNote]")
    note.clear()
    note.send_keys("Journey: to bedrifter med i ordningen")
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    check_shown(driver, "the status reported")
    assert "Journey: to bedrifter med i ordningen" in driver.find_element(By.TAG_NAME, "main").text
    logout(driver)

    login(driver, "saksbehandler.elverum")
    visit(driver, "/persons", "the persons")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "table tbody a"))
    driver.find_element(By.CSS_SELECTOR, "section[data-section=residence] details summary").click()
    fill_date(driver, "move-date", date.today().isoformat())
    fill(driver, "move-to", "3420")
    submit(driver, "form[action$='/move-out']")
    check_shown(driver, "a move-out to the person's own municipality")
    assert has(driver, "#move-out-error"), "the refused destination is not explained"
    assert driver.find_element(By.ID, "move-to").get_attribute("aria-invalid") == "true"
    fill_date(driver, "move-date", date.today().isoformat())
    fill(driver, "move-to", "0301")
    submit(driver, "form[action$='/move-out']")
    check_shown(driver, "the move-out registered")
    assert "0301" in driver.find_element(By.CSS_SELECTOR, "section[data-section=residence]").text
    driver.find_element(By.CSS_SELECTOR, "section[data-section=residence] details summary").click()
    submit(driver, "form[action$='/move-out/cancel']")
    check_shown(driver, "the move-out taken back")
    assert "0301" not in driver.find_element(By.CSS_SELECTOR, "section[data-section=residence]").text
    logout(driver)

    import urllib.request
    import openpyxl
    login(driver, "leder.elverum")
    visit(driver, "/settlement", "the settlement overview")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main a[href='/settlement/movements']"))
    check_shown(driver, "arrivals and departures")
    assert has(driver, "figure svg") or has(driver, "svg"), "no chart"
    href = driver.find_element(By.CSS_SELECTOR, "a[href*='/settlement/movements.xlsx']").get_attribute("href")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(href, headers={"Cookie": cookie})) as res:
        sheet = openpyxl.load_workbook(io.BytesIO(res.read())).active
    assert [c.value for c in sheet[1]] == ["year", "arrivals", "departures"]
    assert len(list(sheet.iter_rows(min_row=2))) == 6
    logout(driver)


def test_advisor_registers_placement_and_follow_up(driver):
    """Work practice (issue #15): the advisor opens the register with Tynset's and Elverum's places, a provider's
    candidates, registers a placement for a candidate on the person's practice page and records a follow-up visit."""
    login_advisor(driver)
    visit(driver, "/practice", "the register of employers and places")
    assert has(driver, "table[data-figures] tr[data-municipality='3420']"), "no figures for Elverum"
    provider = driver.find_element(By.XPATH, "//main//a[normalize-space()='Glåmdal Renhold AS']")
    click_and_wait(driver, provider)
    check_shown(driver, "a provider's places and candidates")
    assert has(driver, "#candidates-h"), "the advisor sees no candidates"
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby='candidates-h'] tbody a"))
    assert re.search(r"/persons/[0-9a-fA-F-]{36}/practice$", driver.current_url), driver.current_url
    check_shown(driver, "the participant's practice page")
    assert has(driver, "table[data-matches]"), "no ranked providers"
    before = len(driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby='placements-h'] tbody tr"))
    fill_date(driver, "placement-from", day(0))
    fill_date(driver, "placement-to", day(90))
    fill(driver, "placement-tasks", "Renhold av fellesarealer, tre dager i uka.")
    fill(driver, "placement-mentor", "Aud Nilsen")
    fill_date(driver, "placement-firstVisit", day(14))
    submit(driver, "form[action$='/practice/placements']")
    assert "saved=1" in driver.current_url, errors_shown(driver)
    check_shown(driver, "the practice page with the new placement")
    rows = driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby='placements-h'] tbody tr")
    assert len(rows) == before + 1
    click_and_wait(driver, rows[0].find_element(By.CSS_SELECTOR, "a[href^='/practice/placements/']"))
    check_shown(driver, "the placement page")
    assert "Renhold av fellesarealer" in driver.page_source
    choose(driver, "followup-kind", "visit")
    fill_date(driver, "followup-doneOn", day(0))
    fill(driver, "followup-notes", "Besøk på arbeidsplassen: trives, trenger flere fagord.")
    fill_date(driver, "followup-nextDue", day(30))
    submit(driver, "form[action$='/followups']")
    assert "saved=1" in driver.current_url, errors_shown(driver)
    check_shown(driver, "the placement page after the follow-up visit")
    assert "trenger flere fagord" in section(driver, "followups-h").text
    logout(driver)


def test_nav_records_wage_subsidy_on_shared_placement(driver):
    """NAV sees the register and the placements on files shared with it, and records the measure it owns."""
    login(driver, "nav.elverum")
    visit(driver, "/practice", "NAV's view of the register")
    click_and_wait(driver, driver.find_element(By.XPATH, "//main//a[normalize-space()='Elverum Mat AS']"))
    check_shown(driver, "NAV's view of a provider")
    assert not has(driver, "#candidates-h"), "NAV must not see the candidates"
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby='placed-h'] a"))
    check_shown(driver, "NAV's view of a placement")
    assert not has(driver, "form[action$='/followups']"), "NAV must not write the follow-up"
    choose(driver, "nav-navKind", "mentor_subsidy")
    fill_date(driver, "nav-from", day(0))
    fill_date(driver, "nav-to", day(60))
    fill(driver, "nav-monthly", "mye")
    submit(driver, "form[action$='/nav']")
    assert has(driver, ".alert--error"), "a bad amount must be refused"
    assert attribute(driver, "nav-monthly", "aria-invalid") == "true"
    check_shown(driver, "NAV's measure refused")
    fill(driver, "nav-monthly", "4500")
    submit(driver, "form[action$='/nav']")
    assert "saved=1" in driver.current_url, errors_shown(driver)
    check_shown(driver, "NAV's measure recorded")
    assert "kr 4 500" in section(driver, "nav-h").text.replace("\u00a0", " ")
    logout(driver)
