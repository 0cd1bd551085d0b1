"""The figures the county watches, each defined here once.

Every figure is about the cases logged in a period (China dates, both ends included) in one area
(a county, township, village or grid), optionally of one category, leaving out cases merged into
another as duplicates (the original counts for both). A figure *is* its drill-down filter: the
parameters of `GET /api/v1/disputes` that list the cases it counts. The same conditions are
applied to the cases (the lists) and to the facts (the counters summed by the dashboard, the
API and the reports, app/monitoring/stats.py), so a number and its list cannot drift apart.

The README's "Figures" section prints `markdown_table()` (a test keeps it current).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from piccolo.columns.combination import Where
from piccolo.table import Table

from app.disputes.tables import Dispute
from app.disputes.vocabulary import (
    CASE_LEVELS,
    GROUP_DISPUTE_PEOPLE,
    OPEN_STATUSES,
    SETTLED_STATUSES,
)
from app.i18n import N_, _
from app.i18n import gettext as translate  # a msgid held in a variable, marked with N_ above
from app.monitoring.tables import CaseFact

# ---------------------------------------------------------------------------------------------
# Conditions: one per query parameter. `condition(table, value, now)` reads columns that the case
# (Dispute) and its facts (CaseFact) both have, or, for `ledger` ones, columns only the facts have.


@dataclass(frozen=True)
class Filter:
    param: str
    values: tuple[str, ...]  # accepted values; () for a whole number
    condition: Callable[[type[Table], str, datetime], Where]
    ledger: bool = False  # needs what the ledger says: applied through CaseFact
    native: bool = False  # DisputeFilters already reads this parameter (its own condition)
    help: str = ""


# How long a case has been overdue, for the overdue board: (code, at least days, under days).
OVERDUE_FOR: tuple[tuple[str, int, int | None], ...] = (
    ("lt1", 0, 1),
    ("1-3", 1, 3),
    ("3-7", 3, 7),
    ("7-30", 7, 30),
    ("30+", 30, None),
)
HIGHER_LEVELS = ["township", "county"]


def _overdue_for(t: type[Table], v: str, now: datetime) -> Where:
    _code, low, high = next(b for b in OVERDUE_FOR if b[0] == v)
    where = t.due_at <= now - timedelta(days=low)
    if high is not None:
        where &= t.due_at > now - timedelta(days=high)
    return where


def _overdue_kind(t: type[Table], v: str, now: datetime) -> Where:
    """办结超期: an open case whose limit to accept or resolve ran out; 回访超期: a resolved case
    whose follow-up visit was not made by its day (the only limit a settled case runs)."""
    statuses = OPEN_STATUSES if v == "resolution" else SETTLED_STATUSES
    return (t.due_at <= now) & t.status.is_in(list(statuses))


def _yes(v: str) -> bool:
    return v == "1"


FILTERS: dict[str, Filter] = {
    f.param: f
    for f in (
        Filter("open", ("1",), lambda t, v, now: t.status.is_in(list(OPEN_STATUSES)), native=True),
        Filter("overdue", ("1",), lambda t, v, now: t.due_at <= now, native=True),
        Filter(
            "overdue_kind",
            ("resolution", "follow_up"),
            _overdue_kind,
            help=N_(
                "overdue to accept or resolve (resolution), or for the follow-up visit (follow_up)"
            ),
        ),
        Filter(
            "risk_level",
            ("low", "medium", "high"),
            lambda t, v, now: t.risk_level == v,
            native=True,
        ),
        Filter(
            "counted",
            ("1",),
            lambda t, v, now: t.status != "duplicate",
            help=N_("leave out cases merged as duplicates"),
        ),
        Filter(
            "group",
            ("1", "0"),
            lambda t, v, now: (
                (t.people_involved >= GROUP_DISPUTE_PEOPLE)
                if _yes(v)
                else (t.people_involved < GROUP_DISPUTE_PEOPLE)
            ),
            help=N_("five or more people involved"),
        ),
        Filter(
            "escalated",
            ("1", "0"),
            lambda t, v, now: (t.escalations > 0) if _yes(v) else (t.escalations == 0),
            ledger=True,
            help=N_("escalated to a higher level at least once (1), or never (0)"),
        ),
        Filter(
            "referred",
            ("1", "0"),
            lambda t, v, now: t.referred == _yes(v),
            ledger=True,
            help=N_("referred to a court, arbitration or an agency"),
        ),
        Filter(
            "skip_level",
            ("1", "0"),
            lambda t, v, now: (
                t.logged_level.is_in(HIGHER_LEVELS)
                if _yes(v)
                else t.logged_level.not_in(HIGHER_LEVELS)
            ),
            ledger=True,
            help=N_("first brought to the township or county instead of the village (越级)"),
        ),
        Filter(
            "repeat",
            ("1", "0"),
            lambda t, v, now: t.repeat_of.is_not_null() if _yes(v) else t.repeat_of.is_null(),
            ledger=True,
            help=N_("the same applicant or the same place (within 100 m) again within a year"),
        ),
        Filter(
            "resolved",
            ("1", "0"),
            lambda t, v, now: t.resolved == _yes(v),
            ledger=True,
            help=N_("its standing outcome is a mediated resolution (化解)"),
        ),
        Filter(
            "resolved_level",
            tuple(CASE_LEVELS),
            lambda t, v, now: t.resolved.eq(True) & (t.resolved_level == v),
            ledger=True,
            help=N_("resolved while this level held it"),
        ),
        Filter(
            "on_time",
            ("1", "0"),
            lambda t, v, now: t.resolved.eq(True) & (t.on_time == _yes(v)),
            ledger=True,
            help=N_("resolved by the last day of the time limit then running"),
        ),
        Filter(
            "followed_up",
            ("1", "0"),
            lambda t, v, now: t.resolved.eq(True) & (t.followed_up == _yes(v)),
            ledger=True,
            help=N_("resolved and visited afterwards (回访)"),
        ),
        Filter(
            "rated",
            ("1",),
            lambda t, v, now: t.resolved.eq(True) & t.satisfaction.is_not_null(),
            ledger=True,
            help=N_("resolved, and the parties rated it at the follow-up visit"),
        ),
        Filter("holder", (), lambda t, v, now: t.holder == int(v), help=N_("held by this node")),
        Filter(
            "overdue_for",
            tuple(b[0] for b in OVERDUE_FOR),
            _overdue_for,
            help=N_("overdue for this long (days: lt1, 1-3, 3-7, 7-30, 30+)"),
        ),
    )
}
# The parameters DisputeFilters hands to `list_where` (the others it reads itself).
EXTRA_PARAMS = tuple(p for p, f in FILTERS.items() if not f.native)


def parse_params(params: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """The figure filters among the query parameters, checked; problems go into `errors`."""
    found: dict[str, str] = {}
    for param in EXTRA_PARAMS:
        raw = params.get(param)
        if raw in (None, ""):
            continue
        value = str(raw)
        allowed = FILTERS[param].values
        if (allowed and value not in allowed) or (
            not allowed and not (value.isdecimal() and 0 < int(value) < 2**31)
        ):
            errors[param] = _("Unknown value: %(value)s.", value=value[:40])
        else:
            found[param] = value
    return found


def _all(conditions: Iterable[Where]) -> Where | None:
    conditions = list(conditions)
    return functools.reduce(operator.and_, conditions) if conditions else None


def list_where(params: dict[str, str], now: datetime) -> Where | None:
    """The figure filters as a condition on cases: direct ones on the case, the ledger's through
    the facts (a subquery on their primary key)."""
    direct = _all(
        FILTERS[p].condition(Dispute, v, now) for p, v in params.items() if not FILTERS[p].ledger
    )
    ledger = _all(
        FILTERS[p].condition(CaseFact, v, now) for p, v in params.items() if FILTERS[p].ledger
    )
    if ledger is not None:
        ledger = Dispute.id.is_in(CaseFact.select(CaseFact.id).where(ledger))
    return _all(w for w in (direct, ledger) if w is not None)


def fact_where(params: dict[str, str], now: datetime) -> Where | None:
    """The same filters, every one of them on the facts (what the counters are summed from)."""
    return _all(FILTERS[p].condition(CaseFact, v, now) for p, v in params.items())


# ---------------------------------------------------------------------------------------------
# Figures.

BASE: dict[str, str] = {"counted": "1"}  # every figure leaves out merged duplicates


@dataclass(frozen=True)
class Count:
    code: str
    label: str
    help: str
    filters: dict[str, str] = field(default_factory=dict)
    kind: str = "count"

    def drill(self) -> dict[str, str]:
        return BASE | self.filters


@dataclass(frozen=True)
class Ratio:
    code: str
    label: str
    help: str
    numerator: str
    denominator: str
    kind: str = "rate"


@dataclass(frozen=True)
class Mean:
    code: str
    label: str
    help: str
    value: str  # the fact column averaged
    of: str  # the Count whose cases are averaged
    total: str  # the counter (StatsBucket column) holding the sum
    unit: str = ""
    kind: str = "mean"


Figure = Count | Ratio | Mean

FIGURES: tuple[Figure, ...] = (
    Count("new", N_("New cases"), N_("Cases logged in the period.")),
    Count(
        "open",
        N_("Open"),
        N_("Of those, still open now: awaiting acceptance, in mediation or referred."),
        {"open": "1"},
    ),
    Count(
        "resolved",
        N_("Resolved"),
        N_("Of those, resolved by mediation (化解), and not reopened since."),
        {"resolved": "1"},
    ),
    Count(
        "escalated",
        N_("Escalated"),
        N_("Of those, escalated to a higher level at least once."),
        {"escalated": "1"},
    ),
    Count(
        "overdue",
        N_("Overdue"),
        N_("Of those, with a time limit that has run out now (超期)."),
        {"overdue": "1"},
    ),
    Count(
        "overdue_resolution",
        N_("Resolution overdue"),
        N_(
            "Of those, open with the limit to accept or resolve run out now (办结超期): supervise them."
        ),
        {"overdue_kind": "resolution"},
    ),
    Count(
        "overdue_follow_up",
        N_("Follow-up overdue"),
        N_(
            "Of those, resolved with the follow-up visit not made by its day (回访超期): visit the parties."
        ),
        {"overdue_kind": "follow_up"},
    ),
    Count(
        "referred",
        N_("Referred"),
        N_("Of those, referred to a court, arbitration or an agency (分流)."),
        {"referred": "1"},
    ),
    Count(
        "skip_level",
        N_("Skip-level"),
        N_("Of those, first brought to the township or the county instead of the village (越级)."),
        {"skip_level": "1"},
    ),
    Count(
        "repeat",
        N_("Repeat cases"),
        N_(
            "Of those, the same applicant (name and phone) or the same place (within 100 m) again within a year (重复)."
        ),
        {"repeat": "1"},
    ),
    Count(
        "group_dispute",
        N_("Group disputes"),
        N_("Of those, with five or more people involved (群体性)."),
        {"group": "1"},
    ),
    Count(
        "high_risk",
        N_("High risk"),
        N_("Of those, marked high risk (高风险)."),
        {"risk_level": "high"},
    ),
    Count(
        "resolved_village",
        N_("Resolved in the village"),
        N_("Of the resolved, resolved by the village without ever being escalated (小事不出村)."),
        {"resolved_level": "village", "escalated": "0"},
    ),
    Count(
        "on_time",
        N_("Resolved on time"),
        N_(
            "Of the resolved, resolved by the last day (China time) of the time limit running then (按期办结)."
        ),
        {"on_time": "1"},
    ),
    Count(
        "followed_up",
        N_("Followed up"),
        N_("Of the resolved, visited afterwards (回访)."),
        {"followed_up": "1"},
    ),
    Count("rated", N_("Rated"), N_("Of the followed up, rated by the parties."), {"rated": "1"}),
    Count(
        "resolved_by_village",
        N_("Resolved by a village"),
        N_("Of the resolved, resolved while a village held it."),
        {"resolved_level": "village"},
    ),
    Count(
        "resolved_by_township",
        N_("Resolved by a township"),
        N_("Of the resolved, resolved while a township held it."),
        {"resolved_level": "township"},
    ),
    Count(
        "resolved_by_county",
        N_("Resolved by the county"),
        N_("Of the resolved, resolved while the county held it."),
        {"resolved_level": "county"},
    ),
    Ratio(
        "resolution_rate", N_("Resolution rate"), N_("Resolved ÷ new (化解率)."), "resolved", "new"
    ),
    Ratio(
        "village_share",
        N_("Share resolved in the village"),
        N_("Resolved in the village ÷ resolved (小事不出村)."),
        "resolved_village",
        "resolved",
    ),
    Ratio(
        "on_time_rate",
        N_("On-time rate"),
        N_("Resolved on time ÷ resolved (按期办结率)."),
        "on_time",
        "resolved",
    ),
    Ratio(
        "follow_up_rate",
        N_("Follow-up rate"),
        N_("Followed up ÷ resolved (回访率)."),
        "followed_up",
        "resolved",
    ),
    Mean(
        "satisfaction",
        N_("Satisfaction"),
        N_("Mean rating, 1 to 5, given at the follow-up visit (满意度)."),
        "satisfaction",
        "rated",
        "satisfaction_sum",
        "/5",
    ),
    Mean(
        "avg_days_village",
        N_("Days to resolve: village"),
        N_("Mean days from logging to resolution, of the cases a village resolved."),
        "resolve_days",
        "resolved_by_village",
        "days_village_sum",
    ),
    Mean(
        "avg_days_township",
        N_("Days to resolve: township"),
        N_("Mean days from logging to resolution, of the cases a township resolved."),
        "resolve_days",
        "resolved_by_township",
        "days_township_sum",
    ),
    Mean(
        "avg_days_county",
        N_("Days to resolve: county"),
        N_("Mean days from logging to resolution, of the cases the county resolved."),
        "resolve_days",
        "resolved_by_county",
        "days_county_sum",
    ),
)
BY_CODE: dict[str, Figure] = {f.code: f for f in FIGURES}
COUNTS: tuple[Count, ...] = tuple(f for f in FIGURES if isinstance(f, Count))
MEANS: tuple[Mean, ...] = tuple(f for f in FIGURES if isinstance(f, Mean))
# The counters a StatsBucket row holds: one per count, one sum per mean.
COUNTERS: tuple[str, ...] = tuple(c.code for c in COUNTS) + tuple(m.total for m in MEANS)


def counter_sql(now: datetime) -> list[tuple[str, Any]]:
    """(column, SQL expression) of every counter, summed over CaseFact rows that pass BASE."""
    from piccolo.querystring import QueryString

    exprs: list[tuple[str, Any]] = []
    for count in COUNTS:
        where = fact_where(count.filters, now)
        expr = (
            QueryString("COUNT(*)")
            if where is None
            else QueryString("SUM(CASE WHEN {} THEN 1 ELSE 0 END)", where.querystring)
        )
        exprs.append((count.code, expr))
    for mean in MEANS:
        where = fact_where(BY_CODE[mean.of].filters, now)  # type: ignore[union-attr]
        value = CaseFact._meta.get_column_by_name(mean.value)._meta.get_full_name(with_alias=False)
        exprs.append(
            (
                mean.total,
                QueryString("SUM(CASE WHEN {} THEN " + value + " ELSE 0 END)", where.querystring),
            )
        )
    return exprs


# ---------------------------------------------------------------------------------------------
# Values.


@dataclass(frozen=True)
class Scope:
    """Which cases: logged in [start, end] (China dates) under `node`, of `category` if given."""

    node: int
    start: date
    end: date
    category: str | None = None
    national: str | None = None  # all the county categories rolling up to this national one

    def params(self) -> dict[str, str]:
        found = {
            "jurisdiction": str(self.node),
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
        }
        if self.category:
            found["category"] = self.category
        if self.national:
            found["national"] = self.national
        return found


def value(figure: Figure, counters: dict[str, float]) -> float | None:
    if isinstance(figure, Count):
        return int(counters.get(figure.code, 0))
    if isinstance(figure, Ratio):
        below = counters.get(figure.denominator, 0)
        return counters.get(figure.numerator, 0) / below if below else None
    n = counters.get(figure.of, 0)
    return counters.get(figure.total, 0) / n if n else None


def display(figure: Figure, v: float | None) -> str:
    if v is None:
        return "–"
    if isinstance(figure, Count):
        return str(int(v))
    if isinstance(figure, Ratio):
        return f"{v * 100:.1f}%"
    return f"{v:.1f}{figure.unit}"


def drill_filter(figure: Figure) -> dict[str, str]:
    """The filters of the cases behind a figure: its own, a rate's numerator, a mean's cases."""
    if isinstance(figure, Count):
        return figure.drill()
    if isinstance(figure, Ratio):
        return BY_CODE[figure.numerator].drill()  # type: ignore[union-attr]
    return BY_CODE[figure.of].drill()  # type: ignore[union-attr]


def evaluate(
    counters: dict[str, float], scope: Scope, codes: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Each figure with its value, how it reads, and the filter that lists its cases."""
    out = []
    for code in codes or BY_CODE:
        figure = BY_CODE[code]
        v = value(figure, counters)
        entry: dict[str, Any] = {
            "code": code,
            "label": label_of(code),
            "kind": figure.kind,
            "value": round(v, 4) if isinstance(v, float) else v,
            "display": display(figure, v),
            "filter": scope.params() | drill_filter(figure),
        }
        if isinstance(figure, Ratio):
            entry["numerator"] = int(counters.get(figure.numerator, 0))
            entry["denominator"] = int(counters.get(figure.denominator, 0))
            entry["denominator_filter"] = scope.params() | BY_CODE[figure.denominator].drill()  # type: ignore[union-attr]
        elif isinstance(figure, Mean):
            entry["n"] = int(counters.get(figure.of, 0))
        out.append(entry)
    return out


def label_of(code: str) -> str:
    return translate(BY_CODE[code].label)


def help_of(code: str) -> str:
    return translate(BY_CODE[code].help)


def markdown_table() -> str:
    """The definitions as the README shows them."""
    lines = [
        "| figure | code | definition | list of its cases (`GET /api/v1/disputes?…`) |",
        "|---|---|---|---|",
    ]
    for f in FIGURES:
        shown = "&".join(f"{k}={v}" for k, v in drill_filter(f).items())
        lines.append(f"| {f.label} | `{f.code}` | {f.help} | `{shown}` |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
