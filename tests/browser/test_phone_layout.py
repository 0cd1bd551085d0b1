"""The phone layout at 360 px: choices are small round buttons beside their words, agreement
terms get the whole width, the header stays short, an empty outbox shows no badge, and links a
thumb must hit are at least 24 px each way (WCAG 2.2 target size)."""

import uuid

from tests.browser.conftest import sign_in
from tests.browser.test_case_actions import log_case_through_the_api


def boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(
        selector,
        """els => els.filter(e => e.checkVisibility())
          .map(e => { const r = e.getBoundingClientRect();
                      return {w: r.width, h: r.height, text: e.textContent.trim()}; })""",
    )


def test_the_resolve_form_lays_out_its_choices_and_terms_for_a_thumb(phone):
    case_id = log_case_through_the_api(phone, f"田埂纠纷 {uuid.uuid4().hex[:6]}")
    page = phone.new_page()
    sign_in(page, "demo-village")
    page.goto(f"/disputes/{case_id}")
    page.click("#action-accept summary")
    page.check("#action-accept input[name=rights_notified]")
    page.click("#action-accept button[type=submit]")
    page.wait_for_selector(".badge.status-accepted")
    page.click("#action-resolve summary")

    radios = boxes(page, "#action-resolve input[type=radio]")
    assert radios and all(20 <= b["w"] <= 32 and 20 <= b["h"] <= 32 for b in radios), radios
    labels = boxes(page, "#action-resolve label.check")
    assert labels and all(b["h"] < 50 for b in labels), labels  # one line, not a letter a line

    terms = boxes(page, "#action-resolve textarea[name=term_text]")
    assert len(terms) == 3 and all(b["w"] > 260 for b in terms), terms  # was 170 px
    first = page.locator("#action-resolve textarea[name=term_text]").first
    before = first.bounding_box()["height"]
    first.fill("甲方于十二月底前拆除越界的围墙，恢复原有田埂走向，并赔偿乙方青苗损失三百元。" * 3)
    assert first.bounding_box()["height"] > before  # it grows with what is written
    page.click("#action-resolve .more-terms summary")
    assert len(boxes(page, "#action-resolve textarea[name=term_text]")) == 8
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_header_is_short_and_an_empty_outbox_shows_no_badge(phone):
    page = phone.new_page()
    sign_in(page, "demo-grid")
    page.wait_for_load_state("networkidle")
    assert page.locator("header.topbar").bounding_box()["height"] <= 60
    assert page.locator("[data-outbox-count]").count() == 1
    assert not page.locator("[data-outbox-count]").is_visible()
    footer = boxes(page, "footer a, footer button")
    assert len(footer) >= 3 and all(b["w"] >= 24 and b["h"] >= 24 for b in footer), footer


def test_figures_and_calendar_links_are_big_enough_to_tap(phone):
    page = phone.new_page()
    sign_in(page, "demo-county")
    page.goto("/monitor")
    page.wait_for_load_state("networkidle")
    figures = boxes(page, ".mini dd a, .tally a")
    assert figures and all(b["w"] >= 24 and b["h"] >= 24 for b in figures), figures[:5]
    for calendar, selector in (
        ("/calendar/me", ".cal-views a, .day-head a"),
        ("/calendar", "main h3 a, .idle-rooms li a"),
    ):
        page.goto(calendar)
        if page.locator(".idle-rooms summary").count():
            page.click(".idle-rooms summary")
        links = boxes(page, selector)
        assert links and all(b["h"] >= 24 for b in links), (calendar, links[:5])


def token(api, username: str) -> dict:
    r = api.post("/api/v1/auth/login", data={"username": username, "password": "pingli-demo-2026"})
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_the_audit_log_reads_as_cards_on_a_phone(phone):
    api = phone.request
    party = {"role": "applicant", "name": "周七", "phone": "13722223333"}
    body = {"id": str(uuid.uuid4()), "title": "审计", "category": "land", "parties": [party]}
    r = api.post("/api/v1/disputes", data=body, headers=token(api, "demo-grid"))
    assert r.status == 201, r.text()
    long_agent = {
        "User-Agent": "Mozilla/5.0 (Linux; Android 12; M2006C3LC) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.42.2460(0x28002A35)"
    }
    reveal = f"/api/v1/disputes/{body['id']}/parties/0/reveal"
    assert api.post(reveal, headers=token(api, "demo-village") | long_agent).status == 200
    page = phone.new_page()
    sign_in(page, "demo-admin")
    page.goto("/admin/audit")
    assert "安卓手机 · 微信" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
