"""A GPS point sent with a grid must lie in that grid (maps, "near me" and hotspots place a case
by its point, queues and figures by its grid): the API answers 422 naming lon and lat, the
form says where the point is and offers its grid in one tap; a point outside the county is
refused. Cases and check-ins alike, on the engine in use."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from shapely.geometry import shape

from app.checkins.tables import PatrolCheckin
from app.disputes.tables import Dispute
from app.jurisdictions.tables import Jurisdiction

BEIJING = (116.397, 39.909)


async def _grids_of(village_id: int) -> list[dict]:
    rows = await (
        Jurisdiction.select(Jurisdiction.id, Jurisdiction.name, Jurisdiction.boundary)
        .where((Jurisdiction.level == "grid") & (Jurisdiction.village == village_id))
        .order_by(Jurisdiction.code)
    )
    assert len(rows) >= 2, "the demo village has several grids"
    for row in rows:
        point = shape(json.loads(row["boundary"])).representative_point()
        row["lon"], row["lat"] = point.x, point.y
    return rows


async def _two_grids(cast) -> tuple[dict, dict]:
    first, second, *_ = await _grids_of(cast.me["demo-village"]["jurisdiction"]["id"])
    return first, second


def _case(**fields) -> dict:
    return {"id": str(uuid.uuid4()), "title": "排水沟堵塞", "category": "neighbours"} | fields


async def test_a_point_in_another_grid_than_the_one_sent_is_refused_naming_lon_and_lat(cast):
    chosen, other = await _two_grids(cast)
    body = _case(grid_id=chosen["id"], lon=other["lon"], lat=other["lat"])
    r = await cast.api["demo-village"].post("/api/v1/disputes", json=body)

    assert r.status_code == 422, r.text
    problem = r.json()
    assert [e["field"] for e in problem["errors"]] == ["lon", "lat"]
    message = problem["errors"][0]["message"]
    assert other["name"] in message and "不在所选网格内" in message, message
    assert problem["located_grid"]["id"] == other["id"]
    assert await Dispute.count().where(Dispute.id == uuid.UUID(body["id"])) == 0


async def test_the_refusal_speaks_the_users_language(cast):
    chosen, other = await _two_grids(cast)
    r = await cast.api["demo-village"].post(
        "/api/v1/disputes",
        json=_case(grid_id=chosen["id"], lon=other["lon"], lat=other["lat"]),
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 422
    assert "not in the grid chosen" in r.json()["errors"][0]["message"]


async def test_a_point_in_its_grid_is_accepted(cast):
    chosen, _other = await _two_grids(cast)
    case = await cast.log_case(
        "demo-village", grid_id=chosen["id"], lon=chosen["lon"], lat=chosen["lat"]
    )
    assert case["grid"]["id"] == chosen["id"]


async def test_a_point_outside_the_county_is_refused_with_a_grid_too(cast):
    chosen, _other = await _two_grids(cast)
    body = _case(grid_id=chosen["id"], lon=BEIJING[0], lat=BEIJING[1])
    r = await cast.api["demo-county"].post("/api/v1/disputes", json=body)
    assert r.status_code == 422
    assert {e["field"]: e["message"] for e in r.json()["errors"]} == {
        "lon": "该位置不在本县范围内。",
        "lat": "该位置不在本县范围内。",
    }
    assert await Dispute.count().where(Dispute.id == uuid.UUID(body["id"])) == 0


async def test_the_form_says_where_the_point_is_and_takes_that_grid_in_one_tap(cast):
    chosen, other = await _two_grids(cast)
    village = await cast.browser("demo-village")
    form = {
        "id": str(uuid.uuid4()),
        "title": "排水沟堵塞",
        "category": "neighbours",
        "grid_id": str(chosen["id"]),
        "lon": str(other["lon"]),
        "lat": str(other["lat"]),
        "people_involved": "2",
    }
    refused = await village.post_form("/disputes", form)

    assert refused.status_code == 422
    assert refused.text.count("不在所选网格内") == 1  # one message for the two coordinates
    assert other["name"] in refused.text
    assert f'name="located_grid" value="{other["id"]}"' in refused.text
    assert "使用该位置所在网格" in refused.text
    assert await Dispute.count().where(Dispute.id == uuid.UUID(form["id"])) == 0

    # the button submits the same form with the grid of the point
    taken = await village.post_form("/disputes", form | {"located_grid": str(other["id"])})
    assert taken.status_code == 302, taken.text
    case = await Dispute.select(Dispute.grid).where(Dispute.id == uuid.UUID(form["id"])).first()
    assert case["grid"] == other["id"]


async def test_a_checkin_whose_point_is_in_another_grid_is_refused(cast):
    chosen, other = await _two_grids(cast)
    body = {
        "id": str(uuid.uuid4()),
        "grid_id": chosen["id"],
        "lon": other["lon"],
        "lat": other["lat"],
        "checked_at": datetime.now(UTC).isoformat(),
    }
    r = await cast.api["demo-village"].post("/api/v1/checkins", json=body)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["lon", "lat"]
    assert r.json()["located_grid"]["id"] == other["id"]
    assert await PatrolCheckin.count().where(PatrolCheckin.id == uuid.UUID(body["id"])) == 0

    outside = body | {"id": str(uuid.uuid4()), "lon": BEIJING[0], "lat": BEIJING[1]}
    r = await cast.api["demo-village"].post("/api/v1/checkins", json=outside)
    assert r.status_code == 422
    assert r.json()["errors"][0] == {"field": "lon", "message": "该位置不在本县范围内。"}


async def test_the_checkin_form_offers_the_grid_of_the_point(cast):
    chosen, other = await _two_grids(cast)
    village = await cast.browser("demo-village")
    form = {
        "id": str(uuid.uuid4()),
        "grid_id": str(chosen["id"]),
        "lon": str(other["lon"]),
        "lat": str(other["lat"]),
    }
    refused = await village.post_form("/checkins", form)
    assert refused.status_code == 422
    assert f'name="located_grid" value="{other["id"]}"' in refused.text

    taken = await village.post_form("/checkins", form | {"located_grid": str(other["id"])})
    assert taken.status_code == 302, taken.text
    row = (
        await PatrolCheckin.select(PatrolCheckin.grid)
        .where(PatrolCheckin.id == uuid.UUID(form["id"]))
        .first()
    )
    assert row["grid"] == other["id"]


async def test_a_grid_worker_with_a_point_in_a_neighbouring_grid_is_told_it_is_outside_their_area(
    cast,
):
    mine = cast.me["demo-grid"]["jurisdiction"]["id"]
    grid = await Jurisdiction.select(Jurisdiction.village).where(Jurisdiction.id == mine).first()
    neighbour = next(g for g in await _grids_of(grid["village"]) if g["id"] != mine)
    r = await cast.api["demo-grid"].post(
        "/api/v1/disputes",
        json=_case(grid_id=mine, lon=neighbour["lon"], lat=neighbour["lat"]),
    )
    assert r.status_code == 422
    assert "located_grid" not in r.json()
    assert r.json()["errors"][0]["field"] == "lon"
