"""The case page, its action forms, revealing a party's numbers, and the printable case file.

Every form posts to a real address and works without JavaScript (303 back to the case page);
with htmx the reply is the page's `case` block, swapped in place. A refused or stale action
re-renders the case as it now stands, with the reason; bad fields re-open the form with them.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Router, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.audit import log as audit
from app.auth.guards import signed_in
from app.disputes import actions, case_view, privacy, states
from app.disputes.errors import Conflict, FieldErrors
from app.i18n import _
from app.openapi import PathId
from app.web import render

FormData = URLEncodedBody[dict[str, Any]]
NO_STORE = {"Cache-Control": "no-store"}


async def _case(
    request: Request,
    dispute_id: uuid.UUID,
    status_code: int = 200,
    block: str = "case",
    **extra: Any,
) -> Template:
    context = await case_view.case_page(request.user, dispute_id)
    extra.setdefault("errors", {})
    extra.setdefault("values", {})
    response = render(
        request, "disputes/detail.html", block=block, status_code=status_code, **context, **extra
    )
    response.headers.update(NO_STORE)
    return response


@get("/disputes/{dispute_id:uuid}", guards=[signed_in])
async def detail(request: Request, dispute_id: FromPath[uuid.UUID]) -> Template:
    return await _case(request, dispute_id)


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else ([] if value in (None, "") else [value])


def form_to_action(data: dict[str, Any]) -> dict[str, Any]:
    """The form's fields in the API's shape: agreement terms come as repeated rows."""
    payload = {k: v for k, v in data.items() if not k.startswith("term_") and k != "_csrf_token"}
    texts, due = _as_list(data.get("term_text")), _as_list(data.get("term_due_on"))
    terms = [
        {"text": t, "due_on": due[i] if i < len(due) else None}
        for i, t in enumerate(texts)
        if str(t).strip()
    ]
    if terms or "term_text" in data:
        payload["terms"] = terms
    return payload


@post("/disputes/{dispute_id:uuid}/actions/{action:str}", guards=[signed_in])
async def act(
    request: Request, dispute_id: FromPath[uuid.UUID], action: FromPath[str], data: FormData
) -> Template | Redirect:
    if action not in states.RULES:
        raise NotFoundException(_("Not found."))
    payload = form_to_action(data)
    try:
        await actions.perform_submitted(request.user, dispute_id, action, payload)
    except FieldErrors as exc:
        return await _case(
            request, dispute_id, 422, open_action=action, errors=exc.errors, values=payload
        )
    except Conflict as exc:
        return await _case(request, dispute_id, 409, notice=exc.message)
    if request.headers.get("hx-request") == "true":
        return await _case(request, dispute_id, saved=action)
    return Redirect(path=f"/disputes/{dispute_id}", status_code=303)


@post("/disputes/{dispute_id:uuid}/parties/{position:int}/reveal", guards=[signed_in])
async def reveal(request: Request, dispute_id: FromPath[uuid.UUID], position: PathId) -> Template:
    """POST, not GET: showing the numbers writes the audit log, and keeps them out of URLs."""
    party = await privacy.reveal(
        request.user,
        dispute_id,
        position,
        clock.now(),
        audit.Origin.of(request),
    )
    return await _case(request, dispute_id, block="parties", revealed={position: party})


@get("/disputes/{dispute_id:uuid}/file", guards=[signed_in])
async def case_file(request: Request, dispute_id: FromPath[uuid.UUID]) -> Template:
    """一案一册: the whole case file, laid out for paper."""
    context = await case_view.case_page(request.user, dispute_id)
    response = render(request, "disputes/file.html", **context)
    response.headers.update(NO_STORE)
    return response


router = Router(path="/", route_handlers=[detail, act, reveal, case_file], include_in_schema=False)
