"""The county administrator's pages: /admin/calendar (a year as a month grid, or an uploaded
CSV/.ics list) and /admin/limits (time limits and attempts, per level and per category)."""

from __future__ import annotations

import calendar as months
from datetime import date
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from app import clock
from app.audit import log as audit
from app.auth.guards import admin_only
from app.disputes.deadlines import CHINA
from app.disputes.errors import FieldErrors
from app.disputes.vocabulary import CASE_LEVELS, CATEGORIES
from app.i18n import _
from app.rules import admin, basemap, calendar, limits
from app.web import render

NO_STORE = {"Cache-Control": "no-store"}
MAX_UPLOAD = 256 * 1024


def _county_admin(request: Request) -> None:
    if request.user.level != "county":  # the calendar and the limits are the county's
        raise PermissionDeniedException(_("Only the county's administrator changes these rules."))


def _grid(year: int, days: dict[date, dict]) -> list[dict[str, Any]]:
    """Twelve months of weeks (Monday first), each day with its state."""
    out = []
    for month in range(1, 13):
        weeks = []
        for week in months.Calendar().monthdatescalendar(year, month):
            weeks.append(
                [
                    None
                    if d.month != month
                    else {
                        "day": d,
                        "weekend": d.weekday() >= 5,
                        "kind": days[d]["kind"] if d in days else None,
                        "name": days[d]["name"] if d in days else "",
                        # ticked: a weekday off, or a weekend day at work
                        "flipped": d in days
                        and ((d.weekday() < 5) == (days[d]["kind"] == "holiday")),
                    }
                    for d in week
                ]
            )
        out.append({"month": month, "weeks": weeks})
    return out


async def _calendar_page(
    request: Request, year: int, errors: dict | None = None, status: int = 200, done: str = ""
) -> Template:
    view = await admin.year_view(year)
    today = clock.now().astimezone(CHINA).date()
    return render(
        request,
        "rules/calendar.html",
        status_code=status,
        year=year,
        view=view,
        grid=_grid(year, view["days"]),
        known=sorted(calendar.known_years()),
        years=sorted(set(calendar.known_years()) | {today.year, today.year + 1}),
        missing=calendar.missing_next_year(clock.now()),
        errors=errors or {},
        done=done,
    )


@get("/admin/calendar", guards=[admin_only])
async def calendar_page(
    request: Request, year: FromQuery[int | None] = None, done: FromQuery[str] = ""
) -> Response:
    _county_admin(request)
    today = clock.now().astimezone(CHINA).date()
    chosen = year or calendar.missing_next_year(clock.now()) or today.year
    try:
        admin.check_year(chosen)
    except FieldErrors as exc:
        return await _calendar_page(request, today.year, exc.errors, 422)
    response = await _calendar_page(request, chosen, done=done)
    response.headers.update(NO_STORE)
    return response


@post("/admin/calendar/{year:int}", guards=[admin_only])
async def save_calendar(request: Request, year: FromPath[int]) -> Response:
    """The grid: every ticked day, the whole year at once."""
    _county_admin(request)
    form = await request.form()
    try:
        admin.check_year(year)
        before = (await admin.year_view(year))["days"]
        days = admin.from_flips(year, list(form.getall("flip")), before)
        result = await admin.save_year(request.user, year, days, audit.Origin.of(request))
    except FieldErrors as exc:
        return await _calendar_page(
            request, year if 2000 <= year <= 2100 else 2000, exc.errors, 422
        )
    return Redirect(
        path=f"/admin/calendar?year={year}&done=saved{result['moved']}", status_code=303
    )


@post("/admin/calendar/{year:int}/upload", guards=[admin_only])
async def upload_calendar(request: Request, year: FromPath[int]) -> Response:
    """A CSV or .ics list of the year's holidays and make-up days replaces the year."""
    _county_admin(request)
    form = await request.form()
    upload = form.get("file")
    try:
        admin.check_year(year)
        if not isinstance(upload, UploadFile):
            raise FieldErrors({"file": _("Choose a CSV or .ics file.")})
        data = await upload.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise FieldErrors({"file": _("The file is too large for a year's calendar.")})
        days = admin.parse_upload(upload.filename or "", data)
        result = await admin.save_year(request.user, year, days, audit.Origin.of(request))
    except FieldErrors as exc:
        return await _calendar_page(
            request, year if 2000 <= year <= 2100 else 2000, exc.errors, 422
        )
    return Redirect(
        path=f"/admin/calendar?year={year}&done=saved{result['moved']}", status_code=303
    )


async def _limits_page(
    request: Request, values: dict | None = None, errors: dict | None = None, status: int = 200
) -> Template:
    county = audit.county_of(request.user)
    version, rules = await limits.current(county)
    return render(
        request,
        "rules/limits.html",
        status_code=status,
        version=version,
        rules=values or rules,
        history=await admin.limits_history(county),
        levels=CASE_LEVELS,
        categories=CATEGORIES,
        errors=errors or {},
        done=request.query_params.get("done", ""),
    )


def _as_rules(form: Any) -> dict[str, Any]:
    """What was typed, shaped like the rules, to show the form again with its errors."""
    get = lambda name: form.get(name) or ""  # noqa: E731
    return {
        "working_days": bool(form.get("working_days")),
        "accept_days": get("accept_days"),
        "follow_up_days": get("follow_up_days"),
        "overdue_grace_hours": get("overdue_grace_hours"),
        "resolve_days": {lv: get(f"resolve_{lv}") for lv in limits.LEVELS},
        "attempts": {lv: get(f"attempts_{lv}") for lv in limits.LEVELS},
        "categories": {
            c: {
                "accept_days": get(f"cat_{c}_accept_days"),
                "follow_up_days": get(f"cat_{c}_follow_up_days"),
                "resolve_days": {lv: get(f"cat_{c}_resolve_{lv}") for lv in limits.LEVELS},
            }
            for c in CATEGORIES
        },
    }


@get("/admin/limits", guards=[admin_only])
async def limits_page(request: Request) -> Response:
    _county_admin(request)
    response = await _limits_page(request)
    response.headers.update(NO_STORE)
    return response


@post("/admin/limits", guards=[admin_only])
async def save_limits(request: Request) -> Response:
    _county_admin(request)
    form = await request.form()
    try:
        result = await admin.save_limits(request.user, form, audit.Origin.of(request))
    except FieldErrors as exc:
        return await _limits_page(request, _as_rules(form), exc.errors, 422)
    done = "unchanged" if result.get("unchanged") else f"v{result['version']}"
    return Redirect(path=f"/admin/limits?done={done}", status_code=303)


async def _basemap_page(
    request: Request, values: dict | None = None, errors: dict | None = None, status: int = 200
) -> Response:
    county = audit.county_of(request.user)
    row = await basemap.current(county)
    chosen = values or row or basemap.env_default()
    page = render(
        request,
        "rules/basemap.html",
        status_code=status,
        values={"kind": "none", "url": "", "subdomains": "", "gcj02": False, "tianditu_key": ""}
        | {"attribution": ""}
        | chosen,
        own=row is not None,
        preview=basemap.config(chosen) if not errors else basemap.for_actor(request.user),
        errors=errors or {},
        done=request.query_params.get("done", ""),
    )
    page.headers.update(NO_STORE)
    return page


@get("/admin/basemap", guards=[admin_only])
async def basemap_page(request: Request) -> Response:
    _county_admin(request)
    return await _basemap_page(request)


@post("/admin/basemap", guards=[admin_only])
async def save_basemap(request: Request) -> Response:
    _county_admin(request)
    form = await request.form()
    try:
        await basemap.save(request.user, form, audit.Origin.of(request))
    except FieldErrors as exc:
        typed = {k: form.get(k) or "" for k in ("kind", "url", "subdomains", "tianditu_key")}
        typed |= {"attribution": form.get("attribution") or "", "gcj02": bool(form.get("gcj02"))}
        return await _basemap_page(request, typed, exc.errors, 422)
    return Redirect(path="/admin/basemap?done=saved", status_code=303)


router = Router(
    path="/",
    route_handlers=[
        calendar_page,
        save_calendar,
        upload_calendar,
        limits_page,
        save_limits,
        basemap_page,
        save_basemap,
    ],
    include_in_schema=False,
)
