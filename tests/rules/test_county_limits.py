"""Time limits and attempts are the county's settings, versioned: a changed limit applies to
new cases only, unless the administrator applies it to running ones (then their deadlines move,
with a ledger entry); a category may have its own; every change is audited before → after."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from app.audit.tables import AuditLog
from app.rules.tables import LimitRules
from tests.rules.conftest import limits_form
from tests.support.lifecycle import act, current, ledger


def due(case: dict) -> datetime:
    return datetime.fromisoformat(case["due_at"].replace("Z", "+00:00"))


def given(case: dict) -> timedelta:
    return due(case) - datetime.fromisoformat(case["due_from"].replace("Z", "+00:00"))


async def _accepted(cast, **fields) -> dict:
    case = await cast.log_case("demo-grid", **fields)
    await act(cast, "demo-village", case["id"], "accept", rights_notified=True)
    return await current(cast, case["id"])


async def _last_audit() -> dict:
    return await (
        AuditLog.select(AuditLog.kind, AuditLog.what, AuditLog.user.username.as_alias("who"))
        .order_by(AuditLog.id, ascending=False)
        .first()
    )


async def test_a_changed_limit_applies_to_new_cases_only_unless_applied_to_running_ones(
    at, rules, cast, admin
):
    before = await _accepted(cast)
    assert given(before) == timedelta(days=15)  # the default (PINGLI_RESOLVE_DAYS_VILLAGE)

    page = await admin.get("/admin/limits")
    assert page.status_code == 200 and 'name="resolve_village" value="15"' in page.text
    r = await admin.post_form("/admin/limits", limits_form(resolve_village=5))
    assert r.status_code == 303, r.text
    entry = await _last_audit()
    assert entry["kind"] == "limits" and entry["who"] == "demo-admin"
    assert "v0→v1" in entry["what"] and "resolve_days.village 15→5" in entry["what"]
    log = (await admin.get("/admin/audit", params={"kind": "limits"})).text
    assert "办理时限变更：第 0 版 → 第 1 版" in log and "resolve_days.village：15 → 5" in log

    after = await _accepted(cast)
    assert given(after) == timedelta(days=5)
    unchanged = await current(cast, before["id"])
    assert due(unchanged) == due(before)  # the running case keeps the rules it started with
    assert not [e for e in await ledger(cast, before["id"]) if e["kind"] == "deadline_moved"]

    # applied to running cases: both move to 7 days from when their limit began
    r = await admin.post_form(
        "/admin/limits", limits_form(resolve_village=7) | {"apply_running": "1"}
    )
    assert r.status_code == 303
    for case in (before, after):
        now = await current(cast, case["id"])
        assert given(now) == timedelta(days=7)
        moved = [e for e in await ledger(cast, case["id"]) if e["kind"] == "deadline_moved"]
        assert len(moved) == 1 and moved[0]["data"]["due_kind"] == "resolve"
    entry = await _last_audit()
    assert "v1→v2" in entry["what"] and "5→7" in entry["what"] and "running" in entry["what"]
    log = (await admin.get("/admin/audit", params={"kind": "limits"})).text
    assert re.search(r"办理时限变更：第 1 版 → 第 2 版，已适用于 [1-9]\d* 件在办案件", log)
    page = await admin.get("/admin/limits")
    assert 'name="resolve_village" value="7"' in page.text and "v2" in page.text


async def test_a_category_can_have_its_own_limit_and_the_attempts_are_a_setting_too(
    at, rules, cast, admin
):
    form = limits_form(attempts_village=1) | {"cat_wages_resolve_village": "2"}
    assert (await admin.post_form("/admin/limits", form)).status_code == 303

    wages = await _accepted(cast, category="wages")
    assert given(wages) == timedelta(days=2)
    other = await _accepted(cast, category="neighbours")
    assert given(other) == timedelta(days=15)

    await act(
        cast,
        "demo-village",
        other["id"],
        "record",
        kind="attempt",
        outcome="no_agreement",
        note="第一次调解",
    )
    r = await act(
        cast,
        "demo-village",
        other["id"],
        "record",
        kind="attempt",
        outcome="no_agreement",
        note="第二次",
        expect=409,
    )
    assert "1" in r.json()["detail"]


async def test_bad_limits_are_refused_with_their_field_and_nothing_is_saved(at, rules, cast, admin):
    r = await admin.post_form("/admin/limits", limits_form(accept_days=0, resolve_township="x"))
    assert r.status_code == 422
    assert 'name="accept_days" value="0" min="0" max="720" aria-invalid="true"' in r.text
    assert "请输入整数" in r.text
    assert not await LimitRules.exists()
    for username in ("demo-county", "demo-township"):
        browser = await cast.browser(username)
        assert (await browser.get("/admin/limits")).status_code == 403
        assert (await browser.post_form("/admin/limits", limits_form())).status_code == 403
    assert not await LimitRules.exists()


async def test_the_sweep_supervises_after_the_countys_own_grace_period(at, rules, cast, admin):
    from app.disputes import jobs
    from tests.disputes.test_deadline_sweep import events_of

    r = await admin.post_form(
        "/admin/limits", limits_form(resolve_village=2, overdue_grace_hours=1)
    )
    assert r.status_code == 303
    case = await _accepted(cast)
    # two hours past the limit: with the default 24 hours of grace nobody would supervise yet
    await jobs.sweep_deadlines(now=due(case) + timedelta(hours=2))
    assert await events_of(case["id"], "supervised") == 1
