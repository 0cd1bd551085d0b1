"""Time limits of a case. due_at is always derived from these, never typed in.

Limits count calendar days, or working days on China's official calendar (PINGLI_WORKING_DAYS):
public holidays are skipped and the weekend days declared make-up workdays (调休) count, as
published each year by the State Council. The calendar is data (app/rules/calendar.py: seeded
from `chinesecalendar`, later years entered by the county); a limit that runs through a year
nobody has entered yet counts Monday to Friday there and is shown as provisional. A working-day
limit ends at midnight (China time) after its last working day, so "3 working days" gives the
whole third day. A calendar-day limit is exact to the minute.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.rules import calendar
from app.settings import CaseLimits, get_settings

CHINA = ZoneInfo("Asia/Shanghai")
AT_RISK_SHARE = 0.2  # amber when less than a fifth of the time is left


def limits() -> CaseLimits:
    return get_settings().limits


def is_working_day(day: date) -> bool:
    return calendar.is_working_day(day)


def provisional(start: datetime | None, due: datetime | None, working: bool | None = None) -> bool:
    """True when a working-day limit runs through a year whose calendar is not entered yet."""
    if working is None:
        working = limits().working_days
    return calendar.provisional(start, due, working)


def end_of_day(day: date) -> datetime:
    """Midnight China time after `day`, in UTC: the last moment `day` is still on time."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA).astimezone(UTC)


def add_days(start: datetime, days: int, working: bool | None = None) -> datetime:
    if working is None:
        working = limits().working_days
    if not working:
        return start + timedelta(days=days)
    day = start.astimezone(CHINA).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return end_of_day(day)


def extend_due(due: datetime, days: int, working: bool | None = None) -> datetime:
    """A limit moved on by `days`: calendar days from the minute it ended, or the next working
    days after its last one."""
    if working is None:
        working = limits().working_days
    if not working:
        return due + timedelta(days=days)
    return add_days(due - timedelta(microseconds=1), days, True)


def accept_due(start: datetime, rules: CaseLimits | None = None) -> datetime:
    rules = rules or limits()
    return add_days(start, rules.accept_days, rules.working_days)


def resolve_due(level: str, start: datetime, rules: CaseLimits | None = None) -> datetime:
    rules = rules or limits()
    return add_days(start, rules.resolve_days[level], rules.working_days)


def follow_up_due(resolved_at: datetime, rules: CaseLimits | None = None) -> datetime:
    rules = rules or limits()
    return add_days(resolved_at, rules.follow_up_days, rules.working_days)


def deadline_state(due_from: datetime | None, due_at: datetime | None, now: datetime) -> str | None:
    """None (no limit running), "on_time", "at_risk" (<20% of the time left) or "overdue"."""
    if due_at is None:
        return None
    if now >= due_at:
        return "overdue"
    running = due_from is not None and due_at > due_from
    if running and (due_at - now) < (due_at - due_from) * AT_RISK_SHARE:  # type: ignore[operator]
        return "at_risk"
    return "on_time"
