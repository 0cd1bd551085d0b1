"""A village mediator on a phone accepts a case and records a visit: the forms swap the case in
place (htmx), with no full page load, and no script breaks the Content-Security-Policy."""

import uuid

from tests.browser.conftest import sign_in


def log_case_through_the_api(phone, title: str) -> str:
    api = phone.request
    token = api.post(
        "/api/v1/auth/login", data={"username": "demo-grid", "password": "pingli-demo-2026"}
    ).json()["token"]
    r = api.post(
        "/api/v1/disputes",
        data={"id": str(uuid.uuid4()), "title": title, "category": "neighbours"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status == 201, r.text()
    return r.json()["id"]


def test_a_mediator_accepts_and_records_on_a_phone_without_reloading_the_page(
    phone, screenshots_dir
):
    case_id = log_case_through_the_api(phone, f"邻里通行纠纷 {uuid.uuid4().hex[:6]}")
    page = phone.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, "demo-village")
    page.goto(f"/disputes/{case_id}")
    page.evaluate("window.stillTheSamePage = true")

    page.click("#action-accept summary")
    page.check("#action-accept input[name=rights_notified]")
    page.click("#action-accept button[type=submit]")
    page.wait_for_selector(".badge.status-accepted")

    page.click("#action-record summary")
    page.select_option("#action-record select[name=kind]", "visit")
    page.fill("#action-record textarea[name=note]", "上门了解双方诉求")
    page.click("#action-record button[type=submit]")
    page.wait_for_selector("text=上门了解双方诉求")

    assert page.evaluate("window.stillTheSamePage") is True
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"{screenshots_dir}/case-actions-360.png", full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_a_refused_form_shows_the_reason_in_place(phone):
    case_id = log_case_through_the_api(phone, f"债务纠纷 {uuid.uuid4().hex[:6]}")
    page = phone.new_page()
    sign_in(page, "demo-village")
    page.goto(f"/disputes/{case_id}")
    page.click("#action-accept summary")
    # someone else accepts it meanwhile: this form now carries a stale version
    other = phone.new_page()
    other.goto(f"/disputes/{case_id}")
    other.click("#action-accept summary")
    other.click("#action-accept button[type=submit]")
    other.wait_for_selector(".badge.status-accepted")
    page.click("#action-accept button[type=submit]")
    page.wait_for_selector("[role=alert]")
    assert "已有变动" in page.inner_text("[role=alert]")
