"""The notification centre, and the unread badge every page shows."""

from __future__ import annotations

from litestar import Request, Router, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from app import clock
from app.auth.guards import signed_in
from app.i18n import _
from app.notify import outbox, queries
from app.openapi import PathId
from app.web import render


async def unread_badge(request: Request) -> None:
    """before_request: the count base.html shows. Pages only: the API and static files skip it."""
    path = request.url.path
    if request.scope.get("user") is None or path.startswith(("/api/", "/static/")):
        return
    request.state.unread = await queries.unread_count(request.user.id)


@get("/notifications", guards=[signed_in])
async def centre(request: Request, page: FromQuery[int] = 1) -> Template:
    page = min(max(page, 1), queries.MAX_PAGE)
    items, has_next = await queries.page(request.user.id, page)
    return render(request, "notify/centre.html", items=items, page=page, has_next=has_next)


@post("/notifications/read", guards=[signed_in])
async def read_all(request: Request) -> Redirect:
    await outbox.mark_read(request.user.id, clock.now())
    return Redirect(path="/notifications", status_code=303)


@post("/notifications/{notification_id:int}/open", guards=[signed_in])
async def open_one(request: Request, notification_id: PathId) -> Redirect:
    link = await queries.link_of(request.user.id, notification_id)
    if link is None:
        raise NotFoundException(_("Not found."))
    await outbox.mark_read(request.user.id, clock.now(), notification_id)
    # links are written by our own code, but never follow one off the site
    return Redirect(
        path=link if link.startswith("/") and not link.startswith("//") else "/", status_code=303
    )


router = Router(path="/", route_handlers=[centre, read_all, open_one], include_in_schema=False)
