"""The scheduler's sweep, run with a clock the test controls: overdue once, the right people
told once, the level above supervising after the grace period, late replies flagged."""

import uuid
from datetime import datetime, timedelta

from app.disputes import deadlines, jobs
from app.disputes.tables import CaseEvent, Dispute, Supervision
from app.notify.tables import Notification
from tests.support.lifecycle import accepted_case, act, current


def when(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


async def notices_for(cast, username: str, case_id: str, kind: str) -> int:
    return await Notification.count().where(
        (Notification.recipient == cast.me[username]["id"])
        & (Notification.kind == kind)
        & (Notification.channel == "in_app")  # a web push row too when the person has a device
        & Notification.payload.like(f"%{case_id}%")
    )


async def events_of(case_id: str, kind: str) -> int:
    return await CaseEvent.count().where(
        (CaseEvent.dispute == uuid.UUID(case_id)) & (CaseEvent.kind == kind)
    )


async def test_a_case_past_its_village_deadline_is_flagged_overdue_once_and_the_township_is_told(
    cast,
):
    case = await accepted_case(cast)
    due = when((await current(cast, case["id"]))["due_at"])
    assert due - when(case["created_at"]) >= timedelta(days=14)  # the village's 15 days

    await jobs.sweep_deadlines(now=due - timedelta(minutes=1))
    assert await events_of(case["id"], "overdue") == 0

    after_due = due + timedelta(minutes=1)
    first = await jobs.sweep_deadlines(now=after_due)
    assert first["overdue"] >= 1
    row = (
        await Dispute.select(Dispute.overdue_at, Dispute.version)
        .where(Dispute.id == uuid.UUID(case["id"]))
        .first()
    )
    assert row["overdue_at"] == after_due
    assert await events_of(case["id"], "overdue") == 1
    assert await notices_for(cast, "demo-township", case["id"], "overdue") == 1
    assert await notices_for(cast, "demo-village", case["id"], "overdue") == 1
    assert await notices_for(cast, "demo-county", case["id"], "overdue") == 0

    # about this case: the same sweeps may tell of other tests' follow-up visits falling due
    about = Notification.payload.like(f"%{case['id']}%")
    notices = await Notification.count().where(about)
    await jobs.sweep_deadlines(now=after_due)
    await jobs.sweep_deadlines(now=after_due + timedelta(minutes=10))
    assert await events_of(case["id"], "overdue") == 1
    assert await Notification.count().where(about) == notices
    again = (
        await Dispute.select(Dispute.overdue_at, Dispute.version)
        .where(Dispute.id == uuid.UUID(case["id"]))
        .first()
    )
    assert again == row  # the sweep is not an action: the version people hold stays valid


async def test_after_the_grace_period_the_township_supervises_the_overdue_case_once(cast):
    case = await accepted_case(cast)
    due = when((await current(cast, case["id"]))["due_at"])
    later = due + timedelta(hours=deadlines.limits().overdue_grace_hours, minutes=1)
    await jobs.sweep_deadlines(now=later)
    await jobs.sweep_deadlines(now=later + timedelta(hours=1))
    orders = await Supervision.select().where(Supervision.dispute == uuid.UUID(case["id"]))
    assert len(orders) == 1
    assert (
        orders[0]["automatic"]
        and orders[0]["issuer"] == cast.me["demo-township"]["jurisdiction"]["id"]
    )
    assert await notices_for(cast, "demo-village", case["id"], "auto_supervised") == 1
    page = await current(cast, case["id"])
    assert (
        page["open_supervisions"] == 1
        and "reply"
        in (await cast.api["demo-village"].get(f"/api/v1/disputes/{case['id']}")).json()[
            "available_actions"
        ]
    )


async def test_a_supervision_reply_not_given_in_time_is_flagged_once_and_the_issuer_told(cast):
    case = await accepted_case(cast)
    await act(
        cast,
        "demo-township",
        case["id"],
        "supervise",
        instructions="三日内报告进展",
        due_on="2099-01-01",
    )
    order = await Supervision.select().where(Supervision.dispute == uuid.UUID(case["id"])).first()
    late = order["due_at"] + timedelta(minutes=1)
    await jobs.sweep_deadlines(now=late)
    await jobs.sweep_deadlines(now=late)
    assert await events_of(case["id"], "supervision_overdue") == 1
    assert await notices_for(cast, "demo-township", case["id"], "supervision_overdue") == 1
    flagged = (
        await Supervision.select(Supervision.overdue_at)
        .where(Supervision.id == order["id"])
        .first()
    )
    assert flagged["overdue_at"] == late


async def test_a_group_dispute_is_reported_to_the_township_the_moment_it_is_logged(cast):
    case = await cast.log_case(
        "demo-grid",
        title="十余户村民反映征地补偿款分配不公",
        category="land_acquisition",
        people_involved=12,
    )
    assert await notices_for(cast, "demo-township", case["id"], "group_dispute") == 1
    assert await notices_for(cast, "demo-county", case["id"], "group_dispute") == 0


async def test_a_high_risk_case_is_reported_to_the_township_the_moment_it_is_logged(cast):
    case = await cast.log_case("demo-grid", risk_level="high", people_involved=2)
    assert await notices_for(cast, "demo-township", case["id"], "high_risk") == 1


async def test_the_sweep_is_in_the_schedulers_one_list():
    from app.scheduler import jobs as scheduled

    assert "sweep-deadlines" in [job.name for job in scheduled()]
