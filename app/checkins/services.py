"""Patrol check-ins: parse one (JSON or form), and the only writer, which stores it once."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from app import clock
from app.auth import policy
from app.auth.actor import Actor
from app.checkins.tables import PatrolCheckin
from app.disputes.errors import FieldErrors
from app.disputes.services import _resolve_grid
from app.disputes.validation import datetime_field, number_field, text_field
from app.i18n import _
from app.idempotency import create_once

MAX_NOTE = 500
# A phone's clock may run a little fast; a check-in from the future beyond this is refused.
CLOCK_SKEW = timedelta(minutes=10)


@dataclass(frozen=True)
class NewCheckin:
    id: uuid.UUID | None
    grid_id: int | None
    lon: float | None
    lat: float | None
    gps_accuracy_m: float | None
    checked_at: datetime | None
    note: str

    def content_hash(self) -> str:
        data = asdict(self)
        data.pop("id")
        data["checked_at"] = self.checked_at.isoformat() if self.checked_at else None
        return hashlib.sha256(
            json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()


def parse_checkin(data: dict[str, Any]) -> NewCheckin:
    errors: dict[str, str] = {}
    checkin_id = None
    if data.get("id") not in (None, ""):
        try:
            checkin_id = uuid.UUID(str(data["id"]))
        except ValueError:
            errors["id"] = _("Must be a UUID.")
    lon = number_field(data.get("lon"), "lon", errors, low=-180, high=180)
    lat = number_field(data.get("lat"), "lat", errors, low=-90, high=90)
    if (lon is None) != (lat is None) and "lon" not in errors and "lat" not in errors:
        errors["lat" if lat is None else "lon"] = _("Give both longitude and latitude, or neither.")
    checked_at = datetime_field(data.get("checked_at"), "checked_at", errors)
    if checked_at and checked_at > clock.now() + CLOCK_SKEW:
        errors["checked_at"] = _("The time lies in the future.")
    result = NewCheckin(
        id=checkin_id,
        grid_id=number_field(
            data.get("grid_id"), "grid_id", errors, low=1, high=2**31 - 1, integer=True
        ),
        lon=lon,
        lat=lat,
        gps_accuracy_m=number_field(
            data.get("gps_accuracy_m"), "gps_accuracy_m", errors, low=0, high=100_000
        ),
        checked_at=checked_at,
        note=text_field(data.get("note"), "note", errors, limit=MAX_NOTE),
    )
    if errors:
        raise FieldErrors(errors)
    return result


async def create_checkin(actor: Actor, new: NewCheckin) -> tuple[uuid.UUID, bool]:
    """Record a check-in in a grid of the actor's area. Returns (id, created); the same id
    with the same content is the same check-in, with other content a Conflict."""
    policy.require(actor, "check_in")
    checkin_id = new.id or uuid.uuid4()
    digest = new.content_hash()
    grid = await _resolve_grid(actor, new)  # the grid named, else under the GPS point, else own
    now = clock.now()

    async def insert() -> None:
        await PatrolCheckin.insert(
            PatrolCheckin(
                id=checkin_id,
                user=actor.id,
                county=grid["county"],
                township=grid["township"],
                village=grid["village"],
                grid=grid["id"],
                lon=new.lon,
                lat=new.lat,
                gps_accuracy_m=new.gps_accuracy_m,
                note=new.note,
                checked_at=new.checked_at or now,
                content_hash=digest,
                created_at=now,
            )
        )

    created = await create_once(
        PatrolCheckin,
        checkin_id,
        {PatrolCheckin.content_hash: digest},
        insert,
        _("A different check-in was already recorded with this id."),
    )
    return checkin_id, created
