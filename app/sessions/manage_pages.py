"""Keeping rooms and juror pools: lists in scope, add and edit forms."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from app.audit import log as audit
from app.auth import policy
from app.auth.guards import signed_in
from app.disputes.errors import FieldErrors
from app.disputes.privacy import mask_phone
from app.i18n import _
from app.openapi import PathId
from app.sessions import jurors, listing, rooms
from app.web import render

FormData = URLEncodedBody[dict[str, Any]]


def _owner(form: dict[str, Any]) -> int | None:
    raw = str(form.get("jurisdiction") or "")
    return int(raw) if raw.isdecimal() else None


def _room_values(form: dict[str, Any]) -> dict[str, Any]:
    days = form.get("open_weekdays")
    return {**form, "open_weekdays": days if isinstance(days, list) else [days] if days else []}


@get("/rooms", guards=[signed_in])
async def rooms_page(request: Request) -> Template:
    """Searched, filtered by township and village, a page at a time; htmx asks for the
    results block only."""
    actor = request.user
    f = listing.Filters.parse(request.query_params)
    found = await listing.choices(actor, f)
    f = listing.settle(f, found)
    items, has_next = await rooms.search_rooms(actor, f)
    manageable = {
        r["id"] for r in items if rooms.may_manage(actor, {"jurisdiction": r["owner"]["id"]})
    }
    return render(
        request,
        "sessions/rooms.html",
        block="results",
        items=items,
        has_next=has_next,
        f=f,
        htmx=request.headers.get("hx-request") == "true",
        **found,
        manageable=manageable,
        can_add=bool(await rooms.owner_choices(actor)),
        weekdays=rooms.WEEKDAYS,
    )


async def _room_form(
    request: Request, values: dict, errors: dict, room_id: int | None = None, status_code: int = 200
) -> Template:
    return render(
        request,
        "sessions/room_form.html",
        status_code=status_code,
        values=values,
        errors=errors,
        room_id=room_id,
        owners=await rooms.owner_choices(request.user) if room_id is None else [],
        weekdays=rooms.WEEKDAYS,
    )


@get("/rooms/new", guards=[signed_in])
async def new_room(request: Request) -> Template:
    if not await rooms.owner_choices(request.user):
        raise PermissionDeniedException(_("You may not manage rooms."))
    defaults = {"capacity": 30, "opens_at": "08:30", "closes_at": "17:30", "active": True}
    return await _room_form(request, defaults | {"open_weekdays": list("12345")}, {})


@post("/rooms", guards=[signed_in])
async def create_room(request: Request, data: FormData) -> Template | Redirect:
    policy.require(request.user, "manage_rooms")  # who, before what they sent
    try:
        await rooms.create_room(
            request.user, _owner(data), rooms.parse_room(data), audit.Origin.of(request)
        )
    except FieldErrors as exc:
        return await _room_form(request, _room_values(data), exc.errors, status_code=422)
    return Redirect(path="/rooms")


@get("/rooms/{room_id:int}/edit", guards=[signed_in])
async def edit_room(request: Request, room_id: PathId) -> Template:
    room = await _managed_room(request, room_id)
    values = {**room, "open_weekdays": list(room["open_weekdays"])}
    return await _room_form(request, values, {}, room_id)


async def _managed_room(request: Request, room_id: int) -> dict[str, Any]:
    """The room, if in the person's area (404) and theirs to manage (403): asked before the
    form's fields, as the README's order of refusals says."""
    room = await rooms.get_room(request.user, room_id)
    if not rooms.may_manage(request.user, room):
        raise PermissionDeniedException(_("You may not manage this room."))
    return room


@post("/rooms/{room_id:int}", guards=[signed_in])
async def update_room(request: Request, room_id: PathId, data: FormData) -> Template | Redirect:
    await _managed_room(request, room_id)
    try:
        await rooms.update_room(
            request.user, room_id, rooms.parse_room(data), audit.Origin.of(request)
        )
    except FieldErrors as exc:
        return await _room_form(request, _room_values(data), exc.errors, room_id, 422)
    return Redirect(path="/rooms")


# ----- jurors -------------------------------------------------------------------------------


@get("/jurors", guards=[signed_in])
async def jurors_page(request: Request) -> Template:
    actor = request.user
    f = listing.Filters.parse(request.query_params)
    found = await listing.choices(actor, f)
    f = listing.settle(f, found)
    rows, has_next = await jurors.search_jurors(actor, f)
    items = [{**j, "phone": mask_phone(j["phone"])} for j in rows]  # a list is not handling
    return render(
        request,
        "sessions/jurors.html",
        block="results",
        items=items,
        has_next=has_next,
        f=f,
        htmx=request.headers.get("hx-request") == "true",
        **found,
        kinds=jurors.JUROR_KINDS,
        can_manage=jurors.may_manage(actor),
    )


async def _juror_form(
    request: Request,
    values: dict,
    errors: dict,
    juror_id: int | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "sessions/juror_form.html",
        status_code=status_code,
        values=values,
        errors=errors,
        juror_id=juror_id,
        pools=await jurors.pool_choices(request.user) if juror_id is None else [],
        kinds=jurors.JUROR_KINDS,
    )


@get("/jurors/new", guards=[signed_in])
async def new_juror(request: Request) -> Template:
    if not jurors.may_manage(request.user):
        raise PermissionDeniedException(_("You may not keep a juror pool."))
    return await _juror_form(
        request, {"active": True, "jurisdiction": request.user.jurisdiction_id}, {}
    )


@post("/jurors", guards=[signed_in])
async def create_juror(request: Request, data: FormData) -> Template | Redirect:
    policy.require(request.user, "keep_jurors")  # who, before what they sent
    try:
        await jurors.create_juror(
            request.user, _owner(data), jurors.parse_juror(data), audit.Origin.of(request)
        )
    except FieldErrors as exc:
        return await _juror_form(request, dict(data), exc.errors, status_code=422)
    return Redirect(path="/jurors")


@get("/jurors/{juror_id:int}/edit", guards=[signed_in])
async def edit_juror(request: Request, juror_id: PathId) -> Template:
    juror = await _kept_juror(request, juror_id)
    # Editing a juror is not a reason to read their number: it is shown masked, as a hint.
    values = {**juror, "phone": "", "phone_masked": mask_phone(juror["phone"])}
    return await _juror_form(request, values, {}, juror_id)


async def _kept_juror(request: Request, juror_id: int) -> dict[str, Any]:
    """The juror, if in the person's area (404) and the person keeps juror pools (403): asked
    before the form's fields."""
    juror = await jurors.get_juror(request.user, juror_id)
    if not jurors.may_manage(request.user):
        raise PermissionDeniedException(_("You may not keep a juror pool."))
    return juror


@post("/jurors/{juror_id:int}", guards=[signed_in])
async def update_juror(request: Request, juror_id: PathId, data: FormData) -> Template | Redirect:
    await _kept_juror(request, juror_id)
    try:
        await jurors.update_juror(
            request.user, juror_id, jurors.parse_juror(data), audit.Origin.of(request)
        )
    except FieldErrors as exc:
        return await _juror_form(request, dict(data), exc.errors, juror_id, 422)
    return Redirect(path="/jurors")


router = Router(
    path="/",
    route_handlers=[
        rooms_page,
        new_room,
        create_room,
        edit_room,
        update_room,
        jurors_page,
        new_juror,
        create_juror,
        edit_juror,
        update_juror,
    ],
    include_in_schema=False,
)
