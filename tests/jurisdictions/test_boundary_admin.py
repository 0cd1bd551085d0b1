"""Boundaries from the admin pages: the upload is checked like `pingli import-boundaries`, its
changes are previewed (created, renamed, moved) and written only when confirmed; the import is
audited; the current boundaries can be downloaded."""

from __future__ import annotations

import json
import re

from app.audit.tables import AuditLog
from app.jurisdictions.tables import BoundaryUpload, Jurisdiction
from tests.auth.conftest import make_user
from tests.support.cast import DEMO_PASSWORD
from tests.support.monitoring import build_territory


def _square(lon: float, lat: float, size: float = 0.01) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _feature(code: str, level: str, parent: str | None, name: str | None, geometry=None) -> dict:
    props = {"code": code, "level": level, "parent_code": parent}
    if name:
        props["name"] = name
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _file(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


async def _admin_of(cast, t):
    admin = await make_user(t.id("county"), role="admin", password=DEMO_PASSWORD)
    return await cast.browser(admin["username"]), admin


async def _upload(browser, content: bytes):
    return await browser.http.post(
        "/admin/boundaries",
        files={"file": ("boundaries.geojson", content, "application/geo+json")},
        data={"_csrf_token": browser.csrf},
        headers={"x-csrftoken": browser.csrf},
    )


async def test_an_upload_is_previewed_then_imported_only_when_confirmed(cast):
    t = await build_territory()
    admin, who = await _admin_of(cast, t)
    village, grid = t.nodes["A.v"], t.nodes["A.g1"]
    new_code = grid["code"][:-3] + "901"
    r = await _upload(
        admin,
        _file(
            _feature(village["code"], "village", None, "改名村"),
            _feature(new_code, "grid", village["code"], "新网格", _square(113.0, 32.0)),
            _feature(grid["code"], "grid", None, None, _square(113.02, 32.0)),
        ),
    )
    assert r.status_code == 303, r.text
    preview = await admin.get(r.headers["location"])
    assert preview.status_code == 200
    for action, n in (("created", 1), ("renamed", 1), ("moved", 1)):
        assert re.search(rf'id="count-{action}">{n}<', preview.text), action
    assert "新网格" in preview.text and "改名村" in preview.text
    data = json.loads(re.search(r'id="preview-data">(.*?)</script>', preview.text, re.S).group(1))
    assert {f["properties"]["action"] for f in data["features"]} == {"created", "moved"}
    # nothing written yet
    assert not await Jurisdiction.exists().where(Jurisdiction.code == new_code)
    assert (await Jurisdiction.select().where(Jurisdiction.id == village["id"]).first())[
        "name"
    ] == village["name"]

    token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
    done = await admin.post_form(
        "/admin/boundaries/confirm", {"token": token, "_csrf_token": admin.csrf}
    )
    assert done.status_code == 303 and "created=1" in done.headers["location"]
    created = await Jurisdiction.select().where(Jurisdiction.code == new_code).first()
    assert created["village"] == village["id"] and created["boundary"]
    renamed = await Jurisdiction.select().where(Jurisdiction.id == village["id"]).first()
    assert renamed["name"] == "改名村"
    assert not await BoundaryUpload.exists().where(BoundaryUpload.token == token)
    entry = await (
        AuditLog.select(AuditLog.what, AuditLog.detail)
        .where((AuditLog.kind == "boundaries") & (AuditLog.user == who["id"]))
        .first()
    )
    assert (
        entry["what"] == "import boundaries: 1 created, 2 updated" and new_code in entry["detail"]
    )
    # the same token again: gone, nothing imported twice
    again = await admin.post_form(
        "/admin/boundaries/confirm", {"token": token, "_csrf_token": admin.csrf}
    )
    assert again.status_code == 422 and token not in again.text


async def test_a_bad_file_lists_its_problems_and_nothing_is_kept(cast):
    t = await build_territory()
    admin, _who = await _admin_of(cast, t)
    grids = (t.nodes["A.g1"], t.nodes["A.g2"])
    before = await BoundaryUpload.count()
    r = await _upload(
        admin,
        _file(
            *[
                _feature(g["code"], "grid", None, None, _square(113.0 + i * 0.005, 32.0))
                for i, g in enumerate(grids)
            ]
        ),
    )
    assert r.status_code == 422
    assert "未导入" in r.text or "Nothing was imported" in r.text
    assert grids[0]["code"] in r.text and grids[1]["code"] in r.text  # the overlap, named
    assert await BoundaryUpload.count() == before
    assert (await _upload(admin, b"{not json")).status_code == 422


async def test_an_upload_may_not_reach_outside_the_county(cast):
    t = await build_territory()
    admin, _who = await _admin_of(cast, t)
    demo_village = cast.me["demo-village"]["jurisdiction"]
    row = (
        await Jurisdiction.select(Jurisdiction.code)
        .where(Jurisdiction.id == demo_village["id"])
        .first()
    )
    r = await _upload(admin, _file(_feature(row["code"], "village", None, "越界")))
    assert r.status_code == 422 and row["code"] in r.text


async def test_only_the_county_administrator_imports_and_downloads_boundaries(cast):
    for username in ("demo-county", "demo-township"):
        b = await cast.browser(username)
        assert (await b.get("/admin/boundaries")).status_code == 403
        assert (await b.get("/admin/boundaries/download")).status_code == 403
    admin = await cast.browser("demo-admin")
    r = await admin.get("/admin/boundaries/download")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    collection = r.json()
    levels = [f["properties"]["level"] for f in collection["features"]]
    assert levels[0] == "county" and levels.count("grid") >= 600
