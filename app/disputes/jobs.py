"""Deadlines that enforce themselves: the scheduler's sweep over cases and supervision orders.

Every step is a claim: a conditional UPDATE sets a flag only where it is still empty and
returns the rows it changed, so only those get an event and a notice. Running the sweep twice,
or in two processes at once, flags and tells nothing twice. On PostgreSQL the sweep also takes a
transaction-level advisory lock, so a second sweeper gives way instead of waiting on row locks.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app import clock, db
from app.disputes import deadlines, ledger, notices, queues
from app.disputes.states import LEVEL_ABOVE
from app.disputes.tables import CaseEvent, Dispute, Supervision
from app.rules import limits as county_limits
from app.settings import CaseLimits

SWEEP_LOCK_KEY = 0x70696E676C6944  # "pingliD": deadline sweep, apart from the scheduler's own lock
_CASE = (
    Dispute.id,
    Dispute.case_no,
    Dispute.title,
    Dispute.level,
    Dispute.holder,
    Dispute.due_at,
    Dispute.due_kind,
    Dispute.county,
    Dispute.township,
    Dispute.village,
    Dispute.grid,
    Dispute.created_by,
)


def _above(case: dict) -> int | None:
    up = LEVEL_ABOVE.get(case["level"])
    return case[up] if up else None


async def sweep_deadlines(
    now: datetime | None = None, limits: CaseLimits | None = None
) -> dict[str, int]:
    """Flag overdue cases (telling the holder and the level above), put cases overdue past the
    grace period under supervision of the level above, and flag supervision replies not given."""
    now = now or clock.now()
    async with db.transaction():
        if db.is_postgres():
            got = await Dispute.raw("SELECT pg_try_advisory_xact_lock({}) AS got", SWEEP_LOCK_KEY)
            if not got[0]["got"]:
                return {"skipped": 1}
        return {
            "overdue": await _flag_overdue(now),
            "supervised": await _supervise_by_county(now, limits),
            "late_replies": await _flag_late_replies(now),
            "follow_ups_due": await _tell_follow_ups_due(now),
        }


async def _flag_overdue(now: datetime) -> int:
    claimed = await (
        Dispute.update({Dispute.overdue_at: now})
        .where(
            Dispute.due_at.is_not_null() & (Dispute.due_at <= now) & Dispute.overdue_at.is_null()
        )
        .returning(*_CASE)
    )
    if claimed:
        await CaseEvent.insert(
            *[
                ledger.event(
                    c["id"],
                    "overdue",
                    now,
                    actor=None,
                    level=c["level"],
                    data={"due_at": c["due_at"], "due_kind": c["due_kind"]},
                )
                for c in claimed
            ]
        )
    for case in claimed:
        await notices.tell(
            "overdue",
            case,
            [case["holder"], _above(case)],
            now,
            occasion=case["due_at"].isoformat(),
        )
    return len(claimed)


async def _supervise_by_county(now: datetime, limits: CaseLimits | None) -> int:
    """Each county's grace period and reply limit as it set them (app/rules/limits.py); the
    defaults for a county that set none."""
    if limits is not None:
        return await _supervise_long_overdue(now, limits)
    own = await county_limits.current_by_county()
    done = 0
    for county, rules in own.items():
        done += await _supervise_long_overdue(now, rules, Dispute.county == county)
    rest = Dispute.county.not_in(list(own)) if own else None
    return done + await _supervise_long_overdue(now, deadlines.limits(), rest)


async def _supervise_long_overdue(now: datetime, limits: CaseLimits, where=None) -> int:
    """After the grace period the level above supervises the case (督办) without being asked.
    The county has no level above: its overdue cases show on its own lists."""
    grace = timedelta(hours=limits.overdue_grace_hours)
    claim = (
        Dispute.due_at.is_not_null()
        & (Dispute.due_at <= now - grace)
        & Dispute.escalation_notice_at.is_null()
        & (Dispute.level != "county")
    )
    if where is not None:
        claim &= where
    claimed = await (
        Dispute.update({Dispute.escalation_notice_at: now}).where(claim).returning(*_CASE)
    )
    reply_by = deadlines.add_days(now, limits.accept_days, limits.working_days)
    for case in claimed:
        up = LEVEL_ABOVE[case["level"]]
        order = await Supervision.insert(
            Supervision(
                dispute=case["id"],
                county=case["county"],
                township=case["township"],
                village=case["village"],
                grid=case["grid"],
                issuer=case[up],
                issuer_level=up,
                automatic=True,
                due_at=reply_by,
                created_at=now,
            )
        ).returning(Supervision.id)
        await ledger.append(
            case["id"],
            "supervised",
            now,
            actor=None,
            level=up,
            data={"automatic": True, "due_at": reply_by, "supervision_id": order[0]["id"]},
        )
        await notices.tell(
            "auto_supervised",
            case,
            [case["holder"], case[up]],
            now,
            occasion=case["due_at"].isoformat(),
            due=reply_by,
        )
    return len(claimed)


async def _flag_late_replies(now: datetime) -> int:
    claimed = await (
        Supervision.update({Supervision.overdue_at: now})
        .where(
            Supervision.replied_at.is_null()
            & (Supervision.due_at <= now)
            & Supervision.overdue_at.is_null()
        )
        .returning(Supervision.id, Supervision.dispute, Supervision.issuer, Supervision.due_at)
    )
    if not claimed:
        return 0
    cases = {
        c["id"]: c
        for c in await Dispute.select(*_CASE).where(
            Dispute.id.is_in([s["dispute"] for s in claimed])
        )
    }
    for order in claimed:
        case = cases[order["dispute"]]
        await ledger.append(
            case["id"],
            "supervision_overdue",
            now,
            actor=None,
            level=case["level"],
            data={"supervision_id": order["id"], "due_at": order["due_at"]},
        )
        await notices.tell(
            "supervision_overdue",
            case,
            [order["issuer"], case["holder"]],
            now,
            occasion=str(order["id"]),
        )
    return len(claimed)


async def _tell_follow_ups_due(now: datetime) -> int:
    """A follow-up visit falling due within the "due soon" window is told to whoever must make
    it, once per case (the claim), however often the sweep runs; a resolution after a reopening
    starts a fresh claim (app/disputes/actions.py clears it with every new time limit)."""
    claimed = await (
        Dispute.update({Dispute.follow_up_notice_at: now})
        .where(
            (Dispute.due_kind == "follow_up")
            & Dispute.due_at.is_not_null()
            & (Dispute.due_at <= now + queues.DUE_SOON)
            & Dispute.followed_up_at.is_null()
            & Dispute.follow_up_notice_at.is_null()
        )
        .returning(*_CASE)
    )
    for case in claimed:
        await notices.tell_follow_up_due(case, now)
    return len(claimed)
