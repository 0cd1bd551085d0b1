"""The in-app channel: an unread badge on every page, the centre, reading a notice."""

import re

from app.notify.tables import Notification


def badge(html: str) -> int:
    found = re.search(r'class="count unread-badge">(\d+\+?)<', html)
    return int(found.group(1).rstrip("+")) if found else 0


async def test_a_group_dispute_shows_in_the_township_officers_badge_and_centre(cast):
    township = await cast.browser("demo-township")
    # start from a read inbox: other tests notify the township too, and the badge stops at 99+
    await township.post_form("/notifications/read", {"_csrf_token": township.csrf})
    assert badge((await township.get("/")).text) == 0
    case = await cast.log_case(
        "demo-grid", title="三十户村民集体反映灌溉用水纠纷", people_involved=30
    )
    home = await township.get("/")
    assert badge(home.text) == 1
    assert badge((await township.get("/disputes")).text) == 1  # on every page
    centre = await township.get("/notifications")
    assert "三十户村民集体反映灌溉用水纠纷" in centre.text and case["case_no"] in centre.text


async def test_opening_a_notice_marks_it_read_and_leads_to_the_case(cast):
    case = await cast.log_case("demo-grid", title="高风险：土地纠纷可能激化", risk_level="high")
    township = await cast.browser("demo-township")
    row = (
        await Notification.select()
        .where(
            (Notification.recipient == cast.me["demo-township"]["id"])
            & Notification.payload.like(f"%{case['id']}%")
        )
        .first()
    )
    r = await township.post_form(f"/notifications/{row['id']}/open", {"_csrf_token": township.csrf})
    assert r.status_code == 303 and r.headers["location"] == f"/disputes/{case['id']}"
    read = (
        await Notification.select(Notification.read_at).where(Notification.id == row["id"]).first()
    )
    assert read["read_at"] is not None


async def test_mark_all_as_read_empties_the_badge(cast):
    await cast.log_case("demo-grid", people_involved=8)
    township = await cast.browser("demo-township")
    assert badge((await township.get("/")).text) > 0
    r = await township.post_form("/notifications/read", {"_csrf_token": township.csrf})
    assert r.status_code == 303
    assert badge((await township.get("/")).text) == 0


async def test_nobody_can_open_someone_elses_notice(cast):
    await cast.log_case("demo-grid", people_involved=9)
    theirs = (
        await Notification.select()
        .where(Notification.recipient == cast.me["demo-township"]["id"])
        .first()
    )
    village = await cast.browser("demo-village")
    r = await village.post_form(
        f"/notifications/{theirs['id']}/open", {"_csrf_token": village.csrf}
    )
    assert r.status_code == 404


async def test_a_notice_is_stored_once_however_often_it_is_sent(cast):
    from datetime import UTC, datetime

    from app.notify.outbox import Notice, send

    notice = Notice(kind="test", message="Nothing is overdue.", link="/", dedupe="test:once")
    for _ in range(3):
        await send(notice, [cast.me["demo-county"]["id"]], datetime.now(UTC))
    assert await Notification.count().where(Notification.dedupe_key.like("test:once:%")) == 1
