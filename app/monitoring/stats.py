"""The counters behind every figure, kept per day and per month, per area and category.

A StatsBucket row holds, for the cases logged on one day (or in one month) in one area (a
county, township, village or grid: every case counts in four areas) and one category, one
counter per figure (app/monitoring/figures.py). A dashboard, the stats API and a report add up
whole months and the odd days at the ends of the period: a few hundred rows for a county's
year, however many cases it has, instead of reading the cases themselves.

The counters follow the facts by difference: before and after a case's facts change, its
contribution is summed (the same SQL as a full recount, on just those rows) and the difference
is added to the eight rows it counts in. `recount` rebuilds every row from the facts.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Sum
from piccolo.querystring import QueryString

from app import db
from app.auth.actor import Actor
from app.auth.scope import scope_where
from app.jurisdictions.tables import LEVELS
from app.monitoring import figures
from app.monitoring.tables import CaseFact, StatsBucket

SPANS = (("day", "created_day"), ("month", "created_month"))
_GROUP = ("created_day", "created_month", "county", "township", "village", "grid", "category")
UPSERT_ROWS = 200  # rows per INSERT (31 values each: well under SQLite's and asyncpg's limits)


def _counters_sql(now: datetime) -> tuple[str, list[QueryString]]:
    parts = figures.counter_sql(now)
    return ", ".join(f'{{}} AS "{name}"' for name, _expr in parts), [expr for _name, expr in parts]


def _counted(now: datetime) -> QueryString:
    where = figures.fact_where(figures.BASE, now)
    assert where is not None
    return where.querystring


async def contributions(ids: Iterable[uuid.UUID], now: datetime) -> dict[tuple, dict[str, float]]:
    """What these cases add to the counters, as of `now`, by day, month, place and category."""
    ids = sorted(set(ids))
    found: dict[tuple, dict[str, float]] = {}
    select, exprs = _counters_sql(now)
    group = ", ".join(f'"{c}"' for c in _GROUP)
    for start in range(0, len(ids), 900):
        chunk = CaseFact.id.is_in(ids[start : start + 900])
        query = QueryString(
            f"SELECT {group}, {select} FROM monitoring_case_fact WHERE {{}} AND {{}} GROUP BY {group}",
            *exprs,
            _counted(now),
            chunk.querystring,
        )
        for row in await db.engine().run_querystring(query):
            key = tuple(_day(row[c]) if c.startswith("created_") else row[c] for c in _GROUP)
            found[key] = {name: row[name] or 0 for name in figures.COUNTERS}
    return found


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _buckets(groups: dict[tuple, dict[str, float]], sign: int, into: dict[tuple, dict]) -> None:
    """Spread each group over the rows it counts in: two spans × four levels."""
    for key, counters in groups.items():
        day, month, county, township, village, grid, category = key
        places = {"county": county, "township": township, "village": village, "grid": grid}
        for span, when in (("day", day), ("month", month)):
            for depth, level in enumerate(LEVELS):
                row = into.setdefault(
                    (span, when, places[level], category),
                    {
                        "node_level": level,
                        **{lv: places[lv] if i <= depth else None for i, lv in enumerate(LEVELS)},
                        "counters": defaultdict(float),
                    },
                )
                for name, v in counters.items():
                    row["counters"][name] += sign * v


async def add(after: dict[tuple, dict], before: dict[tuple, dict]) -> None:
    """Move the counters by after − before (inside the caller's transaction)."""
    rows: dict[tuple, dict] = {}
    _buckets(after, 1, rows)
    _buckets(before, -1, rows)
    changed = [
        (k, r) for k, r in rows.items() if any(abs(v) > 1e-9 for v in r["counters"].values())
    ]
    names = figures.COUNTERS
    columns = ["span", "day", "node", "node_level", *LEVELS, "category", *names]
    quoted = ", ".join(f'"{c}"' for c in columns)
    updates = ", ".join(f'"{n}" = monitoring_stats."{n}" + excluded."{n}"' for n in names)
    placeholders = "(" + ", ".join("{}" for _ in columns) + ")"
    for start in range(0, len(changed), UPSERT_ROWS):
        values: list[Any] = []
        for (span, when, node, category), r in changed[start : start + UPSERT_ROWS]:
            counts = [_number(n, r["counters"][n]) for n in names]
            values += [
                span,
                when,
                node,
                r["node_level"],
                *(r[lv] for lv in LEVELS),
                category,
                *counts,
            ]
        n = len(values) // len(columns)
        await db.engine().run_querystring(
            QueryString(
                f"INSERT INTO monitoring_stats ({quoted}) VALUES {', '.join([placeholders] * n)} "
                f'ON CONFLICT ("span", "day", "node", "category") DO UPDATE SET {updates}',
                *values,
            )
        )


def _number(name: str, v: float) -> float | int:
    return round(v, 6) if name.startswith("days_") else int(round(v))


_BASE = "monitoring_stats_base"  # a temporary table: lives in the recount's connection only


async def recount(now: datetime) -> None:
    """Every counter afresh from the facts (inside the caller's transaction). The facts are
    read once, grouped by day, place and category into a temporary table; the eight kinds of
    rows (two spans × four levels) are sums over that, so the counters' conditions are
    evaluated once per case instead of eight times (a million cases: minutes saved)."""
    run = db.engine().run_querystring
    await StatsBucket.delete(force=True)
    select, exprs = _counters_sql(now)
    names = ", ".join(f'"{n}"' for n in figures.COUNTERS)
    sums = ", ".join(f'SUM("{n}")' for n in figures.COUNTERS)
    group = ", ".join(f'"{c}"' for c in _GROUP)
    await run(QueryString(f"DROP TABLE IF EXISTS {_BASE}"))
    await run(
        QueryString(
            f"CREATE TEMPORARY TABLE {_BASE} AS SELECT {group}, {select} "
            f"FROM monitoring_case_fact WHERE {{}} GROUP BY {group}",
            *exprs,
            _counted(now),
        )
    )
    for span, day_column in SPANS:
        for depth, level in enumerate(LEVELS):
            kept = LEVELS[: depth + 1]
            places = ", ".join(f'"{lv}"' if lv in kept else "NULL" for lv in LEVELS)
            by = ", ".join([f'"{day_column}"', *(f'"{lv}"' for lv in kept), '"category"'])
            await run(
                QueryString(
                    f'INSERT INTO monitoring_stats ("span", "day", "node", "node_level", '
                    f'"county", "township", "village", "grid", "category", {names}) '
                    f"SELECT '{span}', \"{day_column}\", \"{level}\", '{level}', {places}, "
                    f'"category", {sums} FROM {_BASE} GROUP BY {by}'
                )
            )
    await run(QueryString(f"DROP TABLE {_BASE}"))


# ---------------------------------------------------------------------------------------------
# Reading: sums over a period.


def month_after(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def segments(start: date, end: date) -> list[tuple[str, date, date]]:
    """[start, end] as whole months (span 'month', by their first days) and the days around."""
    found: list[tuple[str, date, date]] = []
    cursor = start
    while cursor <= end:
        last = month_after(cursor) - timedelta(days=1)
        if cursor.day == 1 and last <= end:
            if found and found[-1][0] == "month":
                found[-1] = ("month", found[-1][1], cursor)
            else:
                found.append(("month", cursor, cursor))
        else:
            last = min(last, end)
            found.append(("day", cursor, last))
        cursor = last + timedelta(days=1)
    return found


def _period(start: date, end: date):
    where = None
    for span, low, high in segments(start, end):
        part = (StatsBucket.span == span) & (StatsBucket.day >= low) & (StatsBucket.day <= high)
        where = part if where is None else where | part
    return where


async def sums(
    actor: Actor,
    node: dict,
    start: date,
    end: date,
    category: str | None = None,
    by: str | None = None,
) -> dict[Any, dict[str, float]]:
    """Counters summed over the period for `node` (a Jurisdiction row), keyed by `by`:
    None (one total, key None), "category", "child" (the node's children, by id) or "span_day"
    (each row's (span, day), for folding into months)."""
    where = scope_where(StatsBucket, actor) & _period(start, end)
    if by == "child":
        child = LEVELS[LEVELS.index(node["level"]) + 1]
        where &= (StatsBucket.node_level == child) & (
            StatsBucket._meta.get_column_by_name(node["level"]) == node["id"]
        )
    else:
        where &= StatsBucket.node == node["id"]
    if category:
        where &= StatsBucket.category == category
    keys = {
        None: [],
        "category": [StatsBucket.category],
        "child": [StatsBucket.node],
        "span_day": [StatsBucket.span, StatsBucket.day],
    }[by]
    totals = [Sum(StatsBucket._meta.get_column_by_name(n)).as_alias(n) for n in figures.COUNTERS]
    query = StatsBucket.select(*keys, *totals).where(where)
    if keys:
        query = query.group_by(*keys)
    found: dict[Any, dict[str, float]] = {}
    for row in await query:
        if by is None:
            key: Any = None
        elif by == "span_day":
            key = (row["span"], _day(row["day"]))
        else:
            key = row[keys[0]._meta.name]
        found[key] = {n: row[n] or 0 for n in figures.COUNTERS}
    return found


async def by_month(
    actor: Actor, node: dict, months: list[date], end: date, category: str | None
) -> dict[date, dict[str, float]]:
    """Counters per month for `months` (first days, oldest first), the last one up to `end`."""
    rows = await sums(actor, node, months[0], end, category, by="span_day")
    folded: dict[date, dict[str, float]] = {m: defaultdict(float) for m in months}
    for (_span, day), counters in rows.items():
        month = day.replace(day=1)
        if month in folded:
            for n, v in counters.items():
                folded[month][n] += v
    return folded
