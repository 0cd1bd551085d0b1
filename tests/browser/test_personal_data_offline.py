"""What a phone keeps of personal data: no page marked no-store (a case with its parties), no
parties in the copies of cases already sent, and nothing of it after signing out, while the
unsent outbox stays and signing out warns about it first."""

from __future__ import annotations

import re

from tests.browser.test_offline import (
    cases_titled,
    eventually,
    outbox_records,
    ready_for_the_field,
)

PHONE_NO = "13866667777"
# Pages kept for the signed-in worker (the public /offline and /outbox may stay).
USER_PAGES = "Promise.all(['/', '/disputes', '/disputes/new', '/checkins'].map(p => caches.match(p))).then(f => f.filter(Boolean).length)"


def fill_case(page, title: str) -> None:
    page.goto("/disputes/new")
    page.fill("input[name=title]", title)
    page.select_option("select[name=category]", "neighbours")
    page.locator("input[name=party_name]").first.fill("吴大嫂")
    page.locator("input[name=party_phone]").first.fill(PHONE_NO)
    page.locator("input[name=party_id_number]").first.fill("411726198807071234")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-capture-status]:not([hidden])")


def kept_page(page, path: str) -> bool:
    return page.evaluate(
        f"caches.keys().then(ns => Promise.all(ns.map(n => caches.open(n).then(c => c.match({path!r}, {{ignoreSearch: false}})))))"
        ".then(found => found.some(Boolean))"
    )


def test_case_pages_and_sent_copies_keep_no_personal_data_and_logout_keeps_only_the_unsent(phone):
    page = phone.new_page()
    ready_for_the_field(page)

    # Sent online: the server has it, the phone keeps the label only.
    fill_case(page, "隐私离线甲")
    page.wait_for_url(re.compile(r".*/disputes/[0-9a-f-]{36}$"))  # sent, and shown on the server
    sent = [r for r in outbox_records(page) if r["label"] and "隐私离线甲" in r["label"]]
    assert sent and sent[0]["state"] == "sent" and sent[0]["payload"] is None
    case = cases_titled(page, "隐私离线甲")[0]

    # The case page (parties, masked numbers, the story) is never kept; a list is.
    page.goto(f"/disputes/{case['id']}")
    page.goto("/disputes")
    eventually(page, "caches.match('/disputes').then(Boolean)")
    assert not kept_page(page, f"/disputes/{case['id']}")
    phone.set_offline(True)
    page.goto(f"/disputes/{case['id']}")
    assert page.inner_text("h1") == "没有网络"

    # Logged with no signal and not sent (the server stays out of reach).
    page.goto("/disputes/new")
    fill_case(page, "隐私离线乙")
    phone.route("**/api/v1/**", lambda route: route.abort())
    phone.set_offline(False)
    page.goto("/")
    page.click("form[action='/logout'] button")
    warning = page.wait_for_selector("#logout-warning")
    assert "1" in warning.inner_text() and "尚未发送" in warning.inner_text()
    assert page.url.endswith("/")  # still signed in: nothing happened yet
    page.click("[data-logout-anyway]")
    page.wait_for_url("**/login")

    assert page.evaluate(USER_PAGES) == 0
    left = outbox_records(page)
    assert [r["label"] for r in left if r["state"] != "sent"] and all(
        r["state"] != "sent" for r in left
    )
    waiting = [r for r in left if "隐私离线乙" in (r["label"] or "")]
    assert (
        waiting and waiting[0]["payload"]["parties"][0]["phone"] == PHONE_NO
    )  # the worker's own, unsent


def test_signing_out_with_nothing_unsent_asks_nothing(phone):
    page = phone.new_page()
    ready_for_the_field(page)
    page.goto("/disputes")
    eventually(page, "caches.match('/disputes').then(Boolean)")
    assert page.evaluate(USER_PAGES) > 0
    page.click("form[action='/logout'] button")
    page.wait_for_url("**/login")
    assert page.evaluate(USER_PAGES) == 0
