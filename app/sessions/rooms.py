"""Reasoning rooms: opening hours, free slots, and their management.

Times of day are China Standard Time (the rooms are in China, whatever the server's zone).
Admins manage every room in their scope; otherwise the users of the owning node (the village
mediator for a village's room, the township officer for the township's) manage theirs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar.exceptions import PermissionDeniedException

from app import db
from app.audit import log as audit
from app.auth import policy
from app.auth.actor import Actor
from app.auth.scope import get_or_404, scope_where
from app.disputes.errors import FieldErrors
from app.i18n import N_, _
from app.jurisdictions.tables import Jurisdiction
from app.sessions import listing
from app.sessions.states import LIVE
from app.sessions.tables import MediationSession, Room

CHINA = ZoneInfo("Asia/Shanghai")
SLOT_STEP = timedelta(minutes=30)
DEFAULT_SLOT_MINUTES = 60
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WEEKDAYS: dict[str, str] = {
    "1": N_("Mon"),
    "2": N_("Tue"),
    "3": N_("Wed"),
    "4": N_("Thu"),
    "5": N_("Fri"),
    "6": N_("Sat"),
    "7": N_("Sun"),
}
ROOM_COLUMNS = (
    Room.id,
    Room.name,
    Room.address,
    Room.capacity,
    Room.opens_at,
    Room.closes_at,
    Room.open_weekdays,
    Room.jurisdiction,
    Room.active,
    Room.jurisdiction.name.as_alias("owner_name"),
    Room.jurisdiction.level.as_alias("owner_level"),
    Room.township.name.as_alias("township_name"),
)


@dataclass(frozen=True)
class Span:
    starts_at: datetime
    ends_at: datetime

    def as_json(self) -> dict[str, str]:
        return {"starts_at": iso_local(self.starts_at), "ends_at": iso_local(self.ends_at)}


def iso_local(value: datetime) -> str:
    """ISO 8601 in China time with its offset: what a person and a phone calendar expect."""
    return value.astimezone(CHINA).isoformat(timespec="minutes")


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def opening(room: dict, day: date) -> Span | None:
    """When the room is open on `day`, or None when it is closed that weekday."""
    if str(day.isoweekday()) not in room["open_weekdays"]:
        return None
    return Span(
        datetime.combine(day, _hhmm(room["opens_at"]), CHINA),
        datetime.combine(day, _hhmm(room["closes_at"]), CHINA),
    )


def outside_hours(room: dict, starts_at: datetime, ends_at: datetime) -> str | None:
    """Why the span does not fit the room's hours, or None when it does."""
    day = starts_at.astimezone(CHINA).date()
    hours = opening(room, day)
    if hours is None:
        return _("%(room)s is closed on that day.", room=room["name"])
    if starts_at < hours.starts_at or ends_at > hours.ends_at:
        return _(
            "%(room)s is open %(opens)s–%(closes)s; the session must fit inside.",
            room=room["name"],
            opens=room["opens_at"],
            closes=room["closes_at"],
        )
    return None


def free_spans(window: Span, busy: list[Span]) -> list[Span]:
    """The gaps of `window` that no busy span covers."""
    free, cursor = [], window.starts_at
    for b in sorted(busy, key=lambda s: s.starts_at):
        if b.starts_at > cursor:
            free.append(Span(cursor, min(b.starts_at, window.ends_at)))
        cursor = max(cursor, b.ends_at)
        if cursor >= window.ends_at:
            break
    if cursor < window.ends_at:
        free.append(Span(cursor, window.ends_at))
    return [s for s in free if s.ends_at > s.starts_at]


def slot_choices(window: Span, free: list[Span], minutes: int, not_before: datetime) -> list[Span]:
    """Bookable spans of `minutes`, starting on the half hour from opening time, inside the
    free gaps and not in the past: what the booking form offers to pick."""
    length = timedelta(minutes=minutes)
    choices, start = [], window.starts_at
    while start + length <= window.ends_at:
        candidate = Span(start, start + length)
        if start >= not_before and any(
            f.starts_at <= candidate.starts_at and candidate.ends_at <= f.ends_at for f in free
        ):
            choices.append(candidate)
        start += SLOT_STEP
    return choices


async def busy_spans(room_id: int, window: Span) -> list[dict]:
    return await (
        MediationSession.select(
            MediationSession.id, MediationSession.starts_at, MediationSession.ends_at
        )
        .where(
            (MediationSession.room == room_id)
            & MediationSession.status.is_in(list(LIVE))
            & (MediationSession.starts_at < window.ends_at)
            & (MediationSession.ends_at > window.starts_at)
        )
        .order_by(MediationSession.starts_at)
    )


async def day_slots(room: dict, day: date, minutes: int, now: datetime) -> dict[str, Any]:
    """The room's day: open or not, the busy spans, the free gaps and bookable slots."""
    hours = opening(room, day)
    body: dict[str, Any] = {
        "room": {"id": room["id"], "name": room["name"]},
        "date": day.isoformat(),
        "minutes": minutes,
        "open": hours is not None,
        "opens_at": None,
        "closes_at": None,
        "busy": [],
        "free": [],
        "slots": [],
    }
    if hours is None:
        return body
    rows = await busy_spans(room["id"], hours)
    busy = [Span(r["starts_at"], r["ends_at"]) for r in rows]
    free = free_spans(hours, busy)
    body.update(
        opens_at=iso_local(hours.starts_at),
        closes_at=iso_local(hours.ends_at),
        busy=[
            {"session_id": r["id"], **Span(r["starts_at"], r["ends_at"]).as_json()} for r in rows
        ],
        free=[s.as_json() for s in free],
        slots=[s.as_json() for s in slot_choices(hours, free, minutes, now)],
    )
    return body


async def list_rooms(actor: Actor, active_only: bool = True) -> list[dict]:
    where = scope_where(Room, actor)
    if active_only:
        where &= Room.active == True  # noqa: E712 (a Piccolo expression, not a comparison)
    rows = await Room.select(*ROOM_COLUMNS).where(where).order_by(Room.township).order_by(Room.name)
    return [room_json(r) for r in rows]


async def search_rooms(actor: Actor, f: listing.Filters) -> tuple[list[dict], bool]:
    """A page of the rooms in the actor's area matching the filters; and whether more follow."""
    where = listing.where(Room, actor, f, (Room.name, Room.address, Room.jurisdiction.name))
    rows = await (
        Room.select(*ROOM_COLUMNS)
        .where(where)
        .order_by(Room.township)
        .order_by(Room.name)
        .order_by(Room.id)
        .offset((f.page - 1) * listing.PER_PAGE)
        .limit(listing.PER_PAGE + 1)
    )
    return [room_json(r) for r in rows[: listing.PER_PAGE]], len(rows) > listing.PER_PAGE


async def get_room(actor: Actor, room_id: int) -> dict:
    return await get_or_404(Room, room_id, actor, *ROOM_COLUMNS)


def room_json(row: dict) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "address": row["address"],
        "capacity": row["capacity"],
        "opens_at": row["opens_at"],
        "closes_at": row["closes_at"],
        "open_weekdays": [int(d) for d in row["open_weekdays"]],
        "owner": {"id": row["jurisdiction"], "name": row.get("owner_name")},
        "active": row["active"],
    }


# ----- management -------------------------------------------------------------------------


def may_manage(actor: Actor, room: dict) -> bool:
    # an administrator any room in the area; a mediator their own node's
    return policy.may(actor, "manage_rooms") and (
        actor.is_admin or room["jurisdiction"] == actor.jurisdiction_id
    )


def parse_room(data: dict[str, Any]) -> dict[str, Any]:
    """Clean room fields from a form or JSON, or FieldErrors naming each bad one."""
    errors: dict[str, str] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = _("This field is required.")
    elif len(name) > 100:
        errors["name"] = _("At most %(n)s characters.", n=100)
    address = str(data.get("address") or "").strip()
    if len(address) > 200:
        errors["address"] = _("At most %(n)s characters.", n=200)
    try:
        capacity = int(data.get("capacity") or 0)
        if not 1 <= capacity <= 2000:
            raise ValueError
    except (TypeError, ValueError):
        errors["capacity"] = _("Must be a whole number between 1 and %(high)s.", high=2000)
        capacity = 0
    opens, closes = str(data.get("opens_at") or ""), str(data.get("closes_at") or "")
    for key, value in (("opens_at", opens), ("closes_at", closes)):
        if not HHMM.match(value):
            errors[key] = _("A time like 08:30.")
    if "opens_at" not in errors and "closes_at" not in errors and opens >= closes:
        errors["closes_at"] = _("Closing time must be after opening time.")
    days = data.get("open_weekdays") or []
    days = [days] if isinstance(days, str | int) else days
    weekdays = "".join(sorted({str(d) for d in days if str(d) in WEEKDAYS}))
    if not weekdays or len(weekdays) != len({str(d) for d in days}):
        errors["open_weekdays"] = _("Choose the days it opens.")
    if errors:
        raise FieldErrors(errors)
    return {
        "name": name,
        "address": address,
        "capacity": capacity,
        "opens_at": opens,
        "closes_at": closes,
        "open_weekdays": weekdays,
        "active": str(data.get("active", "1")).lower() in ("1", "true", "on"),
    }


async def owner_choices(actor: Actor) -> list[dict]:
    """The nodes the actor may open a room for: any village or township in scope for an
    admin, their own node for a mediator at a village or township."""
    if actor.is_admin:
        return await (
            Jurisdiction.select(Jurisdiction.id, Jurisdiction.name, Jurisdiction.level)
            .where(
                Jurisdiction.level.is_in(["township", "village"]) & scope_where(Jurisdiction, actor)
            )
            .order_by(Jurisdiction.code)
        )
    if policy.may(actor, "manage_rooms"):
        return [
            {"id": actor.jurisdiction_id, "name": actor.jurisdiction_name, "level": actor.level}
        ]
    return []


def _audited(room: dict[str, Any]) -> dict[str, Any]:
    keys = ("name", "address", "capacity", "opens_at", "closes_at", "open_weekdays", "active")
    return {k: room.get(k) for k in keys}


async def create_room(
    actor: Actor,
    owner_id: int | None,
    fields: dict[str, Any],
    origin: audit.Origin | None = None,
) -> int:
    owners = {o["id"]: o for o in await owner_choices(actor)}
    if not owners:
        raise PermissionDeniedException(_("You may not manage rooms."))
    if owner_id is None and len(owners) == 1:
        owner_id = next(iter(owners))
    if owner_id not in owners:
        raise FieldErrors({"jurisdiction": _("Choose a village or township in your area.")})
    node = await Jurisdiction.select().where(Jurisdiction.id == owner_id).first()
    async with db.transaction():
        rows = await Room.insert(
            Room(
                **fields,
                jurisdiction=owner_id,
                county=node["county"],
                township=node["township"],
                village=node["village"],
                lon=node["centroid_lon"],
                lat=node["centroid_lat"],
            )
        ).returning(Room.id)
        await audit.record_change(
            actor,
            "room",
            f"create room {rows[0]['id']} of {node['code']}",
            origin,
            None,
            _audited(fields),
            action="create_room",
            params={"name": fields.get("name") or rows[0]["id"]},
        )
    return rows[0]["id"]


async def update_room(
    actor: Actor, room_id: int, fields: dict[str, Any], origin: audit.Origin | None = None
) -> None:
    room = await get_room(actor, room_id)
    if not may_manage(actor, room):
        raise PermissionDeniedException(_("You may not manage this room."))
    async with db.transaction():
        await Room.update(fields).where(Room.id == room_id)
        verb = "deactivate" if room["active"] and not fields.get("active", True) else "change"
        await audit.record_change(
            actor,
            "room",
            f"{verb} room {room_id}",
            origin,
            _audited(room),
            _audited(fields),
            action=f"{verb}_room",
            params={"name": fields.get("name") or room["name"]},
        )
