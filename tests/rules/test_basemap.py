"""The county's base map is chosen by its administrator: Tianditu (vector + labels, with the
key), an XYZ address (GCJ-02 or not), or none. Maps are handed exactly the chosen tiles, the CSP
lets exactly their host in, every change is audited, and a bad address is refused with nothing
saved."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from app.audit.tables import AuditLog
from app.rules import basemap
from app.rules.tables import BaseMapSetting, RulesVersion
from app.settings import get_settings

KEY = "0123456789abcdef0123456789abcdef"


async def _forget() -> None:
    await BaseMapSetting.delete(force=True)
    await RulesVersion.update({RulesVersion.version: RulesVersion.version + 1}, force=True)
    basemap.forget()


@pytest.fixture
async def no_basemap(app):
    await _forget()
    yield
    await _forget()


def _map_config(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="map-config">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))["basemap"]


async def test_tianditu_chosen_by_the_administrator_reaches_every_map_and_the_csp(no_basemap, cast):
    admin = await cast.browser("demo-admin")
    page = await admin.get("/admin/basemap")
    assert (
        page.status_code == 200
        and "天地图" in page.text
        and 'data-basemap-state="default"' in page.text
    )
    r = await admin.post_form("/admin/basemap", {"kind": "tianditu", "tianditu_key": KEY})
    assert r.status_code == 303, r.text

    officer = await cast.browser("demo-county")
    page = await officer.get("/map")
    config = _map_config(page.text)
    assert config["kind"] == "tianditu" and config["gcj02"] is False
    urls = [layer["url"] for layer in config["layers"]]
    assert "/vec_w/wmts?" in urls[0] and "LAYER=vec" in urls[0] and "TILEMATRIXSET=w" in urls[0]
    assert "/cva_w/wmts?" in urls[1] and "LAYER=cva" in urls[1]  # the labels over the map
    assert all(f"tk={KEY}" in u and u.startswith("https://t{s}.tianditu.gov.cn/") for u in urls)
    assert (
        "img-src 'self' data: blob: https://*.tianditu.gov.cn;"
        in (page.headers["content-security-policy"])
    )
    form = await (await cast.browser("demo-grid")).get("/disputes/new")
    assert "tianditu.gov.cn" in form.text  # the capture map draws it too

    entry = await (
        AuditLog.select(AuditLog.kind, AuditLog.what).order_by(AuditLog.id, ascending=False).first()
    )
    assert entry == {"kind": "basemap", "what": "basemap default->tianditu"}
    audit = await admin.get("/admin/audit?kind=basemap")
    assert "底图已更改：服务器默认设置 → 天地图（矢量底图和注记）" in audit.text


async def test_an_xyz_address_with_gcj02_is_handed_to_the_maps_with_its_flag(no_basemap, cast):
    admin = await cast.browser("demo-admin")
    r = await admin.post_form(
        "/admin/basemap",
        {
            "kind": "xyz",
            "url": "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}",
            "subdomains": "1234",
            "gcj02": "1",
            "attribution": "高德地图",
        },
    )
    assert r.status_code == 303, r.text
    page = await (await cast.browser("demo-county")).get("/map")
    config = _map_config(page.text)
    assert config["gcj02"] is True and config["layers"][0]["subdomains"] == "1234"
    assert config["attribution"] == "高德地图"
    assert "https://*.is.autonavi.com" in page.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        ({"kind": "xyz", "url": "https://tiles.example.cn/tiles.png"}, "url", "占位符"),
        ({"kind": "xyz", "url": "javascript:{z}{x}{y}"}, "url", "http://"),
        ({"kind": "xyz", "url": "https://t{s}.example.cn/{z}/{x}/{y}.png"}, "subdomains", "子域名"),
        ({"kind": "tianditu", "tianditu_key": "short"}, "tianditu_key", "天地图密钥"),
        ({"kind": "google"}, "kind", "google"),
    ],
)
async def test_a_bad_choice_is_refused_in_chinese_and_nothing_is_saved(
    no_basemap, cast, form, field, words
):
    admin = await cast.browser("demo-admin")
    r = await admin.post_form("/admin/basemap", form)
    assert r.status_code == 422 and words in r.text, r.text
    assert await BaseMapSetting.count() == 0


def test_the_environment_gives_the_default_of_a_county_that_chose_none(monkeypatch):
    settings = get_settings()
    monkeypatch.setattr(
        basemap, "get_settings", lambda: replace(settings, tianditu_key=KEY, tile_url="")
    )
    assert basemap.config(basemap.env_default())["kind"] == "tianditu"
    monkeypatch.setattr(
        basemap,
        "get_settings",
        lambda: replace(
            settings, tianditu_key="", tile_url="http://10.0.0.9/{z}/{x}/{y}.png", tile_gcj02=True
        ),
    )
    config = basemap.config(basemap.env_default())
    assert config["kind"] == "xyz" and config["gcj02"] is True
    basemap.forget()
    assert "http://10.0.0.9" in basemap.img_sources()
    basemap.forget()  # worked out again with the real settings
    monkeypatch.setattr(
        basemap, "get_settings", lambda: replace(settings, tianditu_key="", tile_url="")
    )
    assert basemap.config(basemap.env_default()) | {"layers": None} == {
        "kind": "none",
        "layers": None,
        "attribution": "",
        "gcj02": False,
        "max_zoom": 18,
    }
