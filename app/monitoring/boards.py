"""Boards: what needs doing now, in the user's area.

- overdue: cases whose time limit has run out, counted by how long, by the level holding them
  and by the node holding them (each count a link to its list), the longest overdue first;
- supervision orders (督办) awaiting a reply, the latest due first flagged;
- escalations of the last seven days (ledger events), and cases first brought to a higher
  level (越级) in those days;
- repeat cases of the last year, with the case each one repeats.

Every query starts from the scope rule. A board shows the current state, not a period.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count

from app.auth.actor import Actor
from app.auth.scope import scope_key, scope_where
from app.disputes import queries
from app.disputes.tables import CaseEvent, Dispute, Supervision
from app.disputes.vocabulary import CASE_LEVELS, label
from app.i18n import N_
from app.i18n import gettext as translate
from app.jurisdictions.tables import Jurisdiction
from app.monitoring import areas, figures
from app.monitoring.tables import CaseFact

RECENT_DAYS = 7
REPEAT_DAYS = 365
SHOWN = 20
OVERDUE_LABELS = {
    "lt1": N_("Under a day"),
    "1-3": N_("1 to 3 days"),
    "3-7": N_("3 to 7 days"),
    "7-30": N_("7 to 30 days"),
    "30+": N_("Over 30 days"),
}


def _list(filters: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return "/disputes?" + urlencode(filters)


async def overdue(actor: Actor, now: datetime) -> dict[str, Any]:
    base = scope_where(Dispute, actor) & (Dispute.due_at <= now)
    by_time = []
    for code, _low, _high in figures.OVERDUE_FOR:
        n = await Dispute.count().where(
            base & figures.FILTERS["overdue_for"].condition(Dispute, code, now)
        )
        by_time.append(
            {
                "code": code,
                "label": translate(OVERDUE_LABELS[code]),
                "count": n,
                "href": _list({"overdue": "1", "overdue_for": code}),
            }
        )
    by_level = [
        {
            "code": r["level"],
            "label": label(CASE_LEVELS, r["level"]),
            "count": r["count"],
            "href": _list({"overdue": "1", "level": r["level"]}),
        }
        for r in await Dispute.select(Dispute.level, Count()).where(base).group_by(Dispute.level)
    ]
    by_level.sort(
        key=lambda r: list(CASE_LEVELS).index(r["code"]) if r["code"] in CASE_LEVELS else 9
    )
    holders = await Dispute.select(Dispute.holder, Count()).where(base).group_by(Dispute.holder)
    holders.sort(key=lambda r: -r["count"])
    names = {}
    if holders:
        ids = [h["holder"] for h in holders if h["holder"] is not None]
        names = (
            {
                r["id"]: r["name"]
                for r in await Jurisdiction.select(Jurisdiction.id, Jurisdiction.name).where(
                    Jurisdiction.id.is_in(ids)
                )
            }
            if ids
            else {}
        )
    by_holder = [
        {
            "id": h["holder"],
            "label": names.get(h["holder"], "–"),
            "count": h["count"],
            "href": _list({"overdue": "1", "holder": str(h["holder"])}),
        }
        for h in holders
        if h["holder"] is not None
    ]
    page = await queries.list_disputes(
        actor, queries.DisputeFilters(queue="overdue", per_page=SHOWN), now
    )
    return {
        "total": sum(b["count"] for b in by_time),
        "by_time": by_time,
        "by_level": by_level,
        "by_holder": by_holder,
        "cases": page.items,
        "href": _list({"overdue": "1"}),
    }


async def supervision(actor: Actor, now: datetime) -> dict[str, Any]:
    where = scope_where(Supervision, actor) & Supervision.replied_at.is_null()
    rows = await (
        Supervision.select(
            Supervision.id,
            Supervision.due_at,
            Supervision.created_at,
            Supervision.instructions,
            Supervision.automatic,
            Supervision.issuer.name.as_alias("issuer_name"),
            Supervision.dispute.id.as_alias("dispute_id"),
            Supervision.dispute.case_no.as_alias("case_no"),
            Supervision.dispute.title.as_alias("title"),
            Supervision.dispute.holder.name.as_alias("holder_name"),
        )
        .where(where)
        .order_by(Supervision.due_at)
        .limit(SHOWN)
    )
    for r in rows:
        r["late"] = r["due_at"] <= now
        r["dispute_id"] = str(r["dispute_id"])
    return {
        "total": await Supervision.count().where(where),
        "late": await Supervision.count().where(where & (Supervision.due_at <= now)),
        "orders": rows,
        "href": _list({"queue": "supervised"}),
    }


async def escalations(actor: Actor, now: datetime) -> dict[str, Any]:
    since = now - timedelta(days=RECENT_DAYS)
    name, value = scope_key(actor)
    rows = await (
        CaseEvent.select(
            CaseEvent.created_at,
            CaseEvent.level,
            CaseEvent.data,
            CaseEvent.dispute.id.as_alias("dispute_id"),
            CaseEvent.dispute.case_no.as_alias("case_no"),
            CaseEvent.dispute.title.as_alias("title"),
            CaseEvent.dispute.level.as_alias("now_level"),
        )
        .where(
            (CaseEvent.kind == "escalated")
            & (CaseEvent.created_at >= since)
            & (getattr(CaseEvent.dispute, name) == value)
        )
        .order_by(CaseEvent.created_at, ascending=False)
        .limit(SHOWN + 1)
    )
    total = await CaseEvent.count().where(
        (CaseEvent.kind == "escalated")
        & (CaseEvent.created_at >= since)
        & (getattr(CaseEvent.dispute, name) == value)
    )
    items = [
        {
            "dispute_id": str(r["dispute_id"]),
            "case_no": r["case_no"],
            "title": r["title"],
            "at": r["created_at"],
            "from_level": label(CASE_LEVELS, r["level"]),
            "now_level": label(CASE_LEVELS, r["now_level"]),
        }
        for r in rows[:SHOWN]
    ]
    day = areas.today(now)
    window = {"from": (day - timedelta(days=RECENT_DAYS)).isoformat(), "to": day.isoformat()}
    skip = figures.BASE | {"skip_level": "1"} | window
    skipped = await queries.list_disputes(actor, _filters(skip), now)
    return {
        "total": total,
        "items": items,
        "skip_level": skipped.items,
        "skip_level_total": skipped.total,
        "skip_level_href": _list(skip),
    }


async def repeats(actor: Actor, now: datetime) -> dict[str, Any]:
    day = areas.today(now)
    wanted = figures.BASE | {
        "repeat": "1",
        "from": (day - timedelta(days=REPEAT_DAYS)).isoformat(),
        "to": day.isoformat(),
    }
    page = await queries.list_disputes(actor, _filters(wanted | {"per_page": str(SHOWN)}), now)
    ids = [i["id"] for i in page.items]
    earlier: dict[str, dict] = {}
    if ids:
        links = await CaseFact.select(CaseFact.id, CaseFact.repeat_of).where(CaseFact.id.is_in(ids))
        before = (
            {
                r["id"]: r
                for r in await Dispute.select(Dispute.id, Dispute.case_no).where(
                    Dispute.id.is_in([link["repeat_of"] for link in links])
                    & scope_where(Dispute, actor)
                )
            }
            if links
            else {}
        )
        # the earlier case may lie outside the viewer's area: then it is not named
        earlier = {str(link["id"]): before.get(link["repeat_of"], {}) for link in links}
    for item in page.items:
        found = earlier.get(item["id"]) or {}
        item["repeats"] = {"id": str(found["id"]), "case_no": found["case_no"]} if found else None
    return {"total": page.total, "capped": page.capped, "items": page.items, "href": _list(wanted)}


def _filters(params: dict[str, str]) -> queries.DisputeFilters:
    f = queries.DisputeFilters.from_params(params)
    assert not f.errors, f.errors
    return f


async def all_boards(actor: Actor, now: datetime) -> dict[str, Any]:
    return {
        "overdue": await overdue(actor, now),
        "supervision": await supervision(actor, now),
        "escalations": await escalations(actor, now),
        "repeats": await repeats(actor, now),
    }
