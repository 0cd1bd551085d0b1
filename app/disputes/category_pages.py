"""The county administrator's list of categories (/admin/categories): add, rename, move under
another parent or national category, retire and restore. Services in categories.py."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect

from app.audit import log as audit
from app.auth.guards import admin_only
from app.disputes import categories
from app.disputes.errors import FieldErrors
from app.disputes.vocabulary import NATIONAL_CATEGORIES
from app.i18n import _
from app.web import render


def _county_admin(request: Request) -> None:
    if request.user.level != "county":  # one list for the county
        raise PermissionDeniedException(_("Only the county's administrator keeps the categories."))


async def _page(request: Request, status_code: int = 200, **extra: Any) -> Response:
    context = {"errors": {}, "values": {}, "editing": None} | extra
    return render(
        request,
        "disputes/categories.html",
        status_code=status_code,
        rows=await categories.list_all(),
        national=NATIONAL_CATEGORIES,
        **context,
    )


@get("/admin/categories")
async def category_list(request: Request) -> Response:
    _county_admin(request)
    return await _page(request)


@post("/admin/categories")
async def create_category(request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
    _county_admin(request)
    try:
        await categories.create(request.user, data, audit.Origin.of(request))
    except FieldErrors as exc:
        return await _page(request, 422, errors=exc.errors, values=data)
    return Redirect(path="/admin/categories?done=created", status_code=303)


@post("/admin/categories/{code:str}")
async def change_category(
    request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, Any]]
) -> Response:
    _county_admin(request)
    try:
        await categories.change(request.user, code, data, audit.Origin.of(request))
    except FieldErrors as exc:
        return await _page(request, 422, errors=exc.errors, values=data, editing=code)
    return Redirect(path="/admin/categories?done=saved", status_code=303)


router = Router(
    path="/",
    guards=[admin_only],
    include_in_schema=False,
    route_handlers=[category_list, create_category, change_category],
)
