"""Patrol check-ins: recorded once per client id, in the worker's own area, offline or not."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from app.checkins.tables import PatrolCheckin


async def actor(cast, username: str):
    from app.auth import sessions

    return await sessions.resolve(await sessions.start(cast.me[username]["id"], "api"), "api")


def checkin(**fields) -> dict:
    return {"id": str(uuid.uuid4()), "checked_at": datetime.now(UTC).isoformat()} | fields


async def test_a_grid_worker_checks_in_in_their_own_grid_with_the_time_they_were_there(cast):
    from app.jurisdictions.tables import Jurisdiction

    grid = (
        await Jurisdiction.select()
        .where(Jurisdiction.id == cast.me["demo-grid"]["jurisdiction"]["id"])
        .first()
    )
    there = (datetime.now(UTC) - timedelta(hours=5)).replace(microsecond=0)
    body = checkin(
        lon=grid["centroid_lon"],
        lat=grid["centroid_lat"],
        gps_accuracy_m=12,
        checked_at=there.isoformat(),
        note="无异常",
    )
    r = await cast.api["demo-grid"].post("/api/v1/checkins", json=body)
    assert r.status_code == 201, r.text
    answer = r.json()
    assert answer["grid"]["id"] == cast.me["demo-grid"]["jurisdiction"]["id"]
    assert answer["checked_at"] == there.isoformat().replace("+00:00", "Z")
    assert answer["gps_accuracy_m"] == 12 and answer["note"] == "无异常"


async def test_ten_concurrent_posts_of_one_checkin_store_it_once(cast):
    api = cast.api["demo-grid"]
    body = checkin()
    answers = await asyncio.gather(*[api.post("/api/v1/checkins", json=body) for _ in range(10)])
    assert sorted(a.status_code for a in answers) == [200] * 9 + [201]
    assert len({a.text for a in answers}) == 1
    assert await PatrolCheckin.count().where(PatrolCheckin.id == uuid.UUID(body["id"])) == 1


async def test_the_same_id_with_other_content_is_a_conflict(cast):
    api = cast.api["demo-grid"]
    body = checkin()
    assert (await api.post("/api/v1/checkins", json=body)).status_code == 201
    assert (await api.post("/api/v1/checkins", json=body | {"note": "改了"})).status_code == 409


async def test_a_grid_outside_the_workers_area_is_refused(cast):
    other = cast.me["demo-grid-2"]["jurisdiction"]["id"]
    r = await cast.api["demo-grid"].post("/api/v1/checkins", json=checkin(grid_id=other))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "grid_id"


async def test_a_checkin_from_the_future_is_refused(cast):
    later = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    r = await cast.api["demo-grid"].post("/api/v1/checkins", json=checkin(checked_at=later))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "checked_at"


async def test_an_administrator_does_not_patrol(cast):
    r = await cast.api["demo-admin"].post(
        "/api/v1/checkins", json=checkin(grid_id=cast.me["demo-grid"]["jurisdiction"]["id"])
    )
    assert r.status_code == 403


async def test_check_ins_are_visible_in_scope_only(cast):
    from app.checkins import queries

    r = await cast.api["demo-grid"].post("/api/v1/checkins", json=checkin())
    checkin_id = uuid.UUID(r.json()["id"])
    village = await actor(cast, "demo-village")
    assert (await queries.get_checkin(village, checkin_id))["id"] == str(checkin_id)
    outsider = await actor(cast, "demo-grid-2")
    rows = await PatrolCheckin.select(PatrolCheckin.id).where(
        (PatrolCheckin.id == checkin_id) & queries.scope_where(PatrolCheckin, outsider)
    )
    assert rows == []


async def test_the_checkin_page_works_without_javascript(cast):
    browser = await cast.browser("demo-grid")
    page = await browser.get("/checkins")
    assert page.status_code == 200 and 'data-outbox="checkin"' in page.text
    r = await browser.post_form(
        "/checkins",
        {
            "id": str(uuid.uuid4()),
            "grid_id": "",
            "lon": "",
            "lat": "",
            "gps_accuracy_m": "",
            "note": "走访三户",
        },
    )
    assert r.status_code == 302 and r.headers["location"] == "/checkins"
    assert "走访三户" in (await browser.get("/checkins")).text
    bad = await browser.post_form("/checkins", {"id": str(uuid.uuid4()), "lon": "113.3", "lat": ""})
    assert bad.status_code == 422 and "经度和纬度" in bad.text
