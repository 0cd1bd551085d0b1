"""The county dashboard in real Chromium, on a phone and on a desktop: legible, nothing wider
than the screen, no CSP complaints, and a number's link lists that many cases."""

import re

import pytest

from tests.browser.conftest import sign_in

SIZES = {"phone": (360, 740), "desktop": (1280, 900)}


@pytest.fixture
def desktop(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    yield context
    context.close()


def _check(page, width: int, shots: str, name: str) -> None:
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, "demo-county")
    page.goto("/monitor")
    page.wait_for_selector("#fig-new")
    page.screenshot(path=f"{shots}/{name}", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # every tile and chart fits the screen
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('.tile, svg.chart, .card-row')].map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= width
    assert page.locator("svg.chart-columns a").count() == 24  # 12 months × (new, resolved)
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_the_county_dashboard_on_a_360_px_phone(phone, screenshots_dir):
    _check(phone.new_page(), 360, screenshots_dir, "dashboard-360.png")


def test_the_county_dashboard_on_a_1280_px_desktop(desktop, screenshots_dir):
    _check(desktop.new_page(), 1280, screenshots_dir, "dashboard-1280.png")


def test_a_dashboard_number_opens_a_list_of_that_many_cases(phone):
    page = phone.new_page()
    sign_in(page, "demo-county")
    page.goto("/monitor")
    tile = page.locator("#fig-open")
    shown = int(tile.get_attribute("data-value"))
    tile.click()
    page.wait_for_url("**/disputes?**")
    total = page.inner_text("p.total")
    assert re.search(rf"\b{shown}\b", total), (shown, total)
