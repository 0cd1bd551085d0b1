"""The administrator's user pages (/admin/users): list, create, edit, deactivate, reset.

Administrators only (guard), and only the users of their own area (app/auth/users.py scopes
every lookup: another area's user is 404). A temporary password is shown once, on the answer
to the action that made it, and never stored in clear.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.audit import log as audit
from app.auth import bulk, users
from app.auth.guards import admin_only
from app.auth.tables import ROLES
from app.disputes.errors import FieldErrors
from app.disputes.privacy import mask_phone
from app.i18n import _
from app.web import render

NO_STORE = {"Cache-Control": "no-store"}


def _form_context(**extra: Any) -> dict[str, Any]:
    target = extra.get("target") or {}
    return {
        "roles": ROLES,
        "role_levels": users.ROLE_LEVELS,
        "errors": {},
        "phone_masked": mask_phone(target.get("phone")),
    } | extra


@get("/admin/users")
async def user_list(
    request: Request,
    q: FromQuery[str] = "",
    role: FromQuery[str] = "",
    status: FromQuery[str] = "",
    page: FromQuery[int] = 1,
) -> Template:
    page = max(page, 1)
    rows, has_next = await users.list_users(request.user, q, role, status, page)
    return render(
        request,
        "auth/users.html",
        block="results",
        rows=rows,
        has_next=has_next,
        page=page,
        q=q,
        role=role,
        status=status,
        roles=ROLES,
    )


@get("/admin/users/nodes")
async def node_choices(
    request: Request, q: FromQuery[str] = "", role: FromQuery[str] = ""
) -> Template:
    """htmx: the areas matching what was typed, to choose the user's node from."""
    nodes = await users.nodes_matching(request.user, q, users.ROLE_LEVELS.get(role, ()))
    return render(request, "auth/_node_choices.html", nodes=nodes, chosen=None)


@get("/admin/users/new")
async def new_user(request: Request) -> Template:
    return render(request, "auth/user_form.html", **_form_context(target=None, values={}))


@post("/admin/users")
async def create_user(request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
    try:
        user_id, password = await users.create_user(request.user, data, audit.Origin.of(request))
    except FieldErrors as exc:
        return render(
            request,
            "auth/user_form.html",
            status_code=422,
            **_form_context(target=None, values=data, errors=exc.errors),
        )
    user = await users.get_user(request.user, user_id)
    return render(
        request, "auth/temporary_password.html", target=user, password=password, created=True
    )


@get("/admin/users/{user_id:int}")
async def edit_user(request: Request, user_id: FromPath[int]) -> Template:
    user = await users.get_user(request.user, user_id)
    return render(request, "auth/user_form.html", **_form_context(target=user, values=user))


@post("/admin/users/{user_id:int}")
async def save_user(
    request: Request, user_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Response:
    user = await users.get_user(request.user, user_id)
    try:
        rights_changed = await users.update_user(
            request.user, user_id, data, audit.Origin.of(request)
        )
    except FieldErrors as exc:
        values = user | {k: data.get(k) for k in ("display_name", "phone", "role")}
        return _refused(request, user, values, exc.errors)
    flag = "rights" if rights_changed else "saved"
    return Redirect(path=f"/admin/users/{user_id}?done={flag}", status_code=303)


def _refused(request: Request, user: dict, values: dict, errors: dict) -> Response:
    """The user's form again, with what was refused and why (422)."""
    return render(
        request,
        "auth/user_form.html",
        status_code=422,
        **_form_context(target=user, values=values, errors=errors),
    )


async def _set_active(request: Request, user_id: int, active: bool) -> Response:
    try:
        await users.set_active(request.user, user_id, active, audit.Origin.of(request))
    except FieldErrors as exc:
        user = await users.get_user(request.user, user_id)
        return _refused(request, user, user, exc.errors)
    flag = "activated" if active else "deactivated"
    return Redirect(path=f"/admin/users/{user_id}?done={flag}", status_code=303)


@post("/admin/users/{user_id:int}/deactivate")
async def deactivate_user(request: Request, user_id: FromPath[int]) -> Response:
    return await _set_active(request, user_id, False)


@post("/admin/users/{user_id:int}/activate")
async def activate_user(request: Request, user_id: FromPath[int]) -> Response:
    return await _set_active(request, user_id, True)


@post("/admin/users/{user_id:int}/reset-password")
async def reset_password(request: Request, user_id: FromPath[int]) -> Response:
    try:
        password = await users.reset_password(request.user, user_id, audit.Origin.of(request))
    except FieldErrors as exc:
        user = await users.get_user(request.user, user_id)
        return _refused(request, user, user, exc.errors)
    user = await users.get_user(request.user, user_id)
    page = render(
        request, "auth/temporary_password.html", target=user, password=password, created=False
    )
    page.headers.update(NO_STORE)
    return page


# ----- many at once, from a spreadsheet ------------------------------------------------------


@dataclass
class SheetForm:
    file: UploadFile


def _import_page(request: Request, status_code: int = 200, **context: Any) -> Response:
    page = render(
        request,
        "auth/users_import.html",
        status_code=status_code,
        **({"problem": "", "rows": [], "created": [], "payload": ""} | context),
    )
    page.headers.update(NO_STORE)
    return page


@get("/admin/users/import")
async def import_form(request: Request) -> Response:
    return _import_page(request)


@post("/admin/users/import", request_max_body_size=bulk.MAX_BYTES + 64 * 1024)
async def import_preview(
    request: Request, data: Annotated[SheetForm, Body(media_type=RequestEncodingType.MULTI_PART)]
) -> Response:
    """Each row of the sheet with its problems; nothing is created yet."""
    try:
        rows = bulk.read_sheet(await data.file.read(), data.file.filename or "")
    except bulk.SheetError as exc:
        return _import_page(request, 422, problem=str(exc))
    checked = await bulk.check(request.user, rows)
    bad = any(r["problems"] for r in checked)
    payload = json.dumps([{k: r[k] for k in bulk.FIELDS} for r in checked], ensure_ascii=False)
    return _import_page(request, 422 if bad else 200, rows=checked, payload=payload)


@post("/admin/users/import/confirm")
async def import_confirm(request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
    """Create every account of the checked sheet, or none (checked again)."""
    try:
        rows = json.loads(str(data.get("rows") or "[]"))
        rows = [{k: str(r.get(k) or "") for k in bulk.FIELDS} for r in rows][: bulk.MAX_ROWS]
    except (ValueError, AttributeError):
        rows = []
    if not rows:
        return _import_page(request, 422, problem=_("The spreadsheet has no rows."))
    try:
        created, checked = await bulk.create_all(request.user, rows, audit.Origin.of(request))
    except FieldErrors as exc:  # a username taken in the meantime: nothing was created
        return _import_page(request, 422, problem="; ".join(exc.errors.values()))
    if checked:
        payload = json.dumps([{k: r[k] for k in bulk.FIELDS} for r in checked], ensure_ascii=False)
        return _import_page(request, 422, rows=checked, payload=payload)
    return _import_page(request, created=created)


router = Router(
    path="/",
    guards=[admin_only],
    include_in_schema=False,
    route_handlers=[
        user_list,
        node_choices,
        new_user,
        create_user,
        edit_user,
        save_user,
        deactivate_user,
        activate_user,
        reset_password,
        import_form,
        import_preview,
        import_confirm,
    ],
)
