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

import dataclasses
from typing import Annotated, Any

import msgspec
from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, RequestBody, Schema
from litestar.params import Parameter
from litestar.routes import HTTPRoute
from msgspec import Meta, Struct

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
    422: "Some fields or parameters are wrong; `errors` lists them. Beyond the shapes this "
    "description declares, a NUL character in any text and an integer beyond 32 bits anywhere "
    "in a JSON body are refused; an operation's own description names the rules it checks "
    "against stored data (a point in its grid, a case's state…).",
    429: "Too many refused sign-ins: wait `retry_after` seconds (also the Retry-After header).",
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


def describe_bodies_as_decoded(app: Litestar) -> None:
    """The JSON bodies of /api routes are described by msgspec's own JSON Schema of the types
    that decode them, so the description states exactly what the decoder refuses (Litestar's
    schema generation drops the constraints of a list's items: `list[RowId]` became a list of
    any integers). Litestar names a body's component after its type, as msgspec does; the
    components are swapped as the description is built (lazily, at its first request), by
    Litestar's OpenAPI plugin made to do it (its slots leave no other hook)."""
    plugin = app.plugins.get(OpenAPIPlugin)

    class DecodedBodies(type(plugin)):  # type: ignore[misc]
        __slots__ = ()

        def _build_openapi(self) -> Any:
            openapi = super()._build_openapi()
            schemas = openapi.components.schemas
            for name, schema in _decoded_bodies(app).items():
                schemas[name] = schema  # a plain dict: to_schema() writes it out as it is
            _raw_bodies(app, openapi)
            return openapi

    plugin.__class__ = DecodedBodies


RAW_BODY = "raw_body"
"""A route's `opt` key for a body it reads itself (`await request.body()`): the media types it
takes, described as bytes (`format: binary`) of at least one byte."""


def _raw_bodies(app: Litestar, openapi: Any) -> None:
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if RAW_BODY not in handler.opt:
                continue
            binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY, min_length=1)
            for method in handler.http_methods:
                operation = getattr(openapi.paths[route.path_format], method.lower())
                operation.request_body = RequestBody(
                    content={t: OpenAPIMediaType(schema=binary) for t in handler.opt[RAW_BODY]},
                    required=True,
                )


def _decoded_bodies(app: Litestar) -> dict[str, Any]:
    """msgspec's JSON Schema components of every /api route's body type, by name."""
    bodies: dict[str, Any] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/"):
            continue
        for handler in route.route_handlers:
            data = handler.parsed_fn_signature.parameters.get("data")
            kind = data.annotation if data is not None else None
            if isinstance(kind, type) and (
                issubclass(kind, msgspec.Struct) or dataclasses.is_dataclass(kind)
            ):
                assert bodies.setdefault(kind.__name__, kind) is kind, kind.__name__
    _, components = msgspec.json.schema_components(
        list(bodies.values()), ref_template="#/components/schemas/{name}"
    )
    for name, kind in bodies.items():
        # what msgspec cannot say: one field needing another (JSON Schema's if/then)
        components[name].update(getattr(kind, "json_schema_rules", {}))
    return components


def needs_when(
    field: str,
    value: Any,
    needed: dict[str, Any],
    otherwise: dict[str, Any] | None = None,
    *,
    rules: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A JSON Schema rule: when `field` is `value`, the `needed` properties must be there and
    fit their schemas (and the further `rules` hold); when it is not (or is absent), the
    `otherwise` ones. A body's type declares such rules as `json_schema_rules`; its validator
    checks the same (422 naming the field)."""
    then: dict[str, Any] = {"properties": needed, "required": sorted(needed)}
    if rules:
        then["allOf"] = rules
    rule = {"if": {"properties": {field: {"const": value}}, "required": [field]}, "then": then}
    if otherwise:
        rule["else"] = {"properties": otherwise, "required": sorted(otherwise)}
    return rule


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


INT4 = Meta(ge=-(2**31), le=INT4_MAX)
RowId = Annotated[int, Meta(ge=1, le=INT4_MAX)]
"""The id of a stored row in a body or a query (SERIAL: from 1, 32 bits)."""

FILLED = r"\S"
"""The pattern of text that must hold something besides spaces (`Meta(min_length=1,
pattern=FILLED)`): the field validators strip text and refuse what is left empty."""
FILLED_TEXT = {"type": "string", "minLength": 1, "pattern": FILLED}
"""The same as a JSON Schema, for the rules that say when such text is needed (needs_when)."""
