"""The map's layers as GeoJSON, the same whichever engine answers: areas shaded by open-case
density, case points, hotspots, rooms. Every layer is scoped (the node shown must lie in the
user's area, and every query starts from the scope rule), small (coordinates rounded to 6
decimals, boundaries simplified to the zoom, points paginated and box-limited).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count

from app import clock
from app.auth.actor import Actor
from app.auth.scope import get_or_404, scope_where
from app.disputes.tables import Dispute
from app.disputes.vocabulary import CATEGORIES, OPEN_STATUSES
from app.geo import hotspots, layer_cache
from app.geo.backend import Box, CaseFilter, current
from app.geo.measure import DECIMALS, simplify_tolerance
from app.geo.params import box_param, int_param
from app.i18n import _
from app.jurisdictions.tables import LEVELS, Jurisdiction
from app.sessions.tables import Room

CHINA_OFFSET = timedelta(hours=8)
PER_PAGE = 2000
MAX_PER_PAGE = 5000
SHADES = 5  # classes 1..5 of open cases; 0 is "no open case"


@dataclass
class MapParams:
    node: dict
    level: str  # the level of the areas drawn
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    open_only: bool = True
    overdue_at: datetime | None = None  # only the cases overdue at this moment (the overdue filter)
    box: Box | None = None
    zoom: int | None = None
    page: int = 1
    per_page: int = PER_PAGE
    days: int = hotspots.DAYS
    errors: dict[str, str] = field(default_factory=dict)

    def cases(self, actor: Actor, statuses: tuple[str, ...] | None = None) -> CaseFilter:
        return CaseFilter(
            actor=actor,
            node_level=self.node["level"],
            node_id=self.node["id"],
            category=self.category,
            since=self.since,
            until=self.until,
            statuses=statuses
            if statuses is not None
            else (OPEN_STATUSES if self.open_only else None),
            due_before=self.overdue_at,
        )


def _china_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC) - CHINA_OFFSET


async def parse(actor: Actor, params: dict[str, Any]) -> MapParams:
    """Read the query string. The node must be in the actor's area (404 otherwise)."""
    errors: dict[str, str] = {}
    node_id = int_param(params, "node", actor.jurisdiction_id, 1, 2**31 - 1, errors)
    node = await get_or_404(Jurisdiction, node_id, actor)
    below = LEVELS[min(LEVELS.index(node["level"]) + 1, len(LEVELS) - 1)]
    level = params.get("level") or below
    if level not in LEVELS or LEVELS.index(level) < LEVELS.index(node["level"]):
        errors["level"] = _("Unknown value: %(value)s.", value=str(level)[:20])
        level = below
    p = MapParams(node=node, level=level, errors=errors)
    category = params.get("category") or None
    if category is not None and category not in CATEGORIES:
        errors["category"] = _("Unknown value: %(value)s.", value=str(category)[:40])
    else:
        p.category = category
    for name, attr, shift in (("from", "since", 0), ("to", "until", 1)):
        raw = params.get(name)
        if raw:
            try:
                setattr(
                    p, attr, _china_midnight(date.fromisoformat(str(raw)) + timedelta(days=shift))
                )
            except (ValueError, OverflowError):  # not a date, or one at the calendar's very end
                errors[name] = _("Must be a date like 2026-05-01.")
    status = params.get("status") or "open"
    if status not in ("open", "all"):
        errors["status"] = _("Unknown value: %(value)s.", value=str(status)[:20])
    p.open_only = status == "open"
    if str(params.get("overdue", "")).lower() in ("1", "true", "on"):
        p.overdue_at = clock.now()  # a time limit runs only while something is due
    p.box = box_param(params.get("bbox"), errors)
    p.zoom = int_param(params, "zoom", None, 0, 22, errors)
    p.page = int_param(params, "page", 1, 1, 10_000, errors) or 1
    p.per_page = int_param(params, "per_page", PER_PAGE, 1, MAX_PER_PAGE, errors) or PER_PAGE
    p.days = int_param(params, "days", hotspots.DAYS, 1, 90, errors) or hotspots.DAYS
    return p


def _feature(geometry: dict | None, properties: dict) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [round(lon, DECIMALS), round(lat, DECIMALS)]}


async def open_counts(actor: Actor, p: MapParams) -> dict[int, int]:
    """Open cases (with the filters) per area at p.level under p.node."""
    column = Dispute._meta.get_column_by_name(p.level)
    where = p.cases(actor, OPEN_STATUSES).where(located=False)  # a case without GPS still counts
    rows = await Dispute.select(column, Count()).where(where).group_by(column)
    return {r[p.level]: r["count"] for r in rows}


def shade(count: float, top: float) -> int:
    """The class of an area's open cases: 0 for none, else 1..SHADES by fifths of the most."""
    if count <= 0 or top <= 0:
        return 0
    return min(SHADES, 1 + int(count / top * SHADES))


def scale(top: int) -> list[tuple[int, int]]:
    """The legend: the range of open cases each shade 1..SHADES stands for, under a top of
    `top` (shade() puts n in class 1 + n·SHADES // top); empty classes are left out."""
    steps: dict[int, list[int]] = {}
    for n in range(1, top + 1):
        steps.setdefault(shade(n, top), []).append(n)
    return [(v[0], v[-1]) for _k, v in sorted(steps.items())]


def _filter_key(p: MapParams) -> tuple:
    """What an area layer's answer depends on besides its node (see app/geo/layer_cache.py)."""
    return (p.level, p.category, p.since, p.until, p.open_only)


async def area_stats(actor: Actor, p: MapParams) -> tuple[list[dict], int]:
    """The areas at p.level under p.node, each with its open cases, density (per km²) and
    shade (0: none open; 1..SHADES by fifths of the area with the most open cases), and that
    most. Officers read counts; the density stays in the data for whoever needs it.
    Kept until a case of the node changes (the node is in the actor's area, and the answer is
    the node's whole subtree, so it is the same for everyone who may see the node); the
    overdue-only view changes by the minute and is counted each time."""
    if p.overdue_at is not None:
        return await _area_stats(actor, p)
    rows, top = await layer_cache.cached(
        "area_stats", p.node, _filter_key(p), lambda: _area_stats(actor, p)
    )
    return [dict(r) for r in rows], top  # callers may add to a row: not to the kept one


async def _area_stats(actor: Actor, p: MapParams) -> tuple[list[dict], int]:
    column = Jurisdiction._meta.get_column_by_name(p.node["level"])
    rows = await (
        Jurisdiction.select(
            Jurisdiction.id,
            Jurisdiction.code,
            Jurisdiction.name,
            Jurisdiction.level,
            Jurisdiction.area_km2,
            Jurisdiction.centroid_lon,
            Jurisdiction.centroid_lat,
        )
        .where(
            (column == p.node["id"])
            & (Jurisdiction.level == p.level)
            & scope_where(Jurisdiction, actor)
        )
        .order_by(Jurisdiction.code)
    )
    counts = await open_counts(actor, p)
    for r in rows:
        r["open"] = counts.get(r["id"], 0)
        r["density"] = round(r["open"] / r["area_km2"], 3) if r["area_km2"] else 0.0
        r["area_km2"] = round(r["area_km2"], 3) if r["area_km2"] else None
        r["centroid"] = [r.pop("centroid_lon"), r.pop("centroid_lat")]
    top = max((r["open"] for r in rows), default=0)
    for r in rows:
        r["shade"] = shade(r["open"], top)
    return rows, top


async def areas(actor: Actor, p: MapParams) -> dict:
    """area_stats as GeoJSON, boundaries simplified to p.zoom; kept like area_stats."""
    if p.overdue_at is not None:
        return await _areas(actor, p)
    return await layer_cache.cached(
        "areas", p.node, (*_filter_key(p), p.zoom), lambda: _areas(actor, p)
    )


async def _areas(actor: Actor, p: MapParams) -> dict:
    rows, top = await area_stats(actor, p)
    outlines = await current().outlines([r["id"] for r in rows], simplify_tolerance(p.zoom))
    features = [_feature(outlines.get(r["id"]), r) for r in rows]
    return {"type": "FeatureCollection", "features": features, "max_open": top}


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def cases(actor: Actor, p: MapParams) -> dict:
    rows, total = await current().cases_in_box(
        p.cases(actor), p.box, p.per_page, (p.page - 1) * p.per_page
    )
    features = [
        _feature(
            _point(r["lon"], r["lat"]),
            {
                "id": r["id"],
                "case_no": r["case_no"],
                "title": r["title"],
                "category": r["category"],
                "status": r["status"],
                "risk": r["risk_level"],
                "created": _iso(r["created_at"]),
            },
        )
        for r in rows
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "total": total,
        "page": p.page,
        "per_page": p.per_page,
        "truncated": total > p.page * p.per_page,
    }


LAYER_CASE_IDS = 5


async def hotspot_layer(actor: Actor, p: MapParams, now: datetime | None = None) -> dict:
    """Clusters of p.days of cases (every status: a settled case still marks the place) up to
    p.until or now, over the whole node so a cluster is never cut by the screen's edge; the
    box only picks which clusters are sent. Kept until a case of the node changes, or for
    layer_cache.TTL seconds when the window ends now."""
    key = (p.category, p.until, p.days, p.box, now)
    return await layer_cache.cached("hotspots", p.node, key, lambda: _hotspot_layer(actor, p, now))


async def _hotspot_layer(actor: Actor, p: MapParams, now: datetime | None = None) -> dict:
    until = p.until or (now or clock.now())
    f = CaseFilter(
        actor=actor,
        node_level=p.node["level"],
        node_id=p.node["id"],
        category=p.category,
        since=until - timedelta(days=p.days),
        until=until,
    )
    county = (
        await Jurisdiction.select(Jurisdiction.centroid_lat)
        .where(Jurisdiction.id == p.node["county"])
        .first()
    )
    plane = hotspots.Plane.at(county["centroid_lat"] if county and county["centroid_lat"] else 0.0)
    rows, labels = await current().clusters(
        f, plane.kx, plane.ky, hotspots.RADIUS_M, hotspots.MIN_CASES
    )
    spots = hotspots.summarise(rows, labels, OPEN_STATUSES)
    if p.box is not None:
        b = p.box
        spots = [
            s
            for s in spots
            if b.west <= s["center"][0] <= b.east and b.south <= s["center"][1] <= b.north
        ]
    features = [
        _feature(
            {"type": "Point", "coordinates": s["center"]},
            # the map shows counts; the newest few ids let a popup link on without sending every
            # member (a county's hotspots with up to 50 ids each weighed 318 KB)
            {
                **s,
                "case_ids": s["case_ids"][:LAYER_CASE_IDS],
                "first": _iso(s["first"]),
                "last": _iso(s["last"]),
            },
        )
        for s in spots
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "radius_m": hotspots.RADIUS_M,
        "min_cases": hotspots.MIN_CASES,
        "days": p.days,
        "until": _iso(until),
    }


async def rooms(actor: Actor, p: MapParams) -> dict:
    column = Room._meta.get_column_by_name(p.node["level"])
    rows = await (
        Room.select(Room.id, Room.name, Room.address, Room.capacity, Room.lon, Room.lat)
        .where(
            scope_where(Room, actor)
            & (column == p.node["id"])
            & Room.active.eq(True)
            & Room.lon.is_not_null()
        )
        .order_by(Room.id)
    )
    features = [
        _feature(
            _point(r["lon"], r["lat"]),
            {"id": r["id"], "name": r["name"], "address": r["address"], "capacity": r["capacity"]},
        )
        for r in rows
    ]
    return {"type": "FeatureCollection", "features": features}
