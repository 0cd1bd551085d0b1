"""Session reminders in the outbox: written when a session is booked, due 24 hours and 1 hour
before it, withdrawn when it is cancelled or moved."""

from __future__ import annotations

from datetime import datetime, timedelta

from app import crypto
from app.notify import drain
from app.notify.tables import Notification
from tests.notify.conftest import reminders_of
from tests.sessions.conftest import at


def with_juror(juror: dict) -> dict:
    return {"juror_ids": [juror["id"]], "confirmed_juror_ids": [juror["id"]]}


async def book(cast, body: dict) -> dict:
    r = await cast.api["demo-village"].post("/api/v1/sessions", json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def test_booking_writes_reminders_a_day_and_an_hour_before(cast, booking, juror, day):
    session = await book(cast, booking("09:00", "10:00", **with_juror(juror)))
    starts = datetime.fromisoformat(at(day, "09:00"))
    rows = await reminders_of(session["id"])
    mediator = cast.me["demo-village"]["id"]
    # the outbox keeps the number encrypted, like the party and juror rows it was copied from
    assert all(crypto.is_token(r["phone"]) for r in rows if r["phone"])
    found = sorted(
        (r["due_at"] - starts, r["channel"], r["recipient"] or crypto.decrypt(r["phone"]))
        for r in rows
    )
    expected = sorted(
        (-lead, channel, who)
        for lead in (timedelta(hours=24), timedelta(hours=1))
        for channel, who in (
            ("in_app", mediator),
            ("web_push", mediator),
            ("sms", "13700003333"),  # the juror
            ("sms", "13800001111"),  # the applicant
            ("sms", "13900002222"),  # the respondent
        )
    )
    assert found == expected
    assert all(r["sent_at"] is None and r["attempts"] == 0 for r in rows)


async def test_a_session_booked_for_this_afternoon_gets_only_the_hour_reminder(
    cast, booking, day, frozen
):
    starts = datetime.fromisoformat(at(day, "14:00"))
    frozen.set(starts - timedelta(hours=5))
    session = await book(cast, booking("14:00", "15:00"))
    rows = await reminders_of(session["id"])
    assert rows and {r["due_at"] for r in rows} == {starts - timedelta(hours=1)}


async def test_an_in_app_reminder_reaches_the_centre_only_when_it_is_due(
    cast, booking, day, frozen, gateway
):
    session = await book(cast, booking("11:00", "12:00"))
    starts = datetime.fromisoformat(at(day, "11:00"))
    village = await cast.browser("demo-village")
    assert f"明天（{day.isoformat()}）11:00" not in (await village.get("/notifications")).text

    frozen.set(starts - timedelta(hours=24))
    await drain.run(gateway)
    # days have passed on the frozen clock: the first login has lapsed, so sign in again
    village = await cast.browser("demo-village")
    centre = (await village.get("/notifications")).text
    assert f"明天（{day.isoformat()}）11:00" in centre
    assert f"案件 {session['dispute']['case_no']}" in centre


async def test_cancelling_withdraws_the_reminders_and_tells_everyone_it_is_off(
    cast, booking, juror, day
):
    session = await book(cast, booking("09:00", "10:00", **with_juror(juror)))
    r = await cast.api["demo-village"].post(
        f"/api/v1/sessions/{session['id']}/actions/cancel", json={"reason": "当事人外出务工"}
    )
    assert r.status_code == 200, r.text
    rows = await reminders_of(session["id"])
    assert not [r for r in rows if r["kind"] == "session_reminder"]
    told = sorted((r["channel"], r["recipient"] or crypto.decrypt(r["phone"])) for r in rows)
    mediator = cast.me["demo-village"]["id"]
    assert told == sorted(
        [
            ("in_app", mediator),
            ("web_push", mediator),
            ("sms", "13700003333"),
            ("sms", "13800001111"),
            ("sms", "13900002222"),
        ]
    )
    assert all(r["kind"] == "session_cancelled" for r in rows)
    in_app = next(r for r in rows if r["channel"] == "in_app")
    assert in_app["sent_at"] is not None  # in the centre at once


async def test_rescheduling_moves_the_reminders_to_the_new_time(cast, booking, day):
    session = await book(cast, booking("09:00", "10:00"))
    r = await cast.api["demo-village"].post(
        f"/api/v1/sessions/{session['id']}/actions/reschedule",
        json={"starts_at": at(day, "15:00"), "ends_at": at(day, "16:00"), "reason": "调整时间"},
    )
    assert r.status_code == 200, r.text
    moved = r.json()["id"]
    assert moved != session["id"]
    assert await reminders_of(session["id"]) == []
    new_starts = datetime.fromisoformat(at(day, "15:00"))
    dues = {row["due_at"] for row in await reminders_of(moved)}
    assert dues == {new_starts - timedelta(hours=24), new_starts - timedelta(hours=1)}


async def test_what_was_sent_stays_when_the_session_is_cancelled_later(
    cast, booking, day, frozen, gateway
):
    session = await book(cast, booking("09:00", "10:00"))
    starts = datetime.fromisoformat(at(day, "09:00"))
    frozen.set(starts - timedelta(hours=24))
    await drain.run(gateway)
    r = await cast.api["demo-village"].post(
        f"/api/v1/sessions/{session['id']}/actions/cancel", json={"reason": "调解员生病"}
    )
    assert r.status_code == 200, r.text
    left = await Notification.select(Notification.due_at, Notification.sent_at).where(
        Notification.dedupe_key.like(f"session:{session['id']}:remind%")
    )
    # the day-before reminders went out and stay on record; the hour-before ones are gone
    assert left and all(r["sent_at"] is not None for r in left)
    assert {r["due_at"] for r in left} == {starts - timedelta(hours=24)}
