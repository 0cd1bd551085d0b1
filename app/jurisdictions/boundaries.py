"""Load jurisdictions and their boundaries from GeoJSON: the one path for the demo county and
for a real county's survey data (`pingli import-boundaries`).

All or nothing: every feature is checked first, then everything is written in one transaction.
Each feature's properties: code, name, level, parent_code (none for the county), abbr (county).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

from app import db
from app.geo import locate
from app.i18n import _
from app.jurisdictions.tables import LEVELS, Jurisdiction


class BoundaryErrors(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0


def _check(features: list[Any]) -> list[dict]:
    problems: list[str] = []
    parsed: list[dict] = []
    for i, feature in enumerate(features):
        props = (feature or {}).get("properties") or {}
        name = props.get("code") or f"#{i + 1}"
        level = props.get("level")
        if level not in LEVELS:
            problems.append(_("Feature %(f)s: unknown level %(level)s.", f=name, level=level))
            continue
        if not props.get("code") or not props.get("name"):
            problems.append(_("Feature %(f)s: code and name are required.", f=name))
            continue
        geometry = None
        if feature.get("geometry") is not None:
            try:
                geometry = shape(feature["geometry"])
            except Exception:
                problems.append(_("Feature %(f)s: the geometry cannot be read.", f=name))
                continue
            if geometry.geom_type not in ("Polygon", "MultiPolygon"):
                problems.append(_("Feature %(f)s: a boundary must be a polygon.", f=name))
                continue
            if not geometry.is_valid:
                problems.append(
                    _(
                        "Feature %(f)s: invalid polygon (%(why)s).",
                        f=name,
                        why=explain_validity(geometry),
                    )
                )
                continue
        parsed.append({**props, "geometry": geometry})
    if problems:
        raise BoundaryErrors(problems)
    return parsed


async def import_feature_collection(collection: dict) -> ImportReport:
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise BoundaryErrors([_("The file is not a GeoJSON FeatureCollection.")])
    features = _check(collection.get("features") or [])
    existing = {r["code"]: r for r in await Jurisdiction.select()}
    known_codes = set(existing) | {f["code"] for f in features}
    problems = [
        _("Feature %(f)s: unknown parent %(p)s.", f=f["code"], p=f.get("parent_code"))
        for f in features
        if f["level"] != "county" and f.get("parent_code") not in known_codes
    ]
    if problems:
        raise BoundaryErrors(problems)
    report = ImportReport()
    async with db.transaction():
        for level in LEVELS:  # parents before children
            for f in (f for f in features if f["level"] == level):
                await _upsert(f, existing, report)
    locate.invalidate()
    return report


async def _upsert(f: dict, existing: dict[str, dict], report: ImportReport) -> None:
    parent = existing.get(f.get("parent_code")) if f["level"] != "county" else None
    geometry = f["geometry"]
    values: dict[str, Any] = {
        "name": f["name"],
        "level": f["level"],
        "parent": parent["id"] if parent else None,
        "depth": LEVELS.index(f["level"]),
        "abbr": f.get("abbr"),
        "boundary": json.dumps(mapping(geometry), separators=(",", ":"))
        if geometry is not None
        else None,
        "centroid_lon": round(geometry.centroid.x, 6) if geometry is not None else None,
        "centroid_lat": round(geometry.centroid.y, 6) if geometry is not None else None,
    }
    for level in LEVELS[: LEVELS.index(f["level"])]:
        values[level] = parent[level] if parent else None
    row = existing.get(f["code"])
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
    existing[f["code"]] = {**values, "id": node_id, "code": f["code"], f["level"]: node_id}
