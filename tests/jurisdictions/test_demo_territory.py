import shapely

from app.jurisdictions.tables import Jurisdiction
from app.seed.territory import build_county, feature_collection, walk


def test_the_demo_county_is_the_same_every_time():
    assert feature_collection(build_county()) == feature_collection(build_county())


def test_the_demo_grids_tile_the_county_without_overlaps_or_gaps():
    county = build_county()
    nodes = list(walk(county))
    grids = [n.geometry for n in nodes if n.level == "grid"]
    assert len(grids) == 600
    assert len([n for n in nodes if n.level == "village"]) == 150
    assert len([n for n in nodes if n.level == "township"]) == 12
    assert all(g.is_valid and g.geom_type == "Polygon" for g in grids)
    total = sum(g.area for g in grids)
    union = shapely.union_all(grids)
    assert abs(union.area - total) < 1e-9  # no overlaps
    assert abs(union.area - county.geometry.area) < 1e-9  # no gaps


async def test_every_node_knows_its_ancestors():
    rows = await Jurisdiction.select()
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        assert r[r["level"]] == r["id"]
        if r["parent"]:
            parent = by_id[r["parent"]]
            for level in ("county", "township", "village"):
                if parent[level] is not None:
                    assert r[level] == parent[level]
