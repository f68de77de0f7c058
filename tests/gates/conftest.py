"""Shared fixtures for the browser journeys: a headless Debian chromium driven by selenium."""
import os

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

BASE_URL = os.environ["INNBYGGER_URL"].rstrip("/")
DEMO_PASSWORD = os.environ.get("INNBYGGER_DEMO_PASSWORD", "Demo-passord-2026")


@pytest.fixture(scope="session")
def driver():
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--lang=nb-NO"):
        options.add_argument(arg)
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    # The Debian driver, so Selenium Manager never tries to download one.
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    d = webdriver.Chrome(service=service, options=options)
    d.set_page_load_timeout(30)
    yield d
    d.quit()
