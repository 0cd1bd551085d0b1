"""GET /api/v1/events: the change feed (app/disputes/feed.py) as JSON or NDJSON."""

from __future__ import annotations

import json
from typing import Annotated, Any

from litestar import Request, Response, Router, get
from litestar.params import QueryParameter

from app.auth.guards import signed_in
from app.disputes import feed
from app.disputes.errors import FieldErrors
from app.i18n import _

NDJSON = "application/x-ndjson"


@get("/events", guards=[signed_in])
async def events(
    request: Request,
    after: Annotated[
        str | None,
        QueryParameter(
            description="The cursor of the last event you have (`next_cursor` of the previous "
            "read, or an event's `cursor`); omitted: from the beginning.",
            max_length=41,
            pattern=feed.CURSOR_PATTERN,
        ),
    ] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=feed.MAX_LIMIT)] = feed.DEFAULT_LIMIT,
    format: Annotated[
        str | None,
        QueryParameter(
            description="`ndjson` for one event a line (or send Accept: application/x-ndjson)."
        ),
    ] = None,
) -> Response[Any]:
    """Case events in your area, oldest first, each once. Resume from `next_cursor`: an event
    whose transaction is still in flight waits for a later read, so none is ever skipped. An
    empty `items` with `has_more` false means you are up to date; poll again later."""
    try:
        cursor = feed.Cursor.parse(after)
    except feed.BadCursor:
        raise FieldErrors({"after": _("Not a cursor this feed gave out.")}) from None
    batch = await feed.read(request.user, cursor, limit)
    headers = {"Cache-Control": "no-store"}
    wants_ndjson = format == "ndjson" or NDJSON in request.headers.get("accept", "")
    if wants_ndjson:
        lines = [json.dumps(item, ensure_ascii=False) for item in batch.items]
        headers["X-Next-Cursor"] = str(batch.next_cursor)
        headers["X-Has-More"] = "true" if batch.has_more else "false"
        body = "\n".join(lines) + ("\n" if lines else "")
        return Response(body, media_type=NDJSON, headers=headers)
    return Response(
        {
            "items": batch.items,
            "next_cursor": str(batch.next_cursor),
            "has_more": batch.has_more,
        },
        headers=headers,
    )


router = Router(path="/api/v1", route_handlers=[events], tags=["feed"])
