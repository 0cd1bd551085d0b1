"""Open cases near me: within the radius, nearest first, open only, in my area; distances on
the spheroid, equal on both engines within a millimetre."""

from __future__ import annotations

import json
import random

import pytest
import shapely
from shapely.geometry import shape

from app.disputes.tables import Dispute
from app.disputes.vocabulary import OPEN_STATUSES
from app.geo.backend import Box, CaseFilter
from app.geo.measure import geodesic_m
from app.jurisdictions.tables import Jurisdiction


async def grid_shape(grid_id: int):
    row = await Jurisdiction.select(Jurisdiction.boundary).where(Jurisdiction.id == grid_id).first()
    return shape(json.loads(row["boundary"]))


@pytest.fixture
async def patrol(cast):
    """demo-grid stands in their grid; six cases around them, two of them closed."""
    grid = await grid_shape(cast.me["demo-grid"]["jurisdiction"]["id"])
    here = grid.representative_point()
    rng = random.Random(61)
    inner = grid.buffer(-0.0003)
    minx, miny, maxx, maxy = inner.bounds
    spots = []
    while len(spots) < 6:
        p = shapely.Point(round(rng.uniform(minx, maxx), 6), round(rng.uniform(miny, maxy), 6))
        if inner.contains(p):
            spots.append(p)
    cases = [
        await cast.log_case("demo-grid", title=f"巡查发现{i}", lon=p.x, lat=p.y)
        for i, p in enumerate(spots)
    ]
    closed = [cases[1]["id"], cases[4]["id"]]
    for case_id in closed:
        await Dispute.update({Dispute.status: "closed"}).where(Dispute.id == case_id)
    return {"here": (here.x, here.y), "cases": cases, "closed": set(closed)}


async def test_open_cases_come_nearest_first_with_their_distance(cast, patrol):
    lon, lat = patrol["here"]
    r = await cast.api["demo-grid"].get(
        "/api/v1/disputes/near", params={"lon": lon, "lat": lat, "radius_m": 5000}
    )
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    distances = [i["distance_m"] for i in items]
    assert distances == sorted(distances)
    assert all(i["status"] in OPEN_STATUSES for i in items)
    ours = {c["id"] for c in patrol["cases"]} - patrol["closed"]
    assert ours <= {i["id"] for i in items}
    assert not patrol["closed"] & {i["id"] for i in items}
    for item in items:
        expected = float(geodesic_m(lon, lat, item["lon"], item["lat"]))
        assert abs(item["distance_m"] - expected) <= 0.051  # rounded to 0.1 m


async def test_only_cases_within_the_radius_are_listed(cast, patrol):
    lon, lat = patrol["here"]
    open_cases = [c for c in patrol["cases"] if c["id"] not in patrol["closed"]]
    metres = sorted(float(geodesic_m(lon, lat, c["lon"], c["lat"])) for c in open_cases)
    radius = int(metres[1]) + 1  # the two nearest of ours, maybe others'
    r = await cast.api["demo-grid"].get(
        "/api/v1/disputes/near", params={"lon": lon, "lat": lat, "radius_m": radius}
    )
    items = r.json()["items"]
    assert all(i["distance_m"] <= radius for i in items)
    listed = {i["id"] for i in items}
    assert sum(1 for c in open_cases if c["id"] in listed) == 2


async def test_cases_outside_my_area_are_never_near_me(cast, patrol):
    lon, lat = patrol["here"]
    r = await cast.api["demo-grid-2"].get(
        "/api/v1/disputes/near", params={"lon": lon, "lat": lat, "radius_m": 20000}
    )
    assert r.status_code == 200
    assert not {c["id"] for c in patrol["cases"]} & {i["id"] for i in r.json()["items"]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": 32.7}, "lon"),
        ({"lon": 113.3, "lat": 95}, "lat"),
        ({"lon": 113.3, "lat": 32.7, "radius_m": 0}, "radius_m"),
    ],
)
async def test_a_bad_position_or_radius_is_422_naming_the_field(cast, params, field):
    r = await cast.api["demo-grid"].get("/api/v1/disputes/near", params=params)
    assert r.status_code == 422
    assert field in [e["field"] for e in r.json()["errors"]]


async def test_the_near_me_page_lists_the_nearest_open_case_with_its_distance(cast, patrol):
    lon, lat = patrol["here"]
    browser = await cast.browser("demo-grid")
    page = await browser.get("/near", params={"lon": lon, "lat": lat, "radius_m": 5000})
    assert page.status_code == 200
    nearest = min(
        (c for c in patrol["cases"] if c["id"] not in patrol["closed"]),
        key=lambda c: float(geodesic_m(lon, lat, c["lon"], c["lat"])),
    )
    assert nearest["case_no"] in page.text and " 米" in page.text
    fragment = await browser.get(
        "/near", params={"lon": lon, "lat": lat}, headers={"hx-request": "true"}
    )
    assert "<html" not in fragment.text and "near-form" not in fragment.text


async def test_both_engines_find_the_same_cases_at_the_same_distances(
    engines, county_officer, patrol
):
    lon, lat = patrol["here"]
    f = CaseFilter(actor=county_officer, statuses=OPEN_STATUSES)
    answers = [await e.nearby(f, lon, lat, 8000, 500) for e in engines]
    assert answers[0], "the demo county has open cases within 8 km"
    for answer in answers[1:]:
        assert [i for i, _m in answer] == [i for i, _m in answers[0]]
        assert max(abs(a - b) for (_i, a), (_j, b) in zip(answer, answers[0], strict=True)) < 1e-3


async def test_both_engines_box_the_same_cases_edges_included(engines, county_officer, patrol):
    a, b = patrol["cases"][0], patrol["cases"][2]
    box = Box(
        min(a["lon"], b["lon"]),
        min(a["lat"], b["lat"]),
        max(a["lon"], b["lon"]),
        max(a["lat"], b["lat"]),
    )
    f = CaseFilter(actor=county_officer)
    answers = [await e.cases_in_box(f, box, 100, 0) for e in engines]
    for rows, total in answers:
        assert {a["id"], b["id"]} <= {r["id"] for r in rows}  # both sit on the box's edges
        assert total == len(rows)
    assert all(answer == answers[0] for answer in answers)
    county = [await e.cases_in_box(f, None, 50, 50) for e in engines]
    assert all(answer == county[0] for answer in county)
    assert county[0][1] >= 300
