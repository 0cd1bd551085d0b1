"""Reports with a set clock: issued once per area and period, whatever runs them how often,
and frozen as issued."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta

from app import db
from app.disputes.deadlines import CHINA
from app.monitoring import dashboard, reports
from app.monitoring.tables import Report
from app.scheduler import jobs
from tests.support.monitoring import act, build_territory, log

APRIL_1 = datetime(2026, 4, 1, 8, 0, tzinfo=CHINA)  # a Wednesday, when the monthly job fires
MARCH_2 = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA)


async def _ours(t, kind: str = "monthly") -> list[dict]:
    return await (
        Report.select(
            Report.id, Report.jurisdiction, Report.period_start, Report.period_end, Report.body
        )
        .where((Report.county == t.id("county")) & (Report.kind == kind))
        .order_by(Report.jurisdiction)
    )


def _figure(report: dict, code: str):
    return {f["code"]: f["value"] for f in json.loads(report["body"])["figures"]}[code]


async def test_the_monthly_report_is_issued_once_per_township_and_county_and_stays_as_issued(app):
    t = await build_territory()
    await log(t, "m1", "A.g1", MARCH_2)
    await log(t, "m2", "A.g2", MARCH_2 + timedelta(days=3))
    await log(t, "m3", "B.g1", MARCH_2 + timedelta(days=5))
    await act(t, "m1", "A.v", "accept", MARCH_2 + timedelta(hours=1))
    await act(
        t, "m1", "A.v", "resolve", MARCH_2 + timedelta(days=2), kind="on_the_spot", note="当场化解"
    )

    await reports.issue("monthly", APRIL_1)
    await asyncio.gather(reports.issue("monthly", APRIL_1), reports.issue("monthly", APRIL_1))
    issued = await _ours(t)
    assert sorted(r["jurisdiction"] for r in issued) == sorted(
        [t.id("county"), t.id("A"), t.id("B")]
    )
    assert {(r["period_start"], r["period_end"]) for r in issued} == {
        (date(2026, 3, 1), date(2026, 3, 31))
    }
    county = next(r for r in issued if r["jurisdiction"] == t.id("county"))
    assert (_figure(county, "new"), _figure(county, "resolved"), _figure(county, "open")) == (
        3,
        1,
        2,
    )

    # a restart: the pool goes away and comes back, and the job runs again later that day
    await db.stop()
    await db.start(pool_size=4)
    # later data about March arrives: a case logged late, another resolved in April
    await log(t, "m4", "A.g1", MARCH_2 + timedelta(days=20))
    await act(t, "m2", "A.v", "accept", APRIL_1)
    await act(
        t, "m2", "A.v", "resolve", APRIL_1 + timedelta(days=1), kind="on_the_spot", note="当场化解"
    )
    await reports.issue("monthly", APRIL_1 + timedelta(hours=6))
    again = await _ours(t)
    assert [(r["id"], r["body"]) for r in again] == [(r["id"], r["body"]) for r in issued]

    # while the live figures of March have moved on
    actor = t.users["county"]
    q = dashboard.Query(
        node=await _node(actor, t.id("county")), start=date(2026, 3, 1), end=date(2026, 3, 31)
    )
    live = {
        f["code"]: f["value"]
        for f in (await dashboard.build(actor, q, APRIL_1 + timedelta(days=2)))["figures"]
    }
    assert (live["new"], live["resolved"]) == (4, 2)


async def _node(actor, node_id):
    from app.monitoring import areas

    return await areas.node(actor, node_id)


def test_each_kind_covers_the_latest_period_that_has_ended():
    assert reports.period("daily", APRIL_1) == (date(2026, 3, 31), date(2026, 3, 31))
    assert reports.period("weekly", APRIL_1) == (date(2026, 3, 23), date(2026, 3, 29))
    monday = datetime(2026, 3, 30, 8, 0, tzinfo=CHINA)
    assert reports.period("weekly", monday) == (date(2026, 3, 23), date(2026, 3, 29))
    assert reports.period("monthly", APRIL_1) == (date(2026, 3, 1), date(2026, 3, 31))
    new_year = datetime(2027, 1, 1, 8, 0, tzinfo=CHINA)
    assert reports.period("monthly", new_year) == (date(2026, 12, 1), date(2026, 12, 31))


def test_the_scheduler_issues_reports_at_eight_china_time_daily_on_mondays_and_on_the_1st():
    found = {j.name: j.trigger for j in jobs()}
    for name in (
        "daily-reports",
        "weekly-reports",
        "monthly-reports",
        "refresh-figures",
        "raise-alerts",
        "remind-sweeps",
    ):
        assert name in found
    fields = {
        name: {f.name: str(f) for f in found[name].fields}
        for name in ("daily-reports", "weekly-reports", "monthly-reports")
    }
    assert fields["daily-reports"]["hour"] == "8" and fields["daily-reports"]["day_of_week"] == "*"
    assert (
        fields["weekly-reports"]["hour"] == "8" and fields["weekly-reports"]["day_of_week"] == "mon"
    )
    assert fields["monthly-reports"]["hour"] == "8" and fields["monthly-reports"]["day"] == "1"
    assert all(str(found[n].timezone) == "Asia/Shanghai" for n in fields)


async def test_a_report_page_prints_and_downloads_as_csv_and_xlsx(app, county):
    await reports.issue("monthly", APRIL_1)
    row = (
        await Report.select(Report.id)
        .where((Report.jurisdiction == county.id("A")) & (Report.kind == "monthly"))
        .first()
    )
    async with county.client(app, "A") as a:
        page = await a.get(f"/reports/{row['id']}")
        assert page.status_code == 200 and county.nodes["A"]["name"] in page.text
        csv = await a.get(f"/reports/{row['id']}/export/csv")
        assert csv.headers["content-type"] == "text/csv; charset=utf-8" and csv.content.startswith(
            "\ufeff".encode()
        )
        assert "attachment" in csv.headers["content-disposition"]
        xlsx = await a.get(f"/reports/{row['id']}/export/xlsx")
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
        custom = await a.get("/reports/custom", params={"from": "2026-03-01", "to": "2026-03-15"})
        assert custom.status_code == 200
        assert (await a.get(f"/reports/{row['id']}/export/pdf")).status_code == 404
