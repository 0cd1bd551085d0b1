"""Checks every request passes before its handler runs, whatever the route.

- A NUL character in a query parameter, a form field or a JSON string the route reads is
  refused (422, naming
  the field): PostgreSQL cannot store one in text or JSON columns (the driver fails: a 500),
  SQLite stores it and C-string readers later cut the text short. Field validators refuse it
  too; this catches every route, including those that pass text straight to a query.
- An integer in a JSON body beyond 32 bits is refused (422, naming the field), as far as the
  route's body type reads it (a field it does not know is dropped unread): no number the API
  takes is that large (ids are INTEGER, counts and versions small), and PostgreSQL's
  driver fails on one bound to an INTEGER column (a 500) where SQLite would store it.
- A route that reads a JSON body refuses a body declared as anything else (415) instead of
  failing to parse it as JSON.
- An id in the path must be written as plain digits: Litestar reads `/sessions/%201` (" 1"),
  `/sessions/01` or Unicode digits as session 1, so one record would answer to many addresses.
  Anything else names no record: 404.
"""

from __future__ import annotations

from dataclasses import is_dataclass
from typing import Any

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import BodyKwarg

from app import validation_messages
from app.disputes.errors import FieldErrors
from app.i18n import _

JSON_TYPES = ("application/json",)


def _nul_message() -> str:
    return _("Contains a character that is not allowed.")


INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def _out_of_range() -> str:
    return _("Must be between %(low)s and %(high)s.", low=INT_MIN, high=INT_MAX)


def _find_bad(value: Any, path: str) -> tuple[str, str] | None:
    """(dotted path, message) of the first string or key holding a NUL or the first integer
    beyond 32 bits, else None."""
    if isinstance(value, str):
        return (path, _nul_message()) if "\x00" in value else None
    if isinstance(value, int) and not isinstance(value, bool):
        return None if INT_MIN <= value <= INT_MAX else (path, _out_of_range())
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and "\x00" in key:
                return where.replace("\x00", ""), _nul_message()
            if found := _find_bad(item, where):
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            if found := _find_bad(item, f"{path}[{i}]" if path else f"[{i}]"):
                return found
    return None


def _reads_json(request: Request) -> bool:
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return False
    kwarg = data.kwarg_definition
    return not isinstance(kwarg, BodyKwarg) or kwarg.media_type == RequestEncodingType.JSON


def _whole_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return value


def _as_read(request: Request, decoded: Any) -> Any:
    """The body as the route's type reads it: fields it does not know are dropped unread, so
    a NUL or a large number in one of them harms nothing and is not refused. A body the type
    refuses is not looked at (None): Litestar refuses it the same way, naming the field, before
    any handler sees it."""
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    kind = data.annotation if data is not None else None
    if not (isinstance(kind, type) and (issubclass(kind, msgspec.Struct) or is_dataclass(kind))):
        return decoded
    try:
        read = msgspec.convert(decoded, kind, strict=False, str_keys=True)
    except (msgspec.ValidationError, TypeError, ValueError):
        return None
    try:
        # Litestar converts loosely (a number is taken for a time, "1" for 1); a JSON body
        # must carry the types its description gives, or the contract would say one thing and
        # the API accept another.
        # (1.0 is an integer to JSON Schema: whole floats are taken as what they are)
        msgspec.convert(_whole_numbers(decoded), kind, strict=True, str_keys=True)
    except msgspec.ValidationError as exc:
        raise FieldErrors(dict([validation_messages.translate(None, str(exc))])) from exc
    return msgspec.to_builtins(read)


def _is_json(content_type: str) -> bool:
    return content_type in JSON_TYPES or content_type.endswith("+json")


def _refuse_loose_path_ids(request: Request) -> None:
    template = str(request.scope.get("path_template") or "").strip("/").split("/")
    written = request.scope["path"].strip("/").split("/")
    if len(template) != len(written):
        return  # a mounted app or a path-typed parameter: nothing to line up
    for part, raw in zip(template, written, strict=True):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1].split(":")[0]
            plain = raw.isascii() and raw.isdigit() and (raw == "0" or raw[0] != "0")
            if isinstance(request.path_params.get(name), int) and not plain:
                raise NotFoundException(_("Not found."))


async def refuse_bad_input(request: Request) -> None:
    """before_request: raise FieldErrors (422), a 415 or a 404 as described above."""
    _refuse_loose_path_ids(request)
    for key, value in request.query_params.multi_items():
        if "\x00" in key or "\x00" in value:
            raise FieldErrors({key.replace("\x00", ""): _nul_message()})
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    content_type, _params = request.content_type
    if _reads_json(request) and content_type and not _is_json(content_type):
        raise HTTPException(
            status_code=415, detail=_("Send the body as JSON (Content-Type: application/json).")
        )
    if _is_json(content_type):
        body = await request.body()  # read once; Litestar keeps it for the handler
        try:
            decoded = msgspec.json.decode(body) if body else None
        except msgspec.DecodeError:
            return  # the handler answers 400 for unreadable JSON
        if (found := _find_bad(_as_read(request, decoded), "")) is not None:
            where, message = found
            raise FieldErrors({where or "body": message})
    elif content_type == RequestEncodingType.URL_ENCODED:
        for key, value in (await request.form()).multi_items():
            if isinstance(value, str) and ("\x00" in key or "\x00" in value):
                raise FieldErrors({key.replace("\x00", ""): _nul_message()})
