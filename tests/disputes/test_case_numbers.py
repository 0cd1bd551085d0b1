"""Case numbers: claimed without making creates wait for each other, unique, and without gaps
when nothing fails, on both engines."""

from __future__ import annotations

import asyncio
import uuid

from app import db
from app.disputes import numbers
from app.disputes.tables import CaseSequence, Dispute


def _serial(case_no: str) -> int:
    return int(case_no.rsplit("-", 1)[1])


async def test_cases_logged_at_the_same_moment_get_distinct_consecutive_numbers(cast):
    api = cast.api["demo-grid"]
    bodies = [
        {"id": str(uuid.uuid4()), "title": f"同时登记{i}", "category": "neighbours"}
        for i in range(12)
    ]
    answers = await asyncio.gather(*[api.post("/api/v1/disputes", json=b) for b in bodies])
    assert [a.status_code for a in answers] == [201] * 12, [a.text for a in answers]
    rows = await Dispute.select(Dispute.case_no).where(
        Dispute.id.is_in([uuid.UUID(b["id"]) for b in bodies])
    )
    serials = sorted(_serial(r["case_no"]) for r in rows)
    assert len(set(serials)) == 12
    assert serials == list(range(serials[0], serials[0] + 12))  # no gap, no repeat
    # and the next one carries on after them
    after = await cast.log_case("demo-grid", title="之后登记")
    assert _serial(after["case_no"]) == serials[-1] + 1


async def test_one_case_sent_many_times_at_once_uses_one_number(cast):
    api = cast.api["demo-grid"]
    before = _serial((await cast.log_case("demo-grid", title="之前"))["case_no"])
    body = {"id": str(uuid.uuid4()), "title": "重复发送", "category": "debt"}
    answers = await asyncio.gather(*[api.post("/api/v1/disputes", json=body) for _ in range(6)])
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201]
    after = _serial((await cast.log_case("demo-grid", title="之后"))["case_no"])
    assert after == before + 2  # the repeated case took one number, the others none


async def test_a_counter_of_earlier_numbers_is_carried_on(cast):
    key = numbers.key("TEST-CARRY", 2031)
    await CaseSequence.insert(CaseSequence(key=key, last=41))
    try:
        async with db.transaction():
            assert await numbers.claim(key, 3) == [42, 43, 44]
        assert await numbers.last(key) == 44
        await numbers.advance_to(key, 60)
        async with db.transaction():
            assert await numbers.claim(key) == [61]
    finally:
        await CaseSequence.delete().where(CaseSequence.key == key)
        if db.is_postgres():
            await CaseSequence.raw(f'DROP SEQUENCE IF EXISTS "{numbers.sequence_name(key)}"')
            numbers._known.discard(numbers.sequence_name(key))
