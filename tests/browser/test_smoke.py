"""A person on a phone: signs in, logs a case through the form, finds it in the list."""

import re
import uuid

from tests.browser.conftest import sign_in


def test_a_grid_worker_logs_a_case_on_a_phone_sized_screen(phone, screenshots_dir):
    page = phone.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, "demo-grid")
    assert "刘小明" in page.inner_text("main")
    page.click("a.button.primary")  # 登记纠纷
    title = f"田埂占用纠纷 {uuid.uuid4().hex[:6]}"
    page.fill("input[name=title]", title)
    page.select_option("select[name=category]", "land")
    page.fill("textarea[name=description]", "两户人家因田埂位置发生争执。")
    page.locator("input[name=party_name]").first.fill("王大伯")
    page.click("button[type=submit]")  # through the outbox: saved on the phone, then sent
    page.wait_for_url(re.compile(r".*/disputes/[0-9a-f-]{36}$"))
    assert title in page.inner_text("h1")
    page.screenshot(path=f"{screenshots_dir}/case-detail-360.png", full_page=True)
    # no horizontal scrolling at 360 px
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto("/disputes")
    page.fill("input[name=q]", title)
    page.wait_for_selector(f"text={title}")
    assert not [e for e in errors if "Content Security Policy" in e], errors
