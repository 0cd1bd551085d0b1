"""JSON API of the territory: /api/v1/jurisdictions (children), /{id} (a node with its
boundary), /locate (which grid, village, township and county hold a point)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get

from app.auth.guards import signed_in
from app.disputes.errors import FieldErrors
from app.geo.params import QueryLat, QueryLon, int_param
from app.jurisdictions import queries
from app.openapi import PathId

NO_STORE = {"Cache-Control": "no-store"}


@get("/jurisdictions/locate", guards=[signed_in])
async def locate_point(request: Request, lon: QueryLon, lat: QueryLat) -> Response[dict[str, Any]]:
    return Response(await queries.locate_for(request.user, lon, lat), headers=NO_STORE)


@get("/jurisdictions", guards=[signed_in])
async def list_children(request: Request) -> Response[dict[str, Any]]:
    errors: dict[str, str] = {}
    parent = int_param(dict(request.query_params), "parent", None, 1, 2**31 - 1, errors)
    if errors:
        raise FieldErrors(errors)
    items = await queries.children(request.user, parent)
    return Response({"items": items, "total": len(items)}, headers=NO_STORE)


@get("/jurisdictions/{node_id:int}", guards=[signed_in])
async def show(request: Request, node_id: PathId) -> Response[dict[str, Any]]:
    errors: dict[str, str] = {}
    zoom = int_param(dict(request.query_params), "zoom", None, 0, 22, errors)
    if errors:
        raise FieldErrors(errors)
    return Response(await queries.node_detail(request.user, node_id, zoom), headers=NO_STORE)


router = Router(
    path="/api/v1", route_handlers=[locate_point, list_children, show], tags=["jurisdictions"]
)
