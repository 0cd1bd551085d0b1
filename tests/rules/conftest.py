"""The county's rules of time are shared by the whole test database: each test here starts
without a county limits version and without 2027 in the calendar, and leaves it so."""

from __future__ import annotations

from datetime import datetime

import pytest

from app import clock
from app.audit.log import county_of
from app.disputes.deadlines import CHINA
from app.rules import calendar
from app.rules.tables import CalendarDay, CalendarYear, LimitRules, RulesVersion

YEAR = 2027


async def _forget_rules() -> None:
    await LimitRules.delete(force=True)
    await CalendarDay.delete().where(CalendarDay.year >= YEAR)
    await CalendarYear.delete().where(CalendarYear.year >= YEAR)
    await RulesVersion.update({RulesVersion.version: RulesVersion.version + 1}, force=True)
    await calendar.ensure(0)


@pytest.fixture
async def rules(app):
    await _forget_rules()
    yield
    await _forget_rules()


class Clock:
    def __init__(self, at: datetime):
        self.at = at

    def set(self, *args) -> datetime:
        self.at = datetime(*args, tzinfo=CHINA)
        return self.at


# a Thursday after 1 November, and not after the day the suite runs: the audit entries written
# at this moment must not look like the future to tests/audit
TODAY = datetime(2026, 11, 19, 10, 0, tzinfo=CHINA)


@pytest.fixture
def at(monkeypatch) -> Clock:
    """The app's clock (app/clock.py) at TODAY. List it before `cast`: sign-ins and every
    action then happen at this moment."""
    c = Clock(TODAY)
    monkeypatch.setattr(clock, "now", lambda: c.at)
    return c


@pytest.fixture
async def admin(cast):
    browser = await cast.browser("demo-admin")
    browser.county = county_of(await _actor(cast, "demo-admin"))
    return browser


async def _actor(cast, username):
    from tests.support.lifecycle import actor_of

    return await actor_of(cast, username)


def limits_form(**changes) -> dict:
    """The limits form as the page fills it with the defaults, changed where asked."""
    form = {
        "accept_days": "3",
        "resolve_village": "15",
        "resolve_township": "30",
        "resolve_county": "60",
        "follow_up_days": "15",
        "attempts_village": "3",
        "attempts_township": "3",
        "attempts_county": "1",
        "overdue_grace_hours": "24",
    }
    form.update({k: str(v) for k, v in changes.items()})
    return {k: v for k, v in form.items() if v not in ("", "False")}
