"""Recompute every running deadline after the calendar or the time limits changed.

One idempotent job (the scheduler's list, `pingli recompute-deadlines`, and at once after an
administrator's change): for each open case with a derived time limit it works the due date
out again from when the limit began, under the case's limits and today's calendar (plus the
extensions granted since), and where it differs writes it with a conditional UPDATE on the
case's version and a `deadline_moved` event in the case's ledger, in one transaction. A second
run, or a run in another process, finds nothing to move. A day a person chose (a hand-back
with its own day, a supervision order) is not moved.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from app import clock, db
from app.disputes import deadlines, ledger, states
from app.disputes.tables import CaseEvent, Dispute
from app.rules import calendar, limits
from app.rules.tables import RulesVersion

DERIVED = ("accept", "resolve", "follow_up", "hand_back")
BATCH = 500


async def _rules(cache: dict, county: int, version: int | None) -> dict[str, Any]:
    key = (county, version)
    if key not in cache:
        cache[key] = await limits.of_version(county, version)
    return cache[key]


def base_due(kind: str, level: str, start: datetime, rules) -> datetime:
    if kind == "accept":
        return deadlines.accept_due(start, rules)
    if kind == "follow_up":
        return deadlines.follow_up_due(start, rules)
    return deadlines.resolve_due(level, start, rules)


async def _extensions(ids: list) -> dict[Any, list[tuple[datetime, int]]]:
    rows = await CaseEvent.select(CaseEvent.dispute, CaseEvent.data, CaseEvent.created_at).where(
        CaseEvent.dispute.is_in(ids) & CaseEvent.kind.is_in(["extended", "handed_back"])
    )
    out: dict[Any, list] = {}
    for r in rows:
        data = json.loads(r["data"] or "{}")
        out.setdefault(r["dispute"], []).append((r["created_at"], data))
    return out


def expected_due(row: dict[str, Any], rules, events: list) -> datetime | None:
    """The due date the case should have now; None when it is a day a person chose."""
    start = row["due_from"]
    if row["due_kind"] == "hand_back":
        given = [d for at, d in events if "due_given" in d and at >= start]
        if not given or given[-1]["due_given"]:
            return None  # a chosen day, or a hand-back from before the day was told apart
    due = base_due(row["due_kind"], row["level"], start, rules)
    for at, data in sorted(events, key=lambda e: e[0]):
        if at >= start and "days" in data and "due_given" not in data:
            due = deadlines.extend_due(due, int(data["days"]), rules.working_days)
    return due


async def recompute(now: datetime | None = None, force: bool = False) -> dict[str, int]:
    """Move every running deadline that no longer matches the rules. Skips at once when nothing
    changed since the last complete run (unless forced)."""
    now = now or clock.now()
    await calendar.ensure(0)
    version_row = await RulesVersion.select().first()
    version = version_row["version"] if version_row else 0
    if not force and version_row is not None and version_row["recomputed"] >= version:
        return {"checked": 0, "moved": 0}
    cache: dict = {}
    checked = moved = 0
    last_id = None
    while True:
        query = Dispute.select(
            Dispute.id,
            Dispute.version,
            Dispute.county,
            Dispute.category,
            Dispute.level,
            Dispute.status,
            Dispute.due_at,
            Dispute.due_from,
            Dispute.due_kind,
            Dispute.limits_version,
        ).where(
            Dispute.status.is_in(sorted(states.OPEN | {"resolved", "concluded"}))
            & Dispute.due_at.is_not_null()
            & Dispute.due_from.is_not_null()
            & Dispute.due_kind.is_in(list(DERIVED))
        )
        if last_id is not None:
            query = query.where(Dispute.id > last_id)
        rows = await query.order_by(Dispute.id).limit(BATCH)
        if not rows:
            break
        last_id = rows[-1]["id"]
        events = await _extensions([r["id"] for r in rows])
        for row in rows:
            checked += 1
            raw = await _rules(cache, row["county"], row["limits_version"])
            rules = limits.to_limits(raw, row["category"])
            due = expected_due(row, rules, events.get(row["id"], []))
            if due is None or due == row["due_at"]:
                continue
            moved += await _move(row, due, now, rules.working_days)
    await RulesVersion.update({RulesVersion.recomputed: version}, force=True).where(
        RulesVersion.recomputed < version
    )
    return {"checked": checked, "moved": moved}


async def _move(row: dict[str, Any], due: datetime, now: datetime, working: bool) -> int:
    changes: dict[Any, Any] = {
        Dispute.due_at: due,
        Dispute.version: Dispute.version + 1,
        Dispute.updated_at: now,
    }
    if due > now:  # the flags about the old date go with it
        changes |= {Dispute.overdue_at: None, Dispute.escalation_notice_at: None}
    async with db.transaction():
        done = await (
            Dispute.update(changes)
            .where((Dispute.id == row["id"]) & (Dispute.version == row["version"]))
            .returning(Dispute.id)
        )
        if not done:
            return 0  # someone acted on the case meanwhile: the next run looks again
        await ledger.append(
            row["id"],
            "deadline_moved",
            now,
            actor=None,
            level=row["level"],
            data={
                "due_kind": row["due_kind"],
                "previous_due_at": row["due_at"],
                "due_at": due,
                "provisional": calendar.provisional(row["due_from"], due, working),
            },
        )
    return 1
