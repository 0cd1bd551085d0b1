"""Pages: the dashboard (/monitor), the boards, alerts, the monthly sweep and reports.

Each handler reads top to bottom: parse the query, find the area in the user's subtree (404
outside it), ask the monitoring modules, render. Filters work without JavaScript (plain GET
forms); htmx swaps only the part that changed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from markupsafe import Markup

from app import clock
from app.audit import log as audit
from app.auth.guards import signed_in
from app.disputes.errors import FieldErrors
from app.disputes.vocabulary import CATEGORIES, label
from app.i18n import _
from app.monitoring import (
    alerts,
    areas,
    board_cache,
    boards,
    charts,
    dashboard,
    exports,
    figures,
    reports,
    sweeps,
)
from app.openapi import PathId
from app.web import render, render_markup

FormData = URLEncodedBody[dict[str, Any]]
TILES = (
    ("new", "open", "resolved", "escalated", "overdue_resolution", "overdue_follow_up", "referred"),
    ("resolution_rate", "village_share", "on_time_rate", "follow_up_rate", "satisfaction"),
    ("group_dispute", "high_risk", "skip_level", "repeat"),
    ("avg_days_village", "avg_days_township", "avg_days_county"),
)


figure_label = figures.label_of
figure_help = figures.help_of


def _charts(board: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's three charts: months, categories, areas."""
    months = [
        {
            "label": str(int(m["month"][5:])),
            "values": {k: m["figures"][k] for k in ("new", "resolved")},
            "series_labels": {"new": figure_label("new"), "resolved": figure_label("resolved")},
        }
        for m in board["months"]
    ]
    categories = [
        {
            "label": c["name"],
            "value": c["figures"]["new"]["value"],
            "display": c["figures"]["new"]["display"],
            "href": c["figures"]["new"]["href"],
        }
        for c in board["by_category"]
    ]
    rate = [
        {
            "label": a["name"],
            "value": a["figures"]["resolution_rate"]["value"] or 0,
            "display": a["figures"]["resolution_rate"]["display"],
            "href": a["figures"]["resolved"]["href"],
        }
        for a in board["by_area"]
    ]
    return {
        "months": charts.columns(
            months,
            [("new", "s-new"), ("resolved", "s-resolved")],
            _("New and resolved cases by month"),
        ),
        "categories": charts.bars(
            sorted(categories, key=lambda r: -(r["value"] or 0)), _("New cases by category")
        ),
        "areas": charts.bars(rate, _("Resolution rate by area"), top=1.0),
    }


def _context(board: dict[str, Any]) -> dict[str, Any]:
    by_code = {f["code"]: f for f in board["figures"]}
    return {
        "board": board,
        "fig": by_code,
        "tiles": [[by_code[c] for c in row] for row in TILES],
        "charts": _charts(board),
        "figure_label": figure_label,
        "figure_help": figure_help,
        "key_figures": dashboard.KEY_FIGURES,
        "categories": [(code, label(CATEGORIES, code)) for code in CATEGORIES],
    }


@get("/monitor", guards=[signed_in])
async def dashboard_page(request: Request) -> Template:
    now = clock.now()
    q = await dashboard.parse(request.user, dict(request.query_params), now)
    board, drawn = await board_cache.board(request.user, q, now, _draw)
    return render(
        request,
        "monitoring/dashboard.html",
        partial="monitoring/_board.html",
        query=q,
        errors=q.errors,
        board=board,
        board_head=drawn["head"],
        board_figures=drawn["figures"],
    )


def _draw(board: dict[str, Any]) -> dict[str, Markup]:
    """The board's figures and the page's head (its area, links and filter form, which show
    the same query), drawn once for board_cache to keep."""
    context = _context(board)
    return {
        "head": render_markup("monitoring/_board_head.html", **context),
        "figures": render_markup("monitoring/_board_figures.html", **context),
    }


@get("/monitor/boards", guards=[signed_in])
async def boards_page(request: Request) -> Template:
    now = clock.now()
    found = await boards.all_boards(request.user, now)
    return render(request, "monitoring/boards.html", boards=found, now=now)


@get("/alerts", guards=[signed_in])
async def alerts_page(request: Request) -> Template:
    state = request.query_params.get("state") or "open"
    kind = request.query_params.get("kind") or None
    if state not in ("open", "all") or (kind and kind not in alerts.RULES):
        raise FieldErrors({"state": _("Unknown value: %(value)s.", value=str(kind or state)[:20])})
    page = await alerts.list_alerts(request.user, state, kind)
    return render(
        request, "monitoring/alerts.html", page=page, state=state, kind=kind, kinds=alerts.kinds()
    )


@get("/alerts/{alert_id:int}", guards=[signed_in])
async def alert_page(request: Request, alert_id: PathId) -> Template:
    return render(
        request,
        "monitoring/alert.html",
        alert=await alerts.get_alert(request.user, alert_id),
        errors={},
    )


@post("/alerts/{alert_id:int}/acknowledge", guards=[signed_in])
async def acknowledge(request: Request, alert_id: PathId, data: FormData) -> Redirect:
    await alerts.acknowledge(request.user, alert_id, str(data.get("note") or ""))
    return Redirect(path=f"/alerts/{alert_id}")


async def _sweep_context(request: Request, now: datetime, month: date) -> dict[str, Any]:
    actor = request.user
    if actor.role == "grid_worker" and actor.grid_id:
        return {
            "worker": True,
            "month": month,
            "mine": await sweeps.filed(actor, actor.grid_id, month),
            "checkins": await sweeps.evidence(actor, actor.grid_id, month),
            "cases": await sweeps.cases_to_link(actor, actor.grid_id, month),
        }
    node = await areas.node(actor, _int(request.query_params.get("jurisdiction")))
    return {
        "worker": False,
        "month": month,
        "node": node,
        "coverage": await sweeps.coverage(actor, node, month),
        "missing": await sweeps.missing(actor, node, month),
        "due": sweeps.is_due(month, now),
        "due_day": sweeps.due_day(),
    }


def _int(raw: Any) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        raise NotFoundException() from None


@get("/sweeps", guards=[signed_in])
async def sweeps_page(request: Request) -> Template:
    now = clock.now()
    month = areas.month_start(areas.today(now))
    return render(
        request,
        "monitoring/sweeps.html",
        errors={},
        values={},
        **await _sweep_context(request, now, month),
    )


@post("/sweeps", guards=[signed_in])
async def file_sweep(request: Request, data: FormData) -> Template | Redirect:
    now = clock.now()
    try:
        await sweeps.file_sweep(request.user, sweeps.parse_sweep(data, now), now)
    except FieldErrors as exc:
        month = areas.month_start(areas.today(now))
        context = await _sweep_context(request, now, month)
        return render(
            request,
            "monitoring/sweeps.html",
            status_code=422,
            errors=exc.errors,
            values=data,
            **context,
        )
    return Redirect(path="/sweeps")


@get("/reports", guards=[signed_in])
async def reports_page(request: Request) -> Template:
    kind = request.query_params.get("kind") or None
    if kind and kind not in reports.KINDS:
        raise FieldErrors({"kind": _("Unknown value: %(value)s.", value=kind[:20])})
    now = clock.now()
    start, end = dashboard.default_period(now)
    return render(
        request,
        "monitoring/reports.html",
        page=await reports.list_reports(request.user, kind),
        kind=kind,
        kinds=reports.KINDS,
        default_from=areas.month_start(end).isoformat(),
        default_to=end.isoformat(),
    )


async def _custom(request: Request) -> dict[str, Any]:
    now = clock.now()
    q = await dashboard.parse(request.user, dict(request.query_params), now)
    if q.errors:
        raise FieldErrors(q.errors)
    return await reports.snapshot(request.user, q.node, q.start, q.end, now)


@get("/reports/custom", guards=[signed_in])
async def custom_report(request: Request) -> Template:
    body = await _custom(request)
    return render(
        request,
        "monitoring/report.html",
        report=body,
        stored=False,
        query=dict(request.query_params),
        kinds=reports.KINDS,
        **_context(body),
    )


@get("/reports/{report_id:int}", guards=[signed_in])
async def report_page(request: Request, report_id: PathId) -> Template:
    body = await reports.get_report(request.user, report_id)
    return render(
        request,
        "monitoring/report.html",
        report=body,
        stored=True,
        query={},
        kinds=reports.KINDS,
        **_context(body),
    )


async def _download(request: Request, body: dict[str, Any], fmt: str) -> Response[bytes]:
    if fmt not in exports.FORMATS:
        raise NotFoundException()
    content, media_type, name = await exports.export(
        request.user, body, fmt, audit.Origin.of(request)
    )
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@get("/reports/{report_id:int}/export/{fmt:str}", guards=[signed_in])
async def report_export(request: Request, report_id: PathId, fmt: FromPath[str]) -> Response[bytes]:
    return await _download(request, await reports.get_report(request.user, report_id), fmt)


@get("/reports/custom/export/{fmt:str}", guards=[signed_in])
async def custom_export(request: Request, fmt: FromPath[str]) -> Response[bytes]:
    return await _download(request, await _custom(request), fmt)


router = Router(
    path="/",
    route_handlers=[
        dashboard_page,
        boards_page,
        alerts_page,
        alert_page,
        acknowledge,
        sweeps_page,
        file_sweep,
        reports_page,
        custom_report,
        report_page,
        report_export,
        custom_export,
    ],
    include_in_schema=False,
)
