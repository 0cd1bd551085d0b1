"""Read models of check-ins, scoped like everything else."""

from __future__ import annotations

import uuid
from typing import Any

from app.auth.actor import Actor
from app.auth.scope import get_or_404, scope_where
from app.checkins.tables import PatrolCheckin

_COLUMNS = (
    PatrolCheckin.id,
    PatrolCheckin.lon,
    PatrolCheckin.lat,
    PatrolCheckin.gps_accuracy_m,
    PatrolCheckin.location_source,
    PatrolCheckin.note,
    PatrolCheckin.checked_at,
    PatrolCheckin.created_at,
    PatrolCheckin.grid.id.as_alias("grid_id"),
    PatrolCheckin.grid.name.as_alias("grid_name"),
    PatrolCheckin.village.name.as_alias("village_name"),
    PatrolCheckin.user.display_name.as_alias("user_name"),
)


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def as_dict(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "grid": {"id": row["grid_id"], "name": row["grid_name"]},
        "village_name": row["village_name"],
        "user_name": row["user_name"],
        "lon": row["lon"],
        "lat": row["lat"],
        "gps_accuracy_m": row["gps_accuracy_m"],
        "location_source": row["location_source"],
        "note": row["note"],
        "checked_at": _iso(row["checked_at"]),
        "created_at": _iso(row["created_at"]),
    }


async def get_checkin(actor: Actor, checkin_id: uuid.UUID) -> dict[str, Any]:
    return as_dict(await get_or_404(PatrolCheckin, checkin_id, actor, *_COLUMNS))


async def my_recent(actor: Actor, limit: int = 10) -> list[dict[str, Any]]:
    rows = await (
        PatrolCheckin.select(*_COLUMNS)
        .where((PatrolCheckin.user == actor.id) & scope_where(PatrolCheckin, actor))
        .order_by(PatrolCheckin.checked_at, ascending=False)
        .limit(limit)
    )
    return [as_dict(r) for r in rows]
