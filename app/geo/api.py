"""JSON API of the map (/api/v1/map/…: areas, cases, hotspots, rooms; GeoJSON) and of
"near me" (/api/v1/disputes/near). Every answer is scoped to the signed-in user."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, Router, get
from litestar.params import Parameter

from app.auth.guards import signed_in
from app.disputes.errors import FieldErrors
from app.geo import maps, near
from app.geo.params import QueryLat, QueryLon, int_param, lon_lat

NO_STORE = {"Cache-Control": "no-store"}
GEOJSON = "application/geo+json"


async def _params(request: Request) -> maps.MapParams:
    p = await maps.parse(request.user, dict(request.query_params))
    if p.errors:
        raise FieldErrors(p.errors)
    return p


def _geojson(body: dict) -> Response[dict[str, Any]]:
    return Response(body, media_type=GEOJSON, headers=NO_STORE)


@get("/map/areas", guards=[signed_in], media_type=GEOJSON)
async def areas(request: Request) -> Response[dict[str, Any]]:
    """The areas under `node` (default: yours) at `level`, with open cases and density."""
    return _geojson(await maps.areas(request.user, await _params(request)))


@get("/map/cases", guards=[signed_in], media_type=GEOJSON)
async def cases(request: Request) -> Response[dict[str, Any]]:
    """Case points under `node`, inside `bbox`, newest first, `per_page` (≤ 5,000) a page."""
    return _geojson(await maps.cases(request.user, await _params(request)))


@get("/map/hotspots", guards=[signed_in], media_type=GEOJSON)
async def hotspots(request: Request) -> Response[dict[str, Any]]:
    """Clusters of 3+ cases within 500 m logged in the last `days` (≤ 90) days."""
    return _geojson(await maps.hotspot_layer(request.user, await _params(request)))


@get("/map/rooms", guards=[signed_in], media_type=GEOJSON)
async def rooms(request: Request) -> Response[dict[str, Any]]:
    return _geojson(await maps.rooms(request.user, await _params(request)))


def near_params(params: dict[str, Any]) -> tuple[float, float, int, int]:
    lon, lat = lon_lat(params)
    errors: dict[str, str] = {}
    radius = int_param(params, "radius_m", near.DEFAULT_RADIUS_M, 10, near.MAX_RADIUS_M, errors)
    limit = int_param(params, "limit", near.DEFAULT_LIMIT, 1, near.MAX_LIMIT, errors)
    if errors:
        raise FieldErrors(errors)
    return lon, lat, radius or near.DEFAULT_RADIUS_M, limit or near.DEFAULT_LIMIT


@get("/disputes/near", guards=[signed_in])
async def disputes_near(
    request: Request,
    lon: QueryLon,
    lat: QueryLat,
    radius_m: Annotated[int, Parameter(ge=10, le=near.MAX_RADIUS_M)] = near.DEFAULT_RADIUS_M,
    limit: Annotated[int, Parameter(ge=1, le=near.MAX_LIMIT)] = near.DEFAULT_LIMIT,
) -> Response[dict[str, Any]]:
    """Open cases within `radius_m` of (lon, lat), nearest first, with `distance_m`."""
    radius = radius_m
    items = await near.open_cases_near(request.user, lon, lat, radius, limit)
    return Response({"items": items, "center": [lon, lat], "radius_m": radius}, headers=NO_STORE)


router = Router(
    path="/api/v1", route_handlers=[areas, cases, hotspots, rooms, disputes_near], tags=["map"]
)
