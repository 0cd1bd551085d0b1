"""Patrol check-ins: the idempotent JSON API the outbox posts to, and the page with its form
(which works without JavaScript; with it, the form goes through the offline outbox)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.params import JSONBody, URLEncodedBody
from litestar.response import Redirect, Template
from msgspec import Meta

from app.auth.guards import signed_in
from app.checkins import queries, services
from app.disputes.errors import FieldErrors
from app.disputes.pages import _form_context
from app.disputes.schemas import Accuracy, Lat, Lon
from app.openapi import REPLAYED, RowId
from app.web import render


class CheckinIn(msgspec.Struct, omit_defaults=True):
    """A check-in. `id` is the phone's UUID: posting it again with the same content answers the
    stored check-in (200), with other content 409. `checked_at` is when the worker checked in
    (the phone's clock), which may be long before it reaches us.

    Checked against stored data and the clock, so 422 naming the field even when the body fits
    this description: `lon` and `lat` come together, and with a `grid_id` the point must lie in
    that grid (422 naming `lon` and `lat`, with `located_grid` when it lies in another grid of
    your area); `grid_id` must be a grid of your area (without one, the point must lie in it,
    or you must be a grid worker); `checked_at` lies between 1990 and 5 minutes ahead of the
    server's clock."""

    id: uuid.UUID | None = None
    grid_id: RowId | None = None
    lon: Lon | None = None
    lat: Lat | None = None
    gps_accuracy_m: Accuracy | None = None
    location_source: Literal["gps", "manual"] | None = None
    checked_at: datetime | None = None
    note: Annotated[str, Meta(max_length=services.MAX_NOTE)] | None = None


@post("/api/v1/checkins", guards=[signed_in], tags=["checkins"], responses=REPLAYED)
async def create(request: Request, data: JSONBody[CheckinIn]) -> Response[dict[str, Any]]:
    new = services.parse_checkin(msgspec.to_builtins(data))
    checkin_id, created = await services.create_checkin(request.user, new)
    body = await queries.get_checkin(request.user, checkin_id)
    return Response(
        body, status_code=201 if created else 200, headers={"Cache-Control": "no-store"}
    )


async def _page(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    located_grid: dict | None = None,
) -> Template:
    return render(
        request,
        "checkins/page.html",
        status_code=status_code,
        located_grid=located_grid,
        values=values,
        errors=errors,
        recent=await queries.my_recent(request.user),
        **await _form_context(request),
    )


@get("/checkins", guards=[signed_in], include_in_schema=False)
async def page(request: Request) -> Template:
    return await _page(request, {"id": str(uuid.uuid4()), "grid_id": request.user.grid_id}, {})


@post("/checkins", guards=[signed_in], include_in_schema=False)
async def submit(request: Request, data: URLEncodedBody[dict[str, Any]]) -> Template | Redirect:
    values = {k: v for k, v in data.items() if k != "_csrf_token"}
    if values.get("located_grid"):  # the one-tap "use the grid of this point" after a refusal
        values["grid_id"] = values.pop("located_grid")
    try:
        await services.create_checkin(request.user, services.parse_checkin(values))
    except FieldErrors as exc:
        return await _page(
            request, values, exc.errors, status_code=422, located_grid=exc.extra.get("located_grid")
        )
    return Redirect(path="/checkins")


router = Router(path="/", route_handlers=[create, page, submit])
