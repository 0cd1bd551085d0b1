"""The change feed: the ledger as an ordered, resumable stream of case events in the reader's
area, so a city or province platform can mirror a county without gaps or duplicates.

A cursor names the last event a reader has. Reading "every event with a larger id" is not
enough on PostgreSQL: ids are drawn when a row is inserted, not when its transaction commits,
so event 102 can become visible after event 103 was already handed out, and a reader past 103
would never see it. Each event therefore also records the id of the transaction that wrote it
(`txid`, a PostgreSQL-only column that Piccolo does not know, filled by the database itself),
and the feed hands out only events whose transaction is older than every transaction still in
flight (`pg_snapshot_xmin`). Everything handed out is then final, and the order (transaction,
id) never changes behind a reader. Events of a transaction still running wait for the next read.

On SQLite one writer commits at a time, in id order, so the id alone is the cursor (its
transaction part is always 0).

The feed is read with raw SQL for that reason, kept here beside the domain it reads; the scope is
still `scope_key`, the same rule every Piccolo query applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app import db
from app.auth.actor import Actor
from app.auth.scope import scope_key
from app.disputes import ledger
from app.disputes.queries import iso
from app.disputes.tables import CaseEvent
from app.openapi import INT4_MAX

MAX_LIMIT = 1000
DEFAULT_LIMIT = 200
CURSOR_PATTERN = r"^$|^(0|[1-9][0-9]{0,19})\.(0|[1-9][0-9]{0,18})$"
_CURSOR = re.compile(CURSOR_PATTERN)
XID8_MAX = 2**64 - 1
# the scope columns are a fixed set of names, never user input
_LEVELS = frozenset({"county", "township", "village", "grid"})


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    txid: int
    id: int

    def __str__(self) -> str:
        return f"{self.txid}.{self.id}"

    @classmethod
    def parse(cls, raw: str | None) -> Cursor:
        if raw in (None, ""):
            return cls(0, 0)
        match = _CURSOR.match(str(raw))
        if not match:
            raise BadCursor(raw)
        return cls(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class Batch:
    items: list[dict[str, Any]]
    next_cursor: Cursor
    has_more: bool


_COLUMNS = """e.id, e.kind, e.level, e.from_status, e.to_status, e.note, e.data, e.created_at,
    e.actor, u.display_name AS actor_name, d.id AS dispute_id, d.case_no, d.status AS case_status,
    d.category, d.county, d.township, d.village, d.grid"""


async def read(actor: Actor, after: Cursor, limit: int = DEFAULT_LIMIT) -> Batch:
    """Up to `limit` events after `after`, oldest first, in the reader's area."""
    level, node = scope_key(actor)
    assert level in _LEVELS
    limit = max(1, min(limit, MAX_LIMIT))
    # A cursor past anything stored reads nothing, without reaching the driver's limits (an
    # event id is INTEGER, a transaction id an unsigned 64-bit xid8): a 500 before.
    txid, event_id = min(after.txid, XID8_MAX), min(after.id, INT4_MAX)
    if db.is_postgres():
        sql = f"""SELECT {_COLUMNS}, e.txid::text AS txid
            FROM case_event e JOIN dispute d ON d.id = e.dispute
            LEFT JOIN app_user u ON u.id = e.actor
            WHERE d.{level} = {{}}
              AND e.txid < pg_snapshot_xmin(pg_current_snapshot())
              AND (e.txid > {{}}::text::xid8 OR (e.txid = {{}}::text::xid8 AND e.id > {{}}))
            ORDER BY e.txid, e.id LIMIT {{}}"""
        args: tuple = (node, str(txid), str(txid), event_id, limit + 1)
    else:
        sql = f"""SELECT {_COLUMNS}, 0 AS txid
            FROM case_event e JOIN dispute d ON d.id = e.dispute
            LEFT JOIN app_user u ON u.id = e.actor
            WHERE d.{level} = {{}} AND e.id > {{}}
            ORDER BY e.id LIMIT {{}}"""
        args = (node, event_id, limit + 1)
    rows = await CaseEvent.raw(sql, *args)
    more = len(rows) > limit
    rows = rows[:limit]
    items = [_item(r) for r in rows]
    last = Cursor(int(rows[-1]["txid"]), rows[-1]["id"]) if rows else after
    return Batch(items=items, next_cursor=last, has_more=more)


def _item(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "cursor": str(Cursor(int(r["txid"]), r["id"])),
        "id": r["id"],
        "case": {
            "id": str(r["dispute_id"]),
            "case_no": r["case_no"],
            "status": r["case_status"],
            "category": r["category"],
            "county": r["county"],
            "township": r["township"],
            "village": r["village"],
            "grid": r["grid"],
        },
        "kind": r["kind"],
        "level": r["level"],
        "from_status": r["from_status"],
        "to_status": r["to_status"],
        "note": r["note"],
        "data": ledger.decode(r),
        "actor": {"id": r["actor"], "name": r["actor_name"]} if r["actor"] else None,
        "created_at": iso(_as_datetime(r["created_at"])),
    }


def _as_datetime(value: Any) -> Any:
    """SQLite's raw rows give timestamps as text; Piccolo's own selects convert them."""
    if isinstance(value, str):
        from datetime import UTC, datetime

        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return value
