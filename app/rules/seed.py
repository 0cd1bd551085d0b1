"""Seeding the calendar from `chinesecalendar`: the years the package knows and the database
does not. Idempotent (a year entered by the county is never overwritten)."""

from __future__ import annotations

from app.rules import calendar
from app.rules.tables import CalendarDay, CalendarYear, RulesVersion


async def ensure_version_row() -> None:
    if not await RulesVersion.exists().where(RulesVersion.id > 0):
        await RulesVersion.insert(RulesVersion(version=1, recomputed=1))


async def seed_from_package() -> list[int]:
    """Adds the package's years missing from the database; answers which."""
    await ensure_version_row()
    have = {r["year"] for r in await CalendarYear.select(CalendarYear.year)}
    added = []
    for year in sorted(calendar.PACKAGE_YEARS - have):
        days = calendar.package_days(year)
        await CalendarDay.delete().where(CalendarDay.year == year)
        await CalendarDay.insert(
            *[CalendarDay(day=d, year=year, kind=k, name=n[:64]) for d, k, n in days]
        )
        await CalendarYear.insert(CalendarYear(year=year, source="package"))
        added.append(year)
    if added:
        await RulesVersion.update({RulesVersion.version: RulesVersion.version + 1}, force=True)
    return added
