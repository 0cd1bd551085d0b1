"""The demo's historical cases carry ledgers a real case in their status would have."""

import json
from collections import defaultdict

from app.disputes.states import TIMED
from app.disputes.tables import CaseEvent, Dispute
from app.disputes.vocabulary import SYSTEM_EVENTS


async def seeded() -> tuple[list[dict], dict]:
    cases = await Dispute.select().where(Dispute.content_hash == "seed")
    events = defaultdict(list)
    for e in (
        await CaseEvent.select()
        .where(CaseEvent.dispute.is_in([c["id"] for c in cases]))
        .order_by(CaseEvent.id)
    ):
        events[e["dispute"]].append(e | {"data": json.loads(e["data"])})
    return cases, events


async def test_every_seeded_case_has_a_ledger_that_ends_in_its_status():
    cases, events = await seeded()
    assert len(cases) >= 300
    for case in cases:
        ledger = events[case["id"]]
        assert ledger[0]["kind"] == "logged"
        assert [e["created_at"] for e in ledger] == sorted(e["created_at"] for e in ledger)
        statuses = [e["to_status"] for e in ledger if e["to_status"]]
        assert statuses[-1] == case["status"], (case["case_no"], [e["kind"] for e in ledger])
        by_people = [
            e for e in ledger if e["kind"] not in SYSTEM_EVENTS and not e["data"].get("automatic")
        ]
        assert case["version"] == len(by_people)


async def test_every_seeded_case_is_held_at_its_level_with_a_deadline_only_while_one_runs():
    cases, events = await seeded()
    for case in cases:
        assert case["holder"] == case[case["level"]]
        assert (case["due_at"] is not None) == (case["status"] in TIMED), case["case_no"]
        kinds = {e["kind"] for e in events[case["id"]]}
        if case["status"] == "closed":
            assert {"resolved", "followed_up", "closed"} <= kinds
        if case["level"] != "village" and case["status"] != "logged":
            assert "escalated" in kinds
        if case["overdue_at"] is not None:
            assert "overdue" in kinds


async def test_seeded_cases_are_mostly_settled_and_rarely_overdue():
    cases, _ = await seeded()
    closed = sum(c["status"] in ("closed", "withdrawn", "unresolvable") for c in cases)
    overdue = sum(c["overdue_at"] is not None for c in cases)
    assert closed > len(cases) / 2
    assert overdue < len(cases) / 5
