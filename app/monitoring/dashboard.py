"""A dashboard: the figures of one area over a period, by category, by the areas below it and
month by month, with its sweep coverage and open alerts. The page, the stats API and the
reports all build it here, from the counters (app/monitoring/stats.py)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote, urlencode

from app import clock
from app.auth.actor import Actor
from app.disputes import categories as category_list
from app.disputes.vocabulary import CATEGORIES, NATIONAL_CATEGORIES, label
from app.i18n import _
from app.monitoring import alerts, areas, facts, figures, stats, sweeps

# The figures a row of a breakdown shows (the headline ones).
KEY_FIGURES = (
    "new",
    "open",
    "overdue",
    "resolved",
    "resolution_rate",
    "village_share",
    "on_time_rate",
)
MONTHS = 12
MAX_DAYS = 3 * 366


@dataclass
class Query:
    node: dict
    start: date
    end: date
    category: str | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def params(self) -> dict[str, str]:
        found = {
            "jurisdiction": str(self.node["id"]),
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
        }
        if self.category:
            found["category"] = self.category
        return found


# Periods are read within these days: twelve months around either end must exist.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def default_period(now: datetime) -> tuple[date, date]:
    """The last twelve months: from the first day of the month eleven months ago to today."""
    today = areas.today(now)
    return areas.add_months(today, -(MONTHS - 1)), today


async def parse(actor: Actor, params: dict[str, Any], now: datetime) -> Query:
    """The area (404 outside the user's subtree), the period and the category."""
    errors: dict[str, str] = {}
    node_id = None
    raw = params.get("jurisdiction")
    if raw not in (None, ""):
        try:
            node_id = int(raw)
            if not 1 <= node_id < 2**31:
                raise ValueError
        except (TypeError, ValueError):
            errors["jurisdiction"] = _(
                "Must be a whole number between 1 and %(high)s.", high=2**31 - 1
            )
            node_id = None
    node = await areas.node(actor, node_id)
    start, end = default_period(now)
    for name in ("from", "to"):
        if params.get(name):
            try:
                day = date.fromisoformat(str(params[name]))
                if not FIRST_DAY <= day <= LAST_DAY:  # the twelve months around it must exist
                    raise ValueError(day)
            except ValueError:
                errors[name] = _("Must be a date like 2026-05-01.")
                continue
            start, end = (day, end) if name == "from" else (start, day)
    if start > end:
        errors["to"] = _("The end of the period comes before its start.")
    elif (end - start).days > MAX_DAYS:
        errors["from"] = _("At most three years at a time.")
    category = params.get("category") or None
    if category is not None and category not in CATEGORIES:
        errors["category"] = _("Unknown value: %(value)s.", value=str(category)[:40])
        category = None
    return Query(node=node, start=start, end=end, category=category, errors=errors)


_PLAIN = re.compile(r"[A-Za-z0-9_.\-]*")


def href(filters: dict[str, str], api: bool = False) -> str:
    """The list of the cases behind a number (a dashboard draws hundreds: kept cheap)."""
    query = "&".join(
        f"{k}={v if _PLAIN.fullmatch(v) else quote(v, safe='')}" for k, v in filters.items()
    )
    return ("/api/v1/disputes?" if api else "/disputes?") + query


def _row(
    counters: dict[str, float], scope: figures.Scope, codes: tuple[str, ...] = KEY_FIGURES
) -> dict[str, dict]:
    return {
        f["code"]: f | {"href": href(f["filter"])} for f in figures.evaluate(counters, scope, codes)
    }


async def _nothing() -> dict:
    return {}


async def build(
    actor: Actor, q: Query, now: datetime | None = None, fresh: bool = True
) -> dict[str, Any]:
    """Everything a dashboard shows. `fresh`: bring the counters up to date first (a bounded
    amount of work: the scheduler's job carries a large backlog)."""
    now = now or clock.now()
    pending = 0
    if fresh:
        pending = (await facts.refresh(now, max_rounds=1))["pending"]
    await category_list.current()  # the scheduler's process too
    node, start, end, category = q.node, q.start, q.end, q.category
    scope = figures.Scope(node["id"], start, end, category)
    month = areas.month_start(end)
    months = [areas.add_months(month, i - (MONTHS - 1)) for i in range(MONTHS)]
    below = areas.child_level(node["level"]) is not None
    # independent reads, asked at once
    by_category, child_sums, folded, coverage, kids, crumbs, alerts_open = await asyncio.gather(
        stats.sums(actor, node, start, end, category, by="category"),
        stats.sums(actor, node, start, end, category, by="child") if below else _nothing(),
        stats.by_month(actor, node, months, end, category),
        sweeps.coverage(actor, node, month),
        areas.children(actor, node),
        areas.ancestors(actor, node),
        alerts.open_count(actor, node),
    )
    totals: dict[str, float] = {}
    for counters in by_category.values():  # the categories add up to the whole
        for name, v in counters.items():
            totals[name] = totals.get(name, 0) + v
    main = [
        f | {"href": href(f["filter"]), "list": href(f["filter"], api=True)}
        for f in figures.evaluate(totals, scope)
    ]
    categories = [
        {
            "code": code,
            "name": label(CATEGORIES, code),
            "national": category_list.national_of(code),
            "parent": category_list.PARENT_OF.get(code),
            "figures": _row(by_category[code], figures.Scope(node["id"], start, end, code)),
        }
        for code in CATEGORIES
        if code in by_category
    ]
    # the same cases on the national list: each county category counted under the one it
    # rolls up to
    summed: dict[str, dict[str, float]] = {}
    for row in categories:
        into = summed.setdefault(row["national"], {})
        for name, v in by_category[row["code"]].items():
            into[name] = into.get(name, 0) + v
    national = [
        {
            "code": code,
            "name": label(NATIONAL_CATEGORIES, code),
            "categories": [c["code"] for c in categories if c["national"] == code],
            "figures": _row(
                summed[code], figures.Scope(node["id"], start, end, category, national=code)
            ),
        }
        for code in NATIONAL_CATEGORIES
        if code in summed
    ]
    children = []
    for child in kids:
        counters = child_sums.get(child["id"], {})
        swept = coverage["per_child"].get(child["id"], {"grids": 0, "reported": 0, "rate": None})
        children.append(
            {
                **areas.describe(child),
                "dashboard": "/monitor?"
                + urlencode(q.params() | {"jurisdiction": str(child["id"])}),
                "figures": _row(counters, figures.Scope(child["id"], start, end, category)),
                "coverage": swept,
            }
        )
    trend = []
    for m in months:
        last = min(areas.month_end(m), end)
        trend.append(
            {
                "month": m.isoformat()[:7],
                "figures": _row(folded[m], figures.Scope(node["id"], m, last, category)),
            }
        )

    return {
        "node": areas.describe(node),
        "crumbs": [areas.describe(a) for a in crumbs],
        "from": start.isoformat(),
        "to": end.isoformat(),
        "category": category,
        "as_of": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "pending": bool(pending),
        "figures": main,
        "by_category": categories,
        "by_national": national,
        "by_area": children,
        "months": trend,
        "coverage": {k: v for k, v in coverage.items() if k != "per_child"},
        "alerts_open": alerts_open,
    }
