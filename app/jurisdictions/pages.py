"""The county administrator's boundary pages (/admin/boundaries): upload, preview on a map,
confirm; download the current ones. Services in uploads.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.params import Body, FromQuery, URLEncodedBody
from litestar.response import Redirect

from app.audit import log as audit
from app.auth.guards import admin_only
from app.i18n import _
from app.jurisdictions import uploads
from app.jurisdictions.boundaries import BoundaryErrors
from app.web import render

NO_STORE = {"Cache-Control": "no-store"}


def _labels() -> dict[str, str]:
    return {
        "created": _("Created"),
        "renamed": _("Renamed"),
        "moved": _("Boundary moved"),
        "unchanged": _("Unchanged"),
        "old": _("Boundary before"),
    }


def _county_admin(request: Request) -> None:
    if request.user.level != "county":
        raise PermissionDeniedException(_("Only the county's administrator imports boundaries."))


def _page(request: Request, status_code: int = 200, **context: Any) -> Response:
    page = render(
        request,
        "jurisdictions/boundaries.html",
        status_code=status_code,
        labels=_labels(),
        **({"problems": [], "token": "", "preview": None, "done": None} | context),
    )
    page.headers.update(NO_STORE)
    return page


@get("/admin/boundaries")
async def boundaries_page(
    request: Request,
    token: FromQuery[str] = "",
    created: FromQuery[int | None] = None,
    updated: FromQuery[int | None] = None,
) -> Response:
    """The upload form; with `token`, the preview of an upload awaiting confirmation."""
    _county_admin(request)
    done = {"created": created, "updated": updated} if created is not None else None
    if not token:
        return _page(request, done=done)
    try:
        preview = await uploads.pending_preview(request.user, token)
    except BoundaryErrors as exc:
        return _page(request, 422, problems=exc.problems)
    return _page(request, token=token, preview=preview)


@dataclass
class BoundaryForm:
    file: UploadFile


@post("/admin/boundaries", request_max_body_size=uploads.MAX_BYTES + 64 * 1024)
async def upload_boundaries(
    request: Request,
    data: Annotated[BoundaryForm, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Response:
    _county_admin(request)
    try:
        token, _preview = await uploads.upload(request.user, await data.file.read())
    except BoundaryErrors as exc:
        return _page(request, 422, problems=exc.problems)
    return Redirect(path=f"/admin/boundaries?token={token}", status_code=303)


@post("/admin/boundaries/confirm")
async def confirm_boundaries(request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
    _county_admin(request)
    token = str(data.get("token") or "")
    try:
        report = await uploads.confirm(request.user, token, audit.Origin.of(request))
    except BoundaryErrors as exc:
        return _page(request, 422, problems=exc.problems)
    return Redirect(
        path=f"/admin/boundaries?created={report.created}&updated={report.updated}",
        status_code=303,
    )


@get("/admin/boundaries/download")
async def download_boundaries(request: Request) -> Response[bytes]:
    _county_admin(request)
    content, name = await uploads.download(request.user)
    return Response(
        content,
        media_type="application/geo+json",
        headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE},
    )


router = Router(
    path="/",
    guards=[admin_only],
    include_in_schema=False,
    route_handlers=[boundaries_page, upload_boundaries, confirm_boundaries, download_boundaries],
)
