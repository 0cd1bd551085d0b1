"""An administrator on a phone creates a grid worker; the worker signs in with the temporary
password and must choose their own first. No CSP violations, no sideways scrolling."""

import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_an_administrator_creates_a_user_who_then_chooses_a_password(
    browser, live_server, phone, screenshots_dir
):
    from tests.browser.conftest import PHONE

    page = phone.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, "demo-admin")
    page.click("nav >> text=用户管理")
    page.wait_for_url("**/admin/users")
    _fits(page)
    page.fill("input[name=q]", "demo-vil")  # htmx narrows the list as one types
    expect(page.locator("#results")).not_to_contain_text("demo-grid")
    expect(page.locator("#results")).to_contain_text("demo-village")

    page.click("text=新建用户")
    username = f"w-{uuid.uuid4().hex[:8]}"
    page.fill("input[name=username]", username)
    page.fill("input[name=display_name]", "新来的网格员")
    page.select_option("select[name=role]", "grid_worker")
    page.fill("input[name=q]", "第一网格")
    page.locator("#node-choices input[type=radio]").first.check()
    _fits(page)
    page.screenshot(path=f"{screenshots_dir}/user-new-360.png", full_page=True)
    page.click("button[type=submit].primary")
    temporary = page.inner_text("#temporary-password").strip()
    assert len(temporary) == 12

    worker = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE).new_page()
    worker.goto("/login")
    worker.fill("input[name=username]", username)
    worker.fill("input[name=password]", temporary)
    worker.click("button[type=submit]")
    worker.wait_for_url(re.compile(r".*/account/password.*"))
    assert worker.is_visible("#must-change")
    worker.goto("/disputes")  # nothing else until the password is chosen
    worker.wait_for_url(re.compile(r".*/account/password.*"))
    worker.fill("input[name=current_password]", temporary)
    worker.fill("input[name=new_password]", "paddy-field-2026")
    worker.fill("input[name=confirm_password]", "paddy-field-2026")
    worker.click("button[type=submit]")
    worker.wait_for_url(re.compile(r".*/disputes$"))
    assert "新来的网格员" in worker.inner_text("footer")
    worker.context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
