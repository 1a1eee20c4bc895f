"""Headless Debian Chromium through selenium and the system chromedriver (nothing downloaded)."""

from __future__ import annotations

import shutil
import time

import pytest

CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--window-size=1400,900"]


def chromium_paths() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        pytest.fail("Debian's chromium and chromium-driver are needed (apt-get install chromium chromium-driver)")
    return browser, driver


def start_browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=options)


def open_page(driver, path, *, timeout: float = 60.0) -> float:
    """Load a file and wait until the page's script says it is ready; seconds it took."""
    started = time.monotonic()
    driver.get(path.resolve().as_uri())
    while time.monotonic() - started < timeout:
        if driver.execute_script("return !!(window.kg && window.kg.ready)"):
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{path} did not become ready within {timeout} s")


def severe_console_messages(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
