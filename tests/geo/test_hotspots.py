"""Hotspots: DBSCAN in Python gives PostGIS's ST_ClusterDBSCAN clusters, border points
included; the map's hotspot layer finds a cluster of new cases and keeps to the user's area."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from shapely.geometry import shape
from sqlalchemy import Column, Float, Integer, func, select, values

from app import db
from app.geo.backend import CaseFilter
from app.geo.hotspots import Plane, dbscan
from app.jurisdictions.tables import Jurisdiction


def partition(labels) -> tuple[set[frozenset], frozenset]:
    groups: dict = {}
    for i, label in enumerate(labels):
        if label is not None and label >= 0:
            groups.setdefault(label, set()).add(i)
    noise = frozenset(i for i, label in enumerate(labels) if label is None or label < 0)
    return {frozenset(g) for g in groups.values()}, noise


# PostGIS's own regression inputs for ST_ClusterDBSCAN (regress/core/cluster.sql)
REGRESS = [(0, 0), (0, 1), (-0.5, 0.5), (1, 0), (1, 1), (1.0, 0.5)]


@pytest.mark.parametrize(
    ("eps", "min_points", "clusters"),
    [
        (0.8, 1, {frozenset({0, 1, 2}), frozenset({3, 4, 5})}),
        (0.8, 4, set()),
        (0.6, 3, {frozenset({3, 4, 5})}),
    ],
)
def test_dbscan_gives_postgis_answers_on_its_regression_inputs(eps, min_points, clusters):
    x, y = (np.array(v, dtype=float) for v in zip(*REGRESS, strict=True))
    assert partition(dbscan(x, y, eps, min_points).tolist())[0] == clusters


def two_clusters_and_a_point_between(b_first: bool) -> list[tuple[float, float]]:
    a = [(0, 0), (0, 0.1), (0, -0.1), (-0.1, 0)]
    b = [(2, 0), (2, 0.1), (2, -0.1), (2.1, 0)]
    return (b + a if b_first else a + b) + [(1, 0)]


@pytest.mark.parametrize("b_first", [False, True])
def test_a_border_point_between_two_clusters_joins_the_first_in_order(b_first):
    points = two_clusters_and_a_point_between(b_first)
    x, y = (np.array(v, dtype=float) for v in zip(*points, strict=True))
    clusters, noise = partition(dbscan(x, y, 1.0, 4).tolist())
    assert not noise
    assert frozenset({0, 1, 2, 3, 8}) in clusters and frozenset({4, 5, 6, 7}) in clusters


def test_fewer_points_than_needed_make_no_cluster():
    assert dbscan(np.array([0.0, 1.0]), np.array([0.0, 0.0]), 5, 3).tolist() == [-1, -1]
    assert dbscan(np.array([]), np.array([]), 5, 3).tolist() == []


def random_sets():
    """Two hand-made sets with a border point between clusters, then 25 random ones."""
    for b_first in (False, True):
        yield two_clusters_and_a_point_between(b_first), 1.0, 4
    rng = random.Random(20)
    for _ in range(25):
        centres = [(rng.uniform(0, 5000), rng.uniform(0, 5000)) for _ in range(rng.randint(2, 8))]
        points = []
        for _ in range(rng.randint(20, 250)):
            cx, cy = rng.choice(centres)
            points.append((cx + rng.gauss(0, 400), cy + rng.gauss(0, 400)))
        yield points, rng.choice([150.0, 300.0, 500.0]), rng.choice([2, 3, 4, 5])


async def test_dbscan_matches_st_clusterdbscan_on_random_sets(engines):
    if not db.is_postgres():
        pytest.skip("needs PostGIS to compare with")
    postgis = engines[0]
    for points, eps, min_points in random_sets():
        given = values(
            Column("i", Integer), Column("x", Float), Column("y", Float), name="given"
        ).data([(i, x, y) for i, (x, y) in enumerate(points)])
        label = func.ST_ClusterDBSCAN(
            func.ST_MakePoint(given.c.x, given.c.y), eps, min_points
        ).over(order_by=given.c.i)
        rows = await postgis._all(select(given.c.i, label.label("c")).order_by(given.c.i))
        theirs = [r.c for r in rows]
        x, y = (np.array(v, dtype=float) for v in zip(*points, strict=True))
        assert partition(dbscan(x, y, eps, min_points).tolist()) == partition(theirs), (
            eps,
            min_points,
        )


async def test_both_engines_cluster_the_cases_alike(engines, county_officer):
    f = CaseFilter(actor=county_officer)
    plane = Plane.at(32.72)
    answers = [await e.clusters(f, plane.kx, plane.ky, 2500, 3) for e in engines]
    rows, labels = answers[0]
    assert len(rows) >= 300 and any(label is not None for label in labels)
    for other_rows, other_labels in answers[1:]:
        assert [r["id"] for r in other_rows] == [r["id"] for r in rows]
        assert partition(other_labels) == partition(labels)


@pytest.fixture
async def gathering(cast):
    """Four new cases within ~60 m of each other in demo-village's village."""
    village = cast.me["demo-village"]["jurisdiction"]["id"]
    grid = (
        await Jurisdiction.select(Jurisdiction.boundary)
        .where(Jurisdiction.parent == village)
        .first()
    )
    p = shape(json.loads(grid["boundary"])).representative_point()
    offsets = [(0, 0), (0.0003, 0), (0, 0.0003), (0.0003, 0.0003)]
    return [
        await cast.log_case(
            "demo-village", title=f"聚集{i}", lon=round(p.x + dx, 6), lat=round(p.y + dy, 6)
        )
        for i, (dx, dy) in enumerate(offsets)
    ]


async def test_new_cases_close_together_make_a_hotspot_on_the_map(cast, gathering):
    r = await cast.api["demo-village"].get("/api/v1/map/hotspots")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    body = r.json()
    assert (body["radius_m"], body["min_cases"], body["days"]) == (500, 3, 30)
    ours = {c["id"] for c in gathering}
    spot = next(f for f in body["features"] if ours <= set(f["properties"]["case_ids"]))
    assert spot["properties"]["count"] >= 4 and spot["properties"]["open"] >= 4
    assert spot["properties"]["radius_m"] < 500
    assert spot["geometry"]["type"] == "Point"


async def test_hotspots_keep_to_the_users_area(cast, gathering):
    r = await cast.api["demo-grid-2"].get("/api/v1/map/hotspots", params={"days": 90})
    ours = {c["id"] for c in gathering}
    assert not any(ours & set(f["properties"]["case_ids"]) for f in r.json()["features"])
