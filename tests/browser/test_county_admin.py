"""The county administrator in Chromium: a boundary file is uploaded, previewed on the map at
1280 px and confirmed; the admin pages of issue 17 fit a 360 px phone in zh-Hans."""

from __future__ import annotations

import json

from playwright.sync_api import expect
from shapely.geometry import mapping, shape

from tests.browser.conftest import sign_in

DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def _edited(collection: dict) -> tuple[dict, str, list[str]]:
    """A file renaming the last village and moving the border between two of its grids."""
    features = collection["features"]
    village = [f for f in features if f["properties"]["level"] == "village"][-1]
    code = village["properties"]["code"]
    grids = [f for f in features if f["properties"].get("parent_code") == code]
    shapes = {g["properties"]["code"]: shape(g["geometry"]) for g in grids}
    a, b = next(
        (x, y)
        for x in shapes
        for y in shapes
        if x < y and shapes[x].intersection(shapes[y]).length > 0
    )
    piece = shapes[b].intersection(shapes[a].buffer(0.001))
    moved = {a: shapes[a].union(piece), b: shapes[b].difference(piece)}
    out = [
        {
            "type": "Feature",
            "properties": {"code": code, "level": "village", "name": "评理新村"},
            "geometry": None,
        }
    ]
    for grid_code, geometry in moved.items():
        out.append(
            {
                "type": "Feature",
                "properties": {"code": grid_code, "level": "grid"},
                "geometry": mapping(geometry),
            }
        )
    return {"type": "FeatureCollection", "features": out}, code, [a, b]


def test_a_boundary_upload_is_previewed_on_the_map_and_confirmed(
    browser, live_server, tmp_path, screenshots_dir
):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, "demo-admin")
    page.click("nav >> text=边界")
    page.wait_for_url("**/admin/boundaries")

    current = page.request.get("/admin/boundaries/download")
    assert current.ok
    edited, village_code, grid_codes = _edited(current.json())
    upload = tmp_path / "boundaries.geojson"
    upload.write_text(json.dumps(edited), encoding="utf-8")

    page.set_input_files("input[name=file]", str(upload))
    page.click("#boundary-upload button[type=submit]")
    page.wait_for_url("**/admin/boundaries?token=*")
    expect(page.locator("#count-renamed")).to_have_text("1")
    expect(page.locator("#count-moved")).to_have_text("2")
    expect(page.locator("#count-created")).to_have_text("0")
    expect(page.locator("#preview-map.ready")).to_be_visible()
    # on the map: each moved grid twice (new line, old line dashed) and the renamed village
    assert page.locator("#preview-map path.leaflet-interactive").count() == 5
    expect(page.locator("#boundary-preview")).to_contain_text("评理新村")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=f"{screenshots_dir}/boundaries-preview-1280.png", full_page=True)

    page.click("#confirm-import")
    page.wait_for_url("**/admin/boundaries?created=0&updated=3")
    expect(page.locator("#boundaries-done")).to_contain_text("已导入")
    after = {
        f["properties"]["code"]: f
        for f in page.request.get("/admin/boundaries/download").json()["features"]
    }
    assert after[village_code]["properties"]["name"] == "评理新村"
    for code in grid_codes:
        stored = shape(after[code]["geometry"])
        wanted = shape(
            next(f for f in edited["features"] if f["properties"]["code"] == code)["geometry"]
        )
        assert stored.symmetric_difference(wanted).area < 1e-12
    assert not errors, errors
    context.close()


def test_the_county_admin_pages_fit_a_phone(phone, screenshots_dir):
    page = phone.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, "demo-admin")
    for url, name in (
        ("/admin/categories", "categories"),
        ("/admin/boundaries", "boundaries"),
        ("/rooms", "rooms"),
        ("/jurors", "jurors"),
        ("/admin/users/import", "users-import"),
    ):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
        page.screenshot(path=f"{screenshots_dir}/{name}-360.png", full_page=True)
    page.goto("/rooms")
    page.select_option("select[name=township]", index=1)  # htmx narrows, villages appear
    expect(page.locator("#village-filter")).to_be_visible()
    assert page.locator(".room-card").count() <= 20
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"/rooms of one township at 360 px: {height} px tall")  # was 28,000 px for the county
    assert height < 8000
    assert not errors, errors
