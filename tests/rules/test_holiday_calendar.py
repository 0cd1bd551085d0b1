"""The holiday calendar is data the county enters: a working-day deadline across New Year and
the Spring Festival skips the holidays once the administrator has entered the year, running
cases get their new due date with a ledger entry, and until then the admin banner, the
`pingli check` line and "provisional" on the case say the date may still move."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from app import consistency
from app.audit.tables import AuditLog
from app.disputes import deadlines
from app.disputes.deadlines import CHINA
from app.rules import calendar, recompute
from app.rules.tables import CalendarDay, CalendarYear
from tests.rules.conftest import TODAY, limits_form
from tests.support.lifecycle import act, current, ledger

# 2027 as the administrator enters it in these tests: New Year's Day, the Spring Festival
# (6–12 February; the 6th and 7th are a weekend) and its two make-up working days.
HOLIDAYS_2027 = ["2027-01-01", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"]
MAKE_UP_2027 = ["2027-02-14", "2027-02-20"]  # a Sunday and a Saturday


def china(*args) -> datetime:
    return datetime(*args, tzinfo=CHINA)


def due(case: dict) -> datetime:
    return datetime.fromisoformat(case["due_at"].replace("Z", "+00:00"))


async def _running_case_across_spring_festival(cast, admin) -> dict:
    """Working days, 64 to resolve at the village: accepted on Thursday 19 November 2026, the
    limit runs through New Year and the Spring Festival."""
    r = await admin.post_form("/admin/limits", limits_form(working_days=1, resolve_village=64))
    assert r.status_code == 303, r.text
    case = await cast.log_case("demo-grid")
    await act(cast, "demo-village", case["id"], "accept", rights_notified=True)
    return await current(cast, case["id"])


async def test_before_2027_is_entered_its_deadlines_are_provisional_and_the_admin_is_told(
    at, rules, cast, admin
):
    assert not calendar.knows(2027)
    case = await _running_case_across_spring_festival(cast, admin)
    # Monday to Friday for want of a calendar: 64 weekdays end on Wednesday 17 February 2027
    assert due(case) == china(2027, 2, 18, 0, 0)
    assert case["due_provisional"] is True

    village = await cast.browser("demo-village")
    page = await village.get(f"/disputes/{case['id']}")
    assert "deadline-provisional" in page.text and "暂定" in page.text

    home = await admin.get("/")
    assert 'data-calendar-missing="2027"' in home.text and "/admin/calendar?year=2027" in home.text
    assert "data-calendar-missing" not in (await village.get("/")).text  # administrators only

    problems = await consistency._holiday_calendar(TODAY)
    assert len(problems) == 1 and "2027" in problems[0]
    # not before 1 November: the State Council has not published it yet
    assert await consistency._holiday_calendar(china(2026, 10, 31, 12, 0)) == []


async def test_holidays_entered_on_the_grid_move_running_deadlines_and_skip_the_festival(
    at, rules, cast, admin, engine_name
):
    case = await _running_case_across_spring_festival(cast, admin)
    assert due(case) == china(2027, 2, 18, 0, 0)

    page = await admin.get("/admin/calendar?year=2027")
    assert page.status_code == 200 and 'data-year-state="missing"' in page.text
    assert page.text.count('name="flip"') == 365
    r = await admin.post_form("/admin/calendar/2027", {"flip": HOLIDAYS_2027 + MAKE_UP_2027})
    assert r.status_code == 303, r.text

    # 64 working days: 20 Nov … 31 Dec (29), 4 Jan … 5 Feb (54), Sun 14 Feb (55), 15–19 (60),
    # Sat 20 (61), 22–23 February (64): New Year's Day and 8–12 February do not count
    moved = await current(cast, case["id"])
    assert due(moved) == china(2027, 2, 24, 0, 0)
    assert moved["due_provisional"] is False
    events = [e for e in await ledger(cast, case["id"]) if e["kind"] == "deadline_moved"]
    assert len(events) == 1
    assert events[0]["data"]["previous_due_at"].startswith("2027-02-17T16:00")
    assert events[0]["data"]["due_at"].startswith("2027-02-23T16:00")

    page = await (await cast.browser("demo-village")).get(f"/disputes/{case['id']}")
    assert "期限重新计算" in page.text and "原截止时间" in page.text
    # the limit reads as its last day, 02-23 (stored as the midnight that ends it)
    assert "</strong> 2027-02-23" in page.text and "deadline-provisional" not in page.text

    # a deadline set now skips them too
    assert deadlines.add_days(china(2026, 12, 31, 10, 0), 1, working=True) == china(2027, 1, 5)
    assert deadlines.add_days(china(2027, 2, 5, 10, 0), 1, working=True) == china(2027, 2, 15)

    # the job is idempotent: run again (here, or by the scheduler), nothing moves twice
    again = await recompute.recompute(force=True)
    assert again["moved"] == 0
    assert len([e for e in await ledger(cast, case["id"]) if e["kind"] == "deadline_moved"]) == 1

    # the banner and the check line are gone; the page shows the year as entered
    assert "data-calendar-missing" not in (await admin.get("/")).text
    assert await consistency._holiday_calendar(TODAY) == []
    page = await admin.get("/admin/calendar?year=2027")
    assert 'data-year-state="entered"' in page.text
    assert 'value="2027-02-14" checked' in page.text and 'value="2027-02-08" checked' in page.text

    entry = await (
        AuditLog.select(AuditLog.what, AuditLog.user.username.as_alias("who"))
        .where(AuditLog.kind == "calendar")
        .order_by(AuditLog.id, ascending=False)
        .first()
    )
    assert entry["who"] == "demo-admin"
    assert "2027" in entry["what"] and "- → 01-01,02-08..02-12" in entry["what"]
    assert "02-14,02-20" in entry["what"]
    log = (await admin.get("/admin/audit", params={"kind": "calendar"})).text
    assert "修改 2027 年节假日" in log and "法定节假日：- → 01-01,02-08..02-12" in log

    # a change of the year is audited before → after and moves the case again
    r = await admin.post_form("/admin/calendar/2027", {"flip": HOLIDAYS_2027})
    assert r.status_code == 303
    assert due(await current(cast, case["id"])) == china(2027, 2, 26, 0, 0)
    entry = await AuditLog.select(AuditLog.what).order_by(AuditLog.id, ascending=False).first()
    assert "02-14,02-20 → -" in entry["what"]


async def test_the_year_can_be_uploaded_as_csv_or_ics_and_bad_files_change_nothing(
    at, rules, cast, admin
):
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:元旦 休\r\nDTSTART;VALUE=DATE:20270101\r\n"
        "DTEND;VALUE=DATE:20270102\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:春节 休\r\nDTSTART;VALUE=DATE:20270206\r\n"
        "DTEND;VALUE=DATE:20270213\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:c\r\nSUMMARY:春节 补班\r\nDTSTART;VALUE=DATE:20270214\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    r = await admin.http.post(
        "/admin/calendar/2027/upload",
        files={"file": ("2027.ics", ics, "text/calendar")},
        headers={"x-csrftoken": admin.csrf},
    )
    assert r.status_code == 303, r.text
    assert calendar.knows(2027)
    assert not deadlines.is_working_day(date(2027, 2, 10))
    assert deadlines.is_working_day(date(2027, 2, 14))  # a Sunday at work
    assert not deadlines.is_working_day(date(2027, 2, 20))  # not in this list

    csv = "日期,类型,名称\n2027-01-01,休,元旦\n2027-02-06..2027-02-12,休,春节\n2027-02-20,班,春节\n"
    r = await admin.http.post(
        "/admin/calendar/2027/upload",
        files={"file": ("2027.csv", csv.encode(), "text/csv")},
        headers={"x-csrftoken": admin.csrf},
    )
    assert r.status_code == 303, r.text
    assert deadlines.is_working_day(date(2027, 2, 20)) and not deadlines.is_working_day(
        date(2027, 2, 14)
    )

    # a day of another year, or an unreadable line: 422, the year as it was
    for bad in ("2027-01-01,休\n2028-01-03,休\n", "2027-01-01,休\nsoon,休\n"):
        r = await admin.http.post(
            "/admin/calendar/2027/upload",
            files={"file": ("2027.csv", bad.encode(), "text/csv")},
            headers={"x-csrftoken": admin.csrf},
        )
        assert r.status_code == 422
        assert "2028" in r.text or "soon" in r.text
    assert await CalendarDay.count().where(CalendarDay.year == 2027) == 9
    assert (await CalendarYear.select().where(CalendarYear.year == 2027).first())["source"] == (
        "county"
    )


async def test_only_the_county_administrator_changes_the_calendar(at, rules, cast):
    for username in ("demo-county", "demo-village"):
        browser = await cast.browser(username)
        assert (await browser.get("/admin/calendar?year=2027")).status_code == 403
        r = await browser.post_form("/admin/calendar/2027", {"flip": HOLIDAYS_2027})
        assert r.status_code == 403
    assert not await CalendarYear.exists().where(CalendarYear.year == 2027)


async def test_the_seeded_years_come_from_the_package_and_seeding_again_changes_nothing(rules):
    from app.rules.seed import seed_from_package

    assert await seed_from_package() == []
    assert calendar.knows(2025) and calendar.knows(2026)
    assert await CalendarDay.exists().where(
        (CalendarDay.day == date(2025, 9, 28)) & (CalendarDay.kind == "workday")
    )
    assert not deadlines.is_working_day(date(2025, 10, 3))
    assert deadlines.provisional(china(2026, 12, 1), china(2027, 1, 10), working=True)
    assert not deadlines.provisional(china(2026, 12, 1), china(2027, 1, 10), working=False)
    assert calendar.missing_next_year(china(2026, 11, 1, 9)) == 2027
    assert calendar.missing_next_year(china(2026, 10, 31, 9)) is None
    assert uuid  # noqa: B018
