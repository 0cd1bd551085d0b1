"""Jurisdiction names by id, kept per process (issue #15).

Every list of cases shows each case's village and grid, and every case its five places. As
joins, those names cost PostgreSQL more to plan than the rows cost to read (it plans each
statement for its values: app/db.py); yet names change only through a boundary import, which
bumps `BoundaryVersion`. So names are read by id once and kept, and dropped when the version
moves: at once in the process that imported, within RECHECK_SECONDS in any other (one small
statement then, like the category list's stamp).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from piccolo.query.methods.select import Max

from app.jurisdictions.tables import BoundaryVersion, Jurisdiction
from app.statements import ByShape, Prepared

RECHECK_SECONDS = 3.0
MAX_KEPT = 200_000  # a province's grids; past that, start again

_names: dict[int, str] = {}
_state: dict[str, Any] = {"version": None, "checked": float("-inf")}

_VERSION = Prepared(lambda: BoundaryVersion.select(Max(BoundaryVersion.version).as_alias("v")))
_BY_ID = ByShape(lambda where: Jurisdiction.select(Jurisdiction.id, Jurisdiction.name).where(where))


def forget() -> None:
    """After a boundary import in this process: every name is read again."""
    _names.clear()
    _state["checked"] = float("-inf")


async def _current() -> None:
    now = time.monotonic()
    if now - _state["checked"] < RECHECK_SECONDS:
        return
    _state["checked"] = now
    version = (await _VERSION.run())[0]["v"]
    if version != _state["version"]:
        _names.clear()
        _state["version"] = version


async def of(ids: Iterable[int | None]) -> dict[int, str]:
    """The names of `ids` (None and unknown ids left out), from what this process keeps."""
    await _current()
    wanted = {i for i in ids if i is not None}
    missing = sorted(wanted - _names.keys())
    if missing:
        if len(_names) + len(missing) > MAX_KEPT:
            _names.clear()
        found = await _BY_ID.run(Jurisdiction.id.is_in(missing))
        _names.update((r["id"], r["name"]) for r in found)
    return {i: _names[i] for i in wanted if i in _names}
