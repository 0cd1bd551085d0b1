"""The map: its layers are scoped GeoJSON, small and filtered; the page works without tiles and
without JavaScript; a tile server, once configured, is the only outside host it may use."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from app.disputes.tables import Dispute
from app.disputes.vocabulary import OPEN_STATUSES
from app.security import CSP, content_security_policy, tile_source
from app.settings import get_settings

GEOJSON = "application/geo+json"


async def test_the_county_map_shades_its_townships_by_open_cases(cast):
    api = cast.api["demo-county"]
    r = await api.get("/api/v1/map/areas", params={"zoom": 10})
    assert r.status_code == 200 and r.headers["content-type"].startswith(GEOJSON)
    features = r.json()["features"]
    assert len(features) == 12
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in features)
    assert all(0 <= f["properties"]["shade"] <= 5 for f in features)
    assert max(f["properties"]["shade"] for f in features) == 5
    county = cast.me["demo-county"]["jurisdiction"]["id"]
    open_cases = await Dispute.count().where(
        (Dispute.county == county) & Dispute.status.is_in(list(OPEN_STATUSES))
    )
    assert sum(f["properties"]["open"] for f in features) == open_cases


async def test_coordinates_have_six_decimals_and_coarse_zooms_are_lighter(cast):
    api = cast.api["demo-county"]
    fine = await api.get("/api/v1/map/areas", params={"level": "village"})
    coarse = await api.get("/api/v1/map/areas", params={"level": "village", "zoom": 9})
    assert len(fine.json()["features"]) == 150
    assert len(coarse.content) < len(fine.content) * 0.8  # Voronoi cells have few vertices to drop
    numbers = re.findall(r"-?\d+\.(\d+)", json.dumps(fine.json()["features"][0]["geometry"]))
    assert numbers and max(len(n) for n in numbers) <= 6


async def test_a_village_mediator_sees_the_grids_of_the_village_only(cast):
    r = await cast.api["demo-village"].get("/api/v1/map/areas")
    codes = [f["properties"]["code"] for f in r.json()["features"]]
    assert len(codes) == 4 and all(
        c.startswith(cast.me["demo-village"]["jurisdiction"]["code"]) for c in codes
    )


async def test_a_node_outside_my_area_is_404_and_bad_filters_are_422(cast):
    api = cast.api["demo-grid-2"]
    county = cast.me["demo-county"]["jurisdiction"]["id"]
    for layer in ("areas", "cases", "hotspots", "rooms"):
        assert (await api.get(f"/api/v1/map/{layer}", params={"node": county})).status_code == 404
    for params, field in (
        ({"category": "x"}, "category"),
        ({"from": "May"}, "from"),
        ({"bbox": "1,2"}, "bbox"),
        ({"days": 400}, "days"),
        ({"level": "state"}, "level"),
        ({"status": "odd"}, "status"),
    ):
        r = await cast.api["demo-county"].get("/api/v1/map/cases", params=params)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field


async def test_case_points_stay_in_the_box_and_come_a_page_at_a_time(cast):
    api = cast.api["demo-county"]
    box = (113.2, 32.6, 113.45, 32.85)
    r = await api.get(
        "/api/v1/map/cases",
        params={"bbox": ",".join(map(str, box)), "status": "all", "per_page": 40},
    )
    body = r.json()
    assert body["total"] > 40 and body["truncated"] is True and len(body["features"]) == 40
    for f in body["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert box[0] <= lon <= box[2] and box[1] <= lat <= box[3]
        assert set(f["properties"]) == {
            "id",
            "case_no",
            "title",
            "category",
            "status",
            "risk",
            "created",
        }
    pages = [body] + [
        (
            await api.get(
                "/api/v1/map/cases",
                params={
                    "bbox": ",".join(map(str, box)),
                    "status": "all",
                    "per_page": 40,
                    "page": page,
                },
            )
        ).json()
        for page in range(2, -(-body["total"] // 40) + 1)
    ]
    ids = [f["properties"]["id"] for p in pages for f in p["features"]]
    assert len(ids) == len(set(ids)) == body["total"]


async def test_the_map_shows_open_cases_unless_asked_for_all_and_filters_by_category(cast):
    api = cast.api["demo-county"]
    default = (await api.get("/api/v1/map/cases", params={"per_page": 5000})).json()
    assert {f["properties"]["status"] for f in default["features"]} <= set(OPEN_STATUSES)
    everything = (
        await api.get("/api/v1/map/cases", params={"status": "all", "per_page": 5000})
    ).json()
    assert everything["total"] > default["total"]
    land = (await api.get("/api/v1/map/cases", params={"status": "all", "category": "land"})).json()
    assert 0 < land["total"] < everything["total"]
    assert {f["properties"]["category"] for f in land["features"]} == {"land"}
    # the shaded areas count open cases by their place, those without a GPS point too (which
    # the points above leave out): compared with the areas of every category
    every = (await api.get("/api/v1/map/areas")).json()
    areas = (await api.get("/api/v1/map/areas", params={"category": "land"})).json()
    land_open = sum(f["properties"]["open"] for f in areas["features"])
    assert 0 < land_open < sum(f["properties"]["open"] for f in every["features"])


async def test_a_grid_worker_sees_only_the_cases_of_the_grid(cast):
    case = await cast.log_case("demo-grid", title="地图上的案件")
    mine = (await cast.api["demo-grid"].get("/api/v1/map/cases", params={"per_page": 5000})).json()
    grid = cast.me["demo-grid"]["jurisdiction"]["id"]
    ids = {f["properties"]["id"] for f in mine["features"]}
    in_grid = await Dispute.select(Dispute.id).where(
        (Dispute.grid == grid)
        & Dispute.status.is_in(list(OPEN_STATUSES))
        & Dispute.lon.is_not_null()
    )
    assert ids == {str(r["id"]) for r in in_grid}
    others = (
        await cast.api["demo-grid-2"].get("/api/v1/map/cases", params={"per_page": 5000})
    ).json()
    assert case["id"] not in {f["properties"]["id"] for f in others["features"]}


async def test_rooms_are_those_of_my_area(cast):
    county = (await cast.api["demo-county"].get("/api/v1/map/rooms")).json()["features"]
    village = (await cast.api["demo-village"].get("/api/v1/map/rooms")).json()["features"]
    assert len(county) == 162 and len(village) == 1
    assert village[0]["properties"]["name"].endswith("评理室")


async def test_the_map_page_reads_without_javascript_and_loads_nothing_from_outside(cast):
    browser = await cast.browser("demo-county")
    page = await browser.get("/map")
    assert page.status_code == 200
    html = page.text
    assert 'id="map"' in html and "area-table" in html and html.count('href="/map?node=') >= 12
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(s.startswith(("/", "#", "?")) for s in sources), sources
    config = json.loads(
        re.search(
            r'<script type="application/json" id="map-config">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert config["basemap"]["kind"] == "none" and config["basemap"]["layers"] == []
    assert config["strings"]["hotspots"] == "热点"
    assert page.headers["content-security-policy"] == CSP
    assert "http" not in CSP


async def test_a_township_officer_drills_into_a_village_of_the_township(cast):
    browser = await cast.browser("demo-township")
    page = await browser.get("/map")
    village = cast.me["demo-village"]["jurisdiction"]
    assert f'href="/map?node={village["id"]}"' in page.text
    inner = await browser.get(f"/map?node={village['id']}")
    assert inner.status_code == 200 and village["name"] in inner.text
    outside = await browser.get(f"/map?node={cast.me['demo-grid-2']['jurisdiction']['id']}")
    assert outside.status_code == 404


def test_a_tile_server_is_the_one_outside_host_images_may_come_from():
    assert (
        tile_source("https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}&y={y}&l={z}")
        == "https://*.tianditu.gov.cn"
    )
    assert (
        tile_source("http://tiles.county.local:8080/{z}/{x}/{y}.png")
        == "http://tiles.county.local:8080"
    )
    assert tile_source("javascript:alert(1)") is None
    from dataclasses import replace

    settings = replace(get_settings(), tile_url="https://tiles.example.gov.cn/{z}/{x}/{y}.png")
    policy = content_security_policy(settings)
    assert "img-src 'self' data: blob: https://tiles.example.gov.cn;" in policy
    assert "connect-src 'self'" in policy and content_security_policy(get_settings()) == CSP


async def test_areas_are_shaded_by_their_count_of_open_cases_and_the_legend_says_counts(cast):
    r = await cast.api["demo-county"].get("/api/v1/map/areas", params={"zoom": 10})
    areas = [f["properties"] for f in r.json()["features"]]
    most = max(a["open"] for a in areas)
    assert r.json()["max_open"] == most
    # the area with the most open cases is darkest, whatever its size; fewer never darker
    by_count = sorted(areas, key=lambda a: a["open"])
    assert [a["shade"] for a in by_count] == sorted(a["shade"] for a in areas)
    assert all(a["shade"] == 5 for a in areas if a["open"] == most)
    page = (await (await cast.browser("demo-county")).get("/map")).text
    assert "件/km²" not in page and "每平方公里" not in page.split('id="map-config"')[0]
    assert "区域内未结案件数" in page and re.search(rf"</span>(\d+–)?{most}</span>", page)


async def test_the_map_filters_to_overdue_cases_on_both_engines(cast):
    api = cast.api["demo-county"]
    everything = (await api.get("/api/v1/map/cases", params={"per_page": 5000})).json()
    overdue = (await api.get("/api/v1/map/cases", params={"per_page": 5000, "overdue": 1})).json()
    late = {
        str(r["id"])
        for r in await Dispute.select(Dispute.id).where(
            (Dispute.due_at <= datetime.now(UTC))
            & Dispute.status.is_in(list(OPEN_STATUSES))
            & Dispute.lon.is_not_null()
            # the officer's county: other suites log cases in counties of their own
            & (Dispute.county == cast.me["demo-county"]["jurisdiction"]["id"])
        )
    }
    assert late, "the demo county has overdue cases"
    assert {f["properties"]["id"] for f in overdue["features"]} == late
    assert overdue["total"] < everything["total"]
    areas = (await api.get("/api/v1/map/areas", params={"overdue": "1"})).json()["features"]
    assert (
        0
        < sum(a["properties"]["open"] for a in areas)
        < sum(
            a["properties"]["open"] for a in (await api.get("/api/v1/map/areas")).json()["features"]
        )
    )
    page = (await (await cast.browser("demo-county")).get("/map", params={"overdue": 1})).text
    assert "只显示超期案件" in page and 'name="overdue" value="1" checked' in page
