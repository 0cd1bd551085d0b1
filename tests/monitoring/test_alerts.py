"""Early warning: raised once, told once, acknowledged with a note by the right level."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from app.auth.tables import User
from app.monitoring import alerts
from app.monitoring.tables import Alert, AlertCase, AlertNote
from app.notify.tables import Notification
from tests.monitoring.conftest import NOW, T0
from tests.support.monitoring import build_territory, log


async def _alert(county, kind: str, case: str) -> dict:
    await alerts.run_rules(NOW)
    return (
        await Alert.select()
        .where((Alert.kind == kind) & (Alert.dispute == county.cases[case]))
        .first()
    )


async def test_running_the_rules_again_or_twice_at_once_raises_and_tells_nothing_twice(county):
    await alerts.run_rules(NOW)
    mine = Alert.county == county.id("county")
    before = await Alert.count().where(mine)
    await asyncio.gather(alerts.run_rules(NOW), alerts.run_rules(NOW))
    assert await Alert.count().where(mine) == before == 5
    officer = await User.select(User.id).where(User.jurisdiction == county.id("A")).first()
    told = await Notification.select(Notification.kind).where(
        (Notification.recipient == officer["id"]) & Notification.kind.like("alert_%")
    )
    assert sorted(n["kind"] for n in told) == ["alert_group", "alert_repeat"]  # once each


async def test_an_alert_is_acknowledged_once_with_a_note_and_later_notes_are_kept(app, county):
    alert = await _alert(county, "group", "c6")
    async with county.client(app, "A") as a:
        r = await a.post(
            f"/api/v1/alerts/{alert['id']}/acknowledge", json={"note": "已派人到现场稳控"}
        )
        assert r.status_code == 200, r.text
        assert r.json()["acknowledged_at"] is not None
        again = await a.post(
            f"/api/v1/alerts/{alert['id']}/acknowledge", json={"note": "已召开协调会"}
        )
        assert again.status_code == 200
        notes = again.json()["notes"]
    assert [(n["note"], n["acknowledges"]) for n in notes] == [
        ("已派人到现场稳控", True),
        ("已召开协调会", False),
    ]
    assert [n["user_name"] for n in notes] == ["A township_officer"] * 2
    assert await AlertNote.count().where(AlertNote.alert == alert["id"]) == 2


async def test_only_the_level_alerted_or_above_may_acknowledge(app, county):
    alert = await _alert(county, "high_risk", "c6")  # raised to the county
    async with county.client(app, "A") as township:
        r = await township.post(
            f"/api/v1/alerts/{alert['id']}/acknowledge", json={"note": "知道了"}
        )
        assert r.status_code == 403
    async with county.client(app, "A.v") as village:
        group = await _alert(county, "group", "c6")
        r = await village.post(f"/api/v1/alerts/{group['id']}/acknowledge", json={"note": "知道了"})
        assert r.status_code == 403
    async with county.client(app, "county") as top:
        r = await top.post(f"/api/v1/alerts/{alert['id']}/acknowledge", json={"note": ""})
        assert r.status_code == 422
        r = await top.post(f"/api/v1/alerts/{alert['id']}/acknowledge", json={"note": "县里已督办"})
        assert r.status_code == 200 and r.json()["acknowledged_at"]


async def test_the_alert_page_acknowledges_through_a_plain_form(app, county):
    alert = await _alert(county, "bouncing", "c12")
    async with county.client(app, "county") as top:
        page = await top.get(f"/alerts/{alert['id']}")
        assert page.status_code == 200 and "c12" in page.text
        r = await top.post(f"/alerts/{alert['id']}/acknowledge", data={"note": "已协调县直部门"})
        assert r.status_code in (302, 303), r.text
    assert (await Alert.select(Alert.acknowledged_at).where(Alert.id == alert["id"]).first())[
        "acknowledged_at"
    ]


async def test_three_cases_within_500_m_in_30_days_raise_one_cluster_alert_that_grows(app):
    t = await build_territory()
    lon, lat = 91.0, 41.0 + int(t.tag, 16) % 1000 * 0.01  # far from every other test's cases
    step = 0.0025  # ~210 m apart: together, yet never within 100 m (not repeats)
    for i in range(3):
        await log(t, f"k{i}", "A.g1", T0 + timedelta(days=i), lon=lon + i * step, lat=lat)
    await alerts.run_rules(NOW)
    clusters = await Alert.select().where(
        (Alert.county == t.id("county")) & (Alert.kind == "cluster")
    )
    assert len(clusters) == 1 and clusters[0]["target"] == t.id("A")
    await log(t, "k3", "A.g1", T0 + timedelta(days=4), lon=lon + 3 * step, lat=lat)
    await alerts.run_rules(NOW)
    assert (
        await Alert.count().where((Alert.county == t.id("county")) & (Alert.kind == "cluster")) == 1
    )
    assert await AlertCase.count().where(AlertCase.alert == clusters[0]["id"]) == 4
