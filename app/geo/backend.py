"""What a spatial engine answers, and which one answers here.

Two implementations: `PostGIS` (app/geo/postgis.py: GeoAlchemy2 expressions over the generated
geometry columns) on PostgreSQL and `Embedded` (app/geo/embedded.py: shapely and numpy over rows
read with Piccolo) on SQLite. tests/geo/ holds them to the same answers; on a PostgreSQL run
it asks both and compares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.auth.actor import Actor
from app.auth.scope import scope_where
from app.disputes.tables import Dispute

# what a map point or a near-me row carries: small, and nothing personal
CASE_FIELDS = (
    "id",
    "case_no",
    "title",
    "category",
    "status",
    "risk_level",
    "lon",
    "lat",
    "created_at",
)
CLUSTER_FIELDS = ("id", "category", "status", "lon", "lat", "created_at")  # what a hotspot sums up


@dataclass(frozen=True)
class CaseFilter:
    """Which cases: those `actor` may see, optionally under one node, of a category, logged in
    [since, until), in some statuses."""

    actor: Actor
    node_level: str | None = None
    node_id: int | None = None
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    statuses: tuple[str, ...] | None = None
    due_before: datetime | None = None  # only cases whose time limit passed by then (overdue)

    def where(self, located: bool = True):
        """As a Piccolo filter (the embedded engine, counts); app/geo/postgis.py states the
        same in SQLAlchemy. `located`: only cases with a GPS point."""
        where = scope_where(Dispute, self.actor)
        if located:
            where &= Dispute.lon.is_not_null() & Dispute.lat.is_not_null()
        if self.node_level:
            where &= Dispute._meta.get_column_by_name(self.node_level) == self.node_id
        if self.category:
            where &= Dispute.category == self.category
        if self.since:
            where &= Dispute.created_at >= self.since
        if self.until:
            where &= Dispute.created_at < self.until
        if self.statuses:
            where &= Dispute.status.is_in(list(self.statuses))
        if self.due_before:
            where &= Dispute.due_at <= self.due_before
        return where


@dataclass(frozen=True)
class Box:
    west: float
    south: float
    east: float
    north: float


class GeoBackend(Protocol):
    name: str

    async def locate(self, points: Sequence[tuple[float, float]]) -> list[int | None]:
        """Per (lon, lat): the deepest jurisdiction whose boundary holds the point (a point
        within BORDER_TOLERANCE of a border is on it; among several, the smallest code), or
        None outside every boundary."""
        ...

    async def nearby(
        self, f: CaseFilter, lon: float, lat: float, radius_m: float, limit: int
    ) -> list[tuple[str, float]]:
        """(case id, metres on the spheroid) of the cases within radius_m, nearest first."""
        ...

    async def cases_in_box(
        self, f: CaseFilter, box: Box | None, limit: int, offset: int
    ) -> tuple[list[dict], int]:
        """CASE_FIELDS of the cases inside the box (edges included; None: anywhere), newest
        first, and how many there are."""
        ...

    async def outlines(self, ids: Sequence[int], tolerance: float) -> dict[int, dict]:
        """Boundary GeoJSON geometry per jurisdiction id, simplified by `tolerance` degrees
        (0: as stored), coordinates rounded to 6 decimals."""
        ...

    async def clusters(
        self, f: CaseFilter, kx: float, ky: float, eps_m: float, min_points: int
    ) -> tuple[list[dict], list[int | None]]:
        """The cases (CLUSTER_FIELDS, ordered by id) and their DBSCAN cluster label on the plane
        x = lon·kx, y = lat·ky (None: noise). See app/geo/hotspots.py."""
        ...


def current() -> GeoBackend:
    """The engine of the database in use."""
    from app import db

    if db.is_postgres():
        from app.geo.postgis import PostGIS

        return PostGIS.shared()
    from app.geo.embedded import Embedded

    return Embedded.shared()
