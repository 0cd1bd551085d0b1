"""A session's life: held with attendance and outcome, cancelled, nobody came, moved — each
change in the case's ledger."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app import clock
from tests.sessions.conftest import accept, at


@pytest.fixture
def travel(monkeypatch):
    """Set the clock the domain reads to a China time on some day."""

    def to(day, hhmm: str) -> None:
        moment = datetime.fromisoformat(at(day, hhmm))
        monkeypatch.setattr(clock, "now", lambda: moment)

    return to


@pytest.fixture
async def session(cast, booking, juror) -> dict:
    body = booking(juror_ids=[juror["id"]], confirmed_juror_ids=[juror["id"]])
    r = await cast.api["demo-village"].post("/api/v1/sessions", json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def _act(cast, session, action, username="demo-village", **body):
    return await cast.api[username].post(
        f"/api/v1/sessions/{session['id']}/actions/{action}", json=body
    )


async def _ledger(cast, session) -> list[str]:
    events = (
        await cast.api["demo-village"].get(f"/api/v1/disputes/{session['dispute']['id']}/events")
    ).json()
    return [e["kind"] for e in events]


async def test_an_outcome_cannot_be_recorded_before_the_session_begins(cast, session):
    r = await _act(cast, session, "hold", outcome="no_agreement")
    assert r.status_code == 409


async def test_a_held_session_records_attendance_outcome_and_minutes(cast, session, day, travel):
    travel(day, "10:05")
    applicant = next(p for p in session["parties"] if p["name"] == "王大山")
    r = await _act(
        cast,
        session,
        "hold",
        outcome="agreement",
        minutes="双方陈述，评理员发表意见。",
        attended_party_ids=[applicant["id"]],
        attended_juror_ids=[session["jurors"][0]["id"]],
        agreement_terms="王家加装接水槽，李家不再阻拦施工。",
        performance="王家自行施工，村调委会监督。",
        performance_deadline=str(day + timedelta(days=15)),
    )
    assert r.status_code == 200, r.text
    held = r.json()
    assert held["status"] == "held" and held["outcome"] == "agreement"
    assert {p["name"]: p["attended"] for p in held["parties"]} == {"王大山": True, "李小河": False}
    assert held["jurors"][0]["attended"] is True
    assert held["agreement"]["facts"].startswith("王家新房屋檐")  # from the case by default
    assert held["actions"] == []
    assert (await _ledger(cast, session))[-2:] == ["session_held", "resolved"]


async def test_an_agreement_needs_its_terms_and_how_they_are_performed(cast, session, day, travel):
    travel(day, "10:05")
    r = await _act(cast, session, "hold", outcome="agreement")
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"agreement_terms", "performance"}


async def test_a_cancelled_session_frees_its_room_and_people(cast, session, booking):
    r = await _act(cast, session, "cancel", reason="当事人外出务工未归")
    assert r.status_code == 200
    assert r.json()["status"] == "cancelled"
    assert r.json()["cancel_reason"] == "当事人外出务工未归"
    again = await cast.api["demo-village"].post("/api/v1/sessions", json=booking())
    assert again.status_code == 201, again.text
    assert "session_cancelled" in await _ledger(cast, session)


async def test_cancelling_needs_a_reason(cast, session):
    r = await _act(cast, session, "cancel")
    assert r.status_code == 422


async def test_a_no_show_is_recorded_once_the_session_has_begun(cast, session, day, travel):
    assert (await _act(cast, session, "no-show")).status_code == 409
    travel(day, "09:20")
    r = await _act(cast, session, "no-show", note="被申请人未到场")
    assert r.status_code == 200
    assert r.json()["status"] == "no_show"
    assert (await _ledger(cast, session))[-1] == "session_no_show"


async def test_rescheduling_books_anew_and_keeps_the_old_row_as_history(cast, session, day):
    r = await _act(
        cast,
        session,
        "reschedule",
        starts_at=at(day, "09:30"),  # overlaps its own old time: allowed
        ends_at=at(day, "11:00"),
        reason="申请人要求推迟",
    )
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["id"] != session["id"] and moved["replaces"] == session["id"]
    assert "T09:30" in moved["starts_at"]
    assert [j["name"] for j in moved["jurors"]] == [j["name"] for j in session["jurors"]]
    old = (await cast.api["demo-village"].get(f"/api/v1/sessions/{session['id']}")).json()
    assert old["status"] == "rescheduled" and old["replaced_by"] == moved["id"]
    assert (await _ledger(cast, session))[-1] == "session_rescheduled"


async def test_rescheduling_into_a_taken_slot_is_refused_and_changes_nothing(
    cast, session, booking, other_room, day
):
    other = await cast.log_case("demo-grid", title="占位", category="debt")
    await accept(other["id"])
    taken = await cast.api["demo-township"].post(
        "/api/v1/sessions",
        json=booking(
            "14:00",
            "15:00",
            dispute_id=other["id"],
            mediator_ids=[cast.me["demo-township"]["id"]],
        ),
    )
    assert taken.status_code == 201
    r = await _act(
        cast, session, "reschedule", starts_at=at(day, "14:30"), ends_at=at(day, "15:30")
    )
    assert r.status_code == 409
    still = (await cast.api["demo-village"].get(f"/api/v1/sessions/{session['id']}")).json()
    assert still["status"] == "scheduled"


async def test_only_a_scheduled_session_changes(cast, session):
    assert (await _act(cast, session, "cancel", reason="改日")).status_code == 200
    r = await _act(cast, session, "cancel", reason="再取消一次")
    assert r.status_code == 409


async def test_an_unknown_action_is_refused(cast, session):
    r = await _act(cast, session, "teleport")
    assert r.status_code in (404, 422)


async def test_an_action_the_api_does_not_have_is_refused_by_name(cast, session):
    before = await _ledger(cast, session)
    r = await _act(cast, session, "dance", outcome="agreement")
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "action"), r.text
    assert await _ledger(cast, session) == before  # nothing written
