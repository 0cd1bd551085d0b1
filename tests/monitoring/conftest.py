"""The hand-built county: twelve cases written through the real actions with a set clock, whose
figures are worked out by hand in test_figures.py. Built once per run and only read after."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.disputes.deadlines import CHINA
from tests.support.monitoring import Territory, act, build_territory, log

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA)  # a Monday morning, China time
NOW = T0 + timedelta(days=20)  # when the figures are read
D, H = timedelta(days=1), timedelta(hours=1)
PERIOD = {"from": "2026-03-01", "to": "2026-03-31"}

_built: dict[str, Territory] = {}


def _resolve(note: str = "当场化解") -> dict:
    return {"kind": "on_the_spot", "note": note}


async def _story(t: Territory, phone: str) -> None:
    applicant = [{"role": "applicant", "name": "王五", "phone": phone}]
    # c1: the plain road: resolved by the village in 2 days, followed up, rated 4
    await log(t, "c1", "A.g1", T0, parties=applicant)
    await act(t, "c1", "A.v", "accept", T0 + H, rights_notified=True)
    await act(
        t,
        "c1",
        "A.v",
        "resolve",
        T0 + 2 * D,
        kind="agreement",
        terms=[{"text": "疏通排水沟"}],
        signed_by="双方",
        signed_on="2026-03-04",
    )
    await act(
        t, "c1", "A.v", "follow-up", T0 + 5 * D, method="visit", honoured="yes", satisfaction=4
    )
    # c2: escalated to the township, handed back, resolved by the village on day 4
    await log(t, "c2", "A.g1", T0)
    await act(t, "c2", "A.v", "accept", T0 + H)
    await act(t, "c2", "A.v", "escalate", T0 + D, reason="村级难以化解")
    await act(t, "c2", "A", "accept", T0 + D + H)
    await act(
        t, "c2", "A", "hand-back", T0 + 2 * D, to_level="village", instructions="请村里继续调解"
    )
    await act(t, "c2", "A.v", "resolve", T0 + 4 * D, **_resolve())
    # c3: resolved, followed up (rated 2), reopened, resolved again on day 10, not visited since
    await log(t, "c3", "A.g2", T0)
    await act(t, "c3", "A.v", "accept", T0 + H)
    await act(t, "c3", "A.v", "resolve", T0 + 3 * D, **_resolve())
    await act(
        t, "c3", "A.v", "follow-up", T0 + 4 * D, method="phone", honoured="no", satisfaction=2
    )
    await act(t, "c3", "A.v", "reopen", T0 + 5 * D, reason="协议未履行")
    await act(t, "c3", "A.v", "resolve", T0 + 10 * D, **_resolve("再次调解成功"))
    # c4: accepted at T0 (due T0 + 15 days, 09:00), resolved at 19:00 on that very day
    await log(t, "c4", "A.g1", T0)
    await act(t, "c4", "A.v", "accept", T0)
    await act(t, "c4", "A.v", "resolve", T0 + 15 * D + 10 * H, **_resolve())
    # c5: resolved the day after its limit ran out
    await log(t, "c5", "A.g1", T0)
    await act(t, "c5", "A.v", "accept", T0)
    await act(t, "c5", "A.v", "resolve", T0 + 16 * D + H, **_resolve())
    # c6: a group, high-risk land dispute still in mediation, its limit past by NOW
    await log(t, "c6", "A.g1", T0, people_involved=6, risk_level="high", category="land")
    await act(t, "c6", "A.v", "accept", T0 + H)
    # c7 (township B): a group dispute referred to court, open without a limit
    await log(t, "c7", "B.g1", T0, people_involved=5)
    await act(t, "c7", "B.v", "accept", T0 + H)
    await act(t, "c7", "B.v", "refer", T0 + 2 * D, channel="court", reason="涉及法律适用")
    # c8 (township B): merged into c7 as a duplicate: counted nowhere
    await log(t, "c8", "B.g1", T0)
    await act(t, "c8", "B.v", "mark-duplicate", T0 + H, duplicate_of=str(t.cases["c7"]))
    # c9: a walk-in at the township (越级), resolved there on day 3, followed up, rated 5
    await log(t, "c9", "A", T0, grid="A.g1", source="walk_in")
    await act(t, "c9", "A", "accept", T0 + H)
    await act(t, "c9", "A", "resolve", T0 + 3 * D, **_resolve())
    await act(t, "c9", "A", "follow-up", T0 + 6 * D, method="visit", honoured="yes", satisfaction=5)
    # c10: logged in February, outside the period
    await log(t, "c10", "A.g1", datetime(2026, 2, 10, 9, 0, tzinfo=CHINA))
    # c11: the same applicant as c1 again (a repeat), never accepted: its limit ran out on day 5
    await log(t, "c11", "A.g2", T0 + 2 * D, parties=applicant)
    # c12: bounced village → township → village → township (three moves)
    await log(t, "c12", "A.g1", T0)
    await act(t, "c12", "A.v", "accept", T0 + H)
    await act(t, "c12", "A.v", "escalate", T0 + D, reason="需乡镇协调")
    await act(t, "c12", "A", "accept", T0 + D + H)
    await act(
        t, "c12", "A", "hand-back", T0 + 2 * D, to_level="village", instructions="请村里先调解"
    )
    await act(t, "c12", "A.v", "escalate", T0 + 3 * D, reason="仍无法化解")


@pytest.fixture
async def county(app) -> Territory:
    """The hand-built county (built by the first test that asks, then shared: tests only read)."""
    if "county" not in _built:
        import uuid

        t = await build_territory()
        await _story(t, "139" + str(uuid.uuid4().int)[:8])
        _built["county"] = t
    return _built["county"]
