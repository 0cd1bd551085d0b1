"""The territory API: locate a point, read a node with its boundary, list children — each
user sees their subtree and, above it, only their own ancestors' names."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import shape

from app.jurisdictions.tables import Jurisdiction


async def node(node_id: int) -> dict:
    return await Jurisdiction.select().where(Jurisdiction.id == node_id).first()


async def inside(node_id: int) -> tuple[float, float]:
    p = shape(json.loads((await node(node_id))["boundary"])).representative_point()
    return p.x, p.y


async def test_a_point_is_located_in_its_grid_village_township_and_county(cast):
    grid = await node(cast.me["demo-grid"]["jurisdiction"]["id"])
    lon, lat = await inside(grid["id"])
    r = await cast.api["demo-county"].get(
        "/api/v1/jurisdictions/locate", params={"lon": lon, "lat": lat}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["inside"] and body["in_scope"] and "message" not in body
    assert [body[lv]["id"] for lv in ("county", "township", "village", "grid")] == [
        grid["county"],
        grid["township"],
        grid["village"],
        grid["id"],
    ]
    assert body["grid"]["code"] == grid["code"]


async def test_a_point_outside_the_county_gets_a_clear_answer(cast):
    r = await cast.api["demo-county"].get(
        "/api/v1/jurisdictions/locate", params={"lon": 116.397, "lat": 39.909}
    )
    body = r.json()
    assert r.status_code == 200
    assert body["inside"] is False and body["grid"] is None and body["county"] is None
    assert body["message"] == "该位置不在本县范围内。"


async def test_a_point_outside_my_area_shows_only_my_own_ancestors(cast):
    lon, lat = await inside(cast.me["demo-grid"]["jurisdiction"]["id"])
    body = (
        await cast.api["demo-grid-2"].get(
            "/api/v1/jurisdictions/locate", params={"lon": lon, "lat": lat}
        )
    ).json()
    assert body["inside"] is True and body["in_scope"] is False
    assert body["message"] == "该位置不在您的辖区内。"
    assert body["township"] is None and body["village"] is None and body["grid"] is None
    assert set(body["county"]) == {"id", "name", "level"}  # a name, not the node


async def test_my_own_grid_is_in_scope_with_my_ancestors_named(cast):
    lon, lat = await inside(cast.me["demo-grid"]["jurisdiction"]["id"])
    body = (
        await cast.api["demo-grid"].get(
            "/api/v1/jurisdictions/locate", params={"lon": lon, "lat": lat}
        )
    ).json()
    assert body["in_scope"] is True
    assert "code" in body["grid"] and "code" not in body["village"] and "code" not in body["county"]


@pytest.mark.parametrize(
    ("params", "field"), [({"lon": "east", "lat": 32}, "lon"), ({"lon": 113}, "lat")]
)
async def test_locate_needs_a_longitude_and_a_latitude(cast, params, field):
    r = await cast.api["demo-county"].get("/api/v1/jurisdictions/locate", params=params)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field


async def test_a_node_answers_its_level_parent_centroid_and_boundary(cast):
    grid = await node(cast.me["demo-grid"]["jurisdiction"]["id"])
    r = await cast.api["demo-village"].get(f"/api/v1/jurisdictions/{grid['id']}")
    assert r.status_code == 200
    body = r.json()
    assert body["level"] == "grid" and body["code"] == grid["code"]
    assert body["parent"]["id"] == grid["village"]
    assert [a["level"] for a in body["ancestors"]] == ["county", "township", "village"]
    assert body["centroid"] == [grid["centroid_lon"], grid["centroid_lat"]]
    assert body["area_km2"] > 0 and body["children"] == 0
    assert shape(body["boundary"]).equals(shape(json.loads(grid["boundary"])))


async def test_a_coarse_zoom_gets_a_lighter_boundary(cast):
    county = cast.me["demo-county"]["jurisdiction"]["id"]
    api = cast.api["demo-county"]
    full = await api.get(f"/api/v1/jurisdictions/{county}")
    coarse = await api.get(f"/api/v1/jurisdictions/{county}", params={"zoom": 8})
    assert len(coarse.content) < len(full.content)
    assert shape(coarse.json()["boundary"]).is_valid


async def test_nodes_outside_my_subtree_are_404_even_my_own_ancestors(cast):
    api = cast.api["demo-grid"]
    me = await node(cast.me["demo-grid"]["jurisdiction"]["id"])
    other = cast.me["demo-grid-2"]["jurisdiction"]["id"]
    for node_id in (me["village"], me["county"], other, 999_999):
        r = await api.get(f"/api/v1/jurisdictions/{node_id}")
        assert r.status_code == 404, node_id
    assert (await api.get(f"/api/v1/jurisdictions/{me['id']}")).status_code == 200


async def test_children_are_listed_in_code_order(cast):
    county = cast.me["demo-county"]["jurisdiction"]["id"]
    r = await cast.api["demo-county"].get("/api/v1/jurisdictions", params={"parent": county})
    items = r.json()["items"]
    assert len(items) == 12 and [i["code"] for i in items] == sorted(i["code"] for i in items)
    assert all(i["level"] == "township" and len(i["centroid"]) == 2 for i in items)


async def test_without_a_parent_the_list_is_my_own_node(cast):
    r = await cast.api["demo-township"].get("/api/v1/jurisdictions")
    assert [i["id"] for i in r.json()["items"]] == [cast.me["demo-township"]["jurisdiction"]["id"]]


async def test_the_children_of_a_node_outside_my_area_are_404(cast):
    county = cast.me["demo-county"]["jurisdiction"]["id"]
    assert (
        await cast.api["demo-township"].get("/api/v1/jurisdictions", params={"parent": county})
    ).status_code == 404
    assert (
        await cast.api["demo-township"].get("/api/v1/jurisdictions", params={"parent": "x"})
    ).status_code == 422
