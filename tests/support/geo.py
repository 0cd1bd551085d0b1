"""Geography for tests: the demo county as built (the ground truth the engines must match),
a small scratch county far from it that tests may import and change, and actors."""

from __future__ import annotations

from functools import cache

import shapely
from shapely.affinity import translate

from app.auth import sessions
from app.auth.tables import User
from app.jurisdictions import nodes
from app.jurisdictions.tables import Jurisdiction
from app.seed.territory import COUNTY_CODE, Node, build_county, feature_collection, walk

SCRATCH_CODE = "990001"
SCRATCH_SHIFT = (-13.32, -2.72)  # the demo county moved to around (100.0 E, 30.0 N)


@cache
def demo_county() -> Node:
    return build_county()


def demo_grids() -> list[Node]:
    return [n for n in walk(demo_county()) if n.level == "grid"]


def scratch_county(grids_per_village: int = 2) -> dict:
    """A 2-township, 4-village county around (100 E, 30 N) as a FeatureCollection, codes 990001…"""
    county = build_county(seed=5, townships=2, villages=4, grids_per_village=grids_per_village)
    collection = feature_collection(county)
    for feature in collection["features"]:
        props = feature["properties"]
        props["code"] = SCRATCH_CODE + props["code"][len(COUNTY_CODE) :]
        if props["parent_code"]:
            props["parent_code"] = SCRATCH_CODE + props["parent_code"][len(COUNTY_CODE) :]
        props["name"] = "测试" + props["name"]
        props.pop("abbr", None)
        geometry = translate(shapely.geometry.shape(feature["geometry"]), *SCRATCH_SHIFT)
        feature["geometry"] = shapely.geometry.mapping(geometry)
    return collection


async def remove_scratch_county() -> None:
    """Delete the scratch county, children first (nothing refers to it)."""
    for depth in (3, 2, 1, 0):
        await Jurisdiction.delete().where(
            Jurisdiction.code.like(f"{SCRATCH_CODE}%") & (Jurisdiction.depth == depth)
        )
    # past a boundary import, nodes change only through one, which forgets the nodes kept in
    # memory; a deletion is the tests' own, and SQLite gives the freed ids to the next nodes
    nodes.forget()


async def actor_for(username: str):
    user = await User.select(User.id).where(User.username == username).first()
    secret = await sessions.start(user["id"], "api")
    return await sessions.resolve(secret, "api")
