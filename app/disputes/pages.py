"""Pages for cases: the role home (work queues), the case list with htmx filters, the log form.
The case page and its actions are in case_pages.py."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from litestar import Request, Router, get, post
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.auth import policy
from app.auth.guards import signed_in
from app.auth.scope import scope_where
from app.disputes import queries, queues, services
from app.disputes.errors import FieldErrors
from app.disputes.validation import parse_new_dispute
from app.jurisdictions.tables import Jurisdiction
from app.monitoring import figures
from app.web import render

FormData = URLEncodedBody[dict[str, Any]]


@get("/", guards=[signed_in])
async def home(request: Request) -> Template:
    """The role's work queues, most urgent first, each with its count and a link to all of it."""
    actor = request.user
    now = clock.now()
    mine = queues.for_role(actor.role)
    # each queue is one bounded query; asked side by side, the page waits for the slowest only
    pages = await asyncio.gather(
        *(
            queries.list_disputes(actor, queries.DisputeFilters(queue=q.code, per_page=5), now)
            for q in mine
        )
    )
    return render(
        request,
        "home.html",
        queues=[{"queue": q, "page": p} for q, p in zip(mine, pages, strict=True)],
    )


@get("/disputes", guards=[signed_in])
async def list_page(request: Request) -> Template:
    params = dict(request.query_params)
    filters = queries.DisputeFilters.from_params(params)
    page = None if filters.errors else await queries.list_disputes(request.user, filters)
    return render(
        request,
        "disputes/list.html",
        partial="disputes/_results.html",
        page=page,
        filters=filters,
        params=params,
        queues=queues.for_role(request.user.role),
        errors=filters.errors,
        # a dashboard number's list keeps its figure's filters while the visible ones change
        kept={k: params[k] for k in ("jurisdiction", *figures.EXTRA_PARAMS) if params.get(k)},
    )


async def _form_context(request: Request) -> dict:
    actor = request.user
    grids = await (
        Jurisdiction.select(
            Jurisdiction.id, Jurisdiction.name, Jurisdiction.village.name.as_alias("village_name")
        )
        .where((Jurisdiction.level == "grid") & scope_where(Jurisdiction, actor))
        .order_by(Jurisdiction.code)
    )
    return {"grids": grids}


@get("/disputes/new", guards=[signed_in])
async def new_page(request: Request) -> Template:
    policy.require(request.user, "log_case")
    context = await _form_context(request)
    values = {"id": str(uuid.uuid4()), "grid_id": request.user.grid_id, "people_involved": 2}
    return render(request, "disputes/new.html", values=values, errors={}, **context)


def form_to_payload(data: dict[str, Any]) -> dict[str, Any]:
    """Flatten the form's party rows (party_name, party_role, ... repeated) into a list."""
    payload = {k: v for k, v in data.items() if not k.startswith("party_") and k != "_csrf_token"}

    def as_list(value: Any) -> list:
        return value if isinstance(value, list) else ([] if value is None else [value])

    names = as_list(data.get("party_name"))
    roles = as_list(data.get("party_role"))
    phones = as_list(data.get("party_phone"))
    ids = as_list(data.get("party_id_number"))
    parties = []
    for i, name in enumerate(names):
        if not str(name).strip():
            continue
        parties.append(
            {
                "name": name,
                "role": roles[i] if i < len(roles) else "applicant",
                "phone": phones[i] if i < len(phones) else None,
                "id_number": ids[i] if i < len(ids) else None,
            }
        )
    payload["parties"] = parties
    return payload


@post("/disputes", guards=[signed_in])
async def create(request: Request, data: FormData) -> Template | Redirect:
    payload = form_to_payload(data)
    if data.get("located_grid"):  # the one-tap "use the grid of this point" after a refusal
        payload["grid_id"] = payload.pop("located_grid")
    try:
        new = parse_new_dispute(payload)
        dispute_id = (await services.create_dispute(request.user, new)).id
    except FieldErrors as exc:
        context = await _form_context(request)
        return render(
            request,
            "disputes/new.html",
            status_code=422,
            values=payload,
            errors=exc.errors,
            located_grid=exc.extra.get("located_grid"),
            **context,
        )
    return Redirect(path=f"/disputes/{dispute_id}")


router = Router(
    path="/", route_handlers=[home, list_page, new_page, create], include_in_schema=False
)
