"""The county map on a phone in real Chromium, with no tile server: the boundaries are drawn,
the cases and the legend appear, and not one request leaves 127.0.0.1."""

from urllib.parse import urlsplit

from tests.browser.conftest import sign_in


def test_the_county_map_draws_its_boundaries_on_a_phone_without_tiles(
    phone, screenshots_dir, live_server
):
    page = phone.new_page()
    requests, problems = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    sign_in(page, "demo-county")
    page.click("nav >> text=地图")
    page.wait_for_url("**/map")
    page.wait_for_selector("#map[data-areas]")
    assert page.get_attribute("#map", "data-areas") == "12"
    page.locator("#map path.area").nth(11).wait_for()  # (wait_for_function would eval: CSP forbids)
    page.locator(
        "#map .marker-cluster, #map path.case-point"
    ).first.wait_for()  # clusters or points
    page.wait_for_load_state("networkidle")
    shaded = page.eval_on_selector_all(
        "#map path.area", "paths => paths.map(p => getComputedStyle(p).fill)"
    )
    assert len(set(shaded)) > 1, "the townships are shaded by density"
    assert page.locator(".map-legend").is_visible()
    assert page.locator("#map .leaflet-tile").count() == 0
    page.locator("#map").scroll_into_view_if_needed()
    page.screenshot(path=f"{screenshots_dir}/county-map-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    outside = [
        u
        for u in requests
        if urlsplit(u).scheme in ("http", "https") and urlsplit(u).hostname != "127.0.0.1"
    ]
    assert not outside, outside
    assert any("/api/v1/map/areas" in u for u in requests) and any(
        "/api/v1/map/cases" in u for u in requests
    )
    # the view settles before the points are asked for: once, not again for the same box
    page.wait_for_timeout(800)  # past the map's 300 ms pause after a move
    assert len([u for u in requests if "/api/v1/map/cases" in u]) == 1, requests
    # everything the map page loads from /static/ is fingerprinted
    static = [u for u in requests if "/static/" in u]
    assert static and all("?v=" in u for u in static), static
    assert not problems, problems


def test_a_tapped_area_opens_its_own_map(phone, live_server):
    page = phone.new_page()
    sign_in(page, "demo-township")
    page.goto("/map")
    page.locator("#map path.area").nth(3).wait_for()
    page.locator(".area-table a").first.click()
    page.wait_for_url("**/map?node=*")
    page.wait_for_selector("#map[data-areas]")
    assert int(page.get_attribute("#map", "data-areas")) == 4  # a village's grids
