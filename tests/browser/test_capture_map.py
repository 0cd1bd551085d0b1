"""The small map of the capture form on a phone (360×740, Chromium): the GPS point as a pin
inside its grid, a pin dragged by hand to another grid (kept as "manual", that grid picked),
the county's base map served by a tile server of the test's own on 127.0.0.1 (nothing else
fetched), and GCJ-02 tiles: the same point drawn where the published transform puts it."""

from __future__ import annotations

import re
import struct
import threading
import time
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from math import cos, floor, log, pi, radians, tan
from urllib.parse import urlsplit

import pytest
import shapely.geometry

from app.geo.gcj02 import wgs84_to_gcj02
from app.geo.measure import geodesic_m
from tests.browser.conftest import sign_in
from tests.browser.test_offline import (
    cases_titled,
    eventually,
    log_case,
    my_node,
    ready_for_the_field,
)
from tests.geo.test_gcj02 import REFERENCE

MAP = "[data-capture-map] [data-map]"


def _png() -> bytes:
    """A 256×256 light-grey PNG, made here (no file, no network)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xdd\xdd\xdd" * 256 for _ in range(256))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


class TileServer:
    """A tiny threaded HTTP server answering /{z}/{x}/{y}.png with a PNG, recording each."""

    def __init__(self) -> None:
        png = _png()
        self.requested: list[tuple[int, int, int]] = []
        requested = self.requested

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                found = re.fullmatch(r"/(\d+)/(\d+)/(\d+)\.png", self.path)
                if not found:
                    self.send_error(404)
                    return
                requested.append(tuple(int(v) for v in found.groups()))
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(png)))
                self.end_headers()
                self.wfile.write(png)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def wait_for(self, tile: tuple[int, int, int], seconds: float = 15) -> None:
        """Until the map has asked for `tile` (tiles load after the view settles)."""
        deadline = time.monotonic() + seconds
        while tile not in self.requested:
            assert time.monotonic() < deadline, (tile, self.requested[-12:])
            time.sleep(0.1)

    def __enter__(self) -> TileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """The web-mercator tile holding a point (the XYZ scheme)."""
    n = 2**z
    x = floor((lon + 180.0) / 360.0 * n)
    y = floor((1.0 - log(tan(radians(lat)) + 1 / cos(radians(lat))) / pi) / 2.0 * n)
    return z, x, y


def set_basemap(browser, live_server, **form: str) -> None:
    """The county's administrator chooses the base map on /admin/basemap."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    try:
        page = context.new_page()
        sign_in(page, "demo-admin")
        page.goto("/admin/basemap")
        page.check(f"input[name=kind][value={form.pop('kind')}]")
        gcj02 = form.pop("gcj02", None)
        for name, value in form.items():
            page.fill(f"input[name={name}]", value)
        if gcj02 is not None:
            page.set_checked("input[name=gcj02]", gcj02 == "1")
        page.click("form.basemap-form button[type=submit]")
        page.wait_for_url("**/admin/basemap?done=saved")
    finally:
        context.close()


def pin(page) -> dict:
    """The pin's LatLng on the map (display coordinates) and its pixel in the map."""
    return page.evaluate(
        f"""() => {{
        const m = document.querySelector('{MAP}').pingliMap;
        const ll = m.marker().getLatLng();
        const px = m.map.latLngToContainerPoint(ll);
        return {{lat: ll.lat, lng: ll.lng, x: px.x, y: px.y, zoom: m.map.getZoom()}};
    }}"""
    )


def open_form_at(page, phone, lon: float, lat: float, accuracy: float = 12) -> None:
    phone.grant_permissions(["geolocation"])
    phone.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": accuracy})
    page.goto("/disputes/new")
    page.wait_for_selector("[data-gps-status][data-gps-quality=good]")
    page.wait_for_selector(f"{MAP}[data-grids]")
    page.wait_for_selector("[data-capture-map][data-grid]:not([data-grid=''])")


def test_the_gps_pin_sits_inside_the_worker_grid_on_the_small_map(phone, screenshots_dir):
    page = phone.new_page()
    ready_for_the_field(page)
    grid = my_node(page)
    here = grid.geometry.representative_point()
    lon, lat = round(here.x, 5), round(here.y, 5)
    open_form_at(page, phone, lon, lat)

    shown = pin(page)
    assert grid.geometry.contains(shapely.geometry.Point(shown["lng"], shown["lat"]))
    assert (round(shown["lng"], 5), round(shown["lat"], 5)) == (lon, lat)
    # the pin is drawn inside the map's box, and the grid's outline is drawn around it
    box = page.locator(MAP).bounding_box()
    assert 0 < shown["x"] < box["width"] and 0 < shown["y"] < box["height"]
    assert page.locator(f"{MAP} path.grid-outline.is-chosen").count() == 1
    me = page.evaluate("fetch('/api/v1/me').then(r => r.json())")
    assert page.get_attribute("[data-capture-map]", "data-grid") == str(me["jurisdiction"]["id"])
    # no tiles configured: the grid's name is written on the map
    assert grid.name in page.inner_text(MAP)
    assert page.locator(f"{MAP} .leaflet-tile").count() == 0
    page.locator("[data-capture-map]").scroll_into_view_if_needed()
    page.screenshot(path=f"{screenshots_dir}/capture-map-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # a 1,500 m fix is not filled in, and no pin is put anywhere
    phone.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 1500})
    page.goto("/disputes/new")
    page.wait_for_selector("[data-gps-status][data-gps-quality=useless]")
    page.wait_for_selector(f"{MAP}[data-grids]")
    assert page.input_value("input[name=lon]") == ""
    assert page.get_attribute("[data-capture-map]", "data-point") == ""
    assert page.evaluate(f"document.querySelector('{MAP}').pingliMap.marker()") is None

    # the patrol check-in has the same map, and its grid is picked the same way
    phone.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 12})
    page.goto("/checkins")
    page.wait_for_selector("[data-capture-map][data-grid]:not([data-grid=''])")
    assert page.input_value("#checkin-form select[name=grid_id]") == str(me["jurisdiction"]["id"])
    assert page.input_value("#checkin-form input[name=location_source]") == "gps"


def test_a_dragged_pin_is_kept_as_placed_by_hand_in_the_grid_it_lands_in(phone, screenshots_dir):
    page = phone.new_page()
    ready_for_the_field(page, "demo-village")
    village = my_node(page)
    first, second = village.children[0], village.children[1]
    start = first.geometry.representative_point()
    target = second.geometry.representative_point()
    open_form_at(page, phone, round(start.x, 5), round(start.y, 5))
    first_id = page.get_attribute("[data-capture-map]", "data-grid")
    assert page.input_value("select[name=grid_id]") == first_id

    # both points in view, then drag the pin from its place to the other grid
    page.locator("[data-capture-map]").scroll_into_view_if_needed()
    page.evaluate(
        f"""([a, b]) => {{
        const m = document.querySelector('{MAP}').pingliMap;
        m.map.fitBounds(L.latLngBounds([m.basemap.toMap(a[1], a[0]), m.basemap.toMap(b[1], b[0])]),
                        {{padding: [40, 40], animate: false}});
    }}""",
        [[start.x, start.y], [target.x, target.y]],
    )
    to = page.evaluate(
        f"""(b) => {{
        const m = document.querySelector('{MAP}').pingliMap;
        const p = m.map.latLngToContainerPoint(m.basemap.toMap(b[1], b[0]));
        return {{x: p.x, y: p.y}};
    }}""",
        [target.x, target.y],
    )
    at = pin(page)
    icon = page.locator(f"{MAP} .capture-pin").bounding_box()
    grab_x, grab_y = icon["x"] + icon["width"] / 2, icon["y"] + icon["height"] / 2
    page.mouse.move(grab_x, grab_y)
    page.mouse.down()
    page.mouse.move(grab_x + (to["x"] - at["x"]) / 2, grab_y + (to["y"] - at["y"]) / 2, steps=5)
    page.mouse.move(grab_x + to["x"] - at["x"], grab_y + to["y"] - at["y"], steps=5)
    page.mouse.up()

    page.wait_for_function(
        "document.querySelector('input[name=location_source]').value === 'manual'"
    )
    lon = float(page.input_value("input[name=lon]"))
    lat = float(page.input_value("input[name=lat]"))
    assert float(geodesic_m(lon, lat, target.x, target.y)) < 15  # a pixel or two at this zoom
    assert second.geometry.contains(shapely.geometry.Point(lon, lat))
    second_id = page.get_attribute("[data-capture-map]", "data-grid")
    assert second_id and second_id != first_id
    assert page.input_value("select[name=grid_id]") == second_id
    assert page.input_value("input[name=gps_accuracy_m]") == ""
    assert "手动" in page.inner_text("[data-map-status]")
    page.screenshot(path=f"{screenshots_dir}/capture-map-dragged-360.png", full_page=True)

    title = f"手动放点{uuid.uuid4().hex[:6]}"
    page.fill("input[name=title]", title)
    page.select_option("select[name=category]", "neighbours")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/disputes/[0-9a-f-]{36}$"), wait_until="commit")
    (found,) = cases_titled(page, title)
    case = page.request.get(f"/api/v1/disputes/{found['id']}").json()
    assert case["location_source"] == "manual" and case["gps_accuracy_m"] is None
    assert str(case["grid"]["id"]) == second_id
    assert (case["lon"], case["lat"]) == (lon, lat)
    page.goto(f"/disputes/{found['id']}")
    assert "手动放置" in page.inner_text("[data-gps-point]")


@pytest.fixture
def tiles(browser, live_server):
    """A tile server of the test's own; the county's base map restored to none after."""
    with TileServer() as server:
        try:
            yield server
        finally:
            set_basemap(browser, live_server, kind="none")


def test_tiles_come_from_the_configured_server_and_gcj02_tiles_shift_the_point(
    phone, browser, live_server, tiles, screenshots_dir
):
    page = phone.new_page()
    requests, problems = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    ready_for_the_field(page)
    here = my_node(page).geometry.representative_point()
    lon, lat = round(here.x, 5), round(here.y, 5)

    # WGS84 tiles (a county's own server): the point where GPS says
    set_basemap(browser, live_server, kind="xyz", url=tiles.url, subdomains="", gcj02="0")
    open_form_at(page, phone, lon, lat)
    page.locator(f"{MAP} img.leaflet-tile-loaded").first.wait_for()
    csp = page.request.get("/disputes/new").headers["content-security-policy"]
    assert f"img-src 'self' data: blob: {urlsplit(tiles.url).scheme}://127.0.0.1:" in csp
    wgs = pin(page)
    assert (round(wgs["lng"], 5), round(wgs["lat"], 5)) == (lon, lat)
    zoom = int(wgs["zoom"])
    eventually(page, "true")  # let the requests settle
    tiles.wait_for(tile_of(lon, lat, zoom))
    assert page.get_attribute(MAP, "data-basemap") == "xyz"
    page.screenshot(path=f"{screenshots_dir}/capture-map-tiles-360.png", full_page=True)

    # the same tiles said to be GCJ-02 (AMap, Tencent): the pin drawn where the transform
    # puts the point, the form still holding the GPS point
    tiles.requested.clear()
    set_basemap(browser, live_server, kind="xyz", url=tiles.url, subdomains="", gcj02="1")
    open_form_at(page, phone, lon, lat)
    page.locator(f"{MAP} img.leaflet-tile-loaded").first.wait_for()
    assert page.get_attribute(MAP, "data-gcj02") == "1"
    gcj = pin(page)
    glon, glat = wgs84_to_gcj02(wgs["lng"], wgs["lat"])
    assert float(geodesic_m(gcj["lng"], gcj["lat"], glon, glat)) < 5
    assert float(geodesic_m(gcj["lng"], gcj["lat"], lon, lat)) > 100  # it did move
    expected_px = page.evaluate(
        f"""([lng, lat]) => {{
        const p = document.querySelector('{MAP}').pingliMap.map.latLngToContainerPoint([lat, lng]);
        return [p.x, p.y];
    }}""",
        [glon, glat],
    )
    assert abs(expected_px[0] - gcj["x"]) < 1 and abs(expected_px[1] - gcj["y"]) < 1
    assert page.input_value("input[name=lon]") == f"{lon:.6f}"
    assert page.input_value("input[name=lat]") == f"{lat:.6f}"
    tiles.wait_for(tile_of(glon, glat, int(gcj["zoom"])))

    # the browser's transform is the Python one
    for (wlat, wlon), (rlat, rlon) in REFERENCE:
        got = page.evaluate(f"PingliBasemap.wgs84ToGcj02({wlon}, {wlat})")
        assert got == pytest.approx([rlon, rlat], abs=1e-9)
        back = page.evaluate(f"PingliBasemap.gcj02ToWgs84({rlon}, {rlat})")
        assert back == pytest.approx([wlon, wlat], abs=1e-8)

    outside = [
        u
        for u in requests
        if urlsplit(u).scheme in ("http", "https") and urlsplit(u).hostname != "127.0.0.1"
    ]
    assert not outside, outside
    assert not [p for p in problems if "Content Security Policy" in p], problems


def test_with_no_signal_the_map_picks_the_grid_and_near_lists_the_kept_cases(phone):
    page = phone.new_page()
    ready_for_the_field(page)
    grid = my_node(page)
    here = grid.geometry.representative_point()
    lon, lat = round(here.x, 5), round(here.y, 5)
    me = page.evaluate("fetch('/api/v1/me').then(r => r.json())")
    title = f"附近离线{uuid.uuid4().hex[:6]}"
    log_case(page, title, lon=str(round(lon + 0.0004, 6)), lat=str(lat))
    page.wait_for_url(re.compile(r".*/disputes/[0-9a-f-]{36}$"), wait_until="commit")
    (logged,) = cases_titled(page, title)
    online = page.request.get(f"/api/v1/disputes/near?lon={lon}&lat={lat}&radius_m=5000").json()
    # /near opened once with a network keeps the field kit (the grid, the open cases)
    page.goto("/near")
    owner = me["username"]
    eventually(
        page,
        f"PingliField.load('{owner}').then(k => Boolean(k && k.areas && "
        f"k.cases.features.some(f => f.properties.id === '{logged['id']}')))",
    )

    phone.set_offline(True)
    try:
        page.goto("/near")  # the copy the service worker kept
        page.fill("input[name=lon]", str(lon))
        page.fill("input[name=lat]", str(lat))
        page.select_option("select[name=radius_m]", "5000")
        page.click("#near-form button[type=submit]")
        page.wait_for_selector("#near-results[data-offline='1']")
        shown = page.locator("#near-results .case-no").all_inner_texts()
        expected = [c["case_no"] for c in online["items"]]
        assert [s.split(" · ")[0] for s in shown] == expected[: len(shown)]
        assert len(shown) == len(expected) and logged["case_no"] in shown[0]
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        # the capture form with no signal: the grid of the fix is found on the phone
        phone.grant_permissions(["geolocation"])
        phone.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 8})
        page.goto("/disputes/new")
        page.wait_for_selector("[data-gps-status][data-gps-quality=good]")
        page.wait_for_selector("[data-capture-map][data-grid]:not([data-grid=''])")
        assert page.get_attribute("[data-capture-map]", "data-grid") == str(
            me["jurisdiction"]["id"]
        )
    finally:
        phone.set_offline(False)


def test_the_case_map_draws_the_same_tiles_under_its_areas(phone, browser, live_server, tiles):
    set_basemap(browser, live_server, kind="xyz", url=tiles.url, subdomains="", gcj02="0")
    page = phone.new_page()
    requests, problems = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    sign_in(page, "demo-township")
    page.goto("/map")
    page.wait_for_selector("#map[data-areas]")
    page.locator("#map img.leaflet-tile-loaded").first.wait_for()
    assert page.get_attribute("#map", "data-basemap") == "xyz"
    assert tiles.requested and all(z >= 5 for z, _x, _y in tiles.requested)
    outside = [
        u
        for u in requests
        if urlsplit(u).scheme in ("http", "https") and urlsplit(u).hostname != "127.0.0.1"
    ]
    assert not outside, outside
    assert not problems, problems
