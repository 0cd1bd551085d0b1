"""JSON API: /api/v1/stats (the dashboard's figures, each with the filter that lists its cases
through GET /api/v1/disputes), boards, alerts, sweeps and reports. All scoped."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.params import JSONBody

from app import clock
from app.auth.guards import signed_in
from app.disputes.errors import FieldErrors
from app.i18n import _
from app.monitoring import alerts, areas, boards, dashboard, reports, sweeps
from app.openapi import PathId

NO_STORE = {"Cache-Control": "no-store"}


@get("/stats", guards=[signed_in])
async def stats(request: Request) -> Response[dict[str, Any]]:
    """The figures of an area (`jurisdiction`, default yours) for the cases logged from `from`
    to `to` (China dates; default: the last twelve months), optionally of one `category`: in
    all, by category, by the areas below and by month. Each figure carries `filter`, the
    parameters of GET /api/v1/disputes that list exactly the cases it counts."""
    now = clock.now()
    q = await dashboard.parse(request.user, dict(request.query_params), now)
    if q.errors:
        raise FieldErrors(q.errors)
    return Response(await dashboard.build(request.user, q, now), headers=NO_STORE)


@get("/boards", guards=[signed_in])
async def all_boards(request: Request) -> Response[dict[str, Any]]:
    """Overdue cases (by how long, level, holder), supervision orders awaiting a reply,
    escalations of the last 7 days, repeat cases of the last year."""
    return Response(await boards.all_boards(request.user, clock.now()), headers=NO_STORE)


@get("/alerts", guards=[signed_in])
async def list_alerts(request: Request) -> Response[dict[str, Any]]:
    """Alerts in your area: `state` open (default) or all, `kind`, `page`."""
    state = request.query_params.get("state") or "open"
    kind = request.query_params.get("kind") or None
    errors = {}
    if state not in ("open", "all"):
        errors["state"] = _("Unknown value: %(value)s.", value=state[:20])
    if kind is not None and kind not in alerts.RULES:
        errors["kind"] = _("Unknown value: %(value)s.", value=kind[:20])
    page = request.query_params.get("page") or "1"
    if not page.isdecimal() or not 1 <= int(page) <= 10_000:
        errors["page"] = _("Must be a whole number between 1 and %(high)s.", high=10_000)
    if errors:
        raise FieldErrors(errors)
    return Response(
        await alerts.list_alerts(request.user, state, kind, int(page)), headers=NO_STORE
    )


@get("/alerts/{alert_id:int}", guards=[signed_in])
async def show_alert(request: Request, alert_id: PathId) -> Response[dict[str, Any]]:
    return Response(await alerts.get_alert(request.user, alert_id), headers=NO_STORE)


class NoteIn(msgspec.Struct):
    note: str


@post("/alerts/{alert_id:int}/acknowledge", guards=[signed_in], status_code=200)
async def acknowledge(
    request: Request, alert_id: PathId, data: JSONBody[NoteIn]
) -> Response[dict[str, Any]]:
    """Add a note; the first one from the level alerted (or above) acknowledges the alert."""
    await alerts.acknowledge(request.user, alert_id, data.note)
    return Response(await alerts.get_alert(request.user, alert_id), headers=NO_STORE)


class SweepIn(msgspec.Struct, omit_defaults=True):
    """This month's sweep of your grid: the cases found (ids) or `none_found`, not both."""

    month: str | None = None
    dispute_ids: list[str] = []
    none_found: bool = False
    note: str = ""


@post("/sweeps", guards=[signed_in], status_code=201)
async def file_sweep(request: Request, data: JSONBody[SweepIn]) -> Response[dict[str, Any]]:
    now = clock.now()
    new = sweeps.parse_sweep(msgspec.to_builtins(data), now)
    await sweeps.file_sweep(request.user, new, now)
    return Response(
        await sweeps.filed(request.user, request.user.grid_id, new.month) or {},
        status_code=201,
        headers=NO_STORE,
    )


@get("/sweeps/coverage", guards=[signed_in])
async def coverage(request: Request) -> Response[dict[str, Any]]:
    """This month's sweep coverage under `jurisdiction` (default yours), and the grids missing."""
    now = clock.now()
    raw = request.query_params.get("jurisdiction")
    node = await areas.node(request.user, int(raw) if raw and raw.isdecimal() else None)
    month = areas.month_start(areas.today(now))
    found = await sweeps.coverage(request.user, node, month)
    found["missing"] = await sweeps.missing(request.user, node, month)
    return Response(found, headers=NO_STORE)


@get("/reports", guards=[signed_in])
async def list_reports(request: Request) -> Response[dict[str, Any]]:
    kind = request.query_params.get("kind") or None
    if kind is not None and kind not in reports.KINDS:
        raise FieldErrors({"kind": _("Unknown value: %(value)s.", value=kind[:20])})
    return Response(await reports.list_reports(request.user, kind), headers=NO_STORE)


@get("/reports/{report_id:int}", guards=[signed_in])
async def show_report(request: Request, report_id: PathId) -> Response[dict[str, Any]]:
    """A report exactly as issued."""
    return Response(await reports.get_report(request.user, report_id), headers=NO_STORE)


router = Router(
    path="/api/v1",
    route_handlers=[
        stats,
        all_boards,
        list_alerts,
        show_alert,
        acknowledge,
        file_sweep,
        coverage,
        list_reports,
        show_report,
    ],
    tags=["monitoring"],
)
