"""No double booking, ever: twenty people pressing the button at the same moment."""

from __future__ import annotations

import asyncio
from datetime import datetime

import httpx
import pytest

from app.sessions.tables import MediationSession, SessionParticipant
from tests.sessions.conftest import accept, at

PRESSES = 20


async def _clients(app, cast, username: str, n: int) -> list[httpx.AsyncClient]:
    """n separate clients (as n phones), all signed in as `username`."""
    token = cast.api[username].headers["Authorization"]
    return [
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            headers={"Authorization": token},
        )
        for _ in range(n)
    ]


async def _press_together(clients, bodies) -> list[httpx.Response]:
    try:
        return await asyncio.gather(
            *[c.post("/api/v1/sessions", json=b) for c, b in zip(clients, bodies, strict=True)]
        )
    finally:
        for c in clients:
            await c.aclose()


async def test_twenty_simultaneous_bookings_of_one_room_and_slot_make_exactly_one_session(
    app, cast, village_room, day
):
    cases = [
        await cast.log_case("demo-grid", title=f"同时预约 {i}", category="debt")
        for i in range(PRESSES)
    ]
    for c in cases:
        await accept(c["id"])
    # Different cases, mediators in turn: the room is what they all want.
    mediators = [
        cast.me["demo-village"]["id"],
        cast.me["demo-township"]["id"],
        cast.me["demo-county"]["id"],
    ]
    bodies = [
        {
            "dispute_id": c["id"],
            "room_id": village_room["id"],
            "starts_at": at(day, "14:00"),
            "ends_at": at(day, "15:00"),
            "mediator_ids": [mediators[i % 3]],
        }
        for i, c in enumerate(cases)
    ]
    responses = await _press_together(await _clients(app, cast, "demo-county", PRESSES), bodies)
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 1, [r.text for r in responses if r.status_code != 409]
    assert codes.count(409) == PRESSES - 1
    winner = next(r.json() for r in responses if r.status_code == 201)
    for r in responses:
        if r.status_code == 409:
            assert r.json()["current"]["session_id"] == winner["id"]
    live = await MediationSession.count().where(
        (MediationSession.room == village_room["id"])
        & (MediationSession.starts_at == datetime.fromisoformat(winner["starts_at"]))
        & MediationSession.status.is_in(["scheduled", "held"])
    )
    assert live == 1


async def test_twenty_simultaneous_bookings_of_one_mediator_in_twenty_rooms_make_exactly_one(
    app, cast, day
):
    rooms = (await cast.api["demo-county"].get("/api/v1/rooms")).json()[:PRESSES]
    assert len(rooms) == PRESSES
    cases = [
        await cast.log_case("demo-grid", title=f"同一调解员 {i}", category="debt")
        for i in range(PRESSES)
    ]
    for c in cases:
        await accept(c["id"])
    mediator = cast.me["demo-township"]["id"]
    bodies = [
        {
            "dispute_id": c["id"],
            "room_id": room["id"],
            "starts_at": at(day, "15:00"),
            "ends_at": at(day, "16:00"),
            "mediator_ids": [mediator],
        }
        for c, room in zip(cases, rooms, strict=True)
    ]
    responses = await _press_together(await _clients(app, cast, "demo-county", PRESSES), bodies)
    codes = [r.status_code for r in responses]
    assert codes.count(201) == 1, [r.text for r in responses if r.status_code != 409]
    assert codes.count(409) == PRESSES - 1
    assert all(
        r.json()["current"]["conflict"] == "person" for r in responses if r.status_code == 409
    )
    winner = next(r.json() for r in responses if r.status_code == 201)
    held = await SessionParticipant.count().where(
        (SessionParticipant.person == f"user:{mediator}")
        & (SessionParticipant.active == True)  # noqa: E712
        & (SessionParticipant.starts_at == datetime.fromisoformat(winner["starts_at"]))
    )
    assert held == 1


async def test_the_database_itself_refuses_an_overlap_on_postgresql(engine_name, cast, booking):
    """The exclusion constraints, bypassing every check in the code."""
    if engine_name != "postgres":
        pytest.skip("SQLite has no exclusion constraints: the booking transaction serializes")
    import asyncpg

    from app.db import is_exclusion_violation

    made = (await cast.api["demo-village"].post("/api/v1/sessions", json=booking())).json()
    row = await MediationSession.select().where(MediationSession.id == made["id"]).first()
    copy = {k: v for k, v in row.items() if k != "id"}
    with pytest.raises(asyncpg.exceptions.ExclusionViolationError) as room_clash:
        await MediationSession.insert(MediationSession(**copy))
    assert is_exclusion_violation(room_clash.value)
    person = (
        await SessionParticipant.select()
        .where((SessionParticipant.session == made["id"]) & (SessionParticipant.kind == "mediator"))
        .first()
    )
    with pytest.raises(asyncpg.exceptions.ExclusionViolationError):
        await SessionParticipant.insert(
            SessionParticipant(**{k: v for k, v in person.items() if k != "id"})
        )
