"""Early warning: raised once, told once, acknowledged with a note by the right level."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from app.auth.tables import User
from app.disputes.tables import Dispute
from app.monitoring import alerts
from app.monitoring.tables import Alert, AlertCase, AlertNote
from app.notify import outbox
from app.notify.subscriptions import PushSubscription
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


async def test_a_repeat_of_a_case_in_another_township_does_not_name_it_to_that_township(app):
    """The match on name and phone is county-wide: township B's staff are told that their case
    repeats one outside their area, never its number or title (alert, notice, push alike)."""
    t = await build_territory()
    applicant = [
        {"role": "applicant", "name": "赵六", "phone": "137" + str(t.tag.encode().hex())[:8]}
    ]
    earlier = await log(t, "x1", "A.g1", T0, parties=applicant, title="宅基地边界纠纷甲")
    await log(t, "x2", "B.g1", T0 + timedelta(days=3), parties=applicant)
    seen = (await Dispute.select(Dispute.case_no).where(Dispute.id == earlier).first())["case_no"]
    officer = (await User.select(User.id).where(User.jurisdiction == t.id("B")).first())["id"]
    await PushSubscription.insert(
        PushSubscription(
            user=officer, endpoint=f"https://push.example/{t.tag}", p256dh="k" * 20, auth="a" * 8
        )
    )
    await alerts.run_rules(NOW)

    told = await Notification.select(Notification.channel, Notification.payload).where(
        (Notification.recipient == officer) & (Notification.kind == "alert_repeat")
    )
    assert sorted(n["channel"] for n in told) == ["in_app", "web_push"]
    for n in told:
        assert seen not in n["payload"] and "宅基地边界纠纷甲" not in n["payload"]
        assert "与辖区外的一件案件重复" in outbox.text(json.loads(n["payload"]))
    for reader in ("B", "B.g1"):
        async with t.client(app, reader) as c:
            listed = (await c.get("/api/v1/alerts", params={"kind": "repeat"})).json()["items"]
            assert len(listed) == 1, reader
            assert seen not in listed[0]["text"] and "与辖区外的一件案件重复" in listed[0]["text"]
            one = (await c.get(f"/api/v1/alerts/{listed[0]['id']}")).json()
            assert seen not in str(one)
            for page in (f"/alerts/{listed[0]['id']}", "/alerts", "/monitor/boards"):
                shown = await c.get(page)
                assert shown.status_code == 200 and seen not in shown.text, (reader, page)
            assert (await c.get(f"/api/v1/disputes/{earlier}")).status_code == 404
    async with t.client(app, "county") as c:  # the county sees both cases: it is named
        listed = (await c.get("/api/v1/alerts", params={"kind": "repeat"})).json()["items"]
        assert [seen in a["text"] for a in listed] == [True]


async def test_repeat_alerts_and_notices_from_before_are_mended_by_the_migration(app):
    """Alerts raised before kept no place for the earlier case, and their notices named it to
    everyone: the data migration adds the place, and scrubs the notices to nodes that may not
    see the earlier case."""
    import importlib

    scrub = importlib.import_module("migrations.pingli_2026_12_06t21_03_41_000000").scrub
    t = await build_territory()
    applicant = [{"role": "applicant", "name": "钱七", "phone": "136" + str(int(t.tag, 16))[:8]}]
    earlier = await log(t, "y1", "A.g1", T0, parties=applicant)
    await log(t, "y2", "B.g1", T0 + timedelta(days=2), parties=applicant)
    seen = (await Dispute.select(Dispute.case_no).where(Dispute.id == earlier).first())["case_no"]
    await alerts.run_rules(NOW)
    alert = (
        await Alert.select()
        .where((Alert.county == t.id("county")) & (Alert.kind == "repeat"))
        .first()
    )
    # as stored before: the earlier number, no place; the notice naming it
    old = {k: v for k, v in json.loads(alert["params"]).items() if k != "earlier_area"}
    await Alert.update({Alert.params: json.dumps(old, ensure_ascii=False)}).where(
        Alert.id == alert["id"]
    )
    payload = json.dumps(
        {
            "message": alerts.RULES["repeat"].message,
            "params": old,
            "link": f"/alerts/{alert['id']}",
        },
        ensure_ascii=False,
    )
    await Notification.update({Notification.payload: payload}).where(
        Notification.dedupe_key.like(f"alert:{alert['id']}:%")
    )
    await scrub()
    told = await Notification.select(Notification.payload).where(
        Notification.dedupe_key.like(f"alert:{alert['id']}:%")
    )
    assert told and all(seen not in n["payload"] for n in told)
    async with t.client(app, "county") as c:
        listed = (await c.get("/api/v1/alerts", params={"kind": "repeat"})).json()["items"]
        assert [seen in a["text"] for a in listed] == [True]
    async with t.client(app, "B") as c:
        listed = (await c.get("/api/v1/alerts", params={"kind": "repeat"})).json()["items"]
        assert [seen in a["text"] for a in listed] == [False]
