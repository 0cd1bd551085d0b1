"""JSON API for rooms, jurors and sessions. Every id is scoped: out of scope is 404."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter, QueryParameter
from msgspec import Meta

from app import clock
from app.auth import policy
from app.auth.actor import Actor
from app.auth.guards import capable, in_scope, signed_in
from app.auth.scope import get_or_404
from app.disputes.tables import Dispute, Party
from app.openapi import FILLED_TEXT, PathId, RowId, needs_when
from app.sessions import actions, booking, jurors, queries, rooms

NO_STORE = {"Cache-Control": "no-store"}


class SessionIn(msgspec.Struct, omit_defaults=True):
    """A session to book. Times are ISO 8601 with their offset (China: +08:00). Every juror
    must be in `confirmed_juror_ids`: the mediator confirms they are not related to or in
    business with a party. `party_ids` defaults to every party of the case. A session that is
    not public needs a `private_reason` (and `other` a `private_note`).

    Checked against stored data and the clock, so 422 naming the field even when the body fits
    this description: the session lasts 15 minutes to 10 hours (`ends_at` after `starts_at`),
    in the future and within a year, inside the room's opening hours; the case, the room, the
    mediators, jurors and parties are in your area and belong to it (the case still to be
    mediated, with sessions left on its ladder); the room and every person are free then (409
    for a clash); the private reason as above."""

    json_schema_rules: ClassVar = {
        "allOf": [
            needs_when(
                "public",
                False,
                {"private_reason": {"enum": list(booking.PRIVATE_REASONS)}},
                rules=[needs_when("private_reason", "other", {"private_note": FILLED_TEXT})],
            )
        ]
    }

    dispute_id: uuid.UUID
    room_id: RowId
    starts_at: datetime
    ends_at: datetime
    mediator_ids: Annotated[list[RowId], Meta(min_length=1, max_length=booking.MAX_MEDIATORS)]
    juror_ids: Annotated[list[RowId], Meta(max_length=booking.MAX_JURORS)] = []
    party_ids: Annotated[list[RowId], Meta(max_length=50)] | None = None
    public: bool = True
    private_reason: Literal["party_objects", "privacy", "other"] | None = None
    private_note: Annotated[str, Meta(max_length=500)] | None = None
    confirmed_juror_ids: Annotated[list[RowId], Meta(max_length=booking.MAX_JURORS)] = []


class SessionActionIn(msgspec.Struct, omit_defaults=True):
    """Fields of an action. hold: outcome (agreement | no_agreement | adjourned), minutes,
    attended_party_ids, attended_juror_ids, and for an agreement agreement_terms, performance,
    performance_deadline, agreement_facts (defaults to the case's description). cancel:
    reason. reschedule: starts_at, ends_at, room_id (defaults to the same room), reason.
    no-show: note.

    Checked against the action and stored data, so 422 naming the field even when the body
    fits this description: hold needs an `outcome`, and for an agreement `agreement_terms`
    (at most 20 terms, one a line, each at most 500 characters) and `performance`; cancel
    needs a `reason`; reschedule new times as for booking (15 minutes to 10 hours, in the
    future, the room's hours, nobody double-booked) and a `reason`."""

    outcome: Literal["agreement", "no_agreement", "adjourned"] | None = None
    minutes: Annotated[str, Meta(max_length=actions.MAX_MINUTES_TEXT)] | None = None
    attended_party_ids: Annotated[list[RowId], Meta(max_length=50)] | None = None
    attended_juror_ids: Annotated[list[RowId], Meta(max_length=50)] | None = None
    agreement_facts: Annotated[str, Meta(max_length=5000)] | None = None
    agreement_terms: Annotated[str, Meta(max_length=10_000)] | None = None
    performance: Annotated[str, Meta(max_length=2000)] | None = None
    performance_deadline: date | None = None
    reason: Annotated[str, Meta(max_length=2000)] | None = None
    note: Annotated[str, Meta(max_length=2000)] | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    room_id: RowId | None = None


@get("/rooms", guards=[signed_in])
async def list_rooms(request: Request) -> Response[list[dict[str, Any]]]:
    return Response(await rooms.list_rooms(request.user), headers=NO_STORE)


@get("/rooms/{room_id:int}/slots", guards=[signed_in])
async def room_slots(
    request: Request,
    room_id: PathId,
    day_text: Annotated[date | None, QueryParameter(name="date")] = None,
    minutes: Annotated[int, Parameter(ge=15, le=600)] = rooms.DEFAULT_SLOT_MINUTES,
) -> Response[dict[str, Any]]:
    """Free slots of a room on a day (China time): the opening hours, the busy spans, the free
    gaps and bookable slots of `minutes` starting on the half hour."""
    room = await rooms.get_room(request.user, room_id)
    day = day_text or clock.now().astimezone(rooms.CHINA).date()
    body = await rooms.day_slots(room, day, minutes, clock.now())
    return Response(body, headers=NO_STORE)


@get("/jurors", guards=[signed_in])
async def list_jurors(
    request: Request, dispute_id: FromQuery[uuid.UUID | None] = None
) -> Response[list[dict[str, Any]]]:
    """The active jurors in scope; with `dispute_id`, each carries the relation `flag` for
    that case (shares a surname and the village with a party)."""
    rows = await jurors.list_jurors(request.user)
    if dispute_id is None:
        return Response([jurors.juror_json(r) for r in rows], headers=NO_STORE)
    case = await get_or_404(Dispute, dispute_id, request.user, Dispute.village)
    parties = await Party.select(Party.name).where(Party.dispute == dispute_id)
    body = [jurors.juror_json(r, jurors.relation_flag(r, case["village"], parties)) for r in rows]
    return Response(body, headers=NO_STORE)


@post("/sessions", guards=[capable("manage_sessions")])  # who, before what they sent
async def create_session(request: Request, data: JSONBody[SessionIn]) -> Response[dict[str, Any]]:
    wanted = booking.parse_booking(msgspec.to_builtins(data))
    session_id = await booking.book(request.user, wanted)
    body = await queries.get_session(request.user, session_id)
    return Response(body, status_code=201, headers=NO_STORE)


@get("/sessions/{session_id:int}", guards=[signed_in])
async def show_session(request: Request, session_id: PathId) -> Response[dict[str, Any]]:
    return Response(await queries.get_session(request.user, session_id), headers=NO_STORE)


def _may_manage(actor: Actor, _session: dict[str, Any]) -> None:
    policy.require(actor, "manage_sessions")


SessionAction = Literal["hold", "cancel", "reschedule", "no-show"]


@post(
    "/sessions/{session_id:int}/actions/{action:str}",
    # out of the area 404, a role that may not 403, before the body is read
    guards=[in_scope(queries.S, "session_id", _may_manage)],
    status_code=200,
)
async def session_action(
    request: Request,
    session_id: PathId,
    action: FromPath[SessionAction],
    data: JSONBody[SessionActionIn],
) -> Response[dict[str, Any]]:
    """hold, cancel, reschedule or no-show. Answers the session to look at next: after a
    reschedule that is the new one (its `replaces` names the old)."""
    await get_or_404(queries.S, session_id, request.user, queries.S.id)
    shown = await actions.act(request.user, session_id, action, msgspec.to_builtins(data))
    return Response(await queries.get_session(request.user, shown), headers=NO_STORE)


@get("/disputes/{dispute_id:uuid}/sessions", guards=[signed_in])
async def case_sessions(request: Request, dispute_id: FromPath[uuid.UUID]) -> list[dict[str, Any]]:
    return await queries.sessions_of_case(request.user, dispute_id)


router = Router(
    path="/api/v1",
    route_handlers=[
        list_rooms,
        room_slots,
        list_jurors,
        create_session,
        show_session,
        session_action,
        case_sessions,
    ],
    tags=["sessions"],
)
