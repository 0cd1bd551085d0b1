"""The only writers of the calendar and the time limits: the county administrator's changes.

Each change is checked whole before anything is written, is written in one transaction with
its audit entry (who, when, what, before → after) and a bump of the rules version (every
process reloads), and is followed by the recompute job, so running deadlines follow at once.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta
from typing import Any

from app import clock, db
from app.audit import log as audit
from app.auth.actor import Actor
from app.disputes.errors import FieldErrors
from app.disputes.tables import Dispute
from app.disputes.vocabulary import CATEGORIES
from app.i18n import _
from app.rules import calendar, limits, recompute
from app.rules.tables import CalendarDay, CalendarYear, LimitRules, RulesVersion

MIN_YEAR, MAX_YEAR = 2000, 2100
WORKDAY_WORDS = ("workday", "work", "班", "上班", "补班", "调休上班", "工作日")
HOLIDAY_WORDS = ("holiday", "rest", "休", "假", "休息", "放假", "节假日")

Days = dict[date, tuple[str, str]]  # day → (holiday|workday, name)


def check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise FieldErrors(
            {"year": _("Choose a year between %(a)s and %(b)s.", a=MIN_YEAR, b=MAX_YEAR)}
        )
    return year


async def year_view(year: int) -> dict[str, Any]:
    row = (
        await CalendarYear.select(
            CalendarYear.year,
            CalendarYear.source,
            CalendarYear.updated_at,
            CalendarYear.updated_by.display_name.as_alias("updated_by_name"),
        )
        .where(CalendarYear.year == year)
        .first()
    )
    days = await CalendarDay.select().where(CalendarDay.year == year).order_by(CalendarDay.day)
    return {"year": year, "entry": row, "days": {d["day"]: d for d in days}}


def from_flips(year: int, flips: list[str], before: dict[date, dict]) -> Days:
    """The grid's answer: a weekday ticked is a holiday, a weekend day ticked a make-up working
    day (a weekend inside a holiday rests anyway). Names already known for a day are kept."""
    days: Days = {}
    for raw in flips:
        day = _day(raw, "days")
        if day.year != year:
            raise FieldErrors({"days": _("%(day)s is not in %(year)s.", day=raw, year=year)})
        kind = "holiday" if day.weekday() < 5 else "workday"
        days[day] = (kind, before[day]["name"] if day in before else "")
    return days


def _day(raw: str, field: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise FieldErrors({field: _("Not a date: %(value)s.", value=raw.strip()[:20])}) from None


def _kind(word: str) -> str | None:
    word = word.strip().lower()
    if any(w == word or (len(w) > 1 and w in word) for w in WORKDAY_WORDS) or "班" in word:
        return "workday"
    if any(w == word or (len(w) > 1 and w in word) for w in HOLIDAY_WORDS) or word == "":
        return "holiday"
    return None


def parse_csv(text: str) -> Days:
    """One day (or range `2027-02-06..2027-02-12`) a line: date, kind (holiday|workday, 休|班),
    optional name. A first line that is not a date is a header."""
    days: Days = {}
    problems: list[str] = []
    for n, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in cells]
        if not cells or not any(cells):
            continue
        first, kind_word = cells[0], cells[1] if len(cells) > 1 else ""
        start, _sep, end = first.partition("..")
        try:
            a = date.fromisoformat(start.strip())
            b = date.fromisoformat(end.strip()) if end else a
        except ValueError:
            if n == 1:
                continue  # a header
            problems.append(_("line %(n)s: not a date: %(value)s", n=n, value=first[:30]))
            continue
        kind = _kind(kind_word)
        if kind is None or b < a or (b - a).days > 31:
            problems.append(_("line %(n)s: cannot read %(value)s", n=n, value=",".join(cells)[:40]))
            continue
        while a <= b:
            days[a] = (kind, (cells[2] if len(cells) > 2 else "")[:64])
            a += timedelta(days=1)
    if problems:
        raise FieldErrors({"file": "; ".join(problems[:5])})
    return days


def parse_ics(data: bytes) -> Days:
    """VEVENTs of whole days: a summary with 班 (or "work") is a make-up working day, any other
    a holiday; DTEND is exclusive, as iCalendar has it."""
    import icalendar

    try:
        cal = icalendar.Calendar.from_ical(data)
    except Exception:
        raise FieldErrors({"file": _("The file is not an iCalendar (.ics) file.")}) from None
    days: Days = {}
    for event in cal.walk("VEVENT"):
        start = event.decoded("DTSTART", None)
        if start is None:
            continue
        end = event.decoded("DTEND", None)
        if isinstance(start, datetime):
            start = start.date()
        if isinstance(end, datetime):
            end = end.date()
        end = end if end and end > start else start + timedelta(days=1)
        summary = str(event.get("SUMMARY", ""))
        kind = "workday" if ("班" in summary or re.search(r"\bwork", summary, re.I)) else "holiday"
        name = re.sub(r"[（(]?(补班|上班|休|放假|班)[)）]?", "", summary).strip()[:64]
        day = start
        while day < end and (end - start).days <= 31:
            days[day] = (kind, name)
            day += timedelta(days=1)
    if not days:
        raise FieldErrors({"file": _("The file holds no whole-day events.")})
    return days


def parse_upload(filename: str, data: bytes) -> Days:
    if filename.lower().endswith(".ics") or data.lstrip().startswith(b"BEGIN:VCALENDAR"):
        return parse_ics(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise FieldErrors({"file": _("The file is neither CSV nor iCalendar.")}) from None
    return parse_csv(text)


def _summary(days: dict[date, str]) -> str:
    """Days as ranges, e.g. 01-01, 02-06..02-12."""
    out: list[str] = []
    run: list[date] = []
    for day in sorted(days):
        if run and (day - run[-1]).days == 1:
            run.append(day)
            continue
        if run:
            out.append(_range(run))
        run = [day]
    if run:
        out.append(_range(run))
    return ",".join(out) or "-"


def _range(run: list[date]) -> str:
    a, b = run[0].strftime("%m-%d"), run[-1].strftime("%m-%d")
    return a if a == b else f"{a}..{b}"


async def _bump() -> None:
    await RulesVersion.update({RulesVersion.version: RulesVersion.version + 1}, force=True)


async def save_year(
    actor: Actor, year: int, days: Days, origin: audit.Origin, now: datetime | None = None
) -> dict[str, int]:
    """Replace a year's holidays and make-up days, audited; then move running deadlines."""
    now = now or clock.now()
    check_year(year)
    outside = sorted(d for d in days if d.year != year)
    if outside:
        raise FieldErrors(
            {"days": _("%(day)s is not in %(year)s.", day=outside[0].isoformat(), year=year)}
        )
    if not any(k == "holiday" for k, _n in days.values()):
        raise FieldErrors({"days": _("Mark at least one public holiday of the year.")})
    async with db.transaction():
        before = await CalendarDay.select().where(CalendarDay.year == year)
        existed = await CalendarYear.exists().where(CalendarYear.year == year)
        await CalendarDay.delete().where(CalendarDay.year == year)
        await CalendarDay.insert(
            *[CalendarDay(day=d, year=year, kind=k, name=n) for d, (k, n) in sorted(days.items())]
        )
        if existed:
            await CalendarYear.update(
                {
                    CalendarYear.source: "county",
                    CalendarYear.updated_at: now,
                    CalendarYear.updated_by: actor.id,
                }
            ).where(CalendarYear.year == year)
        else:
            await CalendarYear.insert(
                CalendarYear(year=year, source="county", updated_at=now, updated_by=actor.id)
            )
        await _bump()

        def of(rows: dict[date, str], kind: str) -> str:
            return _summary({d: k for d, k in rows.items() if k == kind})

        old = {r["day"]: r["kind"] for r in before}
        new = {d: k for d, (k, _n) in days.items()}
        was = {"holidays": of(old, "holiday"), "workdays": of(old, "workday")}
        if not existed:
            was = {"holidays": "-", "workdays": "-"}
        now_is = {"holidays": of(new, "holiday"), "workdays": of(new, "workday")}
        what = (
            f"calendar {year}: holidays {was['holidays']} → {now_is['holidays']}; "
            f"workdays {was['workdays']} → {now_is['workdays']}"
        )
        await audit.record_change(
            actor,
            "calendar",
            what,
            origin,
            was,
            now_is,
            now=now,
            action="change_calendar",
            params={"year": year},
        )
    await calendar.ensure(0)
    return await recompute.recompute(now)


# --- time limits -------------------------------------------------------------------------


def _int(data: Any, name: str, low: int, high: int, errors: dict, optional: bool = False):
    raw = str(data.get(name) or "").strip()
    if raw == "" and optional:
        return None
    try:
        value = int(raw)
    except ValueError:
        errors[name] = _("Enter a whole number.")
        return None
    if not low <= value <= high:
        errors[name] = _("Between %(a)s and %(b)s.", a=low, b=high)
        return None
    return value


def parse_limits(data: Any) -> dict[str, Any]:
    errors: dict[str, str] = {}
    rules: dict[str, Any] = {
        "working_days": str(data.get("working_days") or "") in ("1", "on", "true"),
        "accept_days": _int(data, "accept_days", 1, limits.MAX_DAYS, errors),
        "resolve_days": {
            lv: _int(data, f"resolve_{lv}", 1, limits.MAX_DAYS, errors) for lv in limits.LEVELS
        },
        "follow_up_days": _int(data, "follow_up_days", 1, limits.MAX_DAYS, errors),
        "attempts": {
            lv: _int(data, f"attempts_{lv}", 1, limits.MAX_ATTEMPTS, errors) for lv in limits.LEVELS
        },
        "overdue_grace_hours": _int(data, "overdue_grace_hours", 0, limits.MAX_GRACE_HOURS, errors),
        "categories": {},
    }
    for code in CATEGORIES:
        own: dict[str, Any] = {}
        for name in ("accept_days", "follow_up_days"):
            value = _int(data, f"cat_{code}_{name}", 1, limits.MAX_DAYS, errors, optional=True)
            if value is not None:
                own[name] = value
        resolve = {
            lv: v
            for lv in limits.LEVELS
            if (v := _int(data, f"cat_{code}_resolve_{lv}", 1, limits.MAX_DAYS, errors, True))
            is not None
        }
        if resolve:
            own["resolve_days"] = resolve
        if own:
            rules["categories"][code] = own
    if errors:
        raise FieldErrors(errors)
    return rules


async def save_limits(
    actor: Actor,
    data: Any,
    origin: audit.Origin,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A new version of the county's limits; with `apply_running`, open cases take it too."""
    now = now or clock.now()
    county = audit.county_of(actor)
    rules = parse_limits(data)
    apply_running = str(data.get("apply_running") or "") in ("1", "on", "true")
    async with db.transaction():
        version, before = await limits.current(county)
        if rules == before and not apply_running:
            return {"version": version, "unchanged": True}
        new_version = (version or 0) + 1
        await LimitRules.insert(
            LimitRules(
                county=county,
                version=new_version,
                rules=json.dumps(rules, ensure_ascii=False, sort_keys=True),
                applied_to_running=apply_running,
                created_at=now,
                created_by=actor.id,
            )
        )
        running = 0
        if apply_running:
            moved = await (
                Dispute.update({Dispute.limits_version: new_version})
                .where((Dispute.county == county) & Dispute.closed_at.is_null())
                .returning(Dispute.id)
            )
            running = len(moved)
        await _bump()
        db.after_commit(limits.forget)  # new cases here take the new version at once
        what = f"limits v{version or 0}→v{new_version}: {limits.describe_change(before, rules)}"
        if apply_running:
            what = f"{what} [applied to {running} running cases]"
        if len(what) > 200:
            what = what[:199] + "…"
        await audit.record_change(
            actor,
            "limits",
            what,
            origin,
            limits.flat(before),
            limits.flat(rules),
            county=county,
            now=now,
            action="apply_limits" if apply_running else "change_limits",
            params={"old": version or 0, "new": new_version, "running": running},
        )
    result = await recompute.recompute(now) if apply_running else {}
    return {"version": new_version, "running": running, **result}


async def limits_history(county: int) -> list[dict]:
    rows = await (
        LimitRules.select(
            LimitRules.version,
            LimitRules.rules,
            LimitRules.applied_to_running,
            LimitRules.created_at,
            LimitRules.created_by.display_name.as_alias("created_by_name"),
        )
        .where(LimitRules.county == county)
        .order_by(LimitRules.version, ascending=False)
        .limit(20)
    )
    return limits.history(rows)
