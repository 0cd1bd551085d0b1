"""/admin/open311: the administrator issues and revokes Open311 client keys (keys.py)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import URLEncodedBody
from litestar.response import Redirect

from app.audit import log as audit
from app.auth.guards import admin_only
from app.disputes.errors import FieldErrors
from app.open311 import keys
from app.openapi import PathId
from app.web import render


async def _page(request: Request, status_code: int = 200, **extra: Any) -> Response:
    context = {"errors": {}, "values": {}, "issued": None} | extra
    return render(
        request,
        "open311/keys.html",
        status_code=status_code,
        clients=await keys.clients(request.user),
        accounts=await keys.accounts(request.user),
        **context,
    )


@get("/admin/open311")
async def key_list(request: Request) -> Response:
    return await _page(request)


@post("/admin/open311")
async def issue_key(request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
    raw = str(data.get("account") or "")
    account = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
    try:
        secret = await keys.issue(
            request.user, str(data.get("name") or ""), account, audit.Origin.of(request)
        )
    except FieldErrors as exc:
        return await _page(request, 422, errors=exc.errors, values=data)
    # shown once, on this answer only (never stored, never in a URL)
    return await _page(request, 201, issued={"name": data.get("name"), "key": secret})


@post("/admin/open311/{client_id:int}/revoke")
async def revoke_key(request: Request, client_id: PathId) -> Response:
    try:
        await keys.revoke(request.user, client_id, audit.Origin.of(request))
    except FieldErrors:
        return await _page(request, 404)
    return Redirect(path="/admin/open311?done=revoked", status_code=303)


router = Router(
    path="/",
    guards=[admin_only],
    include_in_schema=False,
    route_handlers=[key_list, issue_key, revoke_key],
)
