"""The county's base map: which tiles every map draws under its boundaries and points.

Three presets, chosen by the county's administrator at /admin/basemap:
- `none` (the default, for closed networks): no tiles; the maps draw area and grid names on a
  plain background and fetch nothing from anywhere else.
- `tianditu`: Tianditu's (天地图) vector map with its labels, the web-mercator `w` service
  (vec_w + cva_w), whose coordinates are WGS84/CGCS2000-compatible; needs the county's key.
- `xyz`: any `{z}/{x}/{y}` URL template (a county's own tile server, or AMap/Tencent), with a
  flag saying the tiles are GCJ-02: points are then shifted onto them at display only
  (static/js/basemap.js; stored points stay WGS84).

A county that chose nothing gets the PINGLI_TIANDITU_KEY / PINGLI_TILE_* defaults. Every
process keeps the choices in memory and reloads them when the rules version moves (like the
holiday calendar): `ensure()` runs before each request. The CSP's img-src allows exactly the
hosts of the configured tiles (app/security.py asks `img_sources()`).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from app import clock, db
from app.audit import log as audit
from app.auth.actor import Actor
from app.disputes.errors import FieldErrors
from app.i18n import _
from app.rules.tables import BASEMAP_KINDS, BaseMapSetting, RulesVersion
from app.security import tile_source
from app.settings import get_settings

TIANDITU_LAYERS = ("vec", "cva")  # the vector map, then its labels (注记) on top
TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/%(layer)s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=%(layer)s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=%(key)s"
)
TIANDITU_SUBDOMAINS = "01234567"
TIANDITU_ATTRIBUTION = "天地图 tianditu.gov.cn"
MAX_ZOOM = 18
KEY_RE = re.compile(r"^[A-Za-z0-9]{16,64}$")
SUBDOMAINS_RE = re.compile(r"^[A-Za-z0-9]{0,16}$")

_by_county: dict[int, dict[str, Any]] = {}
_version: int | None = None
_sources: list[str] | None = None


def env_default() -> dict[str, Any]:
    """The base map of a county that chose none: from the environment."""
    s = get_settings()
    if s.tianditu_key:
        return {"kind": "tianditu", "tianditu_key": s.tianditu_key, "attribution": ""}
    if s.tile_url:
        return {
            "kind": "xyz",
            "url": s.tile_url,
            "subdomains": "",
            "gcj02": s.tile_gcj02,
            "attribution": s.tile_attribution,
        }
    return {"kind": "none"}


def config(choice: dict[str, Any]) -> dict[str, Any]:
    """What a page hands its map (static/js/basemap.js): the tile layers, their attribution,
    and whether the tiles are GCJ-02."""
    kind = choice.get("kind") or "none"
    if kind == "tianditu" and choice.get("tianditu_key"):
        return {
            "kind": "tianditu",
            "layers": [
                {
                    "url": TIANDITU_URL % {"layer": layer, "key": choice["tianditu_key"]},
                    "subdomains": TIANDITU_SUBDOMAINS,
                }
                for layer in TIANDITU_LAYERS
            ],
            "attribution": choice.get("attribution") or TIANDITU_ATTRIBUTION,
            "gcj02": False,
            "max_zoom": MAX_ZOOM,
        }
    if kind == "xyz" and choice.get("url"):
        layer: dict[str, Any] = {"url": choice["url"]}
        if choice.get("subdomains"):
            layer["subdomains"] = choice["subdomains"]
        return {
            "kind": "xyz",
            "layers": [layer],
            "attribution": choice.get("attribution") or "",
            "gcj02": bool(choice.get("gcj02")),
            "max_zoom": MAX_ZOOM,
        }
    return {"kind": "none", "layers": [], "attribution": "", "gcj02": False, "max_zoom": MAX_ZOOM}


def choice_for(county: int | None) -> dict[str, Any]:
    """The county's own choice, else the environment's default."""
    if county is not None and county in _by_county:
        return _by_county[county]
    return env_default()


def for_actor(actor: Actor | None) -> dict[str, Any]:
    """The map config of the county the signed-in person belongs to."""
    return config(choice_for(audit.county_of(actor) if actor is not None else None))


def img_sources() -> list[str]:
    """Every tile host any map of this server may load from (the CSP's img-src); worked out
    once per reload of the choices (every answer asks)."""
    global _sources
    if _sources is None:
        found = set()
        for choice in [env_default(), *_by_county.values()]:
            for layer in config(choice)["layers"]:
                if (source := tile_source(layer["url"])) is not None:
                    found.add(source)
        _sources = sorted(found)
    return _sources


async def ensure(version: int) -> None:
    """Reload the counties' choices when the rules version moved (calendar.ensure reads it)."""
    global _version, _by_county, _sources
    if _version == version:
        return
    rows = await BaseMapSetting.select()
    _by_county = {r["county"]: r for r in rows}
    _version, _sources = version, None


def forget() -> None:
    global _version, _sources
    _version, _sources = None, None


async def current(county: int) -> dict[str, Any] | None:
    return await BaseMapSetting.select().where(BaseMapSetting.county == county).first()


def parse(data: Any) -> dict[str, Any]:
    """The administrator's form → a checked choice, or FieldErrors naming each field."""
    errors: dict[str, str] = {}
    kind = str(data.get("kind") or "none")
    if kind not in BASEMAP_KINDS:
        errors["kind"] = _("Unknown value: %(value)s.", value=kind[:20])
    key = str(data.get("tianditu_key") or "").strip()
    url = str(data.get("url") or "").strip()
    subdomains = str(data.get("subdomains") or "").strip()
    attribution = str(data.get("attribution") or "").strip()
    if "\x00" in key + url + subdomains + attribution:
        errors["kind"] = _("Contains a character that is not allowed.")
    if kind == "tianditu" and not KEY_RE.match(key):
        errors["tianditu_key"] = _("Enter the Tianditu key (16–64 letters and digits).")
    if kind == "xyz":
        if (
            len(url) > 500
            or not all(p in url for p in ("{z}", "{x}"))
            or not ("{y}" in url or "{-y}" in url)
        ):
            errors["url"] = _(
                "The tile address needs the placeholders of the zoom, the column and the row."
            )
        elif tile_source(url) is None:
            errors["url"] = _(
                "The tile address must start with http:// or https:// and name its host (the "
                "subdomain placeholder is allowed only in the first part of the host)."
            )
        if "{s}" in url and not subdomains:
            errors["subdomains"] = _("Give the subdomains the address's placeholder stands for.")
    if not SUBDOMAINS_RE.match(subdomains):
        errors["subdomains"] = _("Letters and digits only.")
    if len(attribution) > 200:
        errors["attribution"] = _("At most %(n)s characters.", n=200)
    if errors:
        raise FieldErrors(errors)
    return {
        "kind": kind,
        "tianditu_key": key if kind == "tianditu" else "",
        "url": url if kind == "xyz" else "",
        "subdomains": subdomains if kind == "xyz" else "",
        "gcj02": kind == "xyz" and str(data.get("gcj02") or "") in ("1", "on", "true"),
        "attribution": attribution if kind != "none" else "",
    }


async def save(
    actor: Actor, data: Any, origin: audit.Origin, now: datetime | None = None
) -> dict[str, Any]:
    """The county's base map, written with its audit entry and a bump of the rules version
    (every process reloads it, and the CSP with it)."""
    now = now or clock.now()
    county = audit.county_of(actor)
    choice = parse(data)
    async with db.transaction():
        before = await current(county)
        values = {
            BaseMapSetting.kind: choice["kind"],
            BaseMapSetting.url: choice["url"],
            BaseMapSetting.subdomains: choice["subdomains"],
            BaseMapSetting.gcj02: choice["gcj02"],
            BaseMapSetting.tianditu_key: choice["tianditu_key"],
            BaseMapSetting.attribution: choice["attribution"],
            BaseMapSetting.updated_at: now,
            BaseMapSetting.updated_by: actor.id,
        }
        if before is None:
            await BaseMapSetting.insert(
                BaseMapSetting(county=county, **{c._meta.name: v for c, v in values.items()})
            )
        else:
            await BaseMapSetting.update(values).where(BaseMapSetting.county == county)
        await RulesVersion.update({RulesVersion.version: RulesVersion.version + 1}, force=True)
        was = before["kind"] if before else "default"
        await audit.record_change(
            actor,
            "basemap",
            f"basemap {was}->{choice['kind']}",
            origin,
            county=county,
            now=now,
            action="change_basemap",
            params={"before": was, "after": choice["kind"]},
        )
    forget()
    return choice
