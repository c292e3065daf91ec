"""The demo's report opened in a real headless Chromium (Debian's chromium and
chromedriver, no browser download): it loads with no console error and no request
leaving the page, every figure is there, decoded and not blank, and every number of
summary.json is in the rendered text.

Run with ``make test-report-browser`` (installs chromium when missing); the default test
run leaves this folder out because it needs the browser.
"""

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from _report_page import figure_titles, missing_numbers

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

# per image: complete, natural size, distinct colours in a 16 x 16 sampling of its pixels
IMAGES_JS = """
return Array.from(document.images).map(function (img) {
  var c = document.createElement('canvas'); c.width = img.naturalWidth;
  c.height = img.naturalHeight; var g = c.getContext('2d'); g.drawImage(img, 0, 0);
  var colours = {};
  for (var i = 0; i < 16; i++) for (var j = 0; j < 16; j++) {
    var p = g.getImageData(Math.floor((i + .5) * c.width / 16),
                           Math.floor((j + .5) * c.height / 16), 1, 1).data;
    colours[p.join(',')] = 1; }
  return {alt: img.alt, complete: img.complete, width: img.naturalWidth,
          height: img.naturalHeight, colours: Object.keys(colours).length,
          inline: img.src.indexOf('data:image/png;base64,') === 0};
});
"""


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    from emunmix.demo import run_demo

    folder = tmp_path_factory.mktemp("report")
    run_demo(quiet=True, report=folder, overwrite=True)
    return folder / "report.html", json.loads((folder / "summary.json").read_text())


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(), (
        "Chromium is needed: 'make test-report-browser' installs Debian's chromium and "
        "chromium-driver (apt-get install -y chromium chromium-driver)")
    profile = tempfile.mkdtemp(prefix="emunmix-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                f"--user-data-dir={profile}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def loaded(browser, demo_report):
    page, summary = demo_report
    browser.get_log("browser")  # start from an empty log
    browser.get_log("performance")
    browser.get(page.as_uri())
    assert browser.execute_script("return document.readyState") == "complete"
    return browser, summary


def test_page_loads_without_console_errors(loaded):
    browser, summary = loaded
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == []
    assert browser.title == summary["title"]


def test_page_requests_nothing_outside_itself(loaded):
    browser, _ = loaded
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    assert urls and all(u.startswith(("file:", "data:")) for u in urls), urls


def test_every_figure_is_present_decoded_and_not_blank(loaded):
    browser, summary = loaded
    images = browser.execute_script(IMAGES_JS)
    assert [i["alt"] for i in images] == figure_titles(summary)
    for img in images:
        assert img["inline"] and img["complete"], img
        assert img["width"] > 100 and img["height"] > 100, img
        assert img["colours"] > 2, img  # a drawn figure, not a blank canvas


def test_every_number_of_summary_json_is_on_the_rendered_page(loaded):
    browser, summary = loaded
    text = browser.execute_script("return document.body.innerText")
    assert missing_numbers(summary, text) == []
    for step in summary["steps"]:
        assert step["name"] in text


def test_the_checks_catch_a_broken_page(browser, tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><title>bad</title></head><body>'
                   '<img alt="broken" src="data:image/png;base64,AAAA">'
                   '<script>throw new Error("boom")</script></body></html>')
    browser.get_log("browser")
    browser.get(bad.as_uri())
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert any("boom" in m for m in errors)
    (img,) = browser.execute_script(IMAGES_JS.replace("g.drawImage(img, 0, 0);", ""))
    assert img["width"] == 0  # an undecodable image has no natural size
