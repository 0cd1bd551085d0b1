"""What makes the app installable and usable offline: the service worker, the web app
manifest, the offline page, the outbox page, and the session check the outbox makes before
it sends anything."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, Router, get, put
from litestar.params import FromPath, JSONBody
from litestar.response import Template
from litestar.utils.scope.state import ScopeState

from app import i18n
from app.auth.guards import signed_in
from app.disputes.errors import FieldErrors
from app.disputes.validation import datetime_field
from app.i18n import _
from app.pwa import devices, shell
from app.web import render

THEME = "#b23a2b"
BACKGROUND = "#f6f4f0"


@get("/sw.js", sync_to_thread=False, include_in_schema=False)
def service_worker(request: Request) -> Response[bytes]:
    """Served from the root so its scope is the whole app. Never cached as a whole: the
    browser revalidates it (a 304 when nothing was deployed) and so notices a new version."""
    current = shell.current()
    etag = f'"{current.version}"'
    headers = {
        "Service-Worker-Allowed": "/",
        "Cache-Control": "no-cache",
        "ETag": etag,
    }
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    return Response(current.sw_script, media_type="text/javascript", headers=headers)


@get("/manifest.webmanifest", sync_to_thread=False, include_in_schema=False)
def manifest() -> Response[dict[str, Any]]:
    # Fetched without cookies, so the language comes from Accept-Language (zh-Hans by default).
    icons = [
        {
            "src": shell.static_url(f"icons/{name}-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": purpose,
        }
        for name, purpose in (("icon", "any"), ("maskable", "maskable"))
        for size in (192, 512)
    ]
    body = {
        "id": "/",
        "name": _("Pingli"),
        "short_name": _("Pingli"),
        "description": _(
            "Log disputes on patrol, online or offline, and follow them to resolution."
        ),
        "lang": i18n.HTML_LANG[i18n.current_locale.get()],
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME,
        "background_color": BACKGROUND,
        "icons": icons,
        "shortcuts": [
            {"name": _("Log a case"), "url": "/disputes/new"},
            {"name": _("Patrol check-in"), "url": "/checkins"},
            {"name": _("Outbox"), "url": "/outbox"},
        ],
    }
    return Response(
        body,
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache", "Vary": "Accept-Language"},
    )


@get("/offline", include_in_schema=False)
async def offline(request: Request) -> Template:
    """What the service worker shows for a page it has never kept, when there is no network."""
    return render(request, "pwa/offline.html")


@get("/outbox", include_in_schema=False)
async def outbox(request: Request) -> Template:
    """The records waiting on this phone. They live in the browser (IndexedDB), so the page is
    an empty frame the outbox script fills; it needs no login, and shows a sign-in prompt when
    the session has lapsed."""
    return render(request, "pwa/outbox.html")


@get("/api/v1/session", guards=[signed_in], tags=["auth"])
async def session(request: Request) -> Response[dict[str, Any]]:
    """Who is signed in and the CSRF token to send back as `x-csrftoken`. The outbox asks
    before sending: a 401 here means "sign in again", and nothing is sent or lost."""
    actor = request.user
    token = ScopeState.from_scope(request.scope).csrf_token
    return Response(
        {
            "user": {
                "id": actor.id,
                "username": actor.username,
                "display_name": actor.display_name,
            },
            "csrf_token": token if isinstance(token, str) else None,
        },
        headers={"Cache-Control": "no-store"},
    )


# Generous for one phone: an outbox holds a few dozen entries at most.
MAX_ENTRIES = 500


class HeldEntry(msgspec.Struct):
    """An entry waiting in the phone's outbox: its UUID, what it is, its label there, when saved."""

    id: uuid.UUID
    kind: Literal["dispute", "checkin"]
    # ISO 8601 as the phone writes it (`new Date().toISOString()`), checked by datetime_field
    saved_at: Annotated[str, msgspec.Meta(min_length=10, max_length=40)]
    label: Annotated[str, msgspec.Meta(max_length=devices.MAX_LABEL)] = ""


class OutboxReport(msgspec.Struct):
    """What the phone's outbox holds now (entries of the signed-in worker), the entries the
    worker discarded since the last report, and the lost entries the worker has been told of."""

    entries: Annotated[list[HeldEntry], msgspec.Meta(max_length=MAX_ENTRIES)]
    discarded: Annotated[list[uuid.UUID], msgspec.Meta(max_length=MAX_ENTRIES)] = []
    acknowledged: Annotated[list[uuid.UUID], msgspec.Meta(max_length=MAX_ENTRIES)] = []


@put("/api/v1/devices/{device_id:uuid}/outbox", guards=[signed_in], tags=["auth"])
async def device_outbox(
    request: Request, device_id: FromPath[uuid.UUID], data: JSONBody[OutboxReport]
) -> Response[dict[str, Any]]:
    """A phone says which entries wait in its outbox (`device_id`: the phone's own UUID).
    Answers with `lost`: entries this phone reported before that are no longer on it and never
    reached the server (the browser cleared its storage), until the worker acknowledges them.
    Reporting the same thing twice is harmless."""
    errors: dict[str, str] = {}
    held = []
    for i, e in enumerate(data.entries):
        saved_at = datetime_field(e.saved_at, f"entries[{i}].saved_at", errors)
        if saved_at is not None:
            held.append(devices.Held(e.id, e.kind, e.label, saved_at))
    if errors:
        raise FieldErrors(errors)
    lost = await devices.report(request.user, device_id, held, data.discarded, data.acknowledged)
    return Response({"lost": lost}, headers={"Cache-Control": "no-store"})


router = Router(
    path="/",
    route_handlers=[service_worker, manifest, offline, outbox, session, device_outbox],
)
