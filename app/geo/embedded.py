"""The spatial engine without PostGIS (SQLite): rows read with Piccolo, geometry in process.

Boundaries live in memory as shapely geometries in an STRtree (600 grids: ~60 ms to parse and
build, microseconds a lookup). Every use first reads a cheap stamp (the boundary version row
that each import bumps, the count of boundaries, the largest id), so a boundary import in
another process is seen at the next request, not at the next restart.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.strtree import STRtree

from app.disputes.tables import Dispute
from app.geo import hotspots
from app.geo.backend import CASE_FIELDS, CLUSTER_FIELDS, Box, CaseFilter
from app.geo.measure import BORDER_TOLERANCE, degrees_box, geodesic_m, rounded
from app.jurisdictions.tables import Jurisdiction

STAMP_SQL = (
    "SELECT (SELECT max(version) FROM boundary_version) AS version,"
    " (SELECT count(*) FROM jurisdiction WHERE boundary IS NOT NULL) AS boundaries,"
    " (SELECT max(id) FROM jurisdiction) AS last_id"
)


@dataclass
class _Boundaries:
    stamp: tuple
    ids: list[int]  # ordered deepest level first, then by code: the order of preference
    geoms: list
    tree: STRtree
    position: dict[int, int]
    simplified: dict[float, dict[int, dict]] = field(default_factory=dict)


async def boundary_stamp() -> tuple:
    row = (await Jurisdiction.raw(STAMP_SQL))[0]
    return row["version"], row["boundaries"], row["last_id"]


def _case_row(row: dict) -> dict:
    return {**row, "id": str(row["id"])}


class Embedded:
    name = "embedded"
    _shared: Embedded | None = None

    def __init__(self) -> None:
        self._boundaries: _Boundaries | None = None

    @classmethod
    def shared(cls) -> Embedded:
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    def invalidate(self) -> None:
        self._boundaries = None

    async def _index(self) -> _Boundaries:
        stamp = await boundary_stamp()
        if self._boundaries is not None and self._boundaries.stamp == stamp:
            return self._boundaries
        rows = await (
            Jurisdiction.select(Jurisdiction.id, Jurisdiction.boundary)
            .where(Jurisdiction.boundary.is_not_null())
            .order_by(Jurisdiction.depth, ascending=False)
            .order_by(Jurisdiction.code)
        )
        geoms = [shape(json.loads(r["boundary"])) for r in rows]
        ids = [r["id"] for r in rows]
        self._boundaries = _Boundaries(
            stamp, ids, geoms, STRtree(geoms), {node_id: i for i, node_id in enumerate(ids)}
        )
        return self._boundaries

    async def locate(self, points: Sequence[tuple[float, float]]) -> list[int | None]:
        if not points:
            return []
        index = await self._index()
        xy = np.asarray(points, dtype=float)
        found_point, found_geom = index.tree.query(
            shapely.points(xy[:, 0], xy[:, 1]), predicate="dwithin", distance=BORDER_TOLERANCE
        )
        best = np.full(len(points), len(index.ids))
        np.minimum.at(best, found_point, found_geom)  # the first in order of preference
        return [index.ids[b] if b < len(index.ids) else None for b in best.tolist()]

    async def nearby(
        self, f: CaseFilter, lon: float, lat: float, radius_m: float, limit: int
    ) -> list[tuple[str, float]]:
        west, south, east, north = degrees_box(lon, lat, radius_m)
        rows = await Dispute.select(Dispute.id, Dispute.lon, Dispute.lat).where(
            f.where()
            & (Dispute.lon >= west)
            & (Dispute.lon <= east)
            & (Dispute.lat >= south)
            & (Dispute.lat <= north)
        )
        if not rows:
            return []
        metres = geodesic_m(lon, lat, [r["lon"] for r in rows], [r["lat"] for r in rows]).tolist()
        within = [(str(r["id"]), d) for r, d in zip(rows, metres, strict=True) if d <= radius_m]
        within.sort(key=lambda pair: (pair[1], pair[0]))
        return within[:limit]

    async def cases_in_box(
        self, f: CaseFilter, box: Box | None, limit: int, offset: int
    ) -> tuple[list[dict], int]:
        where = f.where()
        if box is not None:
            where &= (
                (Dispute.lon >= box.west)
                & (Dispute.lon <= box.east)
                & (Dispute.lat >= box.south)
                & (Dispute.lat <= box.north)
            )
        rows = await (
            Dispute.select(*(Dispute._meta.get_column_by_name(c) for c in CASE_FIELDS))
            .where(where)
            .order_by(Dispute.created_at, ascending=False)
            .order_by(Dispute.id)
            .limit(limit)
            .offset(offset)
        )
        total = await Dispute.count().where(where)
        return [_case_row(r) for r in rows], total

    async def outlines(self, ids: Sequence[int], tolerance: float) -> dict[int, dict]:
        index = await self._index()
        cache = index.simplified.setdefault(tolerance, {})
        answer = {}
        for node_id in ids:
            if node_id not in index.position:
                continue
            if node_id not in cache:
                geom = index.geoms[index.position[node_id]]
                if tolerance > 0:
                    geom = shapely.simplify(geom, tolerance, preserve_topology=True)
                cache[node_id] = rounded(mapping(geom))
            answer[node_id] = cache[node_id]
        return answer

    async def clusters(
        self, f: CaseFilter, kx: float, ky: float, eps_m: float, min_points: int
    ) -> tuple[list[dict], list[int | None]]:
        rows = await (
            Dispute.select(*(Dispute._meta.get_column_by_name(c) for c in CLUSTER_FIELDS))
            .where(f.where())
            .order_by(Dispute.id)
        )
        rows = [_case_row(r) for r in rows]
        x = np.array([r["lon"] for r in rows], dtype=float) * kx
        y = np.array([r["lat"] for r in rows], dtype=float) * ky
        labels = hotspots.dbscan(x, y, eps_m, min_points)
        return rows, [int(v) if v >= 0 else None for v in labels.tolist()]
