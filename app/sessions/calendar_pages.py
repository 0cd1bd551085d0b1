"""Calendar pages: a room's or a mediator's day and week, every room in scope for one day, and
the private iCalendar feeds (made, listed, revoked, served)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.auth.guards import signed_in
from app.auth.routes import safe_next
from app.openapi import PathId
from app.sessions import calendar, ics
from app.sessions.rooms import CHINA
from app.web import render

FormData = URLEncodedBody[dict[str, Any]]


def _when(request: Request) -> tuple[str, calendar.Period]:
    view = "day" if request.query_params.get("view") == "day" else "week"
    today = clock.now().astimezone(CHINA).date()
    day = calendar.parse_day(request.query_params.get("date"), today)
    return view, calendar.period(view, day)


@get("/calendar", guards=[signed_in])
async def overview_page(request: Request) -> Template:
    actor = request.user
    today = clock.now().astimezone(CHINA).date()
    day = calendar.parse_day(request.query_params.get("date"), today)
    try:
        township = int(request.query_params.get("township") or 0) or None
    except ValueError:
        township = None
    rooms = await calendar.overview(actor, day, township)
    return render(
        request,
        "sessions/overview.html",
        day=day,
        today=today,
        township=township,
        townships=await calendar.townships_in_scope(actor),
        busy=[r for r in rooms if r["events"]],
        idle=[r for r in rooms if not r["events"]],
        feeds=await ics.my_feeds(actor),
    )


@get("/calendar/rooms/{room_id:int}", guards=[signed_in])
async def room_page(request: Request, room_id: PathId) -> Template:
    view, p = _when(request)
    data = await calendar.room_calendar(request.user, room_id, p)
    return render(
        request,
        "sessions/calendar.html",
        view=view,
        period=p,
        title=data["room"]["name"],
        subtitle=f"{data['room']['opens_at']}–{data['room']['closes_at']}",
        base=f"/calendar/rooms/{room_id}",
        feed_field=("room_id", room_id),
        days=data["days"],
        show_room=False,
    )


@get("/calendar/mediators/{user_id:int}", guards=[signed_in])
async def mediator_page(request: Request, user_id: PathId) -> Template:
    view, p = _when(request)
    data = await calendar.mediator_calendar(request.user, user_id, p)
    own = user_id == request.user.id
    return render(
        request,
        "sessions/calendar.html",
        view=view,
        period=p,
        title=data["mediator"]["display_name"],
        subtitle="",
        base=f"/calendar/mediators/{user_id}",
        feed_field=("mediator_id", user_id) if own else None,
        days=data["days"],
        show_room=True,
    )


@get("/calendar/me", guards=[signed_in])
async def my_calendar(request: Request) -> Redirect:
    query = f"?{request.url.query}" if request.url.query else ""
    return Redirect(path=f"/calendar/mediators/{request.user.id}{query}")


@post("/calendar/feeds", guards=[signed_in])
async def create_feed(request: Request, data: FormData) -> Template:
    room_id = int(data["room_id"]) if str(data.get("room_id") or "").isdecimal() else None
    mediator_id = (
        int(data["mediator_id"]) if str(data.get("mediator_id") or "").isdecimal() else None
    )
    token = await ics.create_feed(request.user, room_id=room_id, mediator_id=mediator_id)
    url = f"{str(request.base_url).rstrip('/')}/calendar/feeds/{token}.ics"
    return render(
        request,
        "sessions/feed_created.html",
        url=url,
        webcal="webcal://" + url.split("://", 1)[1],
        back=safe_next(str(data.get("back") or "/calendar")),
    )


@post("/calendar/feeds/{feed_id:int}/revoke", guards=[signed_in])
async def revoke_feed(request: Request, feed_id: PathId) -> Redirect:
    if not await ics.revoke(request.user, feed_id):
        raise NotFoundException()
    return Redirect(path="/calendar")


@get("/calendar/feeds/{token:str}", include_in_schema=False)
async def feed(request: Request, token: FromPath[str]) -> Response[str]:
    """The feed itself: no login (calendar apps cannot sign in); the token is the key."""
    found = await ics.feed(token.removesuffix(".ics"), str(request.base_url))
    if found is None:
        raise NotFoundException()
    filename, body = found
    return Response(
        body,
        media_type="text/calendar",
        headers={
            "Cache-Control": "private, max-age=300",
            "Content-Disposition": f'inline; filename="{filename}"',
            "Referrer-Policy": "no-referrer",
        },
    )


router = Router(
    path="/",
    route_handlers=[
        overview_page,
        room_page,
        mediator_page,
        my_calendar,
        create_feed,
        revoke_feed,
        feed,
    ],
    include_in_schema=False,
)
