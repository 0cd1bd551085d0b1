"""JSON API for cases: /api/v1/disputes and /api/v1/categories."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, JSONBody

from app.auth.guards import signed_in
from app.disputes import queries, services
from app.disputes.validation import parse_new_dispute
from app.disputes.vocabulary import CATEGORIES, label

Text200 = Annotated[str, msgspec.Meta(max_length=200)]


class PartyIn(msgspec.Struct, omit_defaults=True):
    name: str
    role: str = "applicant"
    phone: str | None = None
    id_number: str | None = None
    address: str | None = None


class DisputeIn(msgspec.Struct, omit_defaults=True):
    """A case to log. `id` is the client's UUID: posting it again is safe."""

    title: str
    category: str
    id: uuid.UUID | None = None
    description: str | None = None
    occurred_at: str | None = None
    source: str | None = None
    lon: float | None = None
    lat: float | None = None
    gps_accuracy_m: float | None = None
    grid_id: int | None = None
    people_involved: int | None = None
    risk_level: str | None = None
    parties: list[PartyIn] | None = None


@get("/categories", sync_to_thread=False)
def categories() -> list[dict[str, str]]:
    return [{"code": code, "label": label(CATEGORIES, code)} for code in CATEGORIES]


@post("/disputes", guards=[signed_in])
async def create(request: Request, data: JSONBody[DisputeIn]) -> Response[dict[str, Any]]:
    new = parse_new_dispute(msgspec.to_builtins(data))
    dispute_id, created = await services.create_dispute(request.user, new)
    body = await queries.get_dispute(request.user, dispute_id)
    return Response(
        body, status_code=201 if created else 200, headers={"Cache-Control": "no-store"}
    )


@get("/disputes", guards=[signed_in])
async def list_(request: Request) -> Response[dict[str, Any]]:
    filters = queries.DisputeFilters.from_params(dict(request.query_params))
    if filters.errors:
        from app.disputes.errors import FieldErrors

        raise FieldErrors(filters.errors)
    items, total = await queries.list_disputes(request.user, filters)
    return Response(
        {"items": items, "total": total, "page": filters.page, "per_page": filters.per_page},
        headers={"Cache-Control": "no-store"},
    )


@get("/disputes/{dispute_id:uuid}", guards=[signed_in])
async def show(request: Request, dispute_id: FromPath[uuid.UUID]) -> Response[dict[str, Any]]:
    body = await queries.get_dispute(request.user, dispute_id)
    return Response(body, headers={"Cache-Control": "no-store"})


@get("/disputes/{dispute_id:uuid}/events", guards=[signed_in])
async def events(request: Request, dispute_id: FromPath[uuid.UUID]) -> list[dict[str, Any]]:
    return await queries.events(request.user, dispute_id)


router = Router(
    path="/api/v1", route_handlers=[categories, create, list_, show, events], tags=["disputes"]
)
