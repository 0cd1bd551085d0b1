"""The map's area and hotspot layers are kept between requests, and a new event of a case in
the node (a case logged, withdrawn, moved) gives a fresh answer at once, on both engines."""

from __future__ import annotations

import json

from shapely.geometry import shape

from app.geo import layer_cache
from app.jurisdictions.tables import Jurisdiction
from tests.support.lifecycle import act


def _open_by_id(body: dict) -> dict[int, int]:
    return {f["properties"]["id"]: f["properties"]["open"] for f in body["features"]}


async def _village_point(cast) -> tuple[int, float, float]:
    village = cast.me["demo-village"]["jurisdiction"]["id"]
    grid = await (
        Jurisdiction.select(Jurisdiction.id, Jurisdiction.boundary)
        .where(Jurisdiction.parent == village)
        .order_by(Jurisdiction.code)
        .first()
    )
    p = shape(json.loads(grid["boundary"])).representative_point()
    return grid["id"], round(p.x, 6), round(p.y, 6)


async def test_a_second_ask_is_kept_and_a_new_case_in_the_node_changes_the_answer(cast):
    api = cast.api["demo-township"]
    village = cast.me["demo-village"]["jurisdiction"]["id"]
    first = (await api.get("/api/v1/map/areas", params={"zoom": 12})).json()
    hits = layer_cache.stats["hits"]
    again = (await api.get("/api/v1/map/areas", params={"zoom": 12})).json()
    assert again == first and layer_cache.stats["hits"] == hits + 1

    _grid, lon, lat = await _village_point(cast)
    case = await cast.log_case("demo-village", title="缓存检验", lon=lon, lat=lat)
    try:
        after = _open_by_id((await api.get("/api/v1/map/areas", params={"zoom": 12})).json())
        assert after[village] == _open_by_id(first)[village] + 1
        # the page's table under the map reads the same numbers
        page = await (await cast.browser("demo-township")).get("/map")
        assert page.status_code == 200
    finally:
        await act(cast, "demo-village", case["id"], "withdraw", reason="测试完毕")
    back = _open_by_id((await api.get("/api/v1/map/areas", params={"zoom": 12})).json())
    assert back[village] == _open_by_id(first)[village]  # withdrawn: no longer open


async def test_a_case_elsewhere_leaves_the_kept_answer_standing(cast):
    api = cast.api["demo-grid-2"]  # another township's grid
    before = (await api.get("/api/v1/map/hotspots")).json()
    _grid, lon, lat = await _village_point(cast)
    case = await cast.log_case("demo-village", title="别处的案件", lon=lon, lat=lat)
    try:
        hits = layer_cache.stats["hits"]
        assert (await api.get("/api/v1/map/hotspots")).json() == before
        assert layer_cache.stats["hits"] == hits + 1
    finally:
        await act(cast, "demo-village", case["id"], "withdraw", reason="测试完毕")


async def test_new_cases_close_together_appear_as_a_hotspot_after_the_layer_was_kept(cast):
    api = cast.api["demo-village"]
    before = (await api.get("/api/v1/map/hotspots")).json()
    (await api.get("/api/v1/map/hotspots")).json()  # kept now
    _grid, lon, lat = await _village_point(cast)
    offsets = [(0, 0), (0.0002, 0), (0, 0.0002)]
    cases = [
        await cast.log_case("demo-village", title=f"热点缓存{i}", lon=lon + dx, lat=lat + dy)
        for i, (dx, dy) in enumerate(offsets)
    ]
    try:
        ours = {c["id"] for c in cases}
        after = (await api.get("/api/v1/map/hotspots")).json()
        assert after != before
        spot = next(f for f in after["features"] if ours & set(f["properties"]["case_ids"]))
        assert spot["properties"]["count"] >= 3
    finally:
        for c in cases:
            await act(cast, "demo-village", c["id"], "withdraw", reason="测试完毕")
    # withdrawn cases still mark the place (every status counts) but are no longer open
    last = (await api.get("/api/v1/map/hotspots")).json()
    spot = next(f for f in last["features"] if ours & set(f["properties"]["case_ids"]))
    assert (
        spot["properties"]["open"]
        < next(f for f in after["features"] if ours & set(f["properties"]["case_ids"]))[
            "properties"
        ]["open"]
    )


async def test_a_case_moved_out_of_a_grid_leaves_that_grids_kept_answer(cast):
    api = cast.api["demo-township"]
    village = cast.me["demo-village"]["jurisdiction"]["id"]
    grids = await (
        Jurisdiction.select(Jurisdiction.id)
        .where(Jurisdiction.parent == village)
        .order_by(Jurisdiction.code)
    )
    first, second = grids[0]["id"], grids[1]["id"]
    _grid, lon, lat = await _village_point(cast)
    case = await cast.log_case("demo-village", title="移走的案件", lon=lon, lat=lat)
    try:
        params = {"node": village, "zoom": 14}
        counts = _open_by_id((await api.get("/api/v1/map/areas", params=params)).json())
        grid_view = {"node": first, "level": "grid"}
        own = (await api.get("/api/v1/map/areas", params=grid_view)).json()
        await act(cast, "demo-township", case["id"], "move", grid=second, reason="登记错了网格")
        moved = _open_by_id((await api.get("/api/v1/map/areas", params=params)).json())
        assert moved[first] == counts[first] - 1 and moved[second] == counts[second] + 1
        # the grid it left, asked about as a node of its own, notices too
        left = (await api.get("/api/v1/map/areas", params=grid_view)).json()
        assert _open_by_id(left)[first] == _open_by_id(own)[first] - 1
    finally:
        await act(cast, "demo-village", case["id"], "withdraw", reason="测试完毕")
