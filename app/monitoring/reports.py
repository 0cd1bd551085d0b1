"""Daily, weekly and monthly reports (日报/周报/月报) for the county and each township.

A report is issued for the latest period that has ended: yesterday, last Monday to Sunday, last
month (China dates). Its figures are computed once, at issue time, and stored as JSON: a report
reads the same next year as on the day it was issued, whatever happened to its cases since.
There is one report per area, kind and period (a unique key), so a restart, a second run, or
two schedulers racing add nothing: the loser's insert finds the row there.

An on-demand report is the same snapshot for any area and dates, computed when asked and not
stored.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app import clock, db
from app.auth.actor import Actor
from app.auth.scope import get_or_404, scope_where
from app.disputes.tables import Supervision
from app.i18n import N_
from app.jurisdictions.tables import Jurisdiction
from app.monitoring import areas, dashboard, facts
from app.monitoring.tables import Alert, Report

KINDS: dict[str, str] = {
    "daily": N_("Daily report"),
    "weekly": N_("Weekly report"),
    "monthly": N_("Monthly report"),
}
CUSTOM = "custom"
PER_PAGE = 30


def period(kind: str, now: datetime) -> tuple[date, date]:
    """The latest period of this kind that has ended by `now`."""
    today = areas.today(now)
    if kind == "daily":
        day = today - timedelta(days=1)
        return day, day
    if kind == "weekly":
        sunday = today - timedelta(days=today.weekday() + 1)
        return sunday - timedelta(days=6), sunday
    if kind == "monthly":
        first = areas.add_months(today, -1)
        return first, areas.month_end(first)
    raise ValueError(kind)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def snapshot(
    actor: Actor, node: dict, start: date, end: date, now: datetime, kind: str = CUSTOM
) -> dict[str, Any]:
    """The report's content: the dashboard of the period, plus what stood open at issue time."""
    q = dashboard.Query(node=node, start=start, end=end)
    board = await dashboard.build(actor, q, now, fresh=False)
    within = scope_where(Alert, actor) & (
        Alert._meta.get_column_by_name(node["level"]) == node["id"]
    )
    orders = scope_where(Supervision, actor) & (
        Supervision._meta.get_column_by_name(node["level"]) == node["id"]
    )
    board.update(
        kind=kind,
        issued_at=_iso(now),
        alerts_raised=await Alert.count().where(
            within
            & (Alert.raised_at >= areas.midnight(start))
            & (Alert.raised_at < areas.midnight(end + timedelta(days=1)))
        ),
        supervision_open=await Supervision.count().where(orders & Supervision.replied_at.is_null()),
    )
    return board


async def issue(kind: str, now: datetime | None = None) -> dict[str, int]:
    """Issue this kind's report for the latest ended period, for every county and township that
    does not have it yet. Safe to run any number of times, at once or after a restart."""
    now = now or clock.now()
    start, end = period(kind, now)
    await facts.refresh(now)
    issued = 0
    for county in await areas.counties():
        actor = areas.system_actor(county)
        nodes = [county] + await Jurisdiction.select(*areas.NODE_COLUMNS).where(
            (Jurisdiction.county == county["id"]) & (Jurisdiction.level == "township")
        ).order_by(Jurisdiction.code)
        for node in nodes:
            key = (
                (Report.jurisdiction == node["id"])
                & (Report.kind == kind)
                & (Report.period_start == start)
            )
            if await Report.exists().where(key):
                continue
            body = await snapshot(actor, node, start, end, now, kind)
            async with db.transaction():
                rows = await (
                    Report.insert(
                        Report(
                            jurisdiction=node["id"],
                            **areas.placed(node),
                            kind=kind,
                            period_start=start,
                            period_end=end,
                            issued_at=now,
                            body=json.dumps(body, ensure_ascii=False),
                        )
                    )
                    .on_conflict(action="DO NOTHING")
                    .returning(Report.id)
                )
            issued += len(rows)
    return {"issued": issued}


async def list_reports(actor: Actor, kind: str | None = None, page: int = 1) -> dict[str, Any]:
    where = scope_where(Report, actor)
    if kind:
        where &= Report.kind == kind
    rows = await (
        Report.select(
            Report.id,
            Report.kind,
            Report.period_start,
            Report.period_end,
            Report.issued_at,
            Report.jurisdiction.id.as_alias("node_id"),
            Report.jurisdiction.name.as_alias("node_name"),
        )
        .where(where)
        .order_by(Report.period_start, ascending=False)
        .order_by(Report.id, ascending=False)
        .limit(PER_PAGE + 1)
        .offset((page - 1) * PER_PAGE)
    )
    return {"items": rows[:PER_PAGE], "has_next": len(rows) > PER_PAGE}


async def get_report(actor: Actor, report_id: int) -> dict[str, Any]:
    """The report as issued (404 outside the user's area)."""
    row = await get_or_404(Report, report_id, actor, Report.id, Report.kind, Report.body)
    body = json.loads(row["body"])
    body["id"] = row["id"]
    return body
