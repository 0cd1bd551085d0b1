"""The monthly full-coverage sweep (拉网式排查): every grid, every month, "none found" included.

A grid worker files one sweep report a month for their grid: the cases found (cases of the
grid logged that month, linked) or an explicit "none found", with the month's patrol check-ins
in the grid as evidence (at least one is required: a sweep is walked, not typed). Coverage is
the share of grids that have filed. From the due day (PINGLI_SWEEP_DUE_DAY) the grids still
missing are listed, and their workers are reminded through the outbox, once a month.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from litestar.exceptions import PermissionDeniedException
from piccolo.query.functions.aggregate import Count

from app import clock, db
from app.auth import policy
from app.auth.actor import Actor
from app.auth.scope import scope_where
from app.auth.tables import User
from app.checkins.tables import PatrolCheckin
from app.disputes.errors import Conflict, FieldErrors
from app.disputes.tables import Dispute
from app.i18n import N_, _
from app.jurisdictions.tables import Jurisdiction
from app.monitoring import areas
from app.monitoring.tables import SweepCase, SweepCheckin, SweepReport
from app.notify.outbox import Notice, send
from app.settings import get_settings

REMINDER = N_(
    "The monthly sweep of grid %(grid)s for %(month)s is not filed yet: walk the grid and file it."
)
MAX_CASES = 200


@dataclass(frozen=True)
class NewSweep:
    month: date
    dispute_ids: list[uuid.UUID]
    none_found: bool
    note: str


def parse_sweep(data: dict, now: datetime) -> NewSweep:
    errors: dict[str, str] = {}
    current = areas.month_start(areas.today(now))
    month = current
    if data.get("month"):
        try:
            month = areas.month_start(
                date.fromisoformat(
                    str(data["month"]) + ("-01" if len(str(data["month"])) == 7 else "")
                )
            )
        except ValueError:
            errors["month"] = _("Must be a month like 2026-05.")
    if month != current:
        errors["month"] = _("A sweep is filed for the current month.")
    raw = data.get("dispute_ids") or []
    raw = raw if isinstance(raw, list) else [raw]
    ids = []
    for value in raw[:MAX_CASES]:
        try:
            ids.append(uuid.UUID(str(value)))
        except ValueError:
            errors["dispute_ids"] = _("A case id is not valid.")
    none_found = data.get("none_found") in (True, "1", "on", "true", 1)
    if none_found and ids:
        errors["none_found"] = _("Either link the cases found or say none were found, not both.")
    if not none_found and not ids:
        errors["none_found"] = _("Link the cases found, or say explicitly that none were found.")
    note = str(data.get("note") or "").strip()
    if len(note) > 1000:
        errors["note"] = _("At most %(n)s characters.", n=1000)
    if errors:
        raise FieldErrors(errors)
    return NewSweep(month=month, dispute_ids=sorted(set(ids)), none_found=none_found, note=note)


def _month_range(month: date) -> tuple[datetime, datetime]:
    return areas.midnight(month), areas.midnight(areas.add_months(month, 1))


async def evidence(actor: Actor, grid_id: int, month: date) -> list[dict]:
    """The month's patrol check-ins in the grid (the worker's own)."""
    start, end = _month_range(month)
    return await (
        PatrolCheckin.select(PatrolCheckin.id, PatrolCheckin.checked_at, PatrolCheckin.note)
        .where(
            scope_where(PatrolCheckin, actor)
            & (PatrolCheckin.grid == grid_id)
            & (PatrolCheckin.user == actor.id)
            & (PatrolCheckin.checked_at >= start)
            & (PatrolCheckin.checked_at < end)
        )
        .order_by(PatrolCheckin.checked_at)
    )


async def cases_to_link(actor: Actor, grid_id: int, month: date) -> list[dict]:
    start, end = _month_range(month)
    return await (
        Dispute.select(Dispute.id, Dispute.case_no, Dispute.title, Dispute.created_at)
        .where(
            scope_where(Dispute, actor)
            & (Dispute.grid == grid_id)
            & (Dispute.created_at >= start)
            & (Dispute.created_at < end)
        )
        .order_by(Dispute.created_at)
    )


async def file_sweep(actor: Actor, new: NewSweep, now: datetime | None = None) -> int:
    """Store the grid worker's sweep for their grid. One per grid and month: a second one is a
    Conflict (the first stays as filed)."""
    now = now or clock.now()
    if not policy.may(actor, "file_sweep") or actor.grid_id is None:
        raise PermissionDeniedException(_("Only a grid worker files the sweep of their grid."))
    grid = await areas.node(actor, actor.grid_id)
    checkins = await evidence(actor, grid["id"], new.month)
    if not checkins:
        raise FieldErrors(
            {
                "checkins": _(
                    "Check in on patrol in your grid at least once this month before filing the sweep."
                )
            }
        )
    allowed = {c["id"] for c in await cases_to_link(actor, grid["id"], new.month)}
    if any(d not in allowed for d in new.dispute_ids):
        raise FieldErrors({"dispute_ids": _("Link only cases of your grid logged this month.")})
    try:
        async with db.transaction():
            if await SweepReport.exists().where(
                (SweepReport.grid == grid["id"]) & (SweepReport.month == new.month)
            ):
                raise Conflict(_("This month's sweep of your grid is filed already."))
            row = await SweepReport.insert(
                SweepReport(
                    **areas.placed(grid),
                    month=new.month,
                    none_found=new.none_found,
                    note=new.note,
                    filed_by=actor.id,
                    filed_at=now,
                )
            ).returning(SweepReport.id)
            sweep_id = row[0]["id"]
            if new.dispute_ids:
                await SweepCase.insert(
                    *[SweepCase(sweep=sweep_id, dispute=d) for d in new.dispute_ids]
                )
            await SweepCheckin.insert(
                *[SweepCheckin(sweep=sweep_id, checkin=c["id"]) for c in checkins]
            )
    except Exception as exc:
        if db.is_unique_violation(exc):
            raise Conflict(_("This month's sweep of your grid is filed already.")) from None
        raise
    return sweep_id


async def filed(actor: Actor, grid_id: int, month: date) -> dict | None:
    row = await (
        SweepReport.select(
            *SweepReport.all_columns(), SweepReport.filed_by.display_name.as_alias("filed_by_name")
        )
        .where(
            scope_where(SweepReport, actor)
            & (SweepReport.grid == grid_id)
            & (SweepReport.month == month)
        )
        .first()
    )
    if row is None:
        return None
    row["cases"] = await SweepCase.select(
        SweepCase.dispute.id.as_alias("id"),
        SweepCase.dispute.case_no.as_alias("case_no"),
        SweepCase.dispute.title.as_alias("title"),
    ).where(SweepCase.sweep == row["id"])
    row["checkins"] = await SweepCheckin.count().where(SweepCheckin.sweep == row["id"])
    return row


async def coverage(actor: Actor, node: dict, month: date) -> dict:
    """Grids under `node` that filed this month's sweep, in all and per child area."""
    column = node["level"]
    grids_where = (
        scope_where(Jurisdiction, actor)
        & (Jurisdiction.level == "grid")
        & (Jurisdiction._meta.get_column_by_name(column) == node["id"])
    )
    swept_where = (
        scope_where(SweepReport, actor)
        & (SweepReport.month == month)
        & (SweepReport._meta.get_column_by_name(column) == node["id"])
    )
    child = areas.child_level(node["level"])
    queries = [Jurisdiction.count().where(grids_where), SweepReport.count().where(swept_where)]
    if child:
        child_grids = Jurisdiction._meta.get_column_by_name(child)
        child_swept = SweepReport._meta.get_column_by_name(child)
        queries += [
            Jurisdiction.select(child_grids, Count()).where(grids_where).group_by(child_grids),
            SweepReport.select(child_swept, Count()).where(swept_where).group_by(child_swept),
        ]
    grids, reported, *split = await asyncio.gather(*(q.run() for q in queries))
    per_child: dict[int, dict] = {}
    if split:
        for r in split[0]:
            per_child[r[child]] = {"grids": r["count"], "reported": 0}
        for r in split[1]:
            per_child.setdefault(r[child], {"grids": 0, "reported": 0})["reported"] = r["count"]
        for v in per_child.values():
            v["rate"] = v["reported"] / v["grids"] if v["grids"] else None
    return {
        "month": month.isoformat()[:7],
        "grids": grids,
        "reported": reported,
        "rate": reported / grids if grids else None,
        "per_child": per_child,
    }


def due_day() -> int:
    return get_settings().sweep_due_day


def is_due(month: date, now: datetime) -> bool:
    """Has the due day of `month`'s sweep come?"""
    today = areas.today(now)
    return today >= month.replace(day=due_day())


async def missing(actor: Actor, node: dict, month: date, limit: int = 500) -> list[dict]:
    """Grids under `node` that have not filed `month`'s sweep, with their village and workers."""
    swept = SweepReport.select(SweepReport.grid).where(
        scope_where(SweepReport, actor) & (SweepReport.month == month)
    )
    grids = await (
        Jurisdiction.select(
            Jurisdiction.id,
            Jurisdiction.name,
            Jurisdiction.code,
            Jurisdiction.village.name.as_alias("village_name"),
        )
        .where(
            scope_where(Jurisdiction, actor)
            & (Jurisdiction.level == "grid")
            & (Jurisdiction._meta.get_column_by_name(node["level"]) == node["id"])
            & Jurisdiction.id.not_in(swept)
        )
        .order_by(Jurisdiction.code)
        .limit(limit)
    )
    workers: dict[int, list[str]] = {}
    if grids:
        for u in await User.select(User.jurisdiction, User.display_name).where(
            User.jurisdiction.is_in([g["id"] for g in grids])
            & (User.role == "grid_worker")
            & User.active.eq(True)
        ):
            workers.setdefault(u["jurisdiction"], []).append(u["display_name"])
    for g in grids:
        g["workers"] = workers.get(g["id"], [])
    return grids


async def remind_missing(now: datetime | None = None) -> dict[str, int]:
    """From the due day on, tell the workers of every grid without this month's sweep (once:
    the outbox's dedupe key names the grid and the month)."""
    now = now or clock.now()
    month = areas.month_start(areas.today(now))
    if not is_due(month, now):
        return {"reminded": 0}
    swept = SweepReport.select(SweepReport.grid).where(SweepReport.month == month)
    workers = await User.select(
        User.id, User.jurisdiction, User.jurisdiction.name.as_alias("grid_name")
    ).where((User.role == "grid_worker") & User.active.eq(True) & User.jurisdiction.not_in(swept))
    for w in workers:
        notice = Notice(
            kind="sweep_reminder",
            message=REMINDER,
            link="/sweeps",
            dedupe=f"sweep_reminder:{w['jurisdiction']}:{month.isoformat()}",
            params={"grid": w["grid_name"], "month": month.isoformat()[:7]},
        )
        await send(notice, [w["id"]], now)
    return {"reminded": len(workers)}
