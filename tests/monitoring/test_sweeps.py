"""The monthly sweep: filed once per grid with patrol evidence, coverage, reminders once."""

from __future__ import annotations

from datetime import UTC, datetime

from app.checkins import services as checkins
from app.disputes.deadlines import CHINA
from app.monitoring import areas, sweeps
from app.notify.tables import Notification
from tests.support.monitoring import build_territory, log


def _today_at(day: int) -> datetime:
    today = areas.today()
    return datetime(today.year, today.month, day, 10, 0, tzinfo=CHINA)


async def test_a_grid_worker_files_the_sweep_once_with_check_ins_as_evidence(app):
    t = await build_territory()
    async with t.client(app, "A.g1") as worker:
        r = await worker.post("/api/v1/sweeps", json={"none_found": True})
        assert r.status_code == 422 and "checkins" in r.text
        await checkins.create_checkin(t.users["A.g1"], checkins.parse_checkin({"note": "巡查一遍"}))
        both = await worker.post(
            "/api/v1/sweeps",
            json={"none_found": True, "dispute_ids": ["00000000-0000-4000-8000-000000000000"]},
        )
        assert both.status_code == 422
        neither = await worker.post("/api/v1/sweeps", json={})
        assert neither.status_code == 422
        r = await worker.post("/api/v1/sweeps", json={"none_found": True, "note": "未发现矛盾纠纷"})
        assert r.status_code == 201, r.text
        assert r.json()["none_found"] is True and r.json()["checkins"] == 1
        assert (await worker.post("/api/v1/sweeps", json={"none_found": True})).status_code == 409


async def test_found_cases_are_linked_and_must_be_the_grids_own_from_this_month(app):
    t = await build_territory()
    now = datetime.now(UTC)
    mine = await log(t, "s1", "A.g2", now)
    theirs = await log(t, "s2", "A.g1", now)
    await checkins.create_checkin(t.users["A.g2"], checkins.parse_checkin({}))
    async with t.client(app, "A.g2") as worker:
        r = await worker.post("/api/v1/sweeps", json={"dispute_ids": [str(theirs)]})
        assert r.status_code == 422
        r = await worker.post("/api/v1/sweeps", json={"dispute_ids": [str(mine)]})
        assert r.status_code == 201 and [c["id"] for c in r.json()["cases"]] == [str(mine)]


async def test_coverage_counts_filed_grids_and_the_missing_ones_workers_are_reminded_once(app):
    t = await build_territory()
    await checkins.create_checkin(t.users["A.g1"], checkins.parse_checkin({}))
    new = sweeps.parse_sweep({"none_found": True}, datetime.now(UTC))
    await sweeps.file_sweep(t.users["A.g1"], new)
    async with t.client(app, "county") as top:
        body = (await top.get("/api/v1/sweeps/coverage")).json()
    assert (body["grids"], body["reported"]) == (3, 1)
    assert [g["id"] for g in body["missing"]] == [t.id("A.g2"), t.id("B.g1")]
    async with t.client(app, "A") as township:
        a = (await township.get("/api/v1/sweeps/coverage")).json()
        assert (a["grids"], a["reported"], [g["id"] for g in a["missing"]]) == (
            2,
            1,
            [t.id("A.g2")],
        )
        page = await township.get("/sweeps")
        assert t.nodes["A.g2"]["name"] in page.text and t.nodes["B.g1"]["name"] not in page.text

    assert (await sweeps.remind_missing(_today_at(sweeps.due_day() - 1)))["reminded"] == 0
    for _ in range(2):
        await sweeps.remind_missing(_today_at(sweeps.due_day()))
    reminded = await Notification.select(Notification.recipient).where(
        Notification.kind == "sweep_reminder"
    )
    ids = [r["recipient"] for r in reminded]
    assert ids.count(t.users["A.g2"].id) == ids.count(t.users["B.g1"].id) == 1
    assert t.users["A.g1"].id not in ids


async def test_the_dashboard_shows_coverage_per_area(app):
    t = await build_territory()
    await checkins.create_checkin(t.users["B.g1"], checkins.parse_checkin({}))
    await sweeps.file_sweep(
        t.users["B.g1"], sweeps.parse_sweep({"none_found": True}, datetime.now(UTC))
    )
    async with t.client(app, "county") as top:
        body = (await top.get("/api/v1/stats")).json()
    assert (body["coverage"]["grids"], body["coverage"]["reported"]) == (3, 1)
    per = {a["id"]: a["coverage"] for a in body["by_area"]}
    assert (per[t.id("B")]["reported"], per[t.id("B")]["grids"]) == (1, 1)
    assert (per[t.id("A")]["reported"], per[t.id("A")]["grids"]) == (0, 2)


async def test_a_grid_worker_files_the_sweep_through_the_page_form(app):
    t = await build_territory()
    await checkins.create_checkin(t.users["A.g1"], checkins.parse_checkin({}))
    async with t.client(app, "A.g1") as worker:
        page = await worker.get("/sweeps")
        assert page.status_code == 200 and 'name="none_found"' in page.text
