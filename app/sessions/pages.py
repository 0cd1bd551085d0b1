"""Pages for sessions: book one for a case (with the room's free slots), look at it, record
what happened, print the agreement. Every form works without JavaScript; htmx refreshes the
free slots when the room or the day changes."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from litestar import Request, Router, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.audit import log as audit
from app.auth import policy
from app.auth.guards import signed_in
from app.auth.scope import get_or_404
from app.disputes.errors import Conflict, FieldErrors
from app.disputes.tables import Dispute, Party
from app.openapi import PathId
from app.sessions import actions, agreement, booking, calendar, jurors, queries, rooms
from app.sessions.rooms import CHINA
from app.sessions.states import OUTCOMES
from app.web import render

FormData = URLEncodedBody[dict[str, Any]]


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else ([] if value in (None, "") else [value])


def local_iso(day: str, hhmm: str) -> str:
    """A China-time date and HH:MM from a form as ISO 8601 with the offset ("" when absent)."""
    return f"{day}T{hhmm}:00+08:00" if day and hhmm else ""


def _span_from_form(form: dict[str, Any]) -> tuple[str, str]:
    """The span a person chose: their own start/end times win over a picked free slot."""
    day = str(form.get("date") or "")
    start, end = str(form.get("start_time") or ""), str(form.get("end_time") or "")
    if not (start and end) and "-" in str(form.get("slot") or ""):
        start, end = str(form["slot"]).split("-", 1)
    return local_iso(day, start), local_iso(day, end)


def booking_payload(form: dict[str, Any]) -> dict[str, Any]:
    starts_at, ends_at = _span_from_form(form)
    return {
        "dispute_id": form.get("dispute_id"),
        "room_id": form.get("room_id"),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "mediator_ids": as_list(form.get("mediator_ids")),
        "juror_ids": as_list(form.get("juror_ids")),
        "confirmed_juror_ids": as_list(form.get("confirmed_juror_ids")),
        "party_ids": as_list(form.get("party_ids")),
        "public": form.get("public") == "1",
        "private_reason": form.get("private_reason") or None,
        "private_note": form.get("private_note") or "",
    }


async def _booking_context(request: Request, values: dict[str, Any]) -> dict[str, Any]:
    actor = request.user
    try:
        dispute_id = uuid.UUID(str(values.get("dispute_id")))
    except ValueError:
        raise NotFoundException() from None
    case = await get_or_404(
        Dispute, dispute_id, actor, Dispute.id, Dispute.case_no, Dispute.title, Dispute.village
    )
    parties = (
        await Party.select(Party.id, Party.name, Party.role)
        .where(Party.dispute == dispute_id)
        .order_by(Party.position)
    )
    room_list = await rooms.list_rooms(actor)
    room_ids = [r["id"] for r in room_list]
    try:
        room_id = int(values.get("room_id") or 0)
    except ValueError:
        room_id = 0
    if room_id not in room_ids:
        room_id = room_ids[0] if room_ids else 0
    today = clock.now().astimezone(CHINA).date()
    day = calendar.parse_day(str(values.get("date") or ""), today + timedelta(days=1))
    minutes = int(values.get("minutes") or rooms.DEFAULT_SLOT_MINUTES)
    minutes = minutes if minutes in (30, 60, 90, 120, 180) else rooms.DEFAULT_SLOT_MINUTES
    slots = None
    if room_id:
        slots = await rooms.day_slots(
            await rooms.get_room(actor, room_id), day, minutes, clock.now()
        )
    pool = await jurors.list_jurors(actor)
    return {
        "case": case,
        "parties": parties,
        "rooms": room_list,
        "room_id": room_id,
        "day": day,
        "minutes": minutes,
        "slots": slots,
        "mediators": await calendar.mediators_in_scope(actor),
        "jurors": [{**j, "flag": jurors.relation_flag(j, case["village"], parties)} for j in pool],
        "juror_kinds": jurors.JUROR_KINDS,
        "private_reasons": booking.PRIVATE_REASONS,
    }


def _default_values(request: Request) -> dict[str, Any]:
    params = request.query_params
    values: dict[str, Any] = {k: params.get(k) for k in params}
    for many in ("mediator_ids", "juror_ids", "confirmed_juror_ids", "party_ids"):
        values[many] = params.getall(many, [])
    if "public" not in params and "room_id" not in params:  # a fresh form, not a refill
        values.update(public="1", mediator_ids=[str(request.user.id)], party_ids=None)
    return values


@get("/sessions/new", guards=[signed_in])
async def new_session(request: Request) -> Template:
    values = _default_values(request)
    context = await _booking_context(request, values)  # 404 for a case out of the area first
    policy.require(request.user, "manage_sessions")
    return render(request, "sessions/book.html", block="slots", values=values, errors={}, **context)


@post("/sessions", guards=[signed_in])
async def create_session(request: Request, data: FormData) -> Template | Redirect:
    policy.require(request.user, "manage_sessions")  # who, before what they sent
    try:
        wanted = booking.parse_booking(booking_payload(data))
        session_id = await booking.book(request.user, wanted)
    except (FieldErrors, Conflict) as exc:
        errors = exc.errors if isinstance(exc, FieldErrors) else {"conflict": exc.message}
        values = {
            **data,
            **{
                k: as_list(data.get(k))
                for k in ("mediator_ids", "juror_ids", "confirmed_juror_ids", "party_ids")
            },
        }
        context = await _booking_context(request, values)
        status = 422 if isinstance(exc, FieldErrors) else 409
        return render(
            request,
            "sessions/book.html",
            status_code=status,
            values=values,
            errors=errors,
            **context,
        )
    return Redirect(path=f"/sessions/{session_id}")


async def _detail(
    request: Request, session_id: int, errors: dict, status_code: int = 200
) -> Template:
    actor = request.user
    session = await queries.get_session(actor, session_id)
    today = clock.now().astimezone(CHINA).date()
    return render(
        request,
        "sessions/detail.html",
        status_code=status_code,
        s=session,
        history=await queries.history(actor, session_id),
        outcomes=OUTCOMES,
        rooms=await rooms.list_rooms(actor),
        errors=errors,
        failed=next(iter(errors), "").split(".")[0],
        today=today,
    )


@get("/sessions/{session_id:int}", guards=[signed_in])
async def session_page(request: Request, session_id: PathId) -> Template:
    return await _detail(request, session_id, {})


def action_payload(action: str, form: dict[str, Any]) -> dict[str, Any]:
    payload = {k: v for k, v in form.items() if k != "_csrf_token"}
    if action == "hold":
        payload["attended_party_ids"] = as_list(form.get("attended_party_ids"))
        payload["attended_juror_ids"] = as_list(form.get("attended_juror_ids"))
    if action == "reschedule":
        payload["starts_at"], payload["ends_at"] = _span_from_form(form)
    return payload


@post("/sessions/{session_id:int}/actions/{action:str}", guards=[signed_in])
async def session_action(
    request: Request, session_id: PathId, action: FromPath[str], data: FormData
) -> Template | Redirect:
    await get_or_404(queries.S, session_id, request.user, queries.S.id)
    try:
        shown = await actions.act(request.user, session_id, action, action_payload(action, data))
    except FieldErrors as exc:
        return await _detail(
            request, session_id, {f"{action}.{k}": v for k, v in exc.errors.items()}, 422
        )
    except Conflict as exc:
        return await _detail(request, session_id, {f"{action}.conflict": exc.message}, 409)
    return Redirect(path=f"/sessions/{shown}")


@get("/sessions/{session_id:int}/agreement", guards=[signed_in])
async def agreement_page(request: Request, session_id: PathId) -> Template:
    paper = await agreement.agreement(request.user, session_id, audit.Origin.of(request))
    response = render(request, "sessions/agreement.html", a=paper)
    response.headers["Cache-Control"] = "no-store"  # parties' numbers: no copy on the phone
    return response


@get("/disputes/{dispute_id:uuid}/sessions", guards=[signed_in])
async def case_sessions(request: Request, dispute_id: FromPath[uuid.UUID]) -> Template:
    items = await queries.sessions_of_case(request.user, dispute_id)
    return render(
        request, "sessions/case_sessions.html", block="sessions", items=items, dispute_id=dispute_id
    )


router = Router(
    path="/",
    route_handlers=[
        new_session,
        create_session,
        session_page,
        session_action,
        agreement_page,
        case_sessions,
    ],
    include_in_schema=False,
)
