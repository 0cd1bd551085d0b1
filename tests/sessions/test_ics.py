"""Private iCalendar feeds, read by a real iCalendar parser."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import icalendar

from app.sessions.ics import render_calendar

URL_RE = re.compile(r'value="(http://testserver/calendar/feeds/[^"]+\.ics)"')


async def _subscribe(browser, **field) -> str:
    r = await browser.post_form("/calendar/feeds", {k: str(v) for k, v in field.items()})
    assert r.status_code == 200, r.text
    return URL_RE.search(r.text).group(1).removeprefix("http://testserver")


async def test_a_room_feed_lists_its_sessions_for_a_calendar_app(cast, booking, village_room, case):
    made = (
        await cast.api["demo-village"].post("/api/v1/sessions", json=booking("09:00", "10:30"))
    ).json()
    mediator = await cast.browser("demo-village")
    path = await _subscribe(mediator, room_id=village_room["id"])
    anonymous = await cast.browser()
    r = await anonymous.get(path)  # calendar apps do not sign in
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"  # one charset, not two
    cal = icalendar.Calendar.from_ical(r.content)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    event = events[f"session-{made['id']}@pingli"]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == datetime.fromisoformat(made["starts_at"])  # the same instant, written in UTC
    assert start.utcoffset() == timedelta(0)
    assert end - start == timedelta(minutes=90)
    assert case["case_no"] in str(event["SUMMARY"])
    assert "王大山" not in r.text  # parties never leave for someone else's calendar service
    assert village_room["name"] in str(event["LOCATION"])
    assert str(event["STATUS"]) == "CONFIRMED"


async def test_a_mediator_feed_has_their_sessions_and_cancelled_ones_say_so(cast, booking, day):
    made = (
        await cast.api["demo-village"].post("/api/v1/sessions", json=booking("11:00", "12:00"))
    ).json()
    await cast.api["demo-village"].post(
        f"/api/v1/sessions/{made['id']}/actions/cancel", json={"reason": "下雨"}
    )
    mediator = await cast.browser("demo-village")
    path = await _subscribe(mediator, mediator_id=cast.me["demo-village"]["id"])
    cal = icalendar.Calendar.from_ical((await mediator.get(path)).content)
    event = next(e for e in cal.walk("VEVENT") if str(e["UID"]) == f"session-{made['id']}@pingli")
    assert str(event["STATUS"]) == "CANCELLED"


async def test_a_mediator_may_subscribe_to_their_own_calendar_only(cast):
    mediator = await cast.browser("demo-township")
    r = await mediator.post_form(
        "/calendar/feeds", {"mediator_id": str(cast.me["demo-village"]["id"])}
    )
    assert r.status_code == 403


async def test_a_revoked_or_unknown_feed_is_404(cast, village_room):
    mediator = await cast.browser("demo-village")
    path = await _subscribe(mediator, room_id=village_room["id"])
    assert (await mediator.get(path)).status_code == 200
    page = await mediator.get("/calendar")
    feed_id = re.findall(r'action="/calendar/feeds/(\d+)/revoke"', page.text)[0]
    assert (await mediator.post_form(f"/calendar/feeds/{feed_id}/revoke", {})).status_code == 302
    assert (await mediator.get(path)).status_code == 404
    assert (await mediator.get("/calendar/feeds/not-a-token.ics")).status_code == 404


async def test_the_token_is_stored_only_as_its_hash(cast, village_room):
    from app.sessions.tables import CalendarFeed

    mediator = await cast.browser("demo-village")
    path = await _subscribe(mediator, room_id=village_room["id"])
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 40
    assert not await CalendarFeed.exists().where(CalendarFeed.token_hash == token)


def test_long_chinese_lines_are_folded_without_splitting_a_character():
    now = datetime(2026, 5, 1, tzinfo=UTC)
    event = {
        "id": 7,
        "starts_at": now,
        "ends_at": now + timedelta(hours=1),
        "status": "scheduled",
        "public": True,
        "created_at": now,
        "updated_at": now,
        "room_name": "很长的评理室名称" * 6,
        "room_address": "河南省驻马店市泌阳县某某镇某某村党群服务中心二楼，会议室；",
        "case_no": "BY-2026-000001",
        "category": "land",
    }
    text = render_calendar("日历", [event], now, "https://pingli.example")
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    parsed = icalendar.Calendar.from_ical(text)
    location = str(next(iter(parsed.walk("VEVENT")))["LOCATION"])
    assert location.startswith("很长的评理室名称") and location.endswith("会议室；")
