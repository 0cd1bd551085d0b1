"""What the OpenAPI description says about errors: every /api route answers its errors as
application/problem+json (app/web.py), and the description must say so, or a client (and
Schemathesis) cannot trust it.

The errors a route can give follow from how it is built, so they are declared here once for
every API route instead of on each: any route may find its input unreadable (400) or wrong
(422), its caller not signed in (401) or not allowed (403), an id (in the path or a filter)
missing or out of scope (404); a route that takes a body may also answer a stale version or a
state that does not allow it (409), a body over the limit (413) or of a type it does not read
(415). A route may still declare its own `responses=`; those win.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.params import Parameter
from litestar.routes import HTTPRoute
from msgspec import Struct

PROBLEM_JSON = "application/problem+json"


class FieldProblem(Struct):
    field: str
    message: str


class Problem(Struct, omit_defaults=True):
    """RFC 9457 problem details, as app/web.py:problem writes them."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldProblem] | None = None
    current: dict[str, Any] | None = None
    retry_after: int | None = None


DESCRIPTIONS = {
    400: "The request could not be read (malformed JSON, a bad parameter).",
    401: "Not signed in: no token, or an expired one.",
    403: "Signed in, but not allowed to do this.",
    404: "No such id, or one outside the caller's area (the two are indistinguishable).",
    409: "A stale version, a state that does not allow this, or an id reused with other content.",
    413: "The body is too large.",
    415: "The body is of a type this route does not read.",
    422: "Some fields or parameters are wrong; `errors` lists them.",
    429: "Too many failed sign-ins: wait `retry_after` seconds (also the Retry-After header).",
}
ALWAYS = (400, 401, 403, 404, 422)
WITH_BODY = (409, 413, 415)


# Creating with the client's own id is safe to repeat (the phone's outbox resends after a lost
# answer): a replay answers 200 with the stored record, where the first call answered 201.
REPLAYED = {
    200: ResponseSpec(
        data_container=dict[str, Any],
        description="The same id sent again with the same content: nothing new was made; the "
        "stored record.",
        generate_examples=False,
    )
}


def problem_responses(*codes: int) -> dict[int, ResponseSpec]:
    return {
        code: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_JSON,
            description=DESCRIPTIONS[code],
            generate_examples=False,
        )
        for code in codes
    }


def declare_errors(app: Litestar) -> None:
    """Add the problem+json error responses to every /api route. Call before the schema is
    first built (it is built lazily, at the first request for it)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/"):
            continue
        for handler in route.route_handlers:
            _declare(handler)


def fix_allow_headers(app: Litestar) -> None:
    """Litestar (2.x) builds a path's OPTIONS handler with its first route: when a second
    method is registered on the same path (GET and POST /api/v1/disputes), the handler it keeps
    still lists only the first in `Allow`. Rebind each one to the route that now serves it."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.http_methods == {"OPTIONS"} and handler.handler_name == "options_handler":
                handler._fn = route.create_options_handler(route.path).fn


def _declare(handler: HTTPRouteHandler) -> None:
    codes = list(ALWAYS)
    if handler.http_methods & {"POST", "PUT", "PATCH"}:
        codes += WITH_BODY
    declared = dict(handler.responses or {})
    for code, spec in problem_responses(*codes).items():
        declared.setdefault(code, spec)
    handler.responses = declared


# Row ids are INTEGER on PostgreSQL (SERIAL): a larger number in a path would reach the driver
# and fail there (a 500) instead of answering "not found". Bounded here, it is a 422 before any
# query, and the description says so.
INT4_MAX = 2_147_483_647
PathId = Annotated[int, Parameter(ge=0, le=INT4_MAX)]
