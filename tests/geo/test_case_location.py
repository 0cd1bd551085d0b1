"""Logging a case with a GPS point: the grid under the point, resolved by the engine in use;
a shared border goes to the smaller grid code; a point outside the area is refused."""

from __future__ import annotations

import json

from shapely.geometry import shape

from app.jurisdictions.tables import Jurisdiction
from tests.support.geo import demo_grids


async def test_a_point_on_the_border_of_two_grids_goes_to_the_smaller_code(cast):
    grids = [
        g
        for g in demo_grids()
        if g.code.startswith(cast.me["demo-village"]["jurisdiction"]["code"])
    ]
    a, b = next(
        (a, b)
        for a in grids
        for b in grids
        if a.code < b.code and a.geometry.intersection(b.geometry).length > 0
    )
    edge = a.geometry.intersection(b.geometry)
    point = edge.interpolate(1 / 3, normalized=True)
    case = await cast.log_case("demo-village", lon=point.x, lat=point.y)
    smaller = await Jurisdiction.select(Jurisdiction.id).where(Jurisdiction.code == a.code).first()
    assert case["grid"]["id"] == smaller["id"]


async def test_a_point_in_another_township_is_refused_for_a_grid_worker(cast):
    other = (
        await Jurisdiction.select(Jurisdiction.boundary)
        .where(Jurisdiction.id == cast.me["demo-grid-2"]["jurisdiction"]["id"])
        .first()
    )
    p = shape(json.loads(other["boundary"])).representative_point()
    r = await cast.api["demo-grid"].post(
        "/api/v1/disputes", json={"title": "越界", "category": "other", "lon": p.x, "lat": p.y}
    )
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "lon", "message": "该位置不在您的辖区内。"}]


async def test_a_point_outside_the_county_is_refused(cast):
    r = await cast.api["demo-county"].post(
        "/api/v1/disputes",
        json={"title": "县外", "category": "other", "lon": 116.397, "lat": 39.909},
    )
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "lon", "message": "该位置不在本县范围内。"}]
