"""Boundaries from the admin pages: upload a GeoJSON file, see what it would create, rename
or move on a map, then confirm. The same all-or-nothing checks as `pingli import-boundaries`
(boundaries.plan), run at the upload and again at the confirmation (the tree may have changed
in between); the confirmed import is an audit entry.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from shapely.geometry import mapping, shape

from app import clock, db
from app.audit import log as audit
from app.auth.actor import Actor
from app.i18n import _
from app.jurisdictions import boundaries
from app.jurisdictions.tables import BoundaryUpload, Jurisdiction

KEEP = timedelta(days=1)
MAX_BYTES = 16 * 1024 * 1024


async def _county_code(actor: Actor) -> str:
    row = (
        await Jurisdiction.select(Jurisdiction.code)
        .where(Jurisdiction.id == audit.county_of(actor))
        .first()
    )
    return row["code"]


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise boundaries.BoundaryErrors(
            [_("The file cannot be read: %(why)s", why="UTF-8")]
        ) from exc
    except json.JSONDecodeError as exc:
        raise boundaries.BoundaryErrors(
            [
                _(
                    "The file is not valid JSON (line %(line)s, column %(column)s).",
                    line=exc.lineno,
                    column=exc.colno,
                )
            ]
        ) from exc


async def upload(actor: Actor, raw: bytes, now: datetime | None = None) -> tuple[str, dict]:
    """Check the file (BoundaryErrors: nothing kept) and keep it for the confirmation: its
    token and the preview."""
    now = now or clock.now()
    if not raw.strip():
        raise boundaries.BoundaryErrors([_("Choose a GeoJSON file.")])
    collection = _decode(raw)
    plan = await boundaries.plan(collection, await _county_code(actor))
    token = secrets.token_urlsafe(24)
    async with db.transaction():
        await BoundaryUpload.delete().where(BoundaryUpload.created_at < now - KEEP)
        await BoundaryUpload.insert(
            BoundaryUpload(
                token=token,
                user_id=actor.id,
                body=json.dumps(collection, ensure_ascii=False, separators=(",", ":")),
                created_at=now,
            )
        )
    return token, preview(plan)


async def _pending(actor: Actor, token: str) -> dict:
    row = (
        await BoundaryUpload.select()
        .where((BoundaryUpload.token == token[:64]) & (BoundaryUpload.user_id == actor.id))
        .first()
    )
    if row is None:
        raise boundaries.BoundaryErrors(
            [_("This upload is no longer waiting: upload the file again.")]
        )
    return row


async def pending_preview(actor: Actor, token: str) -> dict:
    row = await _pending(actor, token)
    plan = await boundaries.plan(json.loads(row["body"]), await _county_code(actor))
    return preview(plan)


async def confirm(
    actor: Actor, token: str, origin: audit.Origin | None = None
) -> boundaries.ImportReport:
    """Import the uploaded file, checked again; the upload is gone and the audit log says who
    imported what."""
    row = await _pending(actor, token)
    plan = await boundaries.plan(json.loads(row["body"]), await _county_code(actor))
    report = await boundaries.apply(plan)
    async with db.transaction():
        await BoundaryUpload.delete().where(BoundaryUpload.id == row["id"])
        changed = {
            action: [c["code"] for c in plan.changes if c["action"] == action]
            for action in ("created", "renamed", "moved")
        }
        await audit.record_change(
            actor,
            "boundaries",
            f"import boundaries: {report.created} created, {report.updated} updated",
            origin,
            None,
            {k: ", ".join(v)[:2000] for k, v in changed.items() if v},
            action="import_boundaries",
            params={"c": report.created, "u": report.updated},
        )
    return report


def preview(plan: boundaries.Plan) -> dict:
    """The counts, the list of what changes, and a FeatureCollection for the map: every feature
    that is created or moved (with its old line for a moved one), coloured by its action."""
    features = []
    for f, change in zip(plan.features, plan.changes, strict=True):
        if change["action"] == "unchanged":
            continue
        props = {k: change[k] for k in ("code", "name", "level", "action")}
        geometry = f["geometry"]
        row = plan.existing.get(f["code"])
        if geometry is None and row and row["boundary"]:
            geometry = shape(json.loads(row["boundary"]))
        if geometry is not None:
            features.append({"type": "Feature", "properties": props, "geometry": mapping(geometry)})
        if change["action"] == "moved" and row and row["boundary"]:
            features.append(
                {
                    "type": "Feature",
                    "properties": props | {"action": "old"},
                    "geometry": json.loads(row["boundary"]),
                }
            )
    return {
        "counts": {a: plan.count(a) for a in ("created", "renamed", "moved", "unchanged")},
        "changes": [c for c in plan.changes if c["action"] != "unchanged"],
        "map": {"type": "FeatureCollection", "features": features},
    }


async def download(actor: Actor) -> tuple[bytes, str]:
    """The county's current boundaries as the file the import reads."""
    code = await _county_code(actor)
    collection = await boundaries.export_collection(code)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8"), f"pingli-boundaries-{code}.geojson"
