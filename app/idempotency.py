"""Create-once for rows whose id the client chose (a photo, a patrol check-in).

A phone on a flaky network sends the same record again until it hears an answer, and may
send it twice at once (the page and the service worker both syncing). The server stores it
once: the first request inserts; every repeat, sequential or racing, finds the row and is
answered as if it had created it. The same id with other content is a Conflict, never a
silent overwrite.

On SQLite the look-up and the insert share one BEGIN IMMEDIATE transaction, so they are
serialised against every other writer; on PostgreSQL the primary key settles a race and the
loser, seeing the unique violation, answers as a replay.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from piccolo.columns import Column
from piccolo.table import Table

from app import db
from app.disputes.errors import Conflict


async def create_once(
    table: type[Table],
    row_id: Any,
    identity: dict[Column, Any],
    insert: Callable[[], Awaitable[Any]],
    conflict_message: str,
) -> bool:
    """Run `insert()` unless row `row_id` exists. True when this call created it.

    `identity` says what makes a repeat "the same": each column must hold the given value in
    the existing row, or the request is a Conflict(conflict_message).
    """
    if await is_replay(table, row_id, identity, conflict_message):
        return False
    try:
        async with db.transaction():
            if await is_replay(table, row_id, identity, conflict_message):
                return False
            await insert()
    except Exception as exc:
        if db.is_unique_violation(exc) and await is_replay(
            table, row_id, identity, conflict_message
        ):
            return False
        raise
    return True


async def is_replay(
    table: type[Table], row_id: Any, identity: dict[Column, Any], conflict_message: str
) -> bool:
    """True when row `row_id` exists and matches `identity`; Conflict when it exists and
    does not; False when there is no such row yet."""
    row = await table.select(*identity).where(table._meta.primary_key == row_id).first()
    if row is None:
        return False
    if any(row[column._meta.name] != value for column, value in identity.items()):
        raise Conflict(conflict_message)
    return True
