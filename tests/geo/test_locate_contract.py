"""Locating a point: every engine gives the answer the demo county's geometry dictates.

The expected answers come from the county as built (app/seed/territory.py), not from the
engines: the grid a point was placed in, the two grids that share an edge, the grids that
share a vertex. On PostgreSQL both engines are asked and must agree.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
import shapely

from app.geo.measure import BORDER_TOLERANCE
from app.jurisdictions.tables import Jurisdiction
from tests.support.geo import demo_county, demo_grids


@pytest.fixture
async def ids_by_code(app) -> dict[str, int]:
    return {
        r["code"]: r["id"] for r in await Jurisdiction.select(Jurisdiction.code, Jurisdiction.id)
    }


def _ring_edges(geometry) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    coords = list(geometry.exterior.coords)
    return list(zip(coords, coords[1:], strict=False))


def shared_edges() -> dict[frozenset, set[str]]:
    """Each edge (as its two end points) and the grids whose rings contain it."""
    owners: dict[frozenset, set[str]] = defaultdict(set)
    for grid in demo_grids():
        for a, b in _ring_edges(grid.geometry):
            owners[frozenset((a, b))].add(grid.code)
    return owners


def shared_vertices() -> dict[tuple[float, float], set[str]]:
    owners: dict[tuple[float, float], set[str]] = defaultdict(set)
    for grid in demo_grids():
        for xy in list(grid.geometry.exterior.coords)[:-1]:
            owners[xy].add(grid.code)
    return {xy: codes for xy, codes in owners.items() if len(codes) >= 2}


async def assert_located(
    engines, points: list[tuple[float, float]], expected: list[int | None]
) -> None:
    for engine in engines:
        found = await engine.locate(points)
        wrong = [(p, e, f) for p, e, f in zip(points, expected, found, strict=True) if e != f]
        assert not wrong, (
            f"{engine.name}: {len(wrong)} of {len(points)} points wrong, e.g. {wrong[:3]}"
        )


async def test_a_point_inside_each_of_the_600_grids_is_located_in_that_grid(engines, ids_by_code):
    grids = demo_grids()
    assert len(grids) == 600
    points = [(p.x, p.y) for p in (g.geometry.representative_point() for g in grids)]
    await assert_located(engines, points, [ids_by_code[g.code] for g in grids])


async def test_points_along_a_shared_edge_belong_to_the_grid_with_the_smaller_code(
    engines, ids_by_code
):
    points, expected = [], []
    for edge, codes in shared_edges().items():
        if len(codes) != 2:
            continue
        (ax, ay), (bx, by) = sorted(edge)
        for t in (1 / 3, 0.5, 0.7071):  # rounding puts most of these a hair off the edge
            points.append((ax + (bx - ax) * t, ay + (by - ay) * t))
            expected.append(ids_by_code[min(codes)])
    assert len(points) > 3000
    await assert_located(engines, points, expected)


async def test_shared_corners_belong_to_the_grid_with_the_smallest_code(engines, ids_by_code):
    vertices = shared_vertices()
    corners = {xy: codes for xy, codes in vertices.items() if len(codes) >= 3}
    assert len(corners) > 500
    grids = demo_grids()
    boxes = shapely.STRtree([g.geometry.envelope for g in grids])
    points = list(vertices)
    # a vertex may also lie on a third grid's edge (a T-junction): ask the geometry who touches it
    expected = []
    for xy in points:
        point = shapely.Point(xy)
        nearby = (grids[i] for i in boxes.query(point.buffer(1e-6)))
        touching = vertices[xy] | {
            g.code for g in nearby if g.geometry.distance(point) <= BORDER_TOLERANCE
        }
        expected.append(ids_by_code[min(touching)])
    await assert_located(engines, points, expected)


async def test_points_outside_the_county_are_outside(engines):
    county = demo_county().geometry
    ring = county.buffer(0.0001).exterior  # about 10 m outside the border
    near = [ring.interpolate(i / 400, normalized=True) for i in range(400)]
    far = [
        shapely.Point(0, 0),
        shapely.Point(116.397, 39.909),
        shapely.Point(113.32, 33.5),
        shapely.Point(-73.98, 40.75),
    ]
    points = [(p.x, p.y) for p in near + far]
    assert not any(county.intersects(shapely.Point(xy)) for xy in points)
    await assert_located(engines, points, [None] * len(points))


async def test_points_a_metre_inside_the_outer_border_are_in_the_grid_under_them(
    engines, ids_by_code
):
    county = demo_county().geometry
    ring = county.buffer(-0.00001).exterior
    points = [(p.x, p.y) for p in (ring.interpolate(i / 300, normalized=True) for i in range(300))]
    grids = demo_grids()
    tree = shapely.STRtree([g.geometry for g in grids])
    expected = [
        ids_by_code[
            min(grids[i].code for i in tree.query(shapely.Point(xy), predicate="intersects"))
        ]
        for xy in points
    ]
    await assert_located(engines, points, expected)


async def test_a_point_on_the_outer_border_is_inside(engines, ids_by_code):
    grid = demo_grids()[0]
    outer = [
        xy
        for xy in list(grid.geometry.exterior.coords)
        if demo_county().geometry.exterior.distance(shapely.Point(xy)) == 0
    ]
    points = outer[:3] or [tuple(demo_county().geometry.exterior.coords[0])]
    found = [await e.locate(points) for e in engines]
    assert all(all(f is not None for f in answer) for answer in found)
    assert all(answer == found[0] for answer in found)


async def test_an_empty_batch_is_an_empty_answer(engines):
    for engine in engines:
        assert await engine.locate([]) == []


async def test_the_engines_return_the_same_boundaries(engines, ids_by_code):
    sample = [ids_by_code[g.code] for g in demo_grids()[::37]] + [ids_by_code["411726"]]
    exact = [await e.outlines(sample, 0) for e in engines]
    assert all(answer == exact[0] for answer in exact)
    assert set(exact[0]) == set(sample)
    built = {g.code: g.geometry for g in demo_grids()}
    first = demo_grids()[0]
    assert shapely.geometry.shape(exact[0][ids_by_code[first.code]]).equals(built[first.code])
    tolerance = 0.0014  # half a pixel at zoom 10
    for answer in [await e.outlines(sample, tolerance) for e in engines]:
        for node_id, geometry in answer.items():
            simplified = shapely.geometry.shape(geometry)
            original = shapely.geometry.shape(exact[0][node_id])
            assert simplified.is_valid
            assert simplified.hausdorff_distance(original) <= tolerance * 1.01
