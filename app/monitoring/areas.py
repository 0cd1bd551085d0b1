"""Areas as monitoring reads them: a node in the user's subtree, its children, its periods.

Jobs (reports, alert rules) act for no one; they read a county through `system_actor`, an
actor standing at the county node, so their queries go through the same scope rule.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from app import clock
from app.auth.actor import Actor
from app.auth.scope import scope_where, visible_or_404
from app.disputes.deadlines import CHINA
from app.disputes.vocabulary import JURISDICTION_LEVELS, label
from app.jurisdictions import nodes
from app.jurisdictions.tables import LEVELS, Jurisdiction
from app.openapi import INT4_MAX

NODE_COLUMNS = nodes.NODE_COLUMNS


def today(now: datetime | None = None) -> date:
    return (now or clock.now()).astimezone(CHINA).date()


def midnight(day: date) -> datetime:
    """The moment `day` begins in China, in UTC."""
    return datetime.combine(day, time(0), tzinfo=CHINA).astimezone(UTC)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    return add_months(day, 1) - timedelta(days=1)


def child_level(level: str) -> str | None:
    index = LEVELS.index(level)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


_NODE_KEYS = tuple(c._meta.name for c in NODE_COLUMNS)


async def node(actor: Actor, node_id: int | None) -> dict:
    """The node (default: the actor's own), if it lies in the actor's subtree; else 404. Read
    from the nodes kept per process: every dashboard look asks for its area."""
    pk = node_id or actor.jurisdiction_id
    found = await nodes.row(pk) if 0 < pk <= INT4_MAX else None
    kept = visible_or_404(actor, found)
    return {k: kept[k] for k in _NODE_KEYS}


async def children(actor: Actor, parent: dict) -> list[dict]:
    level = child_level(parent["level"])
    if level is None:
        return []
    return await (
        Jurisdiction.select(*NODE_COLUMNS)
        .where(
            (Jurisdiction._meta.get_column_by_name(parent["level"]) == parent["id"])
            & (Jurisdiction.level == level)
            & scope_where(Jurisdiction, actor)
        )
        .order_by(Jurisdiction.code)
    )


async def ancestors(actor: Actor, node: dict) -> list[dict]:
    """The node's ancestors within the actor's subtree, top first (for breadcrumbs)."""
    ids = [node[lv] for lv in LEVELS[: LEVELS.index(node["level"])] if node[lv] is not None]
    if not ids:
        return []
    return await (
        Jurisdiction.select(*NODE_COLUMNS)
        .where(Jurisdiction.id.is_in(ids) & scope_where(Jurisdiction, actor))
        .order_by(Jurisdiction.depth)
    )


def describe(node: dict) -> dict:
    return {
        "id": node["id"],
        "name": node["name"],
        "level": node["level"],
        "level_label": label(JURISDICTION_LEVELS, node["level"]),
    }


def placed(node: dict) -> dict[str, int | None]:
    """The scope columns of a row that belongs to `node` itself (a report, an alert)."""
    depth = LEVELS.index(node["level"])
    return {lv: (node[lv] if i <= depth else None) for i, lv in enumerate(LEVELS)}


def system_actor(county: dict) -> Actor:
    """Who a job reads as: the county node, nobody in particular."""
    return Actor(
        id=0,
        username="system",
        display_name="",
        role="county_officer",
        jurisdiction_id=county["id"],
        jurisdiction_name=county["name"],
        level="county",
        county_id=county["id"],
        township_id=None,
        village_id=None,
        grid_id=None,
    )


async def counties() -> list[dict]:
    return (
        await Jurisdiction.select(*NODE_COLUMNS)
        .where(Jurisdiction.level == "county")
        .order_by(Jurisdiction.code)
    )
