"""The county's time limits and mediation attempts, versioned.

The environment variables (PINGLI_ACCEPT_DAYS …) are only the defaults of a county that has
not saved its own. Each save is a new version; a case runs under the version in force when it
was logged (Dispute.limits_version) unless the administrator applies the new one to running
cases, and then the recompute job (app/rules/recompute.py) moves their running deadlines.
A category may shorten or lengthen the day limits (unpaid wages before Spring Festival).
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from typing import Any

from app.rules import calendar
from app.rules.tables import LimitRules
from app.settings import CaseLimits, get_settings
from app.statements import ByShape

LEVELS = ("village", "township", "county")
DAY_FIELDS = ("accept_days", "follow_up_days")
MAX_DAYS = 365
MAX_ATTEMPTS = 20
MAX_GRACE_HOURS = 24 * 30


_DEFAULTS: list[Any] = [None, {}]  # the settings' limits object, and its rules as a dict


def env_defaults() -> dict[str, Any]:
    """The limits of the settings as rules (a county that saved none). Made once per settings
    object (`asdict` walks every field: a fifth of a case's logging when made per case); each
    call gets its own copy of the dicts, which a form may change."""
    limits = get_settings().limits
    if _DEFAULTS[0] is not limits:
        _DEFAULTS[:] = [limits, asdict(limits) | {"categories": {}}]
    return {k: dict(v) if isinstance(v, dict) else v for k, v in _DEFAULTS[1].items()}


def to_limits(rules: dict[str, Any], category: str | None = None) -> CaseLimits:
    base = CaseLimits(
        working_days=bool(rules["working_days"]),
        accept_days=int(rules["accept_days"]),
        resolve_days={lv: int(rules["resolve_days"][lv]) for lv in LEVELS},
        follow_up_days=int(rules["follow_up_days"]),
        attempts={lv: int(rules["attempts"][lv]) for lv in LEVELS},
        overdue_grace_hours=int(rules["overdue_grace_hours"]),
    )
    own = (rules.get("categories") or {}).get(category or "") or {}
    if not own:
        return base
    return replace(
        base,
        accept_days=int(own.get("accept_days") or base.accept_days),
        follow_up_days=int(own.get("follow_up_days") or base.follow_up_days),
        resolve_days={
            lv: int((own.get("resolve_days") or {}).get(lv) or base.resolve_days[lv])
            for lv in LEVELS
        },
    )


# read by every case logged: made once (app/statements.py)
_NEWEST = ByShape(
    lambda where: (
        LimitRules.select(LimitRules.version, LimitRules.rules)
        .where(where)
        .order_by(LimitRules.version, ascending=False)
        .first()
    )
)


async def current(county: int) -> tuple[int | None, dict[str, Any]]:
    """The version in force for new cases of the county, and its rules (None: the defaults)."""
    row = await _NEWEST.run(LimitRules.county == county)
    if row is None:
        return None, env_defaults()
    return row["version"], json.loads(row["rules"])


# The version in force for new cases, per county, kept per rules stamp (app/rules/calendar.py):
# every case logged asks, and every save bumps the stamp. Another process sees a new version
# within the stamp's recheck, as it sees a new holiday calendar; this one at once (`forget`,
# once the save has committed).
_IN_FORCE: dict[tuple[int, int], tuple[int | None, dict[str, Any]]] = {}


async def in_force(county: int) -> tuple[int | None, dict[str, Any]]:
    """`current`, kept: for reading only (the rules dict is shared)."""
    key = ((await calendar.ensure()).version, county)
    kept = _IN_FORCE.get(key)
    if kept is None:
        if len(_IN_FORCE) >= _OF_VERSION_KEPT:
            _IN_FORCE.clear()
        kept = _IN_FORCE[key] = await current(county)
    return kept


def forget() -> None:
    _IN_FORCE.clear()


async def current_by_county() -> dict[int, CaseLimits]:
    """The limits in force in each county that saved its own (the scheduler's sweep)."""
    rows = await LimitRules.select(LimitRules.county, LimitRules.version, LimitRules.rules)
    latest: dict[int, dict] = {}
    for r in rows:
        if r["county"] not in latest or r["version"] > latest[r["county"]]["version"]:
            latest[r["county"]] = r
    return {c: to_limits(json.loads(r["rules"])) for c, r in latest.items()}


# A saved version never changes (each save is a new one), so every case page need not read it
# again: kept per rules stamp (app/rules/calendar.py), which a restore or a removal moves.
_OF_VERSION: dict[tuple[int, int, int], dict[str, Any]] = {}
_OF_VERSION_KEPT = 1024


async def of_version(county: int, version: int | None) -> dict[str, Any]:
    if version is None:
        return env_defaults()
    key = ((await calendar.ensure()).version, county, version)
    kept = _OF_VERSION.get(key)
    if kept is not None:
        return kept
    row = await (
        LimitRules.select(LimitRules.rules)
        .where((LimitRules.county == county) & (LimitRules.version == version))
        .first()
    )
    if row is None:
        return env_defaults()
    if len(_OF_VERSION) >= _OF_VERSION_KEPT:
        _OF_VERSION.clear()
    rules = _OF_VERSION[key] = json.loads(row["rules"])
    return rules


async def for_case(row: dict[str, Any]) -> CaseLimits:
    """The limits a case runs under: its county's version, its category's overrides."""
    rules = await of_version(row["county"], row.get("limits_version"))
    return to_limits(rules, row.get("category"))


def history(rows: list[dict]) -> list[dict]:
    return [r | {"rules": json.loads(r["rules"])} for r in rows]


def flat(rules: dict[str, Any] | None) -> dict[str, Any]:
    """The rules as {"resolve_days.village": 15, ...}: each value under its dotted path."""
    out: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key in sorted(value):
                walk(f"{prefix}.{key}" if prefix else key, value[key])
        else:
            out[prefix] = value

    walk("", rules or {})
    return out


def describe_change(before: dict[str, Any], after: dict[str, Any]) -> str:
    """before → after of every value that changed, in one line for the audit log."""
    changes = []

    def walk(prefix: str, a: Any, b: Any) -> None:
        if isinstance(a, dict) or isinstance(b, dict):
            a, b = a or {}, b or {}
            for key in sorted(set(a) | set(b)):
                walk(f"{prefix}.{key}" if prefix else key, a.get(key), b.get(key))
        elif a != b:
            changes.append(f"{prefix} {a if a is not None else '-'}→{b if b is not None else '-'}")

    walk("", before, after)
    return "; ".join(changes) or "="
