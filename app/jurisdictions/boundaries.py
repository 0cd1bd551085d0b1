"""Load jurisdictions and their boundaries from GeoJSON, and write them back out: the one path
for the demo county and for a real county's survey data (`pingli import-boundaries`).

All or nothing: every feature is checked first — alone (level, code, a valid WGS84 polygon),
against the tree (a known parent one level up, no moves), and with its family (siblings do not
overlap, children cover their parent: app/jurisdictions/topology.py) — then everything is
written in one transaction that also bumps the boundary version.
Each feature's properties: code, level, parent_code (none for the county), name (may be left
out when updating), abbr (county). A feature without geometry keeps the boundary it has.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from app import db
from app.auth import sessions
from app.geo import locate
from app.geo.measure import area_km2
from app.i18n import _
from app.jurisdictions import nodes as kept_nodes
from app.jurisdictions import topology
from app.jurisdictions.tables import LEVELS, BoundaryVersion, Jurisdiction


class BoundaryErrors(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0


def read_file(path: str | Path) -> dict:
    """The GeoJSON in the file, or BoundaryErrors saying why it cannot be read."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BoundaryErrors([_("The file cannot be read: %(why)s", why=str(exc))]) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BoundaryErrors(
            [
                _(
                    "The file is not valid JSON (line %(line)s, column %(column)s).",
                    line=exc.lineno,
                    column=exc.colno,
                )
            ]
        ) from exc


def _geometry(feature: dict, name: str, problems: list[str]) -> BaseGeometry | None:
    try:
        geometry = shape(feature["geometry"])
    except Exception:
        problems.append(_("Feature %(f)s: the geometry cannot be read.", f=name))
        return None
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
        problems.append(_("Feature %(f)s: a boundary must be a polygon.", f=name))
        return None
    minx, miny, maxx, maxy = geometry.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        problems.append(
            _("Feature %(f)s: coordinates must be longitude and latitude (WGS84).", f=name)
        )
        return None
    if not geometry.is_valid:
        problems.append(
            _("Feature %(f)s: invalid polygon (%(why)s).", f=name, why=explain_validity(geometry))
        )
        return None
    return geometry


def _check(features: list[Any]) -> list[dict]:
    problems: list[str] = []
    parsed: list[dict] = []
    seen: set[str] = set()
    for i, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(_("Feature %(f)s: not a GeoJSON Feature.", f=f"#{i + 1}"))
            continue
        props = feature.get("properties") or {}
        code = str(props.get("code") or "").strip()
        name = code or f"#{i + 1}"
        level = props.get("level")
        if level not in LEVELS:
            problems.append(_("Feature %(f)s: unknown level %(level)s.", f=name, level=level))
            continue
        if not code:
            problems.append(_("Feature %(f)s: code and name are required.", f=name))
            continue
        if code in seen:
            problems.append(_("Feature %(f)s: the code appears twice in the file.", f=name))
            continue
        seen.add(code)
        geometry = None
        if feature.get("geometry") is not None:
            geometry = _geometry(feature, name, problems)
            if geometry is None:
                continue
        parent_code = str(props.get("parent_code") or "").strip() or None
        parsed.append({**props, "code": code, "parent_code": parent_code, "geometry": geometry})
    if problems:
        raise BoundaryErrors(problems)
    return parsed


def _tree_problems(
    features: list[dict], existing: dict[str, dict], parent_codes: dict[int, str]
) -> list[str]:
    """Parents known and one level up; names for new nodes; no node changes level or parent."""
    in_file = {f["code"]: f for f in features}
    problems = []
    for f in features:
        code, level = f["code"], f["level"]
        row = existing.get(code)
        if row is None and not f.get("name"):
            problems.append(_("Feature %(f)s: code and name are required.", f=code))
        if row is not None and row["level"] != level:
            problems.append(
                _(
                    "Feature %(f)s: is a %(old)s already, not a %(new)s.",
                    f=code,
                    old=row["level"],
                    new=level,
                )
            )
            continue
        if level == "county":
            continue
        parent_code = f["parent_code"]
        if row is not None and parent_code is None:
            parent_code = f["parent_code"] = parent_codes.get(row["parent"])
        parent = in_file.get(parent_code) or existing.get(parent_code)
        if parent is None:
            problems.append(_("Feature %(f)s: unknown parent %(p)s.", f=code, p=parent_code))
        elif parent["level"] != LEVELS[LEVELS.index(level) - 1]:
            problems.append(
                _(
                    "Feature %(f)s: a %(level)s cannot belong to the %(parent_level)s %(p)s.",
                    f=code,
                    level=level,
                    parent_level=parent["level"],
                    p=parent_code,
                )
            )
        elif row is not None and parent_codes.get(row["parent"]) != parent_code:
            problems.append(
                _("Feature %(f)s: moving a node to another parent is not supported.", f=code)
            )
    return problems


def _family(
    features: list[dict], existing: dict[str, dict], parent_codes: dict[int, str]
) -> dict[str, topology.Node]:
    nodes = {
        code: topology.Node(
            code,
            row["level"],
            parent_codes.get(row["parent"]),
            shape(json.loads(row["boundary"])) if row["boundary"] else None,
            from_file=False,
        )
        for code, row in existing.items()
    }
    for f in features:
        kept = nodes.get(f["code"])
        geometry = f["geometry"] if f["geometry"] is not None else (kept.geometry if kept else None)
        nodes[f["code"]] = topology.Node(
            f["code"], f["level"], f["parent_code"], geometry, from_file=True
        )
    return nodes


@dataclass
class Plan:
    """A checked import, not yet written: what it would create, update or leave as it is."""

    features: list[dict]
    existing: dict[str, dict]
    changes: list[
        dict
    ]  # code, name, level, parent_code, action: created | renamed | moved | unchanged

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c["action"] == action)


def _change(f: dict, row: dict | None) -> dict:
    """What importing feature `f` does to the node `row` (None: a new one). A boundary that
    differs is "moved" (its line moves on the map), a new name only is "renamed"."""
    name = f.get("name") or (row["name"] if row else "")
    change = {
        "code": f["code"],
        "name": name,
        "level": f["level"],
        "parent_code": f["parent_code"],
        "old_name": row["name"] if row else None,
    }
    if row is None:
        return change | {"action": "created"}
    geometry = f["geometry"]
    old = shape(json.loads(row["boundary"])) if row["boundary"] else None
    if geometry is not None and (old is None or not geometry.equals_exact(old, 1e-9)):
        return change | {"action": "moved"}
    if f.get("name") and f["name"] != row["name"]:
        return change | {"action": "renamed"}
    return change | {"action": "unchanged"}


async def plan(collection: Any, county_code: str | None = None) -> Plan:
    """Check everything (BoundaryErrors listing every problem) and say what an import would do.
    With `county_code`, every feature must lie in that county (an administrator's upload)."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise BoundaryErrors([_("The file is not a GeoJSON FeatureCollection.")])
    crs = ((collection.get("crs") or {}).get("properties") or {}).get("name", "")
    if crs and not crs.upper().endswith(("CRS84", "4326")):
        raise BoundaryErrors(
            [_("Coordinates must be WGS84 longitude and latitude, not %(crs)s.", crs=crs)]
        )
    features = _check(collection.get("features") or [])
    rows = await Jurisdiction.select()
    existing = {r["code"]: r for r in rows}
    parent_codes = {r["id"]: r["code"] for r in rows}
    problems = _tree_problems(features, existing, parent_codes)
    if problems:
        raise BoundaryErrors(problems)
    if county_code is not None:
        problems = _outside(features, existing, county_code)
        if problems:
            raise BoundaryErrors(problems)
    problems = topology.problems(_family(features, existing, parent_codes))
    if problems:
        raise BoundaryErrors(problems)
    changes = [_change(f, existing.get(f["code"])) for f in features]
    return Plan(features, existing, changes)


def _outside(features: list[dict], existing: dict[str, dict], county_code: str) -> list[str]:
    """Features that are not in the county: another county, or under another county's node."""
    county = existing.get(county_code)
    in_file = {f["code"]: f for f in features}
    problems = []
    for f in features:
        code = f["code"]
        while code is not None and code != county_code:
            row = existing.get(code)
            if row is not None:
                ok = county is not None and row["county"] == county["id"]
                code = county_code if ok else None
            else:
                code = (in_file.get(code) or {}).get("parent_code")
        if code is None:
            problems.append(_("Feature %(f)s: lies outside your county.", f=f["code"]))
    return problems


async def apply(p: Plan) -> ImportReport:
    """Write a checked plan: one transaction, parents before children, the version bumped."""
    report = ImportReport()
    existing = dict(p.existing)
    async with db.transaction():
        for level in LEVELS:  # parents before children
            for f in (f for f in p.features if f["level"] == level):
                await _upsert(f, existing, report)
        await _bump_version()
    locate.invalidate()
    sessions.forget_cached()  # signed-in actors keep their area's name and level
    kept_nodes.forget()
    return report


async def import_feature_collection(collection: Any) -> ImportReport:
    return await apply(await plan(collection))


async def _bump_version() -> None:
    bumped = await BoundaryVersion.update(
        {BoundaryVersion.version: BoundaryVersion.version + 1}, force=True
    ).returning(BoundaryVersion.id)
    if not bumped:
        await BoundaryVersion.insert(BoundaryVersion(version=1))


async def _upsert(f: dict, existing: dict[str, dict], report: ImportReport) -> None:
    row = existing.get(f["code"])
    parent = existing.get(f["parent_code"]) if f["level"] != "county" else None
    geometry = f["geometry"]
    values: dict[str, Any] = {
        "level": f["level"],
        "parent": parent["id"] if parent else None,
        "depth": LEVELS.index(f["level"]),
    }
    if f.get("name") or row is None:
        values["name"] = f["name"]
    if "abbr" in f or row is None:
        values["abbr"] = f.get("abbr")
    if geometry is not None:
        centroid = geometry.centroid
        values.update(
            boundary=json.dumps(mapping(geometry), separators=(",", ":")),
            centroid_lon=round(centroid.x, 6),
            centroid_lat=round(centroid.y, 6),
            area_km2=round(area_km2(geometry), 6),
        )
    for level in LEVELS[: LEVELS.index(f["level"])]:
        values[level] = parent[level] if parent else None
    if row is None:
        inserted = await Jurisdiction.insert(Jurisdiction(code=f["code"], **values)).returning(
            Jurisdiction.id
        )
        node_id = inserted[0]["id"]
        await Jurisdiction.update(
            {Jurisdiction._meta.get_column_by_name(f["level"]): node_id}
        ).where(Jurisdiction.id == node_id)
        report.created += 1
    else:
        node_id = row["id"]
        await Jurisdiction.update(
            {Jurisdiction._meta.get_column_by_name(k): v for k, v in values.items()}
        ).where(Jurisdiction.id == node_id)
        report.updated += 1
    existing[f["code"]] = {
        **(row or {}),
        **values,
        "id": node_id,
        "code": f["code"],
        f["level"]: node_id,
    }


async def export_collection(root_code: str | None = None) -> dict:
    """Every jurisdiction (or the subtree of `root_code`) as the FeatureCollection the import
    reads: parents before children, by code."""
    where = None
    if root_code is not None:
        root = await Jurisdiction.select().where(Jurisdiction.code == root_code).first()
        if root is None:
            raise BoundaryErrors([_("No jurisdiction has the code %(code)s.", code=root_code)])
        where = Jurisdiction._meta.get_column_by_name(root["level"]) == root["id"]
    query = (
        Jurisdiction.select(
            Jurisdiction.code,
            Jurisdiction.name,
            Jurisdiction.level,
            Jurisdiction.abbr,
            Jurisdiction.boundary,
            Jurisdiction.parent.code.as_alias("parent_code"),
        )
        .order_by(Jurisdiction.depth)
        .order_by(Jurisdiction.code)
    )
    rows = await (query.where(where) if where is not None else query)
    features = []
    for r in rows:
        props = {
            "code": r["code"],
            "name": r["name"],
            "level": r["level"],
            "parent_code": r["parent_code"],
        }
        if r["abbr"]:
            props["abbr"] = r["abbr"]
        geometry = json.loads(r["boundary"]) if r["boundary"] else None
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}
