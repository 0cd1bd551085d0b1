"""The phone layout at 360 px: choices are small round buttons beside their words, agreement
terms get the whole width, the header stays short, an empty outbox shows no badge, and links a
thumb must hit are at least 24 px each way (WCAG 2.2 target size)."""

import uuid

from tests.browser.conftest import sign_in
from tests.browser.test_case_actions import log_case_through_the_api


def boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(
        selector,
        """els => els.filter(e => e.getClientRects().length)
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
    assert len(terms) == 3 and all(b["w"] > 280 for b in terms), terms
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
    sign_in(page, "demo-township")
    page.goto("/monitor")
    figures = boxes(page, ".mini dd a, .tally a")
    assert figures and all(b["w"] >= 24 and b["h"] >= 24 for b in figures), figures[:5]
    page.goto("/calendar")
    links = boxes(page, ".cal-views a, .day-head a")
    assert links and all(b["h"] >= 24 for b in links), links[:5]
