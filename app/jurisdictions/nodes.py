"""Jurisdiction nodes by id, kept per process (issue #15).

Every list of cases shows each case's village and grid, every case its five places, every
case logged reads its grid and county, every dashboard its area. As joins or lookups, those
cost PostgreSQL more to plan than the rows cost to read (it plans each statement for its
values: app/db.py); yet a node changes only through a boundary import, which bumps
`BoundaryVersion`. So nodes are read by id once and kept, and dropped when the version moves:
at once in the process that imported, within RECHECK_SECONDS in any other (one small statement
then, like the category list's stamp).

A kept node is shared: callers read it and copy what they hand on.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from piccolo.query.methods.select import Max

from app.jurisdictions.tables import BoundaryVersion, Jurisdiction
from app.statements import ByShape, Prepared

RECHECK_SECONDS = 3.0
MAX_KEPT = 200_000  # a province's grids; past that, start again

Node = Mapping[str, Any]

_nodes: dict[int, Node] = {}
_state: dict[str, Any] = {"version": None, "checked": float("-inf")}

_VERSION = Prepared(lambda: BoundaryVersion.select(Max(BoundaryVersion.version).as_alias("v")))
# a node as areas and scopes read it: itself, its level and the four level columns
NODE_COLUMNS = (
    Jurisdiction.id,
    Jurisdiction.code,
    Jurisdiction.name,
    Jurisdiction.level,
    Jurisdiction.county,
    Jurisdiction.township,
    Jurisdiction.village,
    Jurisdiction.grid,
)
_BY_ID = ByShape(
    lambda where: Jurisdiction.select(
        *NODE_COLUMNS, Jurisdiction.abbr, Jurisdiction.boundary
    ).where(where)
)


def forget() -> None:
    """After a boundary import in this process: every node is read again."""
    _nodes.clear()
    _state["checked"] = float("-inf")


async def _current() -> None:
    now = time.monotonic()
    if now - _state["checked"] < RECHECK_SECONDS:
        return
    _state["checked"] = now
    version = (await _VERSION.run())[0]["v"]
    if version != _state["version"]:
        _nodes.clear()
        _state["version"] = version


def _kept(row: dict[str, Any]) -> Node:
    # the outline itself is the map's business (app/geo); here only whether there is one
    row["has_boundary"] = bool(row.pop("boundary"))
    return row


async def rows(ids: Iterable[int | None]) -> dict[int, Node]:
    """The nodes `ids` (None and unknown ids left out): id, code, abbr, name, level, the four
    level columns and has_boundary."""
    await _current()
    wanted = {i for i in ids if i is not None}
    missing = sorted(wanted - _nodes.keys())
    if missing:
        if len(_nodes) + len(missing) > MAX_KEPT:
            _nodes.clear()
        found = await _BY_ID.run(Jurisdiction.id.is_in(missing))
        _nodes.update((r["id"], _kept(r)) for r in found)
    return {i: _nodes[i] for i in wanted if i in _nodes}


async def row(node_id: int) -> Node | None:
    return (await rows((node_id,))).get(node_id)


async def names(ids: Iterable[int | None]) -> dict[int, str]:
    """The names of `ids` (None and unknown ids left out)."""
    return {i: n["name"] for i, n in (await rows(ids)).items()}
