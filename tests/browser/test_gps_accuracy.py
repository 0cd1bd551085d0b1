"""GPS you can trust: a fix is asked for as the form opens, its accuracy shown and kept with the
point; a fix worse than 100 m is filled in with a warning, one worse than 1,000 m not at all."""

from __future__ import annotations

import re
import uuid

from tests.browser.test_offline import cases_titled, my_node, ready_for_the_field


def test_accuracy_is_shown_and_a_1500_m_fix_is_not_filled_in(phone, screenshots_dir):
    page = phone.new_page()
    ready_for_the_field(page)
    here = my_node(page).geometry.representative_point()
    lon, lat = round(here.x, 4), round(here.y, 4)
    phone.grant_permissions(["geolocation"])

    # a fix of 1,500 m, asked for as the form opens: said, not filled in
    phone.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 1500})
    page.goto("/disputes/new")
    page.wait_for_selector("[data-gps-status][data-gps-quality=useless]")
    assert "1500 米" in page.inner_text("[data-gps-status]")
    assert "未自动填入" in page.inner_text("[data-gps-status]")
    assert page.input_value("input[name=lon]") == "" and page.input_value("input[name=lat]") == ""
    assert page.input_value("input[name=gps_accuracy_m]") == ""
    page.screenshot(path=f"{screenshots_dir}/gps-useless-fix-360.png", full_page=True)

    # 250 m: filled in, with a warning
    phone.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 250})
    page.click("[data-gps-locate]")
    page.wait_for_selector("[data-gps-status][data-gps-quality=weak]")
    assert "250 米" in page.inner_text("[data-gps-status]")
    assert page.input_value("input[name=lon]") == f"{lon:.6f}"

    # 12 m, as the form opens: filled in at once, the accuracy shown
    phone.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 12})
    page.goto("/disputes/new")
    page.wait_for_selector("[data-gps-status][data-gps-quality=good]")
    assert "12 米" in page.inner_text("[data-gps-status]")
    assert page.input_value("input[name=lat]") == f"{lat:.6f}"
    title = f"定位精度{uuid.uuid4().hex[:6]}"
    page.fill("input[name=title]", title)
    page.select_option("select[name=category]", "neighbours")
    phone.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 250})
    page.click("[data-gps-locate]")
    page.wait_for_selector("[data-gps-status][data-gps-quality=weak]")  # the fix kept: 250 m
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/disputes/[0-9a-f-]{36}$"), wait_until="commit")

    (found,) = cases_titled(page, title)
    case = page.request.get(f"/api/v1/disputes/{found['id']}").json()
    assert (case["lon"], case["lat"], case["gps_accuracy_m"]) == (lon, lat, 250)
    page.goto(f"/disputes/{found['id']}")
    point = page.inner_text("[data-gps-point]")
    assert "精度约 250 米" in point
    assert page.locator("[data-gps-point] .gps-warning").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
