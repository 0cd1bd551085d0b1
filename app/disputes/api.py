"""JSON API for cases: /api/v1/disputes, their actions and ledger, and /api/v1/categories."""

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.params import FromPath, JSONBody
from msgspec import Meta

from app import clock
from app.audit import log as audit
from app.auth.guards import in_scope, signed_in
from app.disputes import actions, duplicates, privacy, queries, services
from app.disputes.action_fields import parse_action, readable_version
from app.disputes.categories import NATIONAL_OF
from app.disputes.errors import FieldErrors
from app.disputes.schemas import ACTION_BODIES, DisputeIn
from app.disputes.tables import Dispute
from app.disputes.validation import parse_new_dispute
from app.disputes.vocabulary import ACTION_LABELS, ACTIVE_CATEGORIES, label
from app.openapi import FILLED, REPLAYED, PathId

NO_STORE = {"Cache-Control": "no-store"}


@get("/categories", sync_to_thread=False)
def categories() -> list[dict[str, str]]:
    """The categories a new case may choose, and the national category each rolls up to."""
    return [
        {
            "code": code,
            "label": label(ACTIVE_CATEGORIES, code),
            "national": NATIONAL_OF.get(code, "other"),
        }
        for code in ACTIVE_CATEGORIES
    ]


@post("/disputes", guards=[signed_in], responses=REPLAYED)
async def create(request: Request, data: JSONBody[DisputeIn]) -> Response[dict[str, Any]]:
    new = parse_new_dispute(msgspec.to_builtins(data))
    logged = await services.create_dispute(request.user, new)
    body = await queries.get_dispute(request.user, logged.id, written=logged.row)
    return Response(body, status_code=201 if logged.created else 200, headers=NO_STORE)


@get("/disputes", guards=[signed_in])
async def list_(request: Request) -> Response[dict[str, Any]]:
    """Cases in your area, newest first, 20 a page (per_page up to 100). Pages by number stop
    at the 1,000th case; machine clients read on with `cursor=<next_cursor>` (keyset pagination,
    no limit, no count: `total` is then the page's own size)."""
    filters = queries.DisputeFilters.from_params(dict(request.query_params))
    if filters.errors:
        raise FieldErrors(filters.errors)
    page = await queries.list_disputes(request.user, filters)
    return Response(
        {
            "items": page.items,
            "total": page.total,
            "total_capped": page.capped,
            "has_next": page.has_next,
            "page": filters.page,
            "per_page": filters.per_page,
            "next_cursor": page.next_cursor,
        },
        headers=NO_STORE,
    )


@get("/disputes/{dispute_id:uuid}", guards=[signed_in])
async def show(request: Request, dispute_id: FromPath[uuid.UUID]) -> Response[dict[str, Any]]:
    body = await queries.get_dispute(request.user, dispute_id)
    return Response(body, headers=NO_STORE)


@get("/disputes/{dispute_id:uuid}/events", guards=[signed_in])
async def events(
    request: Request, dispute_id: FromPath[uuid.UUID]
) -> Response[list[dict[str, Any]]]:
    """The ledger, oldest first: who, when, at which level, what (never edited or deleted)."""
    return Response(await queries.events(request.user, dispute_id), headers=NO_STORE)


class CorrectionIn(msgspec.Struct):
    """A correction by the case's author: what to add to or put right in what they logged."""

    note: Annotated[str, Meta(min_length=1, max_length=services.CORRECTION_MAX, pattern=FILLED)]


@post(
    "/disputes/{dispute_id:uuid}/corrections/{correction_id:uuid}",
    # out of the area 404, anyone but the author 403, before the note is read
    guards=[in_scope(Dispute, "dispute_id", services.refuse_unless_author)],
    responses=REPLAYED,
)
async def add_correction(
    request: Request,
    dispute_id: FromPath[uuid.UUID],
    correction_id: FromPath[uuid.UUID],
    data: JSONBody[CorrectionIn],
) -> Response[list[dict[str, Any]]]:
    """A correction (补充更正) to a case by whoever logged it, kept as a ledger event; the case's
    fields are unchanged. `correction_id` is the sender's UUID: posting it again is safe (200,
    201 the first time); the same id with another note is 409. Answers with the ledger."""
    created = await services.add_correction(request.user, dispute_id, correction_id, data.note)
    return Response(
        await queries.events(request.user, dispute_id),
        status_code=201 if created else 200,
        headers=NO_STORE,
    )


@get("/disputes/{dispute_id:uuid}/duplicates", guards=[signed_in])
async def possible_duplicates(
    request: Request, dispute_id: FromPath[uuid.UUID]
) -> list[dict[str, Any]]:
    """Open cases of the same category within 250 m, nearest first."""
    case = await queries.get_dispute(request.user, dispute_id)
    found = await duplicates.suggestions(request.user, case)
    return [{k: r[k] for k in ("id", "case_no", "title", "status", "distance_m")} for r in found]


@post(
    "/disputes/{dispute_id:uuid}/parties/{position:int}/reveal", guards=[signed_in], status_code=200
)
async def reveal_party(
    request: Request, dispute_id: FromPath[uuid.UUID], position: PathId
) -> Response[dict[str, Any]]:
    """A party's full phone and ID number, for the case's holders only. Every call is logged."""
    party = await privacy.reveal(
        request.user,
        dispute_id,
        position,
        clock.now(),
        audit.Origin.of(request),
    )
    return Response(party, headers=NO_STORE)


def _json_or_none(body: bytes) -> Any:
    try:
        return msgspec.json.decode(body) if body else None
    except msgspec.DecodeError:
        return None  # the body's own check answers 400


async def _refusals_before_fields(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """A guard, so it runs before the body is decoded: out of scope is 404 and a role that may
    not act 403 whatever the body holds, then a stale version or a state that does not allow
    the action 409, and only then the fields 422 (the README's order, as the pages keep it)."""
    assert isinstance(connection, Request)
    await actions.refuse_before_fields(
        connection.user,
        connection.path_params["dispute_id"],
        handler.opt["case_action"],
        readable_version(_json_or_none(await connection.body())),
    )


def _action_route(action: str, body: type[msgspec.Struct]) -> HTTPRouteHandler:
    """POST /disputes/{id}/actions/<action>: parse → the rules and the service → the case."""

    async def handler(
        request: Request, dispute_id: uuid.UUID, data: Any
    ) -> Response[dict[str, Any]]:
        version, fields = parse_action(action, msgspec.to_builtins(data))
        await actions.perform(request.user, dispute_id, action, version, fields)
        return Response(await queries.get_dispute(request.user, dispute_id), headers=NO_STORE)

    # Each action documents its own body in the OpenAPI description.
    handler.__annotations__ = {
        "request": Request,
        "dispute_id": FromPath[uuid.UUID],
        "data": JSONBody[body],  # type: ignore[misc,valid-type]
        "return": Response[dict[str, Any]],
    }
    handler.__name__ = handler.__qualname__ = "dispute_" + action.replace("-", "_")
    return post(
        f"/disputes/{{dispute_id:uuid}}/actions/{action}",
        guards=[signed_in, _refusals_before_fields],
        opt={"case_action": action},
        status_code=200,
        summary=ACTION_LABELS[action],
        description=(body.__doc__ or "").strip()
        + "\n\nIn this order: 404 outside your area, 403 for a role that may not, 409 for a"
        " stale version or a state that does not allow it (with the current state), then 422"
        " for bad fields.",
    )(handler)


router = Router(
    path="/api/v1",
    route_handlers=[
        categories,
        create,
        list_,
        show,
        events,
        add_correction,
        possible_duplicates,
        reveal_party,
        *[_action_route(action, body) for action, body in ACTION_BODIES.items()],
    ],
    tags=["disputes"],
)
