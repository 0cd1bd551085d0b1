"""The map's costly layers (areas shaded by open cases, hotspots) kept per process, keyed on
the node, the filter and the node's last ledger event.

Clustering a county's month of cases or counting 600 grids' open cases takes hundreds of
milliseconds; the answer changes only when a case of that node changes, and every change of a
case is a ledger event (`case_event`, append-only). So an answer is kept with the ledger's
*horizon* at the moment it was computed, and reused as long as no event of a case in the node
lies past that horizon. Checking that is one indexed look at the newest events.

The horizon must not miss an event that commits late:
- SQLite commits one writer at a time, in id order: the horizon is the next event id, and the
  new events are those with `id >= horizon`.
- PostgreSQL draws ids at insert and commits in any order (event 102 may become visible after
  103). The horizon is the oldest transaction still running (`pg_snapshot_xmin`, as the change
  feed uses it, app/disputes/feed.py): every event not visible yet belongs to a transaction at
  or past it, and `case_event.txid` (indexed with the id) says which.
The horizon is read before the layer is computed, so an event committed while computing is
looked at again on the next request (at worst one recomputation too many, never one too few).

Also part of the key: the boundary version (an import changes outlines, names and areas). A
move takes a case out of its old grid and village: a `moved` event anywhere counts for every
node. Time changes answers too (the hotspots' window ends "now"; the overdue filter): entries
last `TTL` seconds at most, and the overdue-only layers are not kept at all.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

from app import db
from app.disputes.tables import CaseEvent

TTL = 60.0  # seconds: how late a case leaving the hotspots' window may be noticed
MAX_ENTRIES = 512
_LEVELS = frozenset({"county", "township", "village", "grid"})  # dispute's scope columns

# Raw SQL for the two look-ups every cached answer makes: one statement each, beside the
# cache they serve, because PostgreSQL's snapshot functions and the xid8 type are not
# Piccolo's. Level names come from the fixed set above, never from input.
_HORIZON_SQLITE = (
    "SELECT (SELECT coalesce(max(id), 0) + 1 FROM case_event) AS horizon,"
    " (SELECT max(version) FROM boundary_version) AS boundaries"
)
_HORIZON_POSTGRES = (
    "SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon,"
    " (SELECT max(version) FROM boundary_version) AS boundaries"
)
_CHANGED_SQLITE = (
    "SELECT 1 AS changed FROM case_event e JOIN dispute d ON d.id = e.dispute"
    " WHERE e.id >= {} AND (d.{level} = {} OR e.kind = 'moved') LIMIT 1"
)
_CHANGED_POSTGRES = (
    "SELECT 1 AS changed FROM case_event e JOIN dispute d ON d.id = e.dispute"
    " WHERE e.txid >= {}::text::xid8 AND (d.{level} = {} OR e.kind = 'moved') LIMIT 1"
)


@dataclass
class _Entry:
    horizon: Any
    boundaries: Any
    made: float
    value: Any


_entries: OrderedDict[Hashable, _Entry] = OrderedDict()
stats = {"hits": 0, "misses": 0}  # read by the tests and the bench


async def _horizon() -> tuple[Any, Any]:
    sql = _HORIZON_POSTGRES if db.is_postgres() else _HORIZON_SQLITE
    row = (await CaseEvent.raw(sql))[0]
    return row["horizon"], row["boundaries"]


async def _changed(level: str, node_id: int, horizon: Any) -> bool:
    if level not in _LEVELS:
        raise ValueError(level)
    sql = _CHANGED_POSTGRES if db.is_postgres() else _CHANGED_SQLITE
    return bool(await CaseEvent.raw(sql.format("{}", "{}", level=level), horizon, node_id))


def clear() -> None:
    _entries.clear()


async def cached(
    kind: str, node: dict, key: Hashable, compute: Callable[[], Awaitable[Any]]
) -> Any:
    """`compute()`'s answer for (`kind`, `node`, `key`), as kept when no case of `node` changed
    since. `key` must hold every filter the answer depends on, the node excepted."""
    full_key = (kind, node["id"], key)
    horizon, boundaries = await _horizon()
    entry = _entries.get(full_key)
    if (
        entry is not None
        and entry.boundaries == boundaries
        and time.monotonic() - entry.made < TTL
        and not await _changed(node["level"], node["id"], entry.horizon)
    ):
        # nothing of the node past the old horizon, so nothing up to the new one either
        entry.horizon = horizon
        _entries.move_to_end(full_key)
        stats["hits"] += 1
        return entry.value
    stats["misses"] += 1
    value = await compute()
    _entries[full_key] = _Entry(horizon, boundaries, time.monotonic(), value)
    _entries.move_to_end(full_key)
    while len(_entries) > MAX_ENTRIES:
        _entries.popitem(last=False)
    return value
