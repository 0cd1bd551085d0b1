"""Pages: the map of a county, township, village or grid (/map) and "open cases near me"
(/near). The map page lists its areas and their open cases as a table too, so it reads
without JavaScript; Leaflet (vendored) draws the layers from the /api/v1/map endpoints."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get
from litestar.response import Template

from app.auth.guards import signed_in
from app.disputes.errors import FieldErrors
from app.disputes.vocabulary import CATEGORIES, JURISDICTION_LEVELS, RISK_LEVELS, STATUSES, label
from app.geo import hotspots, maps, near
from app.geo.api import near_params
from app.i18n import _
from app.jurisdictions.queries import ancestors
from app.jurisdictions.tables import LEVELS
from app.rules import basemap
from app.web import render

FILTER_KEYS = ("node", "level", "category", "from", "to", "status", "overdue")
START_ZOOM = {
    "county": 10,
    "township": 12,
    "village": 13,
    "grid": 15,
}  # until the areas fit the view


def _map_config(request: Request, p: maps.MapParams, params: dict[str, Any]) -> dict:
    return {
        "node": {"id": p.node["id"], "name": p.node["name"], "level": p.node["level"]},
        "centroid": [p.node["centroid_lon"], p.node["centroid_lat"]]
        if p.node["centroid_lon"]
        else None,
        "zoom": START_ZOOM[p.node["level"]],
        "query": {k: params[k] for k in FILTER_KEYS if params.get(k)}
        | {"node": p.node["id"], "level": p.level},
        "urls": {
            "areas": "/api/v1/map/areas",
            "cases": "/api/v1/map/cases",
            "hotspots": "/api/v1/map/hotspots",
            "rooms": "/api/v1/map/rooms",
            "map": "/map",
            "case": "/disputes/",
        },
        "basemap": basemap.for_actor(request.user),
        "labels": {
            "status": {code: label(STATUSES, code) for code in STATUSES},
            "category": {code: label(CATEGORIES, code) for code in CATEGORIES},
            "risk": {code: label(RISK_LEVELS, code) for code in RISK_LEVELS},
        },
        "strings": {
            "areas": _("Boundaries"),
            "cases": _("Cases"),
            "hotspots": _("Hotspots"),
            "rooms": _("Reasoning rooms"),
            "open": _("Open cases: %(n)s"),
            "density": _("%(d)s open cases per km²"),
            "view_case": _("Open the case file"),
            "zoom_in_button": _("Zoom in"),
            "zoom_out_button": _("Zoom out"),
            "layers": _("Layers"),
            "zoom_in": _("Map of this area"),
            "truncated": _(
                "Showing the newest %(shown)s of %(total)s cases here: zoom in or narrow the filters."
            ),
            "hotspot": _("%(count)s cases within %(radius)s m in %(days)s days (%(open)s open)"),
            "capacity": _("Seats: %(n)s"),
            "failed": _("The map data could not be loaded. Check the connection and reload."),
        },
        "hotspot": {"radius_m": hotspots.RADIUS_M, "min_cases": hotspots.MIN_CASES, "days": p.days},
    }


@get("/map", guards=[signed_in])
async def map_page(request: Request) -> Template:
    actor = request.user
    params = dict(request.query_params)
    p = await maps.parse(actor, params)
    rows, top = await maps.area_stats(actor, p)
    levels = LEVELS[LEVELS.index(p.node["level"]) :][1:] or (p.node["level"],)
    return render(
        request,
        "geo/map.html",
        node=p.node,
        node_level=label(JURISDICTION_LEVELS, p.node["level"]),
        crumbs=await ancestors(actor, p.node),
        areas=rows,
        max_open=top,
        scale=maps.scale(top),
        area_levels=[(lv, label(JURISDICTION_LEVELS, lv)) for lv in levels],
        params=p,
        query=params,
        errors=p.errors,
        shades=maps.SHADES,
        hotspot={"radius_m": hotspots.RADIUS_M, "min_cases": hotspots.MIN_CASES},
        config=_map_config(request, p, params),
    )


def _near_offline(request: Request) -> dict:
    """What near.js needs to list the cases kept on the phone when the network is gone."""
    return {
        "owner": request.user.username,
        "labels": {
            "status": {code: label(STATUSES, code) for code in STATUSES},
            "category": {code: label(CATEGORIES, code) for code in CATEGORIES},
        },
        "strings": {
            "offline": _(
                "No network: the open cases kept on this phone (as of %(when)s), nearest first."
            ),
            "none": _("No open case kept on this phone within this distance."),
            "nothing_kept": _(
                "No network, and no cases kept on this phone yet: open this page once with a "
                "network."
            ),
            "m": _("%(n)s m", n="%(n)s"),
            "km": _("%(n)s km", n="%(n)s"),
        },
    }


@get("/near", guards=[signed_in])
async def near_page(request: Request) -> Template:
    params = dict(request.query_params)
    items, errors, radius = None, {}, near.DEFAULT_RADIUS_M
    if params.get("lon") or params.get("lat"):
        try:
            lon, lat, radius, _limit = near_params(params)
        except FieldErrors as exc:
            errors = exc.errors
        else:
            items = await near.open_cases_near(request.user, lon, lat, radius)
            for item in items:
                item["distance_label"] = near.distance_label(item["distance_m"])
    return render(
        request,
        "geo/near.html",
        block="results",
        offline=_near_offline(request),
        items=items,
        errors=errors,
        query=params,
        radius=radius,
        radii=[(r, near.distance_label(r)) for r in sorted({*near.RADII_M, radius})],
    )


router = Router(path="/", route_handlers=[map_page, near_page], include_in_schema=False)
