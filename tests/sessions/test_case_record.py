"""A held reasoning session is its case's record: it counts on the ladder, its minutes are the
file's mediation record, and an agreement resolves the case with the session's terms, starting
the court-confirmation countdown; the two ledgers link each other."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app import clock
from app.disputes.tables import Dispute
from tests.sessions.conftest import at
from tests.support.dossier import documents


@pytest.fixture
def travel(monkeypatch):
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


async def _hold(cast, session, **body):
    return await cast.api["demo-village"].post(
        f"/api/v1/sessions/{session['id']}/actions/hold", json=body
    )


async def _case(cast, case_id):
    r = await cast.api["demo-village"].get(f"/api/v1/disputes/{case_id}")
    assert r.status_code == 200, r.text
    return r.json()


async def _events(cast, case_id):
    return (await cast.api["demo-village"].get(f"/api/v1/disputes/{case_id}/events")).json()


async def test_a_session_agreement_resolves_the_case_with_its_terms_and_starts_the_countdown(
    cast, session, case, day, travel
):
    travel(day, "10:05")
    r = await _hold(
        cast,
        session,
        outcome="agreement",
        minutes="双方陈述，评理员发表意见，双方同意加装接水槽。",
        attended_party_ids=[p["id"] for p in session["parties"]],
        attended_juror_ids=[session["jurors"][0]["id"]],
        agreement_terms="1. 王家加装接水槽\n2、李家不再阻拦施工\n",
        performance="王家自行施工，村调委会监督。",
        performance_deadline=str(day + timedelta(days=15)),
    )
    assert r.status_code == 200, r.text

    now = await _case(cast, case["id"])
    assert now["status"] == "resolved"
    assert now["attempts"] == 1 and now["level"] == "village"
    assert now["agreement_signed_on"] == day.isoformat()
    assert now["due_kind"] == "follow_up"

    held, resolved = (await _events(cast, case["id"]))[-2:]
    assert held["kind"] == "session_held" and held["data"]["session_id"] == session["id"]
    assert held["note"] == "双方陈述，评理员发表意见，双方同意加装接水槽。"
    assert resolved["kind"] == "resolved" and resolved["data"]["session_id"] == session["id"]
    due = str(day + timedelta(days=15))
    assert resolved["data"]["terms"] == [
        {"text": "王家加装接水槽", "due_on": due},
        {"text": "李家不再阻拦施工", "due_on": due},
    ]
    assert "王大山" in resolved["data"]["signed_by"] and "李小河" in resolved["data"]["signed_by"]

    page = (await (await cast.browser("demo-village")).get(f"/disputes/{case['id']}")).text
    docs = documents(page)
    assert docs["调解笔录"] and docs["调解协议书或终止调解记录"]
    assert "村级已调解 1 次（最多 3 次）" in page
    assert "司法确认" in page  # the 30-day countdown runs
    assert "王家加装接水槽" in page and "李家不再阻拦施工" in page  # tracked for 履行
    assert f'href="/sessions/{session["id"]}"' in page  # the case's ledger names the session

    session_page = (
        await (await cast.browser("demo-village")).get(f"/sessions/{session['id']}")
    ).text
    assert f'href="/disputes/{case["id"]}"' in session_page
    assert "案件已按以上条款化解" in session_page


async def test_a_session_without_agreement_is_one_attempt_and_the_mediation_record(
    cast, session, case, day, travel
):
    travel(day, "10:05")
    r = await _hold(cast, session, outcome="no_agreement", minutes="双方各执一词，未达成协议。")
    assert r.status_code == 200, r.text
    now = await _case(cast, case["id"])
    assert (now["status"], now["attempts"]) == ("mediating", 1)
    assert now["agreement_signed_on"] is None
    page = (await (await cast.browser("demo-village")).get(f"/disputes/{case['id']}")).text
    docs = documents(page)
    assert docs["调解笔录"] and not docs["调解协议书或终止调解记录"]


async def test_a_session_beyond_the_ladder_is_refused_and_nothing_is_written(
    cast, session, case, day, travel
):
    await Dispute.update({Dispute.attempts: 3}).where(Dispute.id == case["id"])
    travel(day, "10:05")
    r = await _hold(cast, session, outcome="no_agreement", minutes="第四次评理")
    assert r.status_code == 409
    assert "上报" in r.json()["detail"]
    shown = (await cast.api["demo-village"].get(f"/api/v1/sessions/{session['id']}")).json()
    assert shown["status"] == "scheduled"
    assert (await _case(cast, case["id"]))["attempts"] == 3


async def test_agreed_terms_must_fit_the_case_one_term_a_line(cast, session, day, travel):
    travel(day, "10:05")
    r = await _hold(
        cast,
        session,
        outcome="agreement",
        agreement_terms="很长的条款" * 120,
        performance="自行履行",
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["agreement_terms"]


async def test_a_level_whose_sessions_are_used_cannot_book_another(cast, case, booking):
    await Dispute.update({Dispute.attempts: 3}).where(Dispute.id == case["id"])
    r = await cast.api["demo-village"].post("/api/v1/sessions", json=booking())
    assert r.status_code == 409
    assert "请上报或分流" in r.json()["detail"]
