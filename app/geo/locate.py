"""Which grid holds a point. Shapely in process (an STRtree over the grid polygons).

A point on a border between grids belongs to the grid with the smallest code, on every engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import shapely
from shapely.geometry import shape
from shapely.strtree import STRtree

from app.jurisdictions.tables import Jurisdiction


@dataclass
class _GridIndex:
    tree: STRtree
    ids: list[int]
    codes: list[str]


_index: _GridIndex | None = None


def invalidate() -> None:
    """Forget the index; called whenever boundaries change."""
    global _index
    _index = None


async def _grid_index() -> _GridIndex:
    global _index
    if _index is None:
        rows = await (
            Jurisdiction.select(Jurisdiction.id, Jurisdiction.code, Jurisdiction.boundary)
            .where((Jurisdiction.level == "grid") & Jurisdiction.boundary.is_not_null())
            .order_by(Jurisdiction.code)
        )
        geoms = [shape(json.loads(r["boundary"])) for r in rows]
        _index = _GridIndex(STRtree(geoms), [r["id"] for r in rows], [r["code"] for r in rows])
    return _index


async def locate_grid(lon: float, lat: float) -> int | None:
    index = await _grid_index()
    hits = index.tree.query(shapely.Point(lon, lat), predicate="intersects")
    if len(hits) == 0:
        return None
    # rows are sorted by code, so the smallest position is the smallest code
    return index.ids[int(min(hits))]
