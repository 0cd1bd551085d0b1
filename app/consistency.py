"""`pingli check`: does the database hold together? Run it after a restore (or whenever in
doubt); it lists every problem it finds and exits 1 if there is one.

- the ledger and the audit log (and the former disclosure log) are still append-only: their
  triggers exist and refuse an UPDATE (tried inside a transaction that is rolled back);
- every case has its ledger: no case without a first event;
- the monitoring counters, kept by difference, equal a recount from the ledger;
- from 1 November, next year's holiday calendar is entered (else its deadlines are provisional).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app import clock, db

APPEND_ONLY = ("case_event", "audit_log", "disclosure_log")


class _Rollback(Exception):
    pass


async def _refuses_update(table: str) -> bool:
    """True when the database refuses to change a row of `table` (or it has none)."""
    rows = await db.engine().run_ddl(f'SELECT "id" FROM "{table}" ORDER BY "id" LIMIT 1')
    if not rows:
        return True
    try:
        async with db.transaction():
            await db.engine().run_ddl(
                f'UPDATE "{table}" SET "id" = "id" WHERE "id" = {int(rows[0]["id"])}'
            )
            raise _Rollback
    except _Rollback:
        return False
    except Exception:
        return True  # the trigger's error: what we hope for


async def _cases_without_ledger() -> int:
    rows = await db.engine().run_ddl(
        'SELECT count(*) AS n FROM "dispute" d '
        'WHERE NOT EXISTS (SELECT 1 FROM "case_event" e WHERE e."dispute" = d."id")'
    )
    return int(rows[0]["n"])


async def _counters_against_recount(now: datetime) -> list[str]:
    from app.monitoring import facts, figures
    from app.monitoring.tables import StatsBucket

    columns = ["span", "day", "node", "category", *figures.COUNTERS]

    async def snapshot() -> dict[tuple, dict[str, Any]]:
        rows = await StatsBucket.select(*(StatsBucket._meta.get_column_by_name(c) for c in columns))
        return {
            (r["span"], str(r["day"]), r["node"], r["category"]): r
            for r in rows
            if any(r[c] for c in figures.COUNTERS)
        }

    await facts.refresh(now)
    kept = await snapshot()
    await facts.rebuild(now)
    recounted = await snapshot()
    problems = []
    for key in sorted(set(kept) | set(recounted), key=str):
        a, b = kept.get(key), recounted.get(key)
        differing = [
            c
            for c in figures.COUNTERS
            if abs(float((a or {}).get(c) or 0) - float((b or {}).get(c) or 0)) > 1e-6
        ]
        if differing:
            problems.append(
                f"monitoring counters {key} differ from a recount: {', '.join(differing)}"
            )
    return problems[:20]


async def check(now: datetime | None = None) -> list[str]:
    """Every problem found, in plain words; empty when the database holds together."""
    problems = []
    for table in APPEND_ONLY:
        if not await _refuses_update(table):
            problems.append(f"{table} accepts updates: its append-only trigger is missing")
    if missing := await _cases_without_ledger():
        problems.append(f"{missing} cases have no ledger event")
    problems += await _counters_against_recount(now or clock.now())
    return problems


async def warnings(now: datetime | None = None) -> list[str]:
    """What an administrator must do soon, though nothing is inconsistent yet: next year's
    holiday calendar, from 1 November."""
    return await _holiday_calendar(now or clock.now())


async def _holiday_calendar(now: datetime) -> list[str]:
    from app.rules import calendar

    await calendar.ensure(0)
    if (year := calendar.missing_next_year(now)) is not None:
        return [
            f"the holiday calendar of {year} is not entered: working-day deadlines that reach "
            f"{year} are provisional (enter it at /admin/calendar?year={year})"
        ]
    return []
