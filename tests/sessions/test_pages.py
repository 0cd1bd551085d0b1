"""The pages a mediator uses on a phone: book with free slots, look, record, print, calendars."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app import clock
from app.audit.tables import AuditLog
from tests.sessions.conftest import at


@pytest.fixture
async def mediator(cast):
    return await cast.browser("demo-village")


async def test_the_booking_form_offers_the_free_slots_of_the_room_and_day(
    cast, mediator, case, booking, village_room, day
):
    assert (
        await cast.api["demo-village"].post("/api/v1/sessions", json=booking("09:00", "10:00"))
    ).status_code == 201
    other = await cast.log_case("demo-grid", title="表单预约", category="debt")
    from tests.sessions.conftest import accept

    await accept(other["id"])
    page = await mediator.get(
        f"/sessions/new?dispute_id={other['id']}&room_id={village_room['id']}&date={day}"
    )
    assert page.status_code == 200
    assert 'value="08:30-09:30"' not in page.text  # overlaps the booked hour
    assert 'value="10:00-11:00"' in page.text
    fragment = await mediator.http.get(
        "/sessions/new",
        params={"dispute_id": other["id"], "room_id": village_room["id"], "date": str(day)},
        headers={"hx-request": "true"},
    )
    assert fragment.status_code == 200
    assert "<form" not in fragment.text and 'value="10:00-11:00"' in fragment.text


async def test_booking_through_the_form_and_being_refused_a_taken_slot(
    cast, mediator, case, village_room, day
):
    form = {
        "dispute_id": case["id"],
        "room_id": str(village_room["id"]),
        "date": str(day),
        "slot": "10:00-11:00",
        "mediator_ids": str(cast.me["demo-village"]["id"]),
        "public": "1",
    }
    r = await mediator.post_form("/sessions", form)
    assert r.status_code == 302, r.text
    session_page = await mediator.get(r.headers["location"])
    assert session_page.status_code == 200
    assert "10:00" in session_page.text and village_room["name"] in session_page.text
    again = await mediator.post_form("/sessions", form | {"slot": "10:30-11:30"})
    assert again.status_code == 409
    assert case["case_no"] in again.text and 'id="booking-conflict"' in again.text


async def test_a_held_session_prints_its_mediation_agreement(
    cast, mediator, case, booking, day, monkeypatch
):
    made = (await cast.api["demo-village"].post("/api/v1/sessions", json=booking())).json()
    moment = datetime.fromisoformat(at(day, "10:00"))
    monkeypatch.setattr(clock, "now", lambda: moment)
    # weeks later on the app's clock: yesterday's login has lapsed, so sign in again
    mediator = await cast.browser("demo-village")
    r = await mediator.post_form(
        f"/sessions/{made['id']}/actions/hold",
        {
            "outcome": "agreement",
            "attended_party_ids": [str(p["id"]) for p in made["parties"]],
            "minutes": "双方同意。",
            "agreement_terms": "王家十日内加装接水槽。",
            "performance": "王家自行施工，村调委会监督。",
            "performance_deadline": str(day + timedelta(days=10)),
        },
    )
    assert r.status_code == 302, r.text
    offer = f'href="/sessions/{made["id"]}/agreement"'
    assert offer in (await mediator.get(f"/sessions/{made['id']}")).text
    admin = await cast.browser("demo-admin")  # reads the session, may not print: not offered
    seen = await admin.get(f"/sessions/{made['id']}")
    assert seen.status_code == 200 and offer not in seen.text
    assert (await admin.get(f"/sessions/{made['id']}/agreement")).status_code == 403
    paper = await mediator.get(f"/sessions/{made['id']}/agreement")
    assert paper.status_code == 200
    text = paper.text
    for needed in (
        "人民调解协议书",
        "王大山",
        "李小河",
        "13800001111",
        "王家十日内加装接水槽",
        "人民调解委员会",
        "盖章",
    ):
        assert needed in text, needed
    assert paper.headers["cache-control"] == "no-store"
    logged = await AuditLog.select().where(
        (AuditLog.dispute == case["id"]) & (AuditLog.kind == "agreement")
    )
    assert [e["user"] for e in logged] == [cast.me["demo-village"]["id"]]
    # a mediator above, who does not hold the case, gets the paper with the numbers masked
    township = await (await cast.browser("demo-township")).get(f"/sessions/{made['id']}/agreement")
    assert township.status_code == 200
    assert "13800001111" not in township.text and "138****1111" in township.text
    assert await AuditLog.count().where(AuditLog.dispute == case["id"]) == 1
    assert (
        await (await cast.browser("demo-grid")).get(f"/sessions/{made['id']}/agreement")
    ).status_code == 403


async def test_the_agreement_of_a_session_without_one_is_refused(cast, mediator, booking):
    made = (await cast.api["demo-village"].post("/api/v1/sessions", json=booking())).json()
    assert (await mediator.get(f"/sessions/{made['id']}/agreement")).status_code == 409


async def test_a_form_error_in_an_action_reopens_that_form(cast, mediator, booking):
    made = (await cast.api["demo-village"].post("/api/v1/sessions", json=booking())).json()
    r = await mediator.post_form(f"/sessions/{made['id']}/actions/cancel", {"reason": ""})
    assert r.status_code == 422
    assert '<details class="action" open>' in r.text


async def test_the_week_calendar_of_a_room_and_of_a_mediator(
    cast, mediator, booking, village_room, day
):
    made = (
        await cast.api["demo-village"].post("/api/v1/sessions", json=booking("14:00", "15:30"))
    ).json()
    week = await mediator.get(f"/calendar/rooms/{village_room['id']}?date={day}")
    assert week.status_code == 200
    assert "14:00–15:30" in week.text and made["dispute"]["case_no"] in week.text
    assert week.text.count('class="day') >= 7
    mine = await mediator.get(f"/calendar/me?date={day}&view=day")
    assert mine.status_code == 302
    page = await mediator.get(mine.headers["location"])
    assert "14:00–15:30" in page.text and village_room["name"] in page.text


async def test_the_township_sees_every_room_with_sessions_on_a_day(
    cast, booking, village_room, day
):
    (await cast.api["demo-village"].post("/api/v1/sessions", json=booking("08:30", "09:30"))).json()
    township = await cast.browser("demo-township")
    page = await township.get(f"/calendar?date={day}")
    assert page.status_code == 200
    assert village_room["name"] in page.text and "08:30–09:30" in page.text


async def test_a_room_calendar_out_of_scope_is_404(cast, village_room):
    outsider = await cast.browser("demo-grid-2")
    assert (await outsider.get(f"/calendar/rooms/{village_room['id']}")).status_code == 404


async def test_the_case_page_lists_its_sessions(cast, mediator, booking, case):
    made = (await cast.api["demo-village"].post("/api/v1/sessions", json=booking())).json()
    fragment = await mediator.http.get(
        f"/disputes/{case['id']}/sessions", headers={"hx-request": "true"}
    )
    assert f"/sessions/{made['id']}" in fragment.text and "<html" not in fragment.text


async def test_a_village_mediator_keeps_their_own_room_but_not_the_townships(
    cast, mediator, village_room
):
    page = await mediator.get(f"/rooms/{village_room['id']}/edit")
    assert page.status_code == 200
    assert '名称 *<input name="name"' in page.text and "姓名" not in page.text  # a room's name
    form = {
        "name": village_room["name"],
        "address": "村委会二楼",
        "capacity": "40",
        "opens_at": "08:00",
        "closes_at": "18:00",
        "open_weekdays": ["1", "2", "3", "4", "5", "6", "7"],
        "active": "1",
    }
    r = await mediator.post_form(f"/rooms/{village_room['id']}", form)
    assert r.status_code == 302, r.text
    room = next(
        x
        for x in (await cast.api["demo-village"].get("/api/v1/rooms")).json()
        if x["id"] == village_room["id"]
    )
    assert room["capacity"] == 40 and room["opens_at"] == "08:00"
    await mediator.post_form(
        f"/rooms/{village_room['id']}",
        form | {"capacity": "30", "opens_at": "08:30", "closes_at": "17:30"},
    )
    bad = await mediator.post_form(f"/rooms/{village_room['id']}", form | {"opens_at": "19:00"})
    assert bad.status_code == 422
    township_rooms = (await cast.api["demo-township"].get("/api/v1/rooms")).json()
    town_room = next(
        x
        for x in township_rooms
        if x["owner"]["id"] == cast.me["demo-township"]["jurisdiction"]["id"]
    )
    township = await cast.browser("demo-township")
    assert (await township.get(f"/rooms/{town_room['id']}/edit")).status_code == 200
    assert (await township.get(f"/rooms/{village_room['id']}/edit")).status_code == 403
    assert (await mediator.get(f"/rooms/{town_room['id']}/edit")).status_code == 404


async def test_room_and_juror_forms_refuse_by_area_then_role_before_their_fields(
    cast, village_room, juror
):
    """The README's order on the pages too: out of the area 404, a role that may not 403,
    whatever the form holds; only then its fields (422). Nothing changes."""
    bad = {"name": "", "capacity": "many", "opens_at": "25:00", "kind": "x", "phone": "abc"}
    outsider = await cast.browser("demo-grid-2")  # another township
    for url in (f"/rooms/{village_room['id']}", f"/jurors/{juror['id']}"):
        assert (await outsider.post_form(url, bad)).status_code == 404, url
    county = await cast.browser("demo-county")  # sees the room, does not keep rooms
    assert (await county.post_form(f"/rooms/{village_room['id']}", bad)).status_code == 403
    grid = await cast.browser("demo-grid")  # keeps neither rooms nor jurors
    for url in ("/rooms", "/jurors"):
        assert (await grid.post_form(url, bad)).status_code == 403, url
    mediator = await cast.browser("demo-village")
    assert (await mediator.post_form(f"/jurors/{juror['id']}", bad)).status_code == 422
    rooms = (await cast.api["demo-village"].get("/api/v1/rooms")).json()
    assert next(r for r in rooms if r["id"] == village_room["id"]) == village_room


async def test_a_mediator_adds_a_juror_to_the_village_pool(cast, mediator):
    r = await mediator.post_form(
        "/jurors",
        {"name": "孙法明", "kind": "legal_literate", "phone": "13711112222", "active": "1"},
    )
    assert r.status_code == 302, r.text
    listed = await mediator.get("/jurors")
    assert "孙法明" in listed.text and "137****2222" in listed.text and "法律明白人" in listed.text
    bad = await mediator.post_form("/jurors", {"name": "", "kind": "wizard", "active": "1"})
    assert bad.status_code == 422
