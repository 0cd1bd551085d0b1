"""Time limits: calendar days, or working days on China's official calendar, where a public
holiday does not count and a weekend make-up workday (调休) does."""

import uuid
from datetime import UTC, datetime, timedelta

from app.disputes import actions, deadlines
from app.disputes.deadlines import CHINA
from app.settings import CaseLimits
from tests.support.lifecycle import accepted_case, act, actor_of, current, ledger


def china(*args) -> datetime:
    return datetime(*args, tzinfo=CHINA)


def test_a_working_day_limit_counts_the_sunday_make_up_day_before_national_day():
    # Friday 26 September 2025; Sunday the 28th was a make-up workday for the National Day
    # and Mid-Autumn holidays (1–8 October 2025).
    assert not deadlines.is_working_day(china(2025, 9, 27).date())
    assert deadlines.is_working_day(china(2025, 9, 28).date())
    due = deadlines.add_days(china(2025, 9, 26, 10, 0), 3, working=True)
    assert due == china(2025, 10, 1, 0, 0)  # Sun 28, Mon 29, Tue 30: the end of the 30th


def test_a_working_day_limit_skips_the_whole_golden_week():
    due = deadlines.add_days(china(2025, 9, 30, 16, 0), 1, working=True)
    assert due == china(2025, 10, 10, 0, 0)  # 1–8 October are holidays: Thursday the 9th


def test_a_calendar_day_limit_is_exact_and_ignores_holidays():
    start = china(2025, 9, 30, 16, 0)
    assert deadlines.add_days(start, 3, working=False) == china(2025, 10, 3, 16, 0)


def test_years_the_calendar_does_not_cover_yet_fall_back_to_weekdays():
    assert deadlines.is_working_day(datetime(2040, 1, 2).date())  # a Monday
    assert not deadlines.is_working_day(datetime(2040, 1, 7).date())  # a Saturday


def test_a_case_is_at_risk_with_less_than_a_fifth_of_its_time_left_and_overdue_past_it():
    start = datetime(2026, 5, 1, tzinfo=UTC)
    due = start + timedelta(days=10)
    assert deadlines.deadline_state(start, due, start + timedelta(days=7)) == "on_time"
    assert deadlines.deadline_state(start, due, start + timedelta(days=8, hours=1)) == "at_risk"
    assert deadlines.deadline_state(start, due, due) == "overdue"
    assert deadlines.deadline_state(None, None, due) is None


async def test_accepting_under_working_days_sets_the_resolve_limit_across_the_holiday(cast):
    case = await cast.log_case("demo-grid")
    village = await actor_of(cast, "demo-village")
    limits = CaseLimits(working_days=True)
    now = china(2025, 9, 26, 10, 0)
    await actions.perform(
        village,
        uuid.UUID(case["id"]),
        "accept",
        1,
        {"rights_notified": True},
        now=now,
        limits=limits,
    )
    accepted = await current(cast, case["id"])
    # 15 working days from Friday 26 September 2025: 28, 29, 30 September, then 9, 10, 11 (a
    # make-up Saturday), 13–17, 20–23 October → the end of Thursday 23 October.
    assert datetime.fromisoformat(accepted["due_at"].replace("Z", "+00:00")) == china(
        2025, 10, 24, 0, 0
    )
    assert accepted["due_kind"] == "resolve"


async def test_an_extension_needs_a_reason_moves_the_limit_and_is_in_the_ledger(cast):
    case = await accepted_case(cast)
    before = await current(cast, case["id"])
    r = await act(cast, "demo-village", case["id"], "extend", days=5, expect=422)
    assert r.json()["errors"][0]["field"] == "reason"
    await act(cast, "demo-village", case["id"], "extend", days=5, reason="双方当事人同意延期")
    after = await current(cast, case["id"])
    moved = datetime.fromisoformat(after["due_at"].replace("Z", "+00:00")) - datetime.fromisoformat(
        before["due_at"].replace("Z", "+00:00")
    )
    assert moved >= timedelta(days=5)
    extended = [e for e in await ledger(cast, case["id"]) if e["kind"] == "extended"]
    assert (
        extended[0]["data"]["reason"] == "双方当事人同意延期" and extended[0]["data"]["days"] == 5
    )
