"""Booking a session: what succeeds, and each refusal with the message a person needs."""

from __future__ import annotations

from datetime import timedelta

from app.disputes.tables import Dispute
from tests.sessions.conftest import accept, at


async def test_a_mediator_books_a_public_session_for_an_accepted_case(cast, booking, case):
    r = await cast.api["demo-village"].post("/api/v1/sessions", json=booking())
    assert r.status_code == 201, r.text
    s = r.json()
    assert s["status"] == "scheduled"
    assert s["dispute"]["case_no"] == case["case_no"]
    assert s["starts_at"].endswith("+08:00") and "T09:00" in s["starts_at"]
    assert [m["name"] for m in s["mediators"]] == [cast.me["demo-village"]["display_name"]]
    assert sorted(p["name"] for p in s["parties"]) == ["李小河", "王大山"]  # every party by default
    assert s["public"] and s["observer_seats"] == 30 - 3
    assert s["actions"] == ["cancel", "reschedule"]


async def test_booking_appends_to_the_case_ledger(cast, booking, case):
    r = await cast.api["demo-village"].post("/api/v1/sessions", json=booking())
    events = (await cast.api["demo-village"].get(f"/api/v1/disputes/{case['id']}/events")).json()
    assert events[-1]["kind"] == "session_booked"
    assert r.json()["id"]


async def test_a_taken_room_is_refused_naming_the_booking_in_the_way(cast, booking, case):
    first = await cast.api["demo-village"].post("/api/v1/sessions", json=booking("09:00", "10:30"))
    assert first.status_code == 201
    other = await cast.log_case("demo-grid", title="另一起纠纷", category="debt")
    await accept(other["id"])
    body = booking(
        "10:00", "11:00", dispute_id=other["id"], mediator_ids=[cast.me["demo-township"]["id"]]
    )
    r = await cast.api["demo-township"].post("/api/v1/sessions", json=body)
    assert r.status_code == 409
    problem = r.json()
    assert problem["current"]["conflict"] == "room"
    assert problem["current"]["session_id"] == first.json()["id"]
    assert case["case_no"] in problem["detail"] and "09:00–10:30" in problem["detail"]


async def test_sessions_may_follow_each_other_without_a_gap(cast, booking, case):
    assert (
        await cast.api["demo-village"].post("/api/v1/sessions", json=booking("09:00", "10:00"))
    ).status_code == 201
    other = await cast.log_case("demo-grid", title="紧接着的纠纷", category="debt")
    await accept(other["id"])
    r = await cast.api["demo-village"].post(
        "/api/v1/sessions", json=booking("10:00", "11:00", dispute_id=other["id"])
    )
    assert r.status_code == 201, r.text


async def test_a_mediator_already_booked_elsewhere_is_refused(cast, booking, case, day):
    me = cast.me["demo-township"]["id"]
    rooms = (await cast.api["demo-township"].get("/api/v1/rooms")).json()
    first = await cast.api["demo-township"].post(
        "/api/v1/sessions", json=booking(room_id=rooms[0]["id"], mediator_ids=[me], party_ids=[])
    )
    assert first.status_code == 201, first.text
    r = await cast.api["demo-township"].post(
        "/api/v1/sessions",
        json=booking("09:30", "10:30", room_id=rooms[1]["id"], mediator_ids=[me], party_ids=[]),
    )
    assert r.status_code == 409
    assert r.json()["current"]["conflict"] == "person"
    assert cast.me["demo-township"]["display_name"] in r.json()["detail"]


async def test_a_juror_already_booked_elsewhere_is_refused(cast, booking, juror, other_room):
    township = cast.me["demo-township"]["id"]
    with_juror = {"juror_ids": [juror["id"]], "confirmed_juror_ids": [juror["id"]], "party_ids": []}
    first = await cast.api["demo-township"].post(
        "/api/v1/sessions",
        json=booking(room_id=other_room["id"], mediator_ids=[township], **with_juror),
    )
    assert first.status_code == 201, first.text
    r = await cast.api["demo-village"].post(
        "/api/v1/sessions", json=booking("09:45", "11:00", **with_juror)
    )
    assert r.status_code == 409
    assert r.json()["current"]["name"] == juror["name"]


async def test_the_same_party_cannot_sit_in_two_sessions_at_once(cast, booking, case, other_room):
    first = await cast.api["demo-township"].post(
        "/api/v1/sessions",
        json=booking(room_id=other_room["id"], mediator_ids=[cast.me["demo-township"]["id"]]),
    )
    assert first.status_code == 201
    r = await cast.api["demo-village"].post("/api/v1/sessions", json=booking())
    assert r.status_code == 409
    assert r.json()["current"]["name"] in ("王大山", "李小河")


async def test_a_time_outside_the_rooms_hours_is_refused(cast, booking):
    r = await cast.api["demo-village"].post("/api/v1/sessions", json=booking("17:00", "18:30"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "starts_at"
    assert "08:30–17:30" in r.json()["errors"][0]["message"]


async def test_a_day_the_room_is_closed_is_refused(cast, booking, village_room, day):
    from app.sessions.tables import Room

    await Room.update({Room.open_weekdays: "12345"}).where(Room.id == village_room["id"])
    try:
        saturday = day + timedelta(days=6 - day.isoweekday())
        r = await cast.api["demo-village"].post(
            "/api/v1/sessions",
            json=booking(starts_at=at(saturday, "09:00"), ends_at=at(saturday, "10:00")),
        )
    finally:
        await Room.update({Room.open_weekdays: "1234567"}).where(Room.id == village_room["id"])
    assert r.status_code == 422
    assert "closed" in r.json()["detail"] or "不开放" in r.json()["detail"]


async def test_a_case_that_is_not_in_a_mediatable_state_is_refused(cast, booking, case):
    await Dispute.update({Dispute.status: "logged"}).where(Dispute.id == case["id"])
    r = await cast.api["demo-village"].post("/api/v1/sessions", json=booking())
    assert r.status_code == 409
    assert case["case_no"] in r.json()["detail"]
    await Dispute.update({Dispute.status: "closed"}).where(Dispute.id == case["id"])
    assert (
        await cast.api["demo-village"].post("/api/v1/sessions", json=booking())
    ).status_code == 409


async def test_a_time_in_the_past_is_refused(cast, booking, day):
    r = await cast.api["demo-village"].post(
        "/api/v1/sessions",
        json=booking(
            starts_at=at(day - timedelta(days=800), "09:00"),
            ends_at=at(day - timedelta(days=800), "10:00"),
        ),
    )
    assert r.status_code == 422


async def test_bad_fields_answer_422_naming_each(cast, booking):
    body = booking(starts_at="tomorrow", mediator_ids=[], public=False)
    r = await cast.api["demo-village"].post("/api/v1/sessions", json=body)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert "starts_at" in fields


async def test_times_without_an_offset_are_refused(cast, booking, day):
    body = booking(starts_at=f"{day}T09:00:00", ends_at=f"{day}T10:00:00")
    r = await cast.api["demo-village"].post("/api/v1/sessions", json=body)
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"starts_at", "ends_at"}


async def test_a_private_session_needs_a_recorded_reason(cast, booking):
    r = await cast.api["demo-village"].post("/api/v1/sessions", json=booking(public=False))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "private_reason"
    ok = await cast.api["demo-village"].post(
        "/api/v1/sessions", json=booking(public=False, private_reason="party_objects")
    )
    assert ok.status_code == 201
    assert ok.json()["observer_seats"] == 0
    assert ok.json()["private_reason_label"]


async def test_every_juror_must_be_confirmed_unrelated_and_a_shared_surname_is_flagged(
    cast, booking, namesake_juror
):
    r = await cast.api["demo-village"].post(
        "/api/v1/sessions", json=booking(juror_ids=[namesake_juror["id"]])
    )
    assert r.status_code == 422
    message = r.json()["errors"][0]["message"]
    assert namesake_juror["name"] in message and "王大山" in message  # the flag names the party
    ok = await cast.api["demo-village"].post(
        "/api/v1/sessions",
        json=booking(juror_ids=[namesake_juror["id"]], confirmed_juror_ids=[namesake_juror["id"]]),
    )
    assert ok.status_code == 201, ok.text
    juror = ok.json()["jurors"][0]
    assert "王" in juror["flag"]
    assert juror["no_relation_confirmed_by"] == cast.me["demo-village"]["display_name"]
    assert juror["no_relation_confirmed_at"]


async def test_a_room_too_small_for_everyone_is_refused(cast, booking, village_room):
    from app.sessions.tables import Room

    await Room.update({Room.capacity: 2}).where(Room.id == village_room["id"])
    try:
        r = await cast.api["demo-village"].post("/api/v1/sessions", json=booking())
    finally:
        await Room.update({Room.capacity: 30}).where(Room.id == village_room["id"])
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "room_id"


async def test_a_grid_worker_cannot_book(cast, booking):
    r = await cast.api["demo-grid"].post("/api/v1/sessions", json=booking())
    assert r.status_code == 403


async def test_a_case_out_of_scope_is_404_and_a_room_out_of_scope_is_a_field_error(cast, booking):
    r = await cast.api["demo-grid-2"].post("/api/v1/sessions", json=booking())
    assert r.status_code in (403, 404)
    other_rooms = (await cast.api["demo-county"].get("/api/v1/rooms")).json()
    mine = {r["id"] for r in (await cast.api["demo-village"].get("/api/v1/rooms")).json()}
    foreign = next(r for r in other_rooms if r["id"] not in mine)
    r = await cast.api["demo-village"].post("/api/v1/sessions", json=booking(room_id=foreign["id"]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "room_id"


async def test_a_session_out_of_scope_is_404(cast, booking):
    made = (await cast.api["demo-village"].post("/api/v1/sessions", json=booking())).json()
    for who in ("demo-grid-2",):
        r = await cast.api[who].get(f"/api/v1/sessions/{made['id']}")
        assert r.status_code == 404
    r = await cast.api["demo-grid-2"].post(
        f"/api/v1/sessions/{made['id']}/actions/cancel", json={"reason": "x"}
    )
    assert r.status_code == 404
