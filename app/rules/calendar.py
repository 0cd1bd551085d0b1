"""The official working calendar as data: which days of a known year are public holidays and
which weekend days are make-up working days (调休).

Seeded from `chinesecalendar` for the years it knows (migrations/…_holiday_calendar_seed); the
county administrator enters every later year from /admin/calendar when the State Council
publishes it. Deadline arithmetic (app/disputes/deadlines.py) is synchronous, so every process
keeps the calendar in memory and reloads it when the rules version row moves (like the
boundaries): `ensure()` runs before each request and each scheduled job, and reads the version
stamp at most every 5 seconds (a change made in this process reloads at once).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import chinese_calendar

from app.rules.tables import CalendarDay, CalendarYear, RulesVersion

CHINA_TZ = "Asia/Shanghai"
WARN_FROM_MONTH = 11  # from 1 November the next year's calendar is awaited


@dataclass(frozen=True)
class Known:
    version: int
    years: frozenset[int]
    special: dict[date, bool]  # day → works?


_known: Known | None = None
_checked = 0.0  # time.monotonic() of the last look at the stamp
STAMP_EVERY_SECONDS = 5.0  # a change made in another process is seen within this


def _package_years() -> frozenset[int]:
    days = list(chinese_calendar.holidays) + list(chinese_calendar.workdays)
    return frozenset(d.year for d in days)


PACKAGE_YEARS = _package_years()


def package_days(year: int) -> list[tuple[date, str, str]]:
    """The package's list for one year: (day, holiday|workday, name)."""
    rows = [(d, "holiday", str(n)) for d, n in chinese_calendar.holidays.items() if d.year == year]
    rows += [(d, "workday", str(n)) for d, n in chinese_calendar.workdays.items() if d.year == year]
    return sorted(rows)


async def stamp() -> int:
    row = await RulesVersion.select(RulesVersion.version).first()
    return row["version"] if row else 0


async def ensure(max_age: float = STAMP_EVERY_SECONDS) -> Known:
    """The calendar as of the rules version in the database; reloaded only when it moved. The
    stamp itself is read at most every `max_age` seconds (0: now, after a change)."""
    global _known, _checked
    if _known is not None and time.monotonic() - _checked < max_age:
        return _known
    _checked = time.monotonic()
    version = await stamp()
    if _known is not None and _known.version == version:
        return _known
    years = frozenset(r["year"] for r in await CalendarYear.select(CalendarYear.year))
    days = await CalendarDay.select(CalendarDay.day, CalendarDay.kind)
    _known = Known(version, years, {r["day"]: r["kind"] == "workday" for r in days})
    return _known


def forget() -> None:
    global _known
    _known = None


def known_years() -> frozenset[int]:
    return _known.years if _known is not None else PACKAGE_YEARS


def knows(year: int) -> bool:
    return year in known_years()


def is_working_day(day: date) -> bool:
    """Holidays rest, make-up days work, other days by their weekday. A year nobody has entered
    counts Monday to Friday (and every limit reaching it is provisional)."""
    if _known is None:  # before the first load (a unit test, a bare script): the package itself
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # the package's answer for a year its table does not hold
            return day.weekday() < 5
    if day.year in _known.years and day in _known.special:
        return _known.special[day]
    return day.weekday() < 5


def provisional(start: datetime | None, due: datetime | None, working: bool) -> bool:
    """A working-day limit is provisional when it runs through a year whose calendar is not
    known yet: its end may move when the year is entered."""
    if not working or start is None or due is None:
        return False
    from app.disputes.deadlines import CHINA

    first, last = start.astimezone(CHINA).year, due.astimezone(CHINA).year
    return any(not knows(y) for y in range(first, last + 1))


def missing_next_year(now: datetime) -> int | None:
    """From 1 November: next year, while its calendar is not entered; else None."""
    from app.disputes.deadlines import CHINA

    today = now.astimezone(CHINA).date()
    if today.month >= WARN_FROM_MONTH and not knows(today.year + 1):
        return today.year + 1
    return None


def year_days(year: int) -> dict[date, str]:
    """The special days of a year from the loaded calendar: day → holiday|workday."""
    special = _known.special if _known is not None else {}
    return {d: ("workday" if w else "holiday") for d, w in special.items() if d.year == year}


def days_of(year: int) -> list[date]:
    day, out = date(year, 1, 1), []
    while day.year == year:
        out.append(day)
        day += timedelta(days=1)
    return out
