"""A case saved offline keeps the time the worker saved it on the phone: the case page shows
that time, not the time the network let it through."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.browser.test_offline import cases_titled, log_case, ready_for_the_field, sync_until_empty


def test_a_case_saved_with_the_clock_two_days_back_is_shown_with_that_time(phone, screenshots_dir):
    page = phone.new_page()
    ready_for_the_field(page)
    title = f"山里登记{uuid.uuid4().hex[:6]}"
    two_days_back = datetime.now(UTC) - timedelta(days=2)
    phone.set_offline(True)
    page.clock.set_system_time(two_days_back)  # the browser's clock: Friday in the hills
    log_case(page, title)
    phone.set_offline(False)
    sync_until_empty(page)

    (found,) = cases_titled(page, title)
    case = page.request.get(f"/api/v1/disputes/{found['id']}").json()
    captured = datetime.fromisoformat(case["captured_at"])
    assert abs(captured - two_days_back) < timedelta(minutes=2)
    assert datetime.now(UTC) - datetime.fromisoformat(case["created_at"]) < timedelta(minutes=5)
    page.goto(f"/disputes/{found['id']}")
    shown = (captured + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")  # China Standard Time
    assert shown in page.inner_text("[data-captured-at]")
    assert shown in page.inner_text(".timeline .event-logged .when")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"{screenshots_dir}/case-captured-time-360.png", full_page=True)
