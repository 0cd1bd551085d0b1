"""Open311 GeoReport v2 at /open311/v2: services, service requests, one request; JSON and XML.

A service is a category; a service request is a case, by its case number. Every call carries
`api_key` (issued at /admin/open311): GET answers the cases of the key's area, with public
fields only — never a party, a phone, a description, nor a point finer than about 100 m; POST
logs a case located to its grid by `lat`/`long`, starting at the village like a patrol's report,
and is idempotent with an `Idempotency-Key` header. The README lists where this departs from the
specification.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from xml.etree import ElementTree as ET

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app import clock
from app.auth import sessions
from app.auth.actor import Actor
from app.auth.scope import scope_where
from app.disputes import categories, services
from app.disputes.errors import Conflict, FieldErrors
from app.disputes.tables import Dispute
from app.disputes.validation import parse_new_dispute
from app.disputes.vocabulary import ACTIVE_CATEGORIES, CATEGORIES, OPEN_STATUSES, STATUSES, label
from app.i18n import _

CHINA = timedelta(hours=8)
MAX_RESULTS = 1000
DEFAULT_DAYS = 90
NAMESPACE = uuid.UUID("9b1f4c2e-3b0a-4f6e-9a57-0f1b8e2d3c11")  # Open311 idempotency keys
FORMATS = {"json": "application/json", "xml": "text/xml"}


class GeoReportError(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def _fmt(request: Request) -> str:
    return request.url.path.rsplit(".", 1)[-1]


def _xml(root: str, item: str, rows: list[dict[str, Any]]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(element, key)
            if isinstance(value, bool):
                child.text = "true" if value else "false"
            elif value is not None:
                child.text = str(value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")


def _answer(fmt: str, root: str, item: str, rows: list[dict], status: int = 200) -> Response:
    body: Any = rows if fmt == "json" else _xml(root, item, rows)
    return Response(
        body,
        status_code=status,
        media_type=FORMATS[fmt],
        headers={"Cache-Control": "no-store"},
    )


def _error(fmt: str, status: int, description: str) -> Response:
    return _answer(fmt, "errors", "error", [{"code": status, "description": description}], status)


async def _client(api_key: str | None) -> Actor:
    actor = await sessions.resolve(api_key, "open311") if api_key else None
    if actor is None:
        raise GeoReportError(403, _("A valid api_key is required."))
    return actor


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value.astimezone(UTC) + CHINA).replace(tzinfo=None).isoformat(
        timespec="seconds"
    ) + "+08:00"


def _service(code: str) -> dict[str, Any]:
    return {
        "service_code": code,
        "service_name": label(CATEGORIES, code),
        "description": label(CATEGORIES, code),
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": categories.national_label(categories.national_of(code)),
    }


_COLUMNS = (
    Dispute.id,
    Dispute.case_no,
    Dispute.category,
    Dispute.title,
    Dispute.status,
    Dispute.lon,
    Dispute.lat,
    Dispute.created_at,
    Dispute.updated_at,
    Dispute.due_at,
    Dispute.township.name.as_alias("township_name"),
    Dispute.village.name.as_alias("village_name"),
    Dispute.grid.name.as_alias("grid_name"),
    Dispute.holder.name.as_alias("holder_name"),
)


def _request_row(r: dict[str, Any]) -> dict[str, Any]:
    """A case as a service request: public fields only."""
    return {
        "service_request_id": r["case_no"],
        "status": "open" if r["status"] in OPEN_STATUSES else "closed",
        "status_notes": label(STATUSES, r["status"]),
        "service_name": label(CATEGORIES, r["category"]),
        "service_code": r["category"],
        "description": r["title"],
        "agency_responsible": r["holder_name"],
        "service_notice": None,
        "requested_datetime": _iso(r["created_at"]),
        "updated_datetime": _iso(r["updated_at"]),
        "expected_datetime": _iso(r["due_at"]),
        "address": " ".join(
            n for n in (r["township_name"], r["village_name"], r["grid_name"]) if n
        ),
        "address_id": None,
        "zipcode": None,
        # about 100 m: where a dispute is, not whose door it is at
        "lat": round(r["lat"], 3) if r["lat"] is not None else None,
        "long": round(r["lon"], 3) if r["lon"] is not None else None,
        "media_url": None,
    }


def _day(raw: str | None, name: str) -> datetime | None:
    if not raw:
        return None
    try:
        if "T" in raw:
            value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            return value if value.tzinfo else value.replace(tzinfo=UTC) - CHINA
        return datetime.combine(date.fromisoformat(raw), time(0), tzinfo=UTC) - CHINA
    except ValueError:
        raise GeoReportError(400, _("%(name)s must be a date or date-time.", name=name)) from None


@get(["/services.json", "/services.xml"])
async def services_(request: Request, api_key: str | None = None) -> Response:
    try:
        await _client(api_key)
    except GeoReportError as exc:
        return _error(_fmt(request), exc.status, exc.description)
    await categories.current()
    return _answer(_fmt(request), "services", "service", [_service(c) for c in ACTIVE_CATEGORIES])


@get(["/requests.json", "/requests.xml"])
async def requests_(request: Request) -> Response:
    params = request.query_params
    try:
        actor = await _client(params.get("api_key"))
        where = scope_where(Dispute, actor)
        if ids := params.get("service_request_id"):
            where &= Dispute.case_no.is_in([i.strip() for i in ids.split(",")][:MAX_RESULTS])
        else:
            end = _day(params.get("end_date"), "end_date") or clock.now()
            start = _day(params.get("start_date"), "start_date") or end - timedelta(
                days=DEFAULT_DAYS
            )
            where &= (Dispute.created_at >= start) & (Dispute.created_at <= end)
            if codes := params.get("service_code"):
                where &= Dispute.category.is_in(codes.split(","))
            status = params.get("status")
            if status == "open":
                where &= Dispute.status.is_in(list(OPEN_STATUSES))
            elif status == "closed":
                where &= Dispute.status.not_in(list(OPEN_STATUSES))
            elif status:
                raise GeoReportError(400, _("status must be open or closed."))
    except GeoReportError as exc:
        return _error(_fmt(request), exc.status, exc.description)
    rows = await (
        Dispute.select(*_COLUMNS)
        .where(where)
        .order_by(Dispute.created_at, ascending=False)
        .limit(MAX_RESULTS)
    )
    return _answer(_fmt(request), "service_requests", "request", [_request_row(r) for r in rows])


@get(["/requests/{request_id:str}"])
async def one_request(request: Request, request_id: str) -> Response:
    number, dot, fmt = request_id.rpartition(".")
    if not dot or fmt not in FORMATS:
        raise NotFoundException(_("Not found."))
    try:
        actor = await _client(request.query_params.get("api_key"))
    except GeoReportError as exc:
        return _error(fmt, exc.status, exc.description)
    row = await (
        Dispute.select(*_COLUMNS)
        .where(scope_where(Dispute, actor) & (Dispute.case_no == number))
        .first()
    )
    if row is None:  # outside the key's area, like a number that does not exist
        return _error(fmt, 404, _("No such service request."))
    return _answer(fmt, "service_requests", "request", [_request_row(row)])


def _float(raw: Any, name: str) -> float:
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise GeoReportError(400, _("%(name)s is required, as a number.", name=name)) from None


@post(["/requests.json", "/requests.xml"], status_code=201)
async def create(request: Request) -> Response:
    form = await request.form()
    try:
        actor = await _client(form.get("api_key"))
        code = form.get("service_code") or ""
        await categories.current()
        if code not in ACTIVE_CATEGORIES:
            raise GeoReportError(400, _("service_code is not one of the services."))
        lat, lon = _float(form.get("lat"), "lat"), _float(form.get("long"), "long")
        description = (form.get("description") or "").strip()
        if not description:
            raise GeoReportError(400, _("description is required."))
        key = request.headers.get("idempotency-key")
        case_id = uuid.uuid5(NAMESPACE, f"{actor.id}:{key}") if key and len(key) <= 200 else None
        new = parse_new_dispute(
            {
                "id": str(case_id) if case_id else None,
                "title": description[:60],
                "description": description,
                "category": code,
                "source": "online",
                "lon": lon,
                "lat": lat,
            }
        )
        dispute_id, created, _row = await services.create_dispute(actor, new, level="village")
    except GeoReportError as exc:
        return _error(_fmt(request), exc.status, exc.description)
    except FieldErrors as exc:
        where = {"lon": "long", "grid_id": "lat/long"}
        text = "; ".join(f"{where.get(k, k)}: {v}" for k, v in exc.errors.items())
        return _error(_fmt(request), 400, text)
    except (Conflict, PermissionDeniedException) as exc:
        status = 409 if isinstance(exc, Conflict) else 403
        return _error(_fmt(request), status, str(getattr(exc, "message", None) or exc.detail))
    row = await Dispute.select(Dispute.case_no).where(Dispute.id == dispute_id).first()
    answer = [{"service_request_id": row["case_no"], "service_notice": None, "account_id": None}]
    return _answer(
        _fmt(request), "service_requests", "request", answer, status=201 if created else 200
    )


router = Router(
    path="/open311/v2",
    route_handlers=[services_, requests_, one_request, create],
    tags=["open311"],
    include_in_schema=False,
)
