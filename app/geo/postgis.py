"""The spatial engine on PostgreSQL: GeoAlchemy2 expressions over the geometry columns PostGIS
derives from what Piccolo writes (migrations/…021424: jurisdiction.geom from the GeoJSON text,
dispute.geom and room.geom from lon/lat, GiST indexes, one on dispute.geom::geography).

Read-only. SQLAlchemy needs its own async engine (asyncpg); it is made on first use from the
database URL in the settings, sized like Piccolo's pool, and disposed when the database pool
stops (app/db.py runs the hook). The table definitions below name only what is read.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    and_,
    bindparam,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app import db
from app.auth.scope import scope_key
from app.geo.backend import CASE_FIELDS, CLUSTER_FIELDS, Box, CaseFilter
from app.geo.measure import BORDER_TOLERANCE, rounded
from app.jurisdictions.tables import LEVELS
from app.settings import get_settings

_meta = MetaData()


def _scope_columns() -> list[Column]:
    return [Column(level, Integer) for level in LEVELS]


jurisdiction = Table(
    "jurisdiction",
    _meta,
    Column("id", Integer, primary_key=True),
    Column("code", String),
    Column("depth", Integer),
    Column("geom", Geometry(srid=4326)),
    *_scope_columns(),
)
dispute = Table(
    "dispute",
    _meta,
    Column("id", Uuid, primary_key=True),
    Column("case_no", String),
    Column("title", String),
    Column("category", String),
    Column("status", String),
    Column("risk_level", String),
    Column("lon", Float),
    Column("lat", Float),
    Column("created_at", DateTime(timezone=True)),
    Column("due_at", DateTime(timezone=True)),
    Column("geom", Geometry("POINT", srid=4326)),
    *_scope_columns(),
)


def _point(lon: Any, lat: Any):
    return func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)


def _deepest(point):
    """The deepest jurisdiction within BORDER_TOLERANCE of `point`, smallest code first. One
    level at a time, grids first: COALESCE stops at the first answer, so a point inside the
    county is tested against a few small grid polygons, never against the county's outline."""
    tries = [
        select(jurisdiction.c.id)
        .where(
            jurisdiction.c.depth == depth,
            func.ST_DWithin(jurisdiction.c.geom, point, BORDER_TOLERANCE),
        )
        .order_by(jurisdiction.c.code)
        .limit(1)
        .scalar_subquery()
        for depth in reversed(range(len(LEVELS)))
    ]
    return func.coalesce(*tries)


# one statement for any number of points (two array parameters): compiled and prepared once
_given = (
    func.unnest(bindparam("lons", type_=ARRAY(Float)), bindparam("lats", type_=ARRAY(Float)))
    .table_valued("lon", "lat", with_ordinality="i")
    .render_derived(with_types=False)
)
_LOCATE = (
    select(_given.c.i, _deepest(_point(_given.c.lon, _given.c.lat)).label("node"))
    .select_from(_given)
    .order_by(_given.c.i)
)


def case_where(f: CaseFilter) -> list:
    """The SQLAlchemy filter of a CaseFilter: the same rule as CaseFilter.where()."""
    column, value = scope_key(f.actor)
    where = [dispute.c[column] == value, dispute.c.geom.is_not(None)]
    if f.node_level:
        where.append(dispute.c[f.node_level] == f.node_id)
    if f.category:
        where.append(dispute.c.category == f.category)
    if f.since:
        where.append(dispute.c.created_at >= f.since)
    if f.until:
        where.append(dispute.c.created_at < f.until)
    if f.statuses:
        where.append(dispute.c.status.in_(f.statuses))
    if f.due_before:
        where.append(dispute.c.due_at <= f.due_before)
    return where


def _case_row(row: Any) -> dict:
    found = dict(row._mapping)
    return {**found, "id": str(found["id"])}


class PostGIS:
    name = "postgis"
    _shared: PostGIS | None = None

    def __init__(self, url: str | None = None) -> None:
        self._url = url or get_settings().database_url
        self._engine: AsyncEngine | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def shared(cls) -> PostGIS:
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    def engine(self) -> AsyncEngine:
        loop = asyncio.get_running_loop()
        if self._engine is None or self._loop is not loop:
            # an engine's connections belong to the event loop that opened them
            url = self._url.replace("postgresql://", "postgresql+asyncpg://", 1).replace(
                "postgres://", "postgresql+asyncpg://", 1
            )
            self._engine = create_async_engine(
                url, pool_size=get_settings().db_pool_size, max_overflow=0
            )
            self._loop = loop
            db.on_stop(self.dispose)
        return self._engine

    async def dispose(self) -> None:
        if self._engine is not None:
            engine, self._engine, self._loop = self._engine, None, None
            await engine.dispose()

    async def _all(self, statement, parameters: dict | None = None) -> list:
        async with self.engine().connect() as conn:
            return list(await conn.execute(statement, parameters))

    async def locate(self, points: Sequence[tuple[float, float]]) -> list[int | None]:
        if not points:
            return []
        rows = await self._all(
            _LOCATE, {"lons": [float(p[0]) for p in points], "lats": [float(p[1]) for p in points]}
        )
        return [r.node for r in rows]

    async def nearby(
        self, f: CaseFilter, lon: float, lat: float, radius_m: float, limit: int
    ) -> list[tuple[str, float]]:
        # func.geography(geom) is the expression of the geography GiST index: it is used
        here = func.geography(_point(lon, lat))
        where_ = func.geography(dispute.c.geom)
        metres = func.ST_Distance(where_, here)
        statement = (
            select(dispute.c.id, metres.label("metres"))
            .where(*case_where(f), func.ST_DWithin(where_, here, radius_m))
            .order_by(metres, dispute.c.id)
            .limit(limit)
        )
        return [(str(r.id), float(r.metres)) for r in await self._all(statement)]

    async def cases_in_box(
        self, f: CaseFilter, box: Box | None, limit: int, offset: int
    ) -> tuple[list[dict], int]:
        where = case_where(f)
        if box is not None:
            where += [
                # && finds candidates through the GiST index; its float4 boxes are ~1 m coarse
                # at lon 113, so the exact edges come from the plain comparisons (as on SQLite)
                dispute.c.geom.op("&&")(
                    func.ST_MakeEnvelope(box.west, box.south, box.east, box.north, 4326)
                ),
                dispute.c.lon.between(box.west, box.east),
                dispute.c.lat.between(box.south, box.north),
            ]
        rows = await self._all(
            select(*(dispute.c[c] for c in CASE_FIELDS))
            .where(*where)
            .order_by(dispute.c.created_at.desc(), dispute.c.id)
            .limit(limit)
            .offset(offset)
        )
        total = (await self._all(select(func.count()).select_from(dispute).where(*where)))[0][0]
        return [_case_row(r) for r in rows], total

    async def outlines(self, ids: Sequence[int], tolerance: float) -> dict[int, dict]:
        if not ids:
            return {}
        geom = jurisdiction.c.geom
        if tolerance > 0:
            geom = func.ST_SimplifyPreserveTopology(geom, tolerance)
        rows = await self._all(
            select(jurisdiction.c.id, func.ST_AsGeoJSON(geom, 6).label("geojson")).where(
                and_(jurisdiction.c.id.in_(list(ids)), jurisdiction.c.geom.is_not(None))
            )
        )
        return {r.id: rounded(json.loads(r.geojson)) for r in rows}

    async def clusters(
        self, f: CaseFilter, kx: float, ky: float, eps_m: float, min_points: int
    ) -> tuple[list[dict], list[int | None]]:
        plane = func.ST_MakePoint(dispute.c.lon * kx, dispute.c.lat * ky)
        label = func.ST_ClusterDBSCAN(plane, eps_m, min_points).over(order_by=dispute.c.id)
        rows = await self._all(
            select(*(dispute.c[c] for c in CLUSTER_FIELDS), label.label("cluster"))
            .where(*case_where(f))
            .order_by(dispute.c.id)
        )
        cases = [_case_row(r) for r in rows]
        labels = [c.pop("cluster") for c in cases]
        return cases, labels
