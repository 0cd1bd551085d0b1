"""The county admin's page of the audit log (who saw personal data unmasked, who exported)."""

from __future__ import annotations

from litestar import Request, Router, get
from litestar.exceptions import PermissionDeniedException
from litestar.response import Template

from app.audit import present, queries
from app.audit.tables import KINDS
from app.auth.guards import admin_only
from app.i18n import N_, _
from app.settings import get_settings
from app.web import render

KIND_LABELS = {
    "reveal": N_("Numbers revealed"),
    "agreement": N_("Agreement printed with numbers"),
    "export": N_("Export"),
    "user": N_("User account changed"),
    "room": N_("Room changed"),
    "juror": N_("Juror changed"),
    "category": N_("Category changed"),
    "boundaries": N_("Boundaries imported"),
    "open311": N_("Open311 client keys"),
    "calendar": N_("Holiday calendar changed"),
    "limits": N_("Time limits changed"),
    "basemap": N_("Base map changed"),
}
assert set(KIND_LABELS) == set(KINDS)


@get("/admin/audit", guards=[admin_only])
async def audit_page(request: Request) -> Template:
    """Filtered by user (username), case (case number), kind and China dates; newest first."""
    if request.user.level != "county":  # the log is kept per county
        raise PermissionDeniedException(_("Only the county's administrator reads the audit log."))
    filters = queries.Filters.parse(request.query_params)
    page = await queries.entries(request.user, filters)
    for entry in page["items"]:
        entry["device"] = present.device(entry["user_agent"])
        entry["seen"] = present.what(entry["kind"], entry["what"], entry.pop("change"))
    response = render(
        request,
        "audit/log.html",
        page=page,
        f=filters,
        query=filters.query(),
        kinds=KIND_LABELS,
        retention_days=get_settings().audit_retention_days,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


router = Router(path="/", route_handlers=[audit_page], include_in_schema=False)
