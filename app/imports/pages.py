"""/admin/ledger-import: the county's administrator or officers upload a ledger (台账), map its
headers and words, check the preview, import, and watch it go in. Services in services.py."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.background_tasks import BackgroundTask
from litestar.connection import ASGIConnection
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Body, URLEncodedBody
from litestar.response import Redirect

from app.audit import log as audit
from app.auth.actor import Actor
from app.auth.guards import signed_in
from app.disputes.errors import FieldErrors
from app.i18n import _
from app.imports import rows as ledger_rows
from app.imports import services, sheets
from app.openapi import PathId
from app.web import render

log = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store"}


async def importers_only(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Before anything is read: only the county's administrator or officers import ledgers."""
    await signed_in(connection, handler)
    if not services.may_import(connection.user):
        raise PermissionDeniedException(
            _("Only the county's administrator or officers import ledgers.")
        )


def _authorise(request: Request) -> Actor:
    if not services.may_import(request.user):
        raise PermissionDeniedException(
            _("Only the county's administrator or officers import ledgers.")
        )
    return request.user


async def _job(actor: Actor, import_id: int, with_rows: bool = True) -> dict[str, Any]:
    try:
        return await services.get(actor, import_id, with_rows)
    except services.NotFound:
        raise NotFoundException() from None


async def _list_page(request: Request, status_code: int = 200, **extra: Any) -> Response:
    page = render(
        request,
        "imports/ledger.html",
        status_code=status_code,
        imports=await services.recent(request.user),
        headers=sheets.TEMPLATE_HEADERS,
        **({"problem": ""} | extra),
    )
    page.headers.update(NO_STORE)
    return page


@get("/admin/ledger-import")
async def ledger_page(request: Request) -> Response:
    _authorise(request)
    return await _list_page(request)


@get("/admin/ledger-import/template.xlsx")
async def ledger_template(request: Request) -> Response[bytes]:
    _authorise(request)
    return Response(
        sheets.template_xlsx(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="ledger-template.xlsx"'},
    )


@dataclass
class LedgerForm:
    file: UploadFile


@post("/admin/ledger-import", request_max_body_size=sheets.MAX_BYTES + 64 * 1024)
async def upload_ledger(
    request: Request,
    data: Annotated[LedgerForm, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Response:
    actor = _authorise(request)
    try:
        import_id = await services.upload(actor, data.file.filename or "", await data.file.read())
    except sheets.SheetError as exc:
        return await _list_page(request, 422, problem=str(exc))
    return Redirect(path=f"/admin/ledger-import/{import_id}", status_code=303)


def _choices() -> dict[str, Any]:
    return {
        "fields": {code: _(label) for code, label in ledger_rows.FIELDS.items()},
        "statuses": {code: _(label) for code, label in ledger_rows.STATUS_TARGETS.items()},
        "categories": {code: _(label) for code, label in services.categories_now().items()},
    }


async def _import_page(
    request: Request, job: dict[str, Any], status_code: int = 200, errors: dict | None = None
) -> Response:
    shown = await services.preview(request.user, job) if job["state"] == "uploaded" else None
    page = render(
        request,
        "imports/import.html",
        status_code=status_code,
        partial="imports/_progress.html",
        job=job,
        preview=shown,
        errors=errors or {},
        **_choices(),
    )
    page.headers.update(NO_STORE)
    return page


@get("/admin/ledger-import/{import_id:int}")
async def import_page(request: Request, import_id: PathId) -> Response:
    actor = _authorise(request)
    return await _import_page(request, await _job(actor, import_id))


@post("/admin/ledger-import/{import_id:int}/mapping")
async def save_mapping(
    request: Request, import_id: PathId, data: URLEncodedBody[dict[str, Any]]
) -> Response:
    actor = _authorise(request)
    await _job(actor, import_id, with_rows=False)
    try:
        await services.save_mapping(actor, import_id, data)
    except FieldErrors as exc:
        return await _import_page(request, await _job(actor, import_id), 422, exc.errors)
    return Redirect(path=f"/admin/ledger-import/{import_id}#preview", status_code=303)


async def _run(actor: Actor, import_id: int) -> None:
    try:
        await services.run(actor, import_id)
    except Exception:  # the page shows it stalled and offers to continue
        log.exception("ledger import %s stopped", import_id)


@post("/admin/ledger-import/{import_id:int}/start")
async def start_import(
    request: Request, import_id: PathId, data: URLEncodedBody[dict[str, Any]]
) -> Response:
    actor = _authorise(request)
    await _job(actor, import_id, with_rows=False)
    try:
        await services.start(
            actor, import_id, str(data.get("mode") or ""), audit.Origin.of(request)
        )
    except FieldErrors as exc:
        return await _import_page(request, await _job(actor, import_id), 422, exc.errors)
    return Redirect(
        path=f"/admin/ledger-import/{import_id}",
        status_code=303,
        background=BackgroundTask(_run, actor, import_id),
    )


@post("/admin/ledger-import/{import_id:int}/continue")
async def continue_import(request: Request, import_id: PathId) -> Response:
    """After a restart cut an import short: go on from the last batch (claims keep it once)."""
    actor = _authorise(request)
    await _job(actor, import_id, with_rows=False)
    return Redirect(
        path=f"/admin/ledger-import/{import_id}",
        status_code=303,
        background=BackgroundTask(_run, actor, import_id),
    )


@get("/admin/ledger-import/{import_id:int}/progress")
async def import_progress(request: Request, import_id: PathId) -> Response:
    """The progress fragment the page polls while the rows go in."""
    actor = _authorise(request)
    job = await _job(actor, import_id, with_rows=False)
    page = render(request, "imports/_progress.html", job=job)
    page.headers.update(NO_STORE)
    return page


router = Router(
    path="/",
    guards=[importers_only],
    include_in_schema=False,
    route_handlers=[
        ledger_page,
        ledger_template,
        upload_ledger,
        import_page,
        save_mapping,
        start_import,
        continue_import,
        import_progress,
    ],
)
