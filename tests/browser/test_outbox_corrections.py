"""No entry stuck in the outbox: once a case has been sent, even if its answer was lost, it is
the case as sent. What the worker adds goes as a correction (补充更正) after it, and a "same
id, other content" refusal is settled by reading the case the server holds.

The network is cut as in test_offline.py: `context.route` sees the service worker's requests
too; "answer lost" forwards a request to the server and then drops the connection."""

from __future__ import annotations

import uuid

from tests.browser.test_offline import (
    cases_titled,
    log_case,
    outbox_records,
    photos_of,
    ready_for_the_field,
    sync_until_empty,
)
from tests.support.photos import camera_jpeg


def events_of(page, case_id: str) -> list[dict]:
    return page.request.get(f"/api/v1/disputes/{case_id}/events").json()


def cut_after_first_post(phone) -> dict:
    """The first POST of a case reaches the server and its answer is lost; every later one
    dies on the way out while `held`. Photo uploads die while `held` too."""
    cuts = {"posts": 0, "held": True}

    def case_post(route):
        if route.request.method != "POST":
            route.continue_()
            return
        cuts["posts"] += 1
        if cuts["posts"] == 1:
            route.fetch()
            route.abort("connectionreset")
        elif cuts["held"]:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    def photo_put(route):
        route.abort("internetdisconnected") if cuts["held"] else route.continue_()

    phone.route("**/api/v1/disputes", case_post)
    phone.route("**/api/v1/disputes/*/photos/*", photo_put)
    return cuts


def test_an_answer_lost_then_a_correction_is_delivered_once_with_its_photo(phone, screenshots_dir):
    page = phone.new_page()
    ready_for_the_field(page)
    title = f"答复丢失{uuid.uuid4().hex[:6]}"
    phone.set_offline(True)
    log_case(page, title, photo=camera_jpeg(), description="东头水渠堵了")
    cuts = cut_after_first_post(phone)
    phone.set_offline(False)
    page.goto("/outbox")
    page.evaluate("Pingli.syncNow()")
    assert len(cases_titled(page, title)) == 1  # the server has it; the phone does not know
    page.wait_for_selector(f".outbox-item:has-text('{title}') >> text=尚未发送")

    # the case as sent is not edited any more: the worker adds a correction
    item = page.locator(f".outbox-item:has-text('{title}')")
    assert item.locator("a:text-is('修改')").count() == 0
    item.locator("button:text-is('补充更正')").click()
    item.locator("textarea[name=correction]").fill("不是东头，是西头的水渠")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"{screenshots_dir}/outbox-correction-360.png", full_page=True)
    item.locator("button:text-is('保存更正')").click()
    page.wait_for_selector(f".outbox-item:has-text('{title}') >> text=更正待发送")

    cuts["held"] = False
    sync_until_empty(page)
    (case,) = cases_titled(page, title)
    assert len(photos_of(page, case["id"])) == 1
    events = events_of(page, case["id"])
    assert [e["kind"] for e in events] == ["logged", "corrected"]
    assert events[1]["note"] == "不是东头，是西头的水渠"
    shown = page.request.get(f"/api/v1/disputes/{case['id']}").json()
    assert shown["description"] == "东头水渠堵了"  # the case as it was sent
    records = [r for r in outbox_records(page) if r["label"] == title]
    assert [r["state"] for r in records] == ["sent"]
    page.goto(f"/disputes/{case['id']}")
    assert "不是东头，是西头的水渠" in page.inner_text("main")


def test_an_entry_refused_as_another_content_is_settled_from_the_stored_case(phone):
    """What an older app left behind: an edit after a lost answer, refused 409 for good."""
    page = phone.new_page()
    ready_for_the_field(page)
    title = f"同号异文{uuid.uuid4().hex[:6]}"
    phone.set_offline(True)
    log_case(page, title, photo=camera_jpeg(), description="原来的描述")
    cuts = cut_after_first_post(phone)
    phone.set_offline(False)
    page.goto("/outbox")
    page.evaluate("Pingli.syncNow()")
    (record,) = [r for r in outbox_records(page) if r["label"] == title]
    page.evaluate(
        """id => PingliOutbox.update(id, r => {
            r.payload.description = '改过的描述：还有一户';
            r.tried = false; r.state = 'rejected';
            r.error = {code: 'refused', status: 409, message: 'A different case', fields: []};
            return r;
        })""",
        record["id"],
    )
    cuts["posts"] = 1
    cuts["held"] = False
    phone.unroute("**/api/v1/disputes/*/photos/*")
    phone.route("**/api/v1/disputes/*/photos/*", lambda route: route.abort("internetdisconnected"))
    page.evaluate("Pingli.syncNow()")
    # settled: delivered, only its photo still waits; discarding it loses nothing on the server
    page.wait_for_selector(f".outbox-item:has-text('{title}') >> text=服务器上的编号")
    assert page.locator(".outbox-item.state-rejected").count() == 0
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", answer)
    page.click(f".outbox-item:has-text('{title}') >> text=删除")
    page.wait_for_timeout(200)
    assert asked and "已在服务器" in asked[0] and "丢失" not in asked[0], asked

    phone.unroute("**/api/v1/disputes/*/photos/*")
    sync_until_empty(page)
    (case,) = cases_titled(page, title)
    assert len(photos_of(page, case["id"])) == 1
    notes = [e["note"] for e in events_of(page, case["id"]) if e["kind"] == "corrected"]
    assert notes == ["改过的描述：还有一户"]
    assert [r["state"] for r in outbox_records(page) if r["label"] == title] == ["sent"]
