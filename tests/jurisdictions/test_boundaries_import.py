"""`pingli import-boundaries`: broken files are refused whole, with the feature named, and the
database is left exactly as it was; good files load, update, export and re-import."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import sys

import pytest
import shapely
from shapely.geometry import mapping, shape

from app import i18n
from app.geo import locate
from app.geo.embedded import Embedded, boundary_stamp
from app.jurisdictions.boundaries import (
    BoundaryErrors,
    export_collection,
    import_feature_collection,
    read_file,
)
from app.jurisdictions.tables import Jurisdiction
from tests.support.geo import SCRATCH_CODE, demo_grids, remove_scratch_county, scratch_county


@pytest.fixture(autouse=True)
def english():
    token = i18n.current_locale.set("en")
    yield
    i18n.current_locale.reset(token)


@pytest.fixture
async def snapshot(app):
    """What the database holds before the test: it must hold the same after a refused file."""

    async def take():
        return await export_collection(), await boundary_stamp()

    return await take(), take


@pytest.fixture
async def scratch(app):
    await remove_scratch_county()
    yield scratch_county()
    await remove_scratch_county()


def feature(code, level, parent_code, geometry, name="测试"):
    return {
        "type": "Feature",
        "properties": {"code": code, "level": level, "parent_code": parent_code, "name": name},
        "geometry": geometry
        if geometry is None or isinstance(geometry, dict)
        else mapping(geometry),
    }


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def neighbours():
    """Two grids of one village that share an edge, as built."""
    grids = demo_grids()
    a = grids[0]
    b = next(
        g
        for g in grids
        if g is not a
        and g.parent_code == a.parent_code
        and g.geometry.touches(a.geometry)
        and a.geometry.intersection(g.geometry).length > 0
    )
    return a, b


async def refused(body, snapshot) -> list[str]:
    before, take = snapshot
    with pytest.raises(BoundaryErrors) as caught:
        await import_feature_collection(body)
    assert await take() == before, "a refused file changed the database"
    return caught.value.problems


async def test_a_file_that_is_not_json_is_refused_with_where_it_breaks(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [}')
    with pytest.raises(BoundaryErrors) as caught:
        read_file(path)
    assert caught.value.problems == ["The file is not valid JSON (line 1, column 44)."]


async def test_something_other_than_a_feature_collection_is_refused(snapshot):
    problems = await refused({"type": "Feature"}, snapshot)
    assert problems == ["The file is not a GeoJSON FeatureCollection."]


async def test_a_self_intersecting_polygon_is_refused_naming_the_feature(snapshot):
    a, _b = neighbours()
    x0, y0, x1, y1 = a.geometry.bounds
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y1], [x1, y0], [x0, y1], [x0, y0]]],
    }
    problems = await refused(collection(feature(a.code, "grid", a.parent_code, bowtie)), snapshot)
    assert len(problems) == 1
    assert problems[0].startswith(f"Feature {a.code}: invalid polygon (Self-intersection")


async def test_an_unknown_parent_is_refused_naming_the_feature(snapshot):
    a, _b = neighbours()
    problems = await refused(
        collection(feature("41172699900101", "grid", "411726999001", a.geometry)), snapshot
    )
    assert problems == ["Feature 41172699900101: unknown parent 411726999001."]


async def test_overlapping_siblings_are_refused_naming_both(snapshot):
    a, b = neighbours()
    grown = shapely.union(a.geometry, shapely.intersection(b.geometry, a.geometry.buffer(0.002)))
    problems = await refused(collection(feature(a.code, "grid", a.parent_code, grown)), snapshot)
    assert any(
        p.startswith(f"Feature {a.code}: overlaps its sibling {b.code} by ") for p in problems
    ), problems


async def test_children_leaving_a_gap_in_their_parent_are_refused_naming_the_parent(snapshot):
    a, _b = neighbours()
    shrunk = a.geometry.buffer(-0.001)
    problems = await refused(collection(feature(a.code, "grid", a.parent_code, shrunk)), snapshot)
    assert len(problems) == 1 and problems[0].startswith(
        f"Feature {a.parent_code}: its children leave a gap of "
    )


async def test_a_child_reaching_outside_its_parent_is_refused(snapshot):
    a, _b = neighbours()
    moved = shapely.affinity.translate(a.geometry, 0.5, 0)
    problems = await refused(collection(feature(a.code, "grid", a.parent_code, moved)), snapshot)
    assert any(
        p.startswith(f"Feature {a.code}: reaches ") and "outside its parent" in p for p in problems
    )


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"level": "province"}, "Feature X1: unknown level province."),
        ({"code": ""}, "Feature #1: code and name are required."),
        ({"name": ""}, "Feature X1: code and name are required."),
        (
            {"level": "village", "parent_code": "411726"},
            "Feature X1: a village cannot belong to the county 411726.",
        ),
    ],
)
async def test_features_with_bad_properties_are_refused(snapshot, props, message):
    body = collection(
        feature("X1", "township", "411726", None)
        | {
            "properties": {"code": "X1", "level": "township", "parent_code": "411726", "name": "x"}
            | props
        }
    )
    assert await refused(body, snapshot) == [message]


async def test_a_point_is_not_a_boundary_and_coordinates_must_be_degrees(snapshot):
    a, _b = neighbours()
    point = feature(a.code, "grid", a.parent_code, {"type": "Point", "coordinates": [113.3, 32.7]})
    metres = feature(
        a.code, "grid", a.parent_code, shapely.affinity.scale(a.geometry, 5000, 5000, origin=(0, 0))
    )
    assert await refused(collection(point), snapshot) == [
        f"Feature {a.code}: a boundary must be a polygon."
    ]
    assert await refused(collection(metres), snapshot) == [
        f"Feature {a.code}: coordinates must be longitude and latitude (WGS84)."
    ]


async def test_a_node_cannot_move_to_another_parent_or_change_level(snapshot):
    a, b = neighbours()
    other_village = next(g for g in demo_grids() if g.parent_code != a.parent_code).parent_code
    assert await refused(collection(feature(a.code, "grid", other_village, None)), snapshot) == [
        f"Feature {a.code}: moving a node to another parent is not supported."
    ]
    assert await refused(collection(feature(a.code, "village", "411726001", None)), snapshot) == [
        f"Feature {a.code}: is a grid already, not a village."
    ]


async def test_a_code_twice_in_a_file_is_refused(snapshot):
    a, _b = neighbours()
    twice = feature(a.code, "grid", a.parent_code, a.geometry)
    assert await refused(collection(twice, twice), snapshot) == [
        f"Feature {a.code}: the code appears twice in the file."
    ]


async def test_every_problem_of_a_file_is_listed_at_once(snapshot):
    body = collection(
        feature("A1", "township", "411726", None) | {"properties": {"code": "A1", "level": "nope"}},
        feature("A2", "grid", "nowhere", None),
    )
    problems = await refused(body, snapshot)
    assert problems == ["Feature A1: unknown level nope."]  # properties first, then the tree
    body = collection(
        feature("A2", "grid", "nowhere", None), feature("A3", "grid", "elsewhere", None)
    )
    assert await refused(body, snapshot) == [
        "Feature A2: unknown parent nowhere.",
        "Feature A3: unknown parent elsewhere.",
    ]


async def test_a_new_county_loads_and_its_points_are_located(scratch):
    report = await import_feature_collection(scratch)
    assert (report.created, report.updated) == (len(scratch["features"]), 0)
    grid = next(f for f in scratch["features"] if f["properties"]["level"] == "grid")
    inside = shape(grid["geometry"]).representative_point()
    found = await locate.place(inside.x, inside.y)
    row = await Jurisdiction.select().where(Jurisdiction.id == found["id"]).first()
    assert row["code"] == grid["properties"]["code"]
    assert row["area_km2"] > 0 and row["centroid_lon"] is not None


async def test_the_export_reimports_as_the_same_boundaries(app):
    exported = await export_collection()
    stamp = await boundary_stamp()
    report = await import_feature_collection(json.loads(json.dumps(exported)))
    assert (report.created, report.updated) == (0, len(exported["features"]))
    assert await export_collection() == exported
    assert (await boundary_stamp())[0] == stamp[0] + 1  # the version moved: indexes rebuild


async def test_a_subtree_can_be_exported_alone(app):
    township = await export_collection("411726001")
    levels = {f["properties"]["level"] for f in township["features"]}
    assert levels == {"township", "village", "grid"}
    assert all(f["properties"]["code"].startswith("411726001") for f in township["features"])
    with pytest.raises(BoundaryErrors):
        await export_collection("000000")


async def run_cli(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PINGLI_DEFAULT_LOCALE": "en"},
    )
    out, err = await process.communicate()
    return process.returncode, out.decode(), err.decode()


async def test_a_boundary_changed_by_another_process_is_seen_here_at_once(scratch, tmp_path):
    """The CLI imports in its own process; this process's in-memory index notices the boundary
    version and rebuilds, without being told."""
    await import_feature_collection(scratch)
    grids = [f for f in scratch["features"] if f["properties"]["level"] == "grid"]
    first, second = grids[0], grids[1]  # two grids of one village, sharing an edge
    assert first["properties"]["parent_code"] == second["properties"]["parent_code"]
    a, b = shape(first["geometry"]), shape(second["geometry"])
    probe = shapely.intersection(b, a.buffer(0.0015)).representative_point()
    embedded = Embedded()  # stands for any process that read the boundaries before
    ids = {
        r["code"]: r["id"] for r in await Jurisdiction.select(Jurisdiction.code, Jurisdiction.id)
    }
    assert await embedded.locate([(probe.x, probe.y)]) == [ids[second["properties"]["code"]]]

    moved = copy.deepcopy([first, second])
    grown = shapely.union(a, shapely.intersection(b, a.buffer(0.0015)))
    moved[0]["geometry"] = mapping(grown)
    moved[1]["geometry"] = mapping(shapely.difference(b, grown))
    path = tmp_path / "moved.geojson"
    path.write_text(json.dumps(collection(*moved)))
    code, out, err = await run_cli("import-boundaries", str(path))
    assert code == 0, err
    assert "0 created, 2 updated" in out
    assert await embedded.locate([(probe.x, probe.y)]) == [ids[first["properties"]["code"]]]


async def test_the_cli_refuses_a_broken_file_with_the_problems_and_exit_status_1(app, tmp_path):
    a, _b = neighbours()
    path = tmp_path / "gap.geojson"
    path.write_text(
        json.dumps(collection(feature(a.code, "grid", a.parent_code, a.geometry.buffer(-0.001))))
    )
    code, out, err = await run_cli("import-boundaries", str(path))
    assert code == 1
    assert (
        f"nothing was imported from {path}" in err
        and f"Feature {a.parent_code}: its children leave a gap" in err
    )
    code, out, err = await run_cli("export-boundaries", "--root", SCRATCH_CODE)
    assert code == 1 and "No jurisdiction has the code" in err
